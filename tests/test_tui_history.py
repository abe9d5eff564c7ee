"""Honest counts in the TUI: while history is partial the sidebar, the summary and search say so;
once back-fill completes they are exact and say nothing more."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from rcinbox.emulator import Emulator, EmulatorConfig
from rcinbox.tui.app import InboxApp
from tests.tui_harness import copy_store, make_app, pin_time_zone, settle, until, warm_store

WIDE = (120, 40)
NARROW = (80, 24)


@pytest.fixture(scope="module")
def half_loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, Path]]:
    """An emulator and a store holding the newest 500 of its 2,000 contents (about six days of
    the seeded ninety)."""
    pin_time_zone()
    emulator = Emulator(EmulatorConfig(auth_rate_limit=1000)).start()
    path = tmp_path_factory.mktemp("store") / "inbox.sqlite3"
    store = warm_store(emulator, path, pages=1, per_page=500)
    yield emulator, store
    emulator.stop()


@pytest.fixture
def seeded(half_loaded: tuple[Emulator, Path], tmp_path: Path) -> tuple[Emulator, Path]:
    emulator, store = half_loaded
    return emulator, copy_store(store, tmp_path)


def sidebar_counts(app: InboxApp) -> list[str]:
    """The counts as drawn after each entry but "All": "12", "12+" (labels are padded to the
    column, so a channel's short id never ends an entry without a count)."""
    sidebar = app.sidebar
    prompts = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
    return [m.group(1) for p in prompts[1:] if (m := re.search(r" (\d+\+?)$", p))]


def summary(app: InboxApp) -> str:
    return str(app.view.query_one("#thread-title").render())


def back_filled(app: InboxApp) -> bool:
    return app.inbox.history().complete and "+" not in "".join(sidebar_counts(app))


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x40", "80x24"])
async def test_sidebar_counts_carry_a_plus_until_history_is_complete(seeded, size) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if size == NARROW:
            await pilot.press("ctrl+b")
            await pilot.pause(0.1)
        assert app.inbox.history().partial
        counts = sidebar_counts(app)
        assert len(counts) > 5 and all(count.endswith("+") for count in counts)
        unread_before = int(counts[0].rstrip("+"))
        if size == WIDE:
            assert f"{unread_before}+ unread conversations" in summary(app)
            assert "History is still loading" in summary(app)

        await app.inbox.backfill.run()
        await until(pilot, lambda: back_filled(app))
        counts = sidebar_counts(app)
        assert int(counts[0]) >= unread_before
        # Every channel with an unread thread in the horizon is listed, with its count.
        channels = app.inbox.channels()
        # Unread, then Needs reply, then each channel with an unread thread.
        assert int(counts[1]) == app.inbox.needs_reply_count() > 0
        assert len(counts) == 2 + len([c for c in channels if c.unread_count])
        assert sum(int(count) for count in counts[2:]) == int(counts[0])
        if size == NARROW:
            # All of them on screen at once, none scrolled out of the 80x24 sidebar.
            assert app.sidebar.option_count <= app.sidebar.scrollable_content_region.height
        if size == WIDE:
            assert f"{counts[0]} unread conversations" in summary(app)
            first_line = summary(app).splitlines()[0]
            assert first_line == (
                f"{counts[0]} unread conversations across {len(channels)} channels"
                " in the last 14 days."
            )
            assert "still loading" not in summary(app)

            # Scrolling on into pages older than the horizon changes no count.
            stored = app.inbox.store.content_count()
            for _ in range(5):
                await pilot.press("G")
                await settle(pilot)
            assert app.inbox.store.content_count() > stored
            assert sidebar_counts(app) == counts


async def test_search_says_how_much_history_it_searched(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        box = app.query_one("#filter", Input)
        await pilot.press("slash", *"backpack", "enter")
        await settle(pilot)
        assert "found · searched" in str(box.border_subtitle)
        assert "of 14 days so far" in str(box.border_subtitle)
        found_before = app.conversation_list.total

        await app.inbox.backfill.run()
        await until(pilot, lambda: "searched" not in str(box.border_subtitle))
        assert str(box.border_subtitle).startswith(f"{app.conversation_list.total} found")
        assert app.conversation_list.total >= found_before
        in_horizon = app.conversation_list.total - older_found(box)

        # Scrolling loads older pages: the same search finds more, and says which are older.
        await pilot.press("escape")
        for _ in range(5):
            await pilot.press("G")
            await settle(pilot)
        await pilot.press("slash", *"backpack", "enter")
        await settle(pilot)
        older = older_found(box)
        assert older > 0
        assert str(box.border_subtitle) == (
            f"{app.conversation_list.total} found · {older} older than 14 days"
        )
        assert app.conversation_list.total - older == in_horizon


def older_found(box: Input) -> int:
    found = re.search(r"· (\d+) older than", str(box.border_subtitle))
    return int(found.group(1)) if found else 0


async def test_a_search_finding_nothing_says_it_searched_part_of_the_history(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzqqxx", "enter")
        await settle(pilot)
        empty = app.conversation_list.empty_text
        assert empty.startswith("Nothing matches 'zzqqxx' (searched ") and "of 14 days" in empty

        await app.inbox.backfill.run()
        await until(pilot, lambda: app.conversation_list.empty_text == "Nothing matches 'zzqqxx'.")
