"""Builds the TUI on seeded emulator data with a fixed clock, for snapshot and pilot tests.

Snapshots must be identical run after run, so everything that could vary is pinned: the seeded
emulator (its data leads up to the seed's fixed instant), a store filled before the app starts
(names included, so no placeholder races a name), the clock, the time zone, polling off unless a
test wants it, and no animation.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.worker import WorkerCancelled

from rcinbox.api import OAuthSession, SocialMessagingClient, new_http_client
from rcinbox.config import Credentials
from rcinbox.emulator import Emulator
from rcinbox.emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rcinbox.emulator.seed import DEFAULT_NOW
from rcinbox.inbox.engine import BackgroundWork, EngineSettings, Inbox
from rcinbox.inbox.store import Store
from rcinbox.inbox.sync import ALL_LISTING
from rcinbox.inbox.types import OutboxRow
from rcinbox.tui.app import InboxApp, UISettings
from rcinbox.wiring.accounts import Account
from rcinbox.wiring.inbox import open_inbox

FIXED_NOW: datetime = DEFAULT_NOW.astimezone(UTC)

# One sync at start (the store is warm, so it changes nothing), then no tick for an hour:
# a later tick could land between two snapshot runs. Live-update tests pass short intervals.
QUIET = EngineSettings(poll_active=3600.0, poll_idle=3600.0, idle_after=3600.0)


def pin_time_zone() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()


def credentials(emulator: Emulator) -> Credentials:
    return Credentials(emulator.url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT)


async def _fill(
    emulator: Emulator, store_path: Path, pages: int, names: bool, per_page: int
) -> None:
    async with new_http_client() as http:
        auth = OAuthSession(
            emulator.url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, http=http, jwt=DEMO_JWT
        )
        client = SocialMessagingClient(emulator.url, auth, http=http)
        store = Store.open(store_path)
        try:
            async for page in client.iter_content_pages(per_page=per_page, max_pages=pages):
                store.merge_contents(page.records)
                # Where the listing stands, as the engine's own paging would have left it: a
                # store holding the whole history says so, and its counts are exact.
                store.set_cursor(
                    ALL_LISTING,
                    page.next_page_token,
                    not page.next_page_token,
                    reached=min(c.creation_time.timestamp() for c in page.records),
                )
            if names:
                async for page in client.iter_identity_pages(per_page=1000):
                    store.save_identities(page.records, fetched_at=time.time())
        finally:
            store.close()


def warm_store(
    emulator: Emulator,
    store_path: Path,
    *,
    pages: int = 3,
    names: bool = True,
    per_page: int = 1000,
) -> Path:
    """Fill a store with the emulator's contents (``pages`` of ``per_page``) and every identity; the
    listing's cursor is saved too, so history back-fill goes on from there (or has nothing
    left to do: three pages hold the default 2,000 contents)."""
    asyncio.run(_fill(emulator, store_path, pages, names, per_page))
    return store_path


def copy_store(store_path: Path, directory: Path) -> Path:
    """A copy of a closed store in ``directory``: a fresh inbox for a test that writes to it."""
    copy = directory / store_path.name
    for suffix in ("", "-wal"):
        if Path(f"{store_path}{suffix}").exists():
            shutil.copyfile(f"{store_path}{suffix}", f"{copy}{suffix}")
    return copy


def make_app(
    emulator: Emulator,
    store_path: Path,
    *,
    settings: EngineSettings = QUIET,
    ui: UISettings | None = None,
    work: BackgroundWork | None = None,
    clock: Callable[[], datetime] = lambda: FIXED_NOW,
    undo_seconds: float = 0.0,
    engine_clock: Callable[[], float] | None = None,
) -> InboxApp:
    """The app on ``store_path`` against ``emulator``; ``work`` picks the background work
    (history back-fill only when a test asks: it would page the server under the others).

    The engine's clock, unless ``engine_clock`` pins it (the undo countdown is measured on it),
    starts at the app's ``clock`` and runs on from there: "the last 14 days" then hold the same
    seeded contents on any day, and timers still move. Replies leave at once unless
    ``undo_seconds`` says otherwise (the app's default is 5 s).
    """
    account = Account(credentials(emulator), store_path)
    started = time.monotonic()
    anchor = clock().timestamp()
    return InboxApp(
        lambda: open_inbox(
            account,
            settings=settings,
            clock=engine_clock or (lambda: anchor + time.monotonic() - started),
        ),
        settings=dataclasses.replace(ui or UISettings(), undo_seconds=undo_seconds),
        clock=clock,
        work=work if work is not None else BackgroundWork(names=False, history=False),
    )


async def settle(pilot, *, online: bool = True, timeout: float = 10.0, quiet: bool = False) -> None:
    """Wait until the first sync has answered (when polling runs) and the screen is still;
    with ``quiet``, also until the engine's own requests have stopped (for snapshots)."""
    app = pilot.app
    waited = 0.0
    while online and app.status.online is None and waited < timeout:
        await pilot.pause(0.05)
        waited += 0.05
    for _ in range(10):
        busy = [w for w in app.workers if w.group != "events" and not w.is_finished]
        if not busy:  # an empty list would mean "every worker", the endless listener included
            break
        try:
            await app.workers.wait_for_complete(busy)
            break
        except WorkerCancelled:
            # An exclusive worker replaced by a newer one (more rows wanted again): wait for
            # that one instead.
            continue
    await pilot.pause(0.2)
    # The engine's own requests (names, a thread's history) answer in the background; each
    # answer changes the budget the status line shows. Still means none came for a while.
    if quiet and online and app.inbox_ready:
        still = 0
        while still < 3 and waited < timeout:
            before = app.inbox.rate()
            await pilot.pause(0.1)
            waited += 0.1
            still = still + 1 if app.inbox.rate() == before == app.status.rate else 0


async def until(pilot, condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds; AssertionError if it never does."""
    waited = 0.0
    while not condition():
        assert waited < timeout, "the condition never held"
        await pilot.pause(0.05)
        waited += 0.05


def server(**options: object) -> pytest.MarkDecorator:
    """Give a test the ``seeded`` fixture (conftest) with an emulator of its own, started with
    these ``EmulatorConfig`` fields (``warm=False``: an empty store)."""
    return pytest.mark.parametrize("seeded", [options], indirect=True, ids=[""])


def queue_past_the_rules(inbox: Inbox, thread_id: str, body: str) -> OutboxRow:
    """Queue a reply the engine's rules would refuse (as one queued before its channel's limit
    shrank), straight into the outbox, so that the server refuses it: how these tests get a
    reply that failed. ``Inbox.send`` itself never lets such a reply through."""
    target = inbox.reply_target(thread_id)
    assert target.content is not None
    return inbox.outbox.enqueue(
        thread_id=thread_id,
        in_reply_to=target.content.id,
        channel_type=target.content.channel_type,
        body=body,
        public=target.content.public,
    )
