"""History back-fill against the emulator over real loopback HTTP: it reaches the horizon and stops,
counts become exact, it stays within the rate budget, resumes after a restart, and never holds up
the agent's own requests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from rcinbox.api import OAuthSession, SocialMessagingClient
from rcinbox.emulator import Emulator
from rcinbox.emulator.seed import DEFAULT_NOW
from rcinbox.inbox.backfill import DAY
from rcinbox.inbox.engine import EngineSettings, Inbox
from rcinbox.inbox.events import HistoryChanged
from rcinbox.inbox.scheduler import RESERVE, Priority
from rcinbox.inbox.store import Store, ThreadFilter

CLIENT_ID, CLIENT_SECRET, JWT = "rcinbox-demo", "rcinbox-demo-secret", "rcinbox-demo-jwt"
LIST = "GET /contents"
# The engine's "now": the instant the emulator's seeded data leads up to (its newest content is
# minutes old, its oldest about 90 days: far more than any horizon below).
NOW = DEFAULT_NOW.timestamp() + 60
# Small pages, so the horizon takes many of them.
PAGE = 100


@dataclass
class Run:
    inbox: Inbox
    # The page token of every listing request of this run that was answered (None: a first
    # page); a request cut short when the app quit does not count: its page is not stored.
    tokens: list[str | None] = field(default_factory=list)


@contextlib.asynccontextmanager
async def engine(
    emulator: Emulator, store_path: Path, *, horizon_days: int = 14
) -> AsyncIterator[Run]:
    """An inbox on ``store_path`` with nothing started; back-fill is run by each test."""
    store = Store.open(store_path)
    async with httpx.AsyncClient() as http:
        auth = OAuthSession(emulator.url, CLIENT_ID, CLIENT_SECRET, http=http, jwt=JWT)
        client = SocialMessagingClient(emulator.url, auth, http=http, backoff=0.01)
        inbox = Inbox(
            store=store,
            client=client,
            settings=EngineSettings(horizon_days=horizon_days),
            clock=lambda: NOW,
        )
        inbox.backfill.page_size = PAGE
        run = Run(inbox)
        listing = client.list_contents

        async def recording(**filters: Any):
            page = await listing(**filters)
            run.tokens.append(filters.get("page_token"))
            return page

        client.list_contents = recording  # type: ignore[method-assign]
        try:
            yield run
        finally:
            await inbox.close()
            store.close()


async def every_content(emulator: Emulator) -> list[Any]:
    """The server's whole history, read directly (the oracle the back-filled store is held to)."""
    found = []
    async with httpx.AsyncClient() as http:
        auth = OAuthSession(emulator.url, CLIENT_ID, CLIENT_SECRET, http=http, jwt=JWT)
        client = SocialMessagingClient(emulator.url, auth, http=http)
        async for page in client.iter_content_pages(per_page=1000):
            found.extend(page.records)
    return found


def unread_since(store: Store, since: float) -> set[str]:
    return {
        row[0]
        for row in store._db.execute(
            "SELECT id FROM threads WHERE unread = 1 AND latest_at >= ?", (since,)
        )
    }


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(30):
        while not condition():
            await asyncio.sleep(0.01)


async def test_backfill_reaches_the_horizon_stops_there_and_makes_counts_exact(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator()
    horizon_start = NOW - 14 * DAY
    async with engine(emulator, tmp_path / "inbox.db") as run:
        inbox = run.inbox
        updates = inbox.events.subscribe()
        await inbox.sync_now()
        first_page = inbox.history()
        unread_first_page = len(unread_since(inbox.store, 0))
        assert first_page.partial and first_page.horizon_days == 14 and first_page.days < 14

        async with asyncio.timeout(60):
            await inbox.backfill.run()  # returns only once the history is complete

        coverage = inbox.history()
        assert coverage.complete and coverage.days == 14
        assert HistoryChanged(coverage) in drain(updates)
        # Stopped at the horizon: the last page crossed it, and no page came after that one.
        reached = inbox.store.cursor_reach("all")
        assert reached is not None and reached <= horizon_start
        stored = inbox.store
        contents = await every_content(emulator)
        within = [c for c in contents if c.creation_time.timestamp() >= horizon_start]
        beyond = [c for c in contents if c.creation_time.timestamp() < horizon_start]
        assert len(within) > PAGE and beyond, "the seeded history must outrun the first page"
        assert stored.known_content_ids(c.id for c in within) == {c.id for c in within}
        assert len(stored.known_content_ids(c.id for c in beyond)) < PAGE
        assert len(run.tokens) == len(within) // PAGE + 1

        # Exact: the unread threads of the horizon are those of a store holding everything.
        whole = Store.open(tmp_path / "whole.db")
        whole.merge_contents(contents)
        assert unread_since(stored, horizon_start) == unread_since(whole, horizon_start)
        assert len(unread_since(stored, 0)) > unread_first_page
        whole.close()

        # Complete means complete: running it again asks the server nothing.
        asked = emulator.stats.requests[LIST]
        await inbox.backfill.run()
        assert emulator.stats.requests[LIST] == asked
    assert emulator.stats.rate_limited == 0


def drain(subscription) -> list[Any]:
    events = []
    while (event := subscription.get_nowait()) is not None:
        events.append(event)
    return events


async def test_backfill_resumes_after_a_restart_without_fetching_a_page_twice(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator()
    path = tmp_path / "inbox.db"
    async with engine(emulator, path) as first:
        updates = first.inbox.events.subscribe()
        filling = asyncio.ensure_future(first.inbox.backfill.run())
        # Stopped (the app quits) after a few pages, well before the horizon.
        await until(lambda: len(first.tokens) >= 3)
        filling.cancel()
        await asyncio.gather(filling, return_exceptions=True)
        partial = first.inbox.history()
        assert partial.partial and 0 < partial.days < 14
        assert HistoryChanged(partial) in drain(updates)

    async with engine(emulator, path) as second:
        assert second.inbox.history() == partial
        await asyncio.wait_for(second.inbox.backfill.run(), 60)
        assert second.inbox.history().complete

    fetched = first.tokens + second.tokens
    assert len(fetched) == len(set(fetched)), "a page was fetched twice"
    assert None not in second.tokens, "the second run started again from the newest page"

    # A wider horizon later (the config changed) goes on from where the first one ended.
    async with engine(emulator, path, horizon_days=30) as third:
        assert third.inbox.history().partial
        await asyncio.wait_for(third.inbox.backfill.run(), 60)
        assert third.inbox.history().complete and third.inbox.history().days == 30
    assert not set(third.tokens) & set(fetched)
    assert emulator.stats.rate_limited == 0


async def test_backfill_stays_within_the_budget_and_never_holds_up_the_agent(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    # A small budget (20 requests per 3 s): back-fill soon meets the reserve it must leave.
    emulator = make_emulator(rate_limit=20, rate_window=3.0)
    async with engine(emulator, tmp_path / "inbox.db") as run:
        inbox = run.inbox
        filling = asyncio.ensure_future(inbox.backfill.run())

        def held_back() -> bool:
            available = inbox.rate().available
            return (
                inbox.scheduler.waiting()[Priority.BACKGROUND] > 0
                and available is not None
                and available <= RESERVE[Priority.BACKGROUND]
            )

        await until(held_back)
        background = inbox.scheduler.sent[Priority.BACKGROUND]
        # The agent presses "sync now" while back-fill waits for the budget: it goes at once.
        await inbox.sync_now()
        assert inbox.scheduler.sent[Priority.USER] == 1
        assert inbox.scheduler.sent[Priority.BACKGROUND] == background
        assert not filling.done() and inbox.history().partial

        await asyncio.wait_for(filling, 60)
        assert inbox.history().complete
    assert emulator.stats.rate_limited == 0


async def test_backfill_on_a_server_with_less_history_than_the_horizon_completes_at_its_end(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator(contents=150)
    async with engine(emulator, tmp_path / "inbox.db", horizon_days=365) as run:
        await asyncio.wait_for(run.inbox.backfill.run(), 60)
        coverage = run.inbox.history()
        assert coverage.complete and coverage.days < 365
        assert run.inbox.store.content_count() == len(await every_content(emulator))


@pytest.mark.parametrize("value", ["0", "-3", "1.5", '"14"', "true", "100000"])
def test_a_bad_horizon_in_config_toml_names_the_line(tmp_path: Path, value: str) -> None:
    from rcinbox.config import Config, ConfigError

    path = tmp_path / "config.toml"
    path.write_text(f"[ui]\ntheme = 'ansi-dark'\n[sync]\nhorizon_days = {value}\n")
    with pytest.raises(ConfigError, match=r"line 4: sync\.horizon_days must be a whole number"):
        Config.load(path)


def test_the_horizon_comes_from_config_toml(tmp_path: Path) -> None:
    from rcinbox.config import Config

    path = tmp_path / "config.toml"
    assert Config.load(path).sync.horizon_days == 14
    path.write_text("[sync]\nhorizon_days = 30\n")
    assert Config.load(path).sync.horizon_days == 30


def test_headless_sync_with_history_fills_to_the_horizon_once(
    emulator: Emulator, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import os

    from rcinbox.cli.main import main as rcinbox_main

    for name, value in (
        ("RCINBOX_SERVER", emulator.url),
        ("RCINBOX_CLIENT_ID", CLIENT_ID),
        ("RCINBOX_CLIENT_SECRET", CLIENT_SECRET),
        ("RCINBOX_JWT", JWT),
    ):
        monkeypatch.setenv(name, value)
    # Longer than the seeded 90 days whatever today's date: back-fill ends where the server does.
    config = Path(os.environ["RCINBOX_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("[sync]\nhorizon_days = 3650\n")

    assert rcinbox_main(["sync", "--history", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["horizonDays"] == 3650 and 0 < answer["historyDays"] < 3650
    listed = emulator.stats.requests[LIST]
    assert listed >= 2000 // 500

    # Done once is done: the next run asks only for the newest page.
    assert rcinbox_main(["sync", "--history"]) == 0
    assert "history complete" in capsys.readouterr().out
    assert emulator.stats.requests[LIST] == listed + 1
    assert emulator.stats.rate_limited == 0


def test_a_listing_reach_only_moves_back_in_time(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "inbox.db")
    assert store.cursor_reach("all") is None
    store.set_cursor("all", "page-2", False, reached=1000.0)
    store.set_cursor("all", "page-3", False, reached=900.0)
    # A listing paged again from the top (a refused token) reaches less far: the store still
    # holds what was reached before.
    store.set_cursor("all", "page-2", False, reached=1500.0)
    store.set_cursor("all", "page-3", False)
    assert store.cursor_reach("all") == 900.0
    assert store.cursor("all") == ("page-3", False)
    store.close()


async def test_scrolling_the_list_back_moves_the_coverage_and_says_so(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator, tmp_path / "inbox.db") as run:
        inbox = run.inbox
        await inbox.sync_now()
        before = inbox.history()
        updates = inbox.events.subscribe()
        await inbox.ensure_threads(ThreadFilter(), inbox.thread_count(ThreadFilter()) + 100)
        after = inbox.history()
        assert after.days > before.days
        assert HistoryChanged(after) in drain(updates)
