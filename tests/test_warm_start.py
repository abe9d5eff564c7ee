"""A warm start: a new store's first sync done elsewhere (a child process, or the demo server's
process) while the UI loads, and the UI's engine taking over from it without asking again.

Against real HTTP: the emulator in this process, the warm start's child (or a demo server) in
another, both on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from engine_helpers import HANG_GUARD, engine, next_event, until
from tui_harness import FIXED_NOW, credentials, pin_time_zone

from rcinbox.api import SocialMessagingClient
from rcinbox.emulator import Emulator
from rcinbox.inbox.engine import BackgroundWork, EngineSettings
from rcinbox.inbox.events import IdentitiesResolved, SyncStatus, ThreadsChanged
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import ThreadFilter
from rcinbox.tui.app import InboxApp
from rcinbox.wiring.accounts import Account
from rcinbox.wiring.demo import DemoServer
from rcinbox.wiring.inbox import open_inbox
from rcinbox.wiring.warm import WarmStart

# Polls an hour apart: any request for contents after a warm start is a repeat, not a poll.
NO_POLL_SOON = EngineSettings(poll_active=3600, poll_idle=3600)
FIRST_SCREEN = 40


def contents_asked(emulator: Emulator) -> int:
    return emulator.stats.requests["GET /contents"]


def logins(emulator: Emulator) -> int:
    return sum(emulator.stats.grants.values())


def record_listings(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The filters of every page of contents this process asks for from now on."""
    listed: list[dict] = []
    original = SocialMessagingClient.list_contents

    async def list_contents(self, **filters):
        listed.append({k: v for k, v in filters.items() if v is not None})
        return await original(self, **filters)

    monkeypatch.setattr(SocialMessagingClient, "list_contents", list_contents)
    return listed


async def warmed(warm: WarmStart) -> float | None:
    async with asyncio.timeout(HANG_GUARD):
        return await warm.wait()


async def test_warm_up_stores_the_newest_page_and_the_names_of_its_first_screen(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator.url, tmp_path / "inbox.sqlite3") as inbox:
        synced = await inbox.warm_up()
        assert synced == inbox.syncer.last_sync
        rows = inbox.store.threads_window(ThreadFilter(), 0, FIRST_SCREEN)
        assert rows
        unnamed = [row.id for row in rows if row.customer_id and not inbox.name(row.customer_id)]
        assert unnamed == []
    # One page of contents: the first screen's names came from identity listings, not from
    # paging contents.
    assert contents_asked(emulator) == 1


async def test_the_engine_after_a_warm_start_asks_for_nothing_again_nor_logs_in_again(
    emulator: Emulator, tmp_path: Path
) -> None:
    account = Account(credentials(emulator), tmp_path / "inbox.sqlite3")
    warm = WarmStart(lambda: account).start()
    try:
        assert await warmed(warm) is not None
        assert warm.token is not None
        assert (contents_asked(emulator), logins(emulator)) == (1, 1)
        async with open_inbox(account, settings=NO_POLL_SOON, warm=warm) as inbox:
            assert not inbox.is_empty()
            events = inbox.events.subscribe()
            await inbox.start(history=False)
            status = await next_event(events, lambda e: isinstance(e, SyncStatus))
            assert status.last_sync == warm.synced
            # The engine's own work has started (names are looked for) and its first poll
            # waits out the interval from the warm start's sync.
            await asyncio.sleep(0.3)
            await inbox.check_login()
        assert (contents_asked(emulator), logins(emulator)) == (1, 1)
    finally:
        warm.stop()


async def test_a_warm_start_childs_requests_are_in_the_log_file_with_no_secret(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child no command starts logs as a command does: each request, under its own pid,
    in the user's log file; the secrets it was handed never."""
    log_dir = tmp_path / "log"
    monkeypatch.setenv("RCINBOX_LOG_DIR", str(log_dir))
    account = Account(credentials(emulator), tmp_path / "inbox.sqlite3")
    warm = WarmStart(lambda: account).start()
    try:
        assert await warmed(warm) is not None
        assert warm._child is not None
        child = warm._child.pid
    finally:
        warm.stop()
    text = "".join(path.read_text() for path in log_dir.glob("rcinbox.log*"))
    mine = [line for line in text.splitlines() if f" {child} INFO " in line]
    assert any("POST /restapi/oauth/token -> 200" in line for line in mine), text
    assert any("/contents -> 200" in line for line in mine), text
    assert account.credentials.jwt and account.credentials.jwt not in text
    assert account.credentials.client_secret and account.credentials.client_secret not in text


async def test_an_engine_opened_before_the_warm_start_ends_waits_for_it_then_repaints(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow warm start never holds the UI back: the engine opens on the empty store, asks
    for nothing while the warm start runs, and says what changed once it has ended."""
    path = tmp_path / "inbox.sqlite3"
    release = asyncio.Event()

    class SlowPriorSync:
        synced: float | None = None

        def done(self) -> bool:
            return release.is_set()

        async def wait(self) -> float | None:
            await release.wait()
            return self.synced

    prior = SlowPriorSync()
    async with engine(emulator.url, path, settings=NO_POLL_SOON, prior_sync=prior) as inbox:
        assert inbox.is_empty()
        events = inbox.events.subscribe()
        await inbox.start(history=False)
        # A list on the empty store wants rows: its request waits for the warm start too.
        wanting_rows = asyncio.ensure_future(inbox.ensure_threads(ThreadFilter(), 50))
        await asyncio.sleep(0.3)
        assert sum(emulator.stats.requests.values()) == 0
        assert not wanting_rows.done()
        # The warm start's sync, through another connection to the same store.
        async with engine(emulator.url, path) as elsewhere:
            prior.synced = await elsewhere.warm_up()
        listed = record_listings(monkeypatch)
        release.set()
        await next_event(events, lambda e: isinstance(e, ThreadsChanged))
        await next_event(events, lambda e: isinstance(e, IdentitiesResolved))
        assert not inbox.is_empty()
        async with asyncio.timeout(HANG_GUARD):
            await wanting_rows
        await asyncio.sleep(0.3)
        # Older pages for the list only: the first page is the warm start's.
        assert listed
        assert [page for page in listed if "page_token" not in page] == []


async def test_a_warm_start_that_fails_leaves_the_engine_to_sync_itself(
    emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "inbox.sqlite3"
    # Nothing listens on the discard port.
    unreachable = Account(
        dataclasses.replace(credentials(emulator), server="http://127.0.0.1:9"), path
    )
    warm = WarmStart(lambda: unreachable).start()
    try:
        assert await warmed(warm) is None
        assert warm.token is None
        async with engine(emulator.url, path, prior_sync=warm) as inbox:
            await inbox.start(history=False)
            await until(lambda: not inbox.is_empty())
        assert contents_asked(emulator) >= 1
    finally:
        warm.stop()


async def test_the_demo_server_warms_the_demo_store_itself(tmp_path: Path) -> None:
    with DemoServer(warm=True) as demo:
        warm = WarmStart.for_demo(demo).start()
        try:
            account = warm.account()
            assert account.store_path == demo.store_path
            assert await warmed(warm) is not None
            assert warm.token is not None
            assert Store.holds_contents(demo.store_path)
        finally:
            warm.stop()


async def test_a_warm_starts_first_frame_has_rows_and_names_and_nothing_is_asked_again(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the warm start over before the screen is built, the first frame is painted from
    the store with names, and the UI's engine repeats nothing the warm start asked: no login,
    no first page (a list taller than the first page's threads asks for older ones)."""
    pin_time_zone()
    account = Account(credentials(emulator), tmp_path / "inbox.sqlite3")
    warm = WarmStart(lambda: account).start()
    try:
        assert await warmed(warm) is not None
        logged_in = logins(emulator)
        listed = record_listings(monkeypatch)
        app = InboxApp(
            lambda: open_inbox(account, settings=NO_POLL_SOON, warm=warm),
            clock=lambda: FIXED_NOW,
            work=BackgroundWork(history=False),
        )
        first_frame: list[tuple[int, list[str], int]] = []

        def look() -> None:
            customers = [
                row.customer_id
                for row in app.inbox.threads(ThreadFilter(), 0, 10)
                if row.customer_id
            ]
            unnamed = [c for c in customers if not app.inbox.name(c)]
            first_frame.append((app.conversation_list.total, unnamed, logins(emulator)))

        original = InboxApp.on_mount

        async def on_mount(self: InboxApp) -> None:
            await original(self)
            self.call_after_refresh(look)

        monkeypatch.setattr(InboxApp, "on_mount", on_mount)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.3)
        rows, unnamed, logins_then = first_frame[0]
        assert rows > 0
        assert unnamed == []
        assert logins_then == logins(emulator) == logged_in
        # What the UI's engine asked for since: older pages for a list taller than the first
        # page's threads, never the first page again.
        assert [page for page in listed if "page_token" not in page] == []
    finally:
        warm.stop()


def test_stores_opened_at_once_by_two_connections_are_both_created_once(tmp_path: Path) -> None:
    """A warm start and the UI may open a new store at the same moment: the one that finds
    the schema created meanwhile takes it as it is, and one that finds it being switched to
    WAL tries again (SQLite says "locked" there without waiting)."""
    for attempt in range(60):
        path = tmp_path / f"inbox-{attempt}.sqlite3"
        failures: list[Exception] = []

        def open_and_close(path: Path = path, failures: list[Exception] = failures) -> None:
            try:
                Store.open(path).close()
            except Exception as error:
                failures.append(error)

        openers = [threading.Thread(target=open_and_close) for _ in range(3)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join()
        assert failures == []


def test_holds_contents_tells_a_new_store_from_one_with_rows(
    emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "inbox.sqlite3"
    assert not Store.holds_contents(path)  # no file
    Store.open(path).close()
    assert not Store.holds_contents(path)  # created, empty
    asyncio.run(_warm_up(emulator, path))
    assert Store.holds_contents(path)
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database" * 100)
    assert Store.holds_contents(garbage)  # Store.open says what is wrong with it
    empty_file = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty_file).close()
    assert not Store.holds_contents(empty_file)


async def _warm_up(emulator: Emulator, path: Path) -> None:
    async with engine(emulator.url, path) as inbox:
        await inbox.warm_up()


@pytest.mark.parametrize("stage", ["account", "child"])
async def test_a_warm_start_stopped_early_ends_and_wakes_whoever_waits(
    emulator: Emulator, tmp_path: Path, stage: str
) -> None:
    account = Account(credentials(emulator), tmp_path / "inbox.sqlite3")
    gate = threading.Event()

    def slow_account() -> Account:
        gate.wait(HANG_GUARD)
        return account

    warm = WarmStart(slow_account if stage == "account" else lambda: account).start()
    waiting = asyncio.ensure_future(warm.wait())
    warm.stop()
    gate.set()
    async with asyncio.timeout(HANG_GUARD):
        await waiting
    assert warm.done()


async def test_a_warm_starts_time_on_a_clock_that_runs_ahead_never_puts_the_first_poll_off(
    emulator: Emulator, tmp_path: Path
) -> None:
    """The warm start's process stamps its sync with its own clock; a UI engine whose clock
    is behind (a test's pinned clock, a clock stepped back) waits one interval at most."""
    settings = EngineSettings(poll_active=0.3, poll_idle=0.3)
    async with engine(emulator.url, tmp_path / "inbox.sqlite3", settings=settings) as inbox:
        inbox.syncer.synced_elsewhere(time.time() + 86_400)
        polling = asyncio.ensure_future(inbox.syncer.run())
        try:
            waited = await until(lambda: contents_asked(emulator) >= 1, timeout=5)
        finally:
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
    assert waited >= 0.2
