"""Sync against the emulator over real loopback HTTP: newest page, older pages, threads, polling."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from rcinbox.api import OAuthSession, SocialMessagingClient
from rcinbox.emulator import Emulator
from rcinbox.inbox.connection import Connection
from rcinbox.inbox.events import (
    ConnectionChanged,
    ConnectionState,
    ContentsArrived,
    Event,
    EventBus,
    Subscription,
    SyncStatus,
)
from rcinbox.inbox.scheduler import Priority, RequestScheduler
from rcinbox.inbox.store import Store, ThreadFilter
from rcinbox.inbox.sync import Syncer

CLIENT_ID, CLIENT_SECRET, JWT = "rcinbox-demo", "rcinbox-demo-secret", "rcinbox-demo-jwt"
LIST = "GET /contents"
EVERYTHING = ThreadFilter()


@dataclass
class Rig:
    emulator: Emulator
    store: Store
    client: SocialMessagingClient
    events: EventBus
    inbox: Subscription
    syncer: Syncer
    connection: Connection

    def lists(self) -> int:
        return self.emulator.stats.requests[LIST]


@contextlib.asynccontextmanager
async def rig(
    emulator: Emulator, path: Path, *, retries: int = 4, **options: Any
) -> AsyncIterator[Rig]:
    store = Store.open(path / "inbox.db")
    async with httpx.AsyncClient() as http:
        auth = OAuthSession(emulator.url, CLIENT_ID, CLIENT_SECRET, http=http, jwt=JWT)
        client = SocialMessagingClient(
            emulator.url, auth, http=http, max_get_retries=retries, backoff=0.01
        )
        events = EventBus()
        inbox = events.subscribe()
        # Wired as the Inbox wires them: every request's outcome tells the connection.
        connection = Connection(events)
        client.observe_retries(connection.observe)
        syncer = Syncer(
            store=store,
            client=client,
            scheduler=RequestScheduler(client.rate, observe=connection.observe),
            events=events,
            **options,
        )
        connection.when_back(syncer.reconnected)
        try:
            yield Rig(emulator, store, client, events, inbox, syncer, connection)
        finally:
            await syncer.aclose()
            store.close()


async def wait_for(inbox: Subscription, wanted: Callable[[Event], bool]) -> Event:
    """The next event ``wanted`` accepts (the timeout only stops a broken test from hanging)."""
    async with asyncio.timeout(10):
        while True:
            event = await inbox.get()
            if wanted(event):
                return event


def synced(event: Event) -> bool:
    """A sync that ended well (not the "syncing" notice at its start)."""
    return isinstance(event, SyncStatus) and not event.syncing and event.error is None


def sync_failed(event: Event) -> bool:
    return isinstance(event, SyncStatus) and event.error is not None


def offline(event: Event) -> bool:
    return (
        isinstance(event, ConnectionChanged)
        and event.state is ConnectionState.OFFLINE
        and event.reason is not None
    )


def drain(inbox: Subscription) -> list[Event]:
    events = []
    while (event := inbox.get_nowait()) is not None:
        events.append(event)
    return events


def thread_ids(store: Store, where: ThreadFilter = EVERYTHING) -> list[str]:
    return [row.id for row in store.threads_window(where, 0, 100_000)]


def incoming_ids(emulator: Emulator) -> set[str]:
    return {c["id"] for c in emulator.contents_where(contentDirection="Incoming")}


# ------------------------------------------------------------------------------ newest page


async def test_newest_page_merge_stops_at_the_first_known_id(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with rig(emulator, tmp_path, per_page=50) as r:
        await r.syncer.sync_newest()
        assert r.lists() == 1  # an empty store takes the first page only
        assert r.store.content_count() == 50

        written = [emulator.add_inbound()["id"] for _ in range(3)]
        drain(r.inbox)
        result = await r.syncer.sync_newest()
        assert r.lists() == 2  # 3 new and 47 known: one page is enough
        assert set(result.new_content_ids) == set(written)
        assert set(result.new_incoming_ids) == set(written)
        arrived = [e for e in drain(r.inbox) if isinstance(e, ContentsArrived)]
        assert {i for e in arrived for i in e.incoming_ids} == set(written)

        gap = [emulator.add_inbound()["id"] for _ in range(120)]
        result = await r.syncer.sync_newest()
        assert r.lists() == 5  # 50 unknown, 50 unknown, then 20 unknown beside 30 known
        assert set(gap) <= set(result.new_content_ids)
        assert r.store.known_content_ids(gap) == set(gap)

        await r.syncer.sync_newest()
        assert r.lists() == 6  # nothing new: one request
        assert r.store.content_count() == 50 + 3 + 120


async def test_sync_publishes_online_status_with_the_sync_time(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with rig(emulator, tmp_path, clock=lambda: 1234.5) as r:
        await r.syncer.sync_newest(priority=Priority.USER)
        statuses = [e for e in drain(r.inbox) if isinstance(e, SyncStatus)]
        assert statuses[0].syncing
        assert statuses[-1] == SyncStatus(last_sync=1234.5)
        assert r.connection.online


async def test_a_polled_page_of_known_unchanged_contents_repaints_no_thread(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with rig(emulator, tmp_path) as r:
        await r.syncer.sync_newest()
        drain(r.inbox)
        await r.syncer.sync_newest()
        assert [type(e).__name__ for e in drain(r.inbox)] == ["SyncStatus", "SyncStatus"]


# ------------------------------------------------------------------------------ older pages


async def test_ensure_threads_pages_older_contents_on_demand(
    emulator: Emulator, tmp_path: Path
) -> None:
    everything = ThreadFilter()
    async with rig(emulator, tmp_path, per_page=100) as r:
        await r.syncer.sync_newest()
        first = r.store.thread_count(everything)
        assert await r.syncer.ensure_threads(everything, first) is True
        assert r.lists() == 1  # already enough rows: nothing fetched

        assert await r.syncer.ensure_threads(everything, first + 40) is True
        assert r.store.thread_count(everything) >= first + 40
        pages = r.lists()
        assert r.store.content_count() == 100 * pages  # each page once, in order, no gap

        # Asking for more than exist pages through to the end, then says so.
        assert await r.syncer.ensure_threads(everything, 10_000) is False
        assert r.store.content_count() == 2000
        assert r.lists() == 20
        ids = thread_ids(r.store)
        assert len(ids) == len(set(ids)) == len({c["threadId"] for c in emulator.contents_where()})
        assert await r.syncer.ensure_threads(everything, 10_000) is False
        assert r.lists() == 20  # an exhausted listing is not asked again


async def test_twenty_concurrent_ensure_threads_fetch_each_page_once(
    emulator: Emulator, tmp_path: Path
) -> None:
    everything = ThreadFilter()
    async with rig(emulator, tmp_path / "alone", per_page=50) as r:
        await r.syncer.ensure_threads(everything, 150)
        pages_needed = r.lists()

    emulator.stats.reset()
    async with rig(emulator, tmp_path / "crowd", per_page=50) as r:
        tokens: list[str | None] = []
        list_contents = r.client.list_contents

        async def spy(**filters: Any) -> Any:
            tokens.append(filters.get("page_token"))
            return await list_contents(**filters)

        r.client.list_contents = spy  # type: ignore[method-assign]
        async with asyncio.timeout(20):  # a crowd without single flight would exhaust the budget
            results = await asyncio.gather(
                *(r.syncer.ensure_threads(everything, 150) for _ in range(20))
            )
        assert results == [True] * 20
        assert len(tokens) == len(set(tokens)) == pages_needed == r.lists()
        assert r.store.content_count() == 50 * pages_needed
        ids = thread_ids(r.store)
        assert len(ids) == len(set(ids)) >= 150


async def test_a_channel_list_pages_that_channel_and_the_unread_list_shares_all(
    emulator: Emulator, tmp_path: Path
) -> None:
    per_channel = Counter(c["channelId"] for c in emulator.contents_where())
    small = min(per_channel, key=per_channel.__getitem__)
    expected_threads = {c["threadId"] for c in emulator.contents_where(channelId=small)}
    channel = ThreadFilter(channel_id=small)
    async with rig(emulator, tmp_path, per_page=20) as r:
        assert await r.syncer.ensure_threads(channel, 10_000) is False
        assert set(thread_ids(r.store, channel)) == expected_threads
        assert set(thread_ids(r.store)) == expected_threads  # nothing from other channels
        assert r.store.cursor(channel.cursor_key) == (None, True)
        assert r.store.cursor("all") is None

        await r.syncer.ensure_threads(ThreadFilter(unread_only=True), 5)
        assert r.store.cursor("all") is not None
        assert r.store.thread_count(ThreadFilter(unread_only=True)) >= 5


async def test_paging_resumes_from_the_saved_cursor_after_a_restart(
    emulator: Emulator, tmp_path: Path
) -> None:
    everything = ThreadFilter()
    async with rig(emulator, tmp_path, per_page=100) as r:
        await r.syncer.sync_newest()
        await r.syncer.ensure_threads(everything, r.store.thread_count(everything) + 1)
        assert r.lists() == 2
    async with rig(emulator, tmp_path, per_page=100) as r:
        await r.syncer.ensure_threads(everything, r.store.thread_count(everything) + 1)
        assert r.lists() == 3
        assert r.store.content_count() == 300  # page 3, not page 1 again


# ------------------------------------------------------------------------------ threads, contents


async def test_complete_thread_fetches_the_whole_thread(emulator: Emulator, tmp_path: Path) -> None:
    sizes = Counter(c["threadId"] for c in emulator.contents_where())
    thread_id, size = sizes.most_common(1)[0]
    async with rig(emulator, tmp_path, per_page=20) as r:
        await r.syncer.sync_newest()
        had = r.store.thread_size(thread_id)
        assert had < size
        new = await r.syncer.complete_thread(thread_id)
        assert new == size - had
        assert r.store.thread_size(thread_id) == size
        assert r.lists() == 2
        assert await r.syncer.complete_thread(thread_id) == 0


async def test_fetch_content_merges_and_announces_a_new_customer_message(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with rig(emulator, tmp_path) as r:
        written = emulator.add_inbound()
        content = await r.syncer.fetch_content(written["id"])
        assert content.id == written["id"]
        assert r.store.has_content(written["id"])
        arrived = await wait_for(r.inbox, lambda e: isinstance(e, ContentsArrived))
        assert arrived.incoming_ids == (written["id"],)
        assert arrived.thread_ids == (written["threadId"],)


# ------------------------------------------------------------------------------ polling


class GatedSleep:
    """An injected sleep the test releases by hand; it advances the fake clock as it ends."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0
        self._calls: asyncio.Queue[tuple[float, asyncio.Future[None]]] = asyncio.Queue()
        self._gate: asyncio.Future[None] | None = None

    def clock(self) -> float:
        return self.now

    async def __call__(self, delay: float) -> None:
        gate = asyncio.get_running_loop().create_future()
        await self._calls.put((delay, gate))
        await gate
        self.now += delay

    async def next(self) -> float:
        """The delay of the next sleep the poller starts."""
        async with asyncio.timeout(10):
            delay, self._gate = await self._calls.get()
        return delay

    async def release(self) -> float:
        """Let the pending sleep end (a poll follows); the delay of the sleep after it."""
        assert self._gate is not None
        self._gate.set_result(None)
        return await self.next()


async def test_poll_interval_follows_activity_webhooks_and_failures(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator(contents=200)
    sleep = GatedSleep()
    options = {"poll_active": 10.0, "poll_idle": 60.0, "idle_after": 120.0, "max_backoff": 300.0}
    async with rig(emulator, tmp_path, retries=0, clock=sleep.clock, sleep=sleep, **options) as r:
        poller = asyncio.ensure_future(r.syncer.run())
        try:
            assert await sleep.next() == 60.0  # nobody typed yet: idle
            r.syncer.user_active()  # wakes the waiting poller, which re-plans at once
            assert await sleep.next() == 10.0
            assert await sleep.release() == 10.0
            r.syncer.set_webhook_active(True)
            assert await sleep.next() == 120.0  # webhooks flow: polling is only a safety net
            r.syncer.set_webhook_active(False)
            assert await sleep.next() == 10.0

            sleep.now += 200  # the agent has not typed for a while
            assert await sleep.release() == 60.0
            emulator.config.faults.error_rate = 1.0  # the emulator reads its faults live
            backoff = [await sleep.release() for _ in range(5)]
            assert backoff == [60.0, 120.0, 240.0, 300.0, 300.0]
            emulator.config.faults.error_rate = 0.0
            assert await sleep.release() == 60.0
            assert not poller.done()
        finally:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
        assert poller.cancelled()


async def test_offline_is_reported_and_polling_resumes_when_the_server_is_back(
    emulator: Emulator, tmp_path: Path
) -> None:
    options = {"poll_active": 0.02, "poll_idle": 0.02, "max_backoff": 0.1}
    async with rig(emulator, tmp_path, retries=0, **options) as r:
        poller = asyncio.ensure_future(r.syncer.run())
        try:
            await wait_for(r.inbox, synced)
            emulator.config.faults.error_rate = 1.0
            status = await wait_for(r.inbox, offline)
            assert status.reason and "\n" not in status.reason
            for _ in range(3):  # it keeps trying
                await wait_for(r.inbox, sync_failed)
            written = emulator.add_inbound()["id"]
            emulator.config.faults.error_rate = 0.0
            await wait_for(r.inbox, synced)
            assert r.store.has_content(written)
            assert not poller.done()
        finally:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)


async def test_polling_survives_the_server_going_away_and_a_new_one_on_the_same_port(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    first = make_emulator(contents=300)
    port = int(first.url.rsplit(":", 1)[1])
    options = {"poll_active": 0.02, "poll_idle": 0.02, "max_backoff": 0.1}
    async with rig(first, tmp_path, retries=1, **options) as r:
        poller = asyncio.ensure_future(r.syncer.run())
        try:
            await wait_for(r.inbox, synced)
            first.stop()
            await wait_for(r.inbox, offline)
            second = make_emulator(contents=300, port=port)
            written = second.add_inbound()["id"]
            # A poll may reach the new server just before the customer writes: wait for one
            # that found the message.
            await wait_for(r.inbox, lambda e: synced(e) and r.store.has_content(written))
            assert not poller.done()
        finally:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)


async def test_ten_simulated_minutes_of_polling_show_every_inbound_content_without_429(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    """20x compressed: a 3 s rate window stands for RingCentral's 60 s (default 50 requests),
    customers write every ~10 simulated seconds, and polling runs at 10 s / 60 s simulated,
    the agent active for 6 of the 10 minutes. 30 s of real time."""
    compression = 20.0
    emulator = make_emulator(rate_window=60 / compression, inbound_every=10 / compression)
    before = incoming_ids(emulator)
    options = {
        "poll_active": 10 / compression,
        "poll_idle": 60 / compression,
        "idle_after": 120 / compression,
        "per_page": 5,  # a quiet spell overflows a page: the gap must be closed page by page
    }
    async with rig(emulator, tmp_path, **options) as r:
        poller = asyncio.ensure_future(r.syncer.run())
        start = time.monotonic()
        try:
            simulated_minutes = 0.0
            while simulated_minutes < 10:
                # Minutes 0-3 and 6-9 the agent types; otherwise they are away.
                if simulated_minutes < 3 or 6 <= simulated_minutes < 9:
                    r.syncer.user_active()
                await asyncio.sleep(0.2)
                simulated_minutes = (time.monotonic() - start) * compression / 60
            created = incoming_ids(emulator) - before
            drain(r.inbox)
            # Two syncs ending after this point: the second began after it.
            for _ in range(2):
                await wait_for(r.inbox, synced)
            assert not poller.done()
        finally:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
        assert len(created) > 30
        assert r.store.known_content_ids(created) == created
        assert emulator.stats.rate_limited == 0


async def test_an_unreachable_server_is_reported_offline_before_the_retries_end(
    tmp_path: Path,
) -> None:
    from rcinbox.inbox.engine import Inbox

    server = "http://127.0.0.1:9"  # nothing listens on the discard port
    store = Store.open(tmp_path / "inbox.sqlite3")
    async with httpx.AsyncClient() as http:
        auth = OAuthSession(server, "id", "secret", http=http, jwt="jwt")
        # Long backoff: the retries would take about half a minute to give up.
        client = SocialMessagingClient(server, auth, http=http, backoff=4.0)
        inbox = Inbox(store=store, client=client)
        updates = inbox.events.subscribe()
        syncing = asyncio.ensure_future(inbox.sync_now())
        try:
            started = time.monotonic()
            event = await asyncio.wait_for(wait_for(updates, offline), timeout=5)
            assert time.monotonic() - started < 3
            assert not syncing.done(), "said offline while the client is still retrying"
        finally:
            syncing.cancel()
            await asyncio.gather(syncing, return_exceptions=True)
            await inbox.close()
    store.close()
    assert event.reason
