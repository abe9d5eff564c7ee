"""The TUI's start-up against the emulator: each page is asked for once.

At start-up two things want the first page of the unfiltered listing: the engine's first poll,
and the list, which asks for rows as soon as it is shown. They share one request.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from tui_harness import make_app, pin_time_zone, settle, until

from rcinbox.api import SocialMessagingClient
from rcinbox.emulator import Emulator
from rcinbox.inbox.engine import BackgroundWork

WIDE = (120, 40)


def record_listings(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple]:
    """Every ``list_contents`` call by its arguments: one key per distinct page asked for."""
    asked: Counter[tuple] = Counter()
    original = SocialMessagingClient.list_contents

    async def list_contents(self, **filters):
        asked[tuple(sorted((k, repr(v)) for k, v in filters.items() if v is not None))] += 1
        return await original(self, **filters)

    monkeypatch.setattr(SocialMessagingClient, "list_contents", list_contents)
    return asked


@pytest.mark.parametrize("history", [False, True], ids=["list", "list-and-history"])
async def test_a_first_launch_asks_for_each_page_once(
    make_emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, history: bool
) -> None:
    pin_time_zone()
    emulator: Emulator = make_emulator(auth_rate_limit=1000)
    asked = record_listings(monkeypatch)
    app = make_app(
        emulator, tmp_path / "inbox.sqlite3", work=BackgroundWork(names=False, history=history)
    )
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.conversation_list.total > 0)
        await settle(pilot)
    assert asked, "nothing was fetched"
    repeated = {page: times for page, times in asked.items() if times > 1}
    assert repeated == {}
    # The emulator agrees: it answered as many listings as the app asked for.
    assert emulator.stats.requests["GET /contents"] == sum(asked.values())


async def test_without_polling_the_list_fetches_the_first_page_itself_once(
    make_emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_time_zone()
    emulator: Emulator = make_emulator(auth_rate_limit=1000)
    asked = record_listings(monkeypatch)
    app = make_app(
        emulator,
        tmp_path / "inbox.sqlite3",
        work=BackgroundWork(poll=False, names=False, history=False),
    )
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: app.conversation_list.total > 0)
        await settle(pilot, online=False)
    first_page = [page for page in asked if "page_token" not in dict(page)]
    assert len(first_page) == 1
    assert asked[first_page[0]] == 1


async def test_a_returning_user_sees_the_stored_rows_before_any_request(
    make_emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a store that has rows, the first frame is painted from it before the engine starts:
    no request has left (the HTTP client is not even built) when the rows are on screen; the
    sync follows."""
    pin_time_zone()
    emulator: Emulator = make_emulator(auth_rate_limit=1000)
    store = tmp_path / "inbox.sqlite3"
    first = make_app(emulator, store)
    async with first.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: first.conversation_list.total > 0)
    before = emulator.stats.requests["GET /contents"]

    asked_before = sum(emulator.stats.requests.values())
    seen_at_first_frame: list[tuple[int, bool, int]] = []
    app = make_app(emulator, store)
    original = type(app).on_mount

    async def on_mount(self) -> None:
        await original(self)
        self.call_after_refresh(
            lambda: seen_at_first_frame.append(
                (
                    self.conversation_list.total,
                    self.inbox.client.built,
                    sum(emulator.stats.requests.values()),
                )
            )
        )

    monkeypatch.setattr(type(app), "on_mount", on_mount)
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: bool(seen_at_first_frame))
        await settle(pilot)
        await until(pilot, lambda: emulator.stats.requests["GET /contents"] > before)
    rows, client_built, asked = seen_at_first_frame[0]
    assert rows > 0
    assert not client_built
    assert asked == asked_before


async def test_the_collector_is_back_on_once_the_first_frame_is_painted(
    make_emulator, tmp_path: Path
) -> None:
    """The launcher starts the TUI with the cyclic collector off; the app turns it back on
    (with what exists frozen) after its first frame."""
    import gc

    pin_time_zone()
    emulator: Emulator = make_emulator(auth_rate_limit=1000)
    gc.disable()
    try:
        app = make_app(emulator, tmp_path / "inbox.sqlite3")
        async with app.run_test(size=WIDE) as pilot:
            await until(pilot, gc.isenabled)
            await settle(pilot)
    finally:
        gc.enable()
        gc.unfreeze()
