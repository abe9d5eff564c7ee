"""Sync: bring the server's contents into the store, newest first, and keep them coming.

* **Newest page** (:meth:`Syncer.sync_newest`): fetch the first page of the unfiltered listing
  and keep paging only while *every* record of a page was unknown, so a poll after a quiet minute
  costs one request and a poll after a night offline still closes the gap. On an empty store only
  the first page is fetched; older pages come when a list scrolls towards them.
* **Older pages on demand** (:meth:`Syncer.ensure_threads`): "make sure rows up to N exist" for a
  list. Each API listing that feeds lists (all contents, or one channel) has a cursor saved in the
  store, so paging resumes after a restart. One request per cursor is in flight at a time: a
  list asking twenty times while scrolling causes one fetch per page, never two of the same page.
* **Whole thread** (:meth:`Syncer.complete_thread`): every page of ``threadIds=[id]``.
* **Polling** (:meth:`Syncer.run`): the newest page every ``poll_active`` seconds while the agent
  typed in the last ``idle_after`` seconds, every ``poll_idle`` seconds otherwise, and every
  ``2 * poll_idle`` while webhooks flow (polling stays on as their safety net). A server that
  answers with failures is asked less and less often (doubling, capped at ``max_backoff``). A
  server that cannot be reached at all costs nothing to try (no request reaches it, the budget
  is untouched), so polls go on every few seconds, doubling up to ``reconnect_max``: the server
  coming back is noticed within seconds, and at once when another request (a reply, a name)
  gets through first (:meth:`Syncer.reconnected`). Whether the server can be reached is the
  :class:`~rcinbox.inbox.connection.Connection`'s to say; a sync reports only its own outcome.

Contents met while paging back through history are announced with ``ContentsArrived`` but without
``incoming_ids``: only contents found by polling or a webhook are news to the agent.

Every request goes through the :class:`RequestScheduler`; time (``clock``, ``sleep``) is injected
so tests compress it. This module never talks HTTP itself, never imports Textual, and never lets
a network failure end the polling loop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from rcinbox.api.errors import (
    BadRequest,
    InvalidGrant,
    RCError,
    TransportError,
    Unprocessable,
)
from rcinbox.api.models import Content, Page
from rcinbox.api.singleflight import SingleFlight
from rcinbox.inbox.events import (
    ContentsArrived,
    EventBus,
    LoginRequired,
    SyncStatus,
    ThreadsChanged,
)
from rcinbox.inbox.scheduler import Priority, RequestScheduler
from rcinbox.inbox.store import Store
from rcinbox.inbox.store.base import same_but_links
from rcinbox.inbox.types import MergeResult, ThreadFilter
from rcinbox.text import one_line

if TYPE_CHECKING:
    from rcinbox.api.client import SocialMessagingClient

log = logging.getLogger(__name__)


ALL_LISTING = ThreadFilter().cursor_key
THREAD_PAGE = 1000  # the API's maximum perPage: a thread's history in as few requests as possible


class Syncer:
    """Pages, polling and single contents for one account's store."""

    def __init__(
        self,
        *,
        store: Store,
        client: SocialMessagingClient,
        scheduler: RequestScheduler,
        events: EventBus,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        poll_active: float = 10.0,
        poll_idle: float = 60.0,
        idle_after: float = 120.0,
        per_page: int = 100,
        max_backoff: float = 300.0,
        reconnect_max: float = 8.0,
    ) -> None:
        self._store = store
        self._client = client
        self._scheduler = scheduler
        self._events = events
        self._clock = clock
        self._sleep = sleep
        self.poll_active = poll_active
        self.poll_idle = poll_idle
        self.idle_after = idle_after
        self.max_backoff = max_backoff
        self.reconnect_max = reconnect_max
        self._per_page = max(1, min(per_page, THREAD_PAGE))
        self._last_activity = -math.inf
        self._webhook_active = False
        self._last_sync: float | None = None
        # Set when the newest page was merged by other means just before the loop started (a
        # warm start): the first poll waits out the interval from then instead of going at once.
        self._first_poll_from: float | None = None
        # Set when something that changes the polling interval happens during a wait.
        self._wake = asyncio.Event()
        self._retry_now = False
        # Work in flight, by what it fetches, so concurrent callers share one request.
        # One fetch of each kind per key (a priority, a listing, a thread); a caller that gives
        # up leaves it running for the others (rcinbox.api.singleflight).
        self._newest: SingleFlight[MergeResult] = SingleFlight()
        self._paging: SingleFlight[None] = SingleFlight()
        self._threads: SingleFlight[int] = SingleFlight()
        # Told of every content merged that the store did not have (``live``: news from a poll
        # or a webhook), so their authors' names are asked for in the next batch.
        self.on_merged: Callable[[list[Content], bool], None] | None = None

    # ------------------------------------------------------------------ state for the UI

    @property
    def last_sync(self) -> float | None:
        return self._last_sync

    def reconnected(self) -> None:
        """The server answered again (any request): a poll backing off goes now."""
        self._retry_now = True
        self._wake.set()

    def user_active(self) -> None:
        """The agent did something: poll at the quick interval for the next ``idle_after`` s."""
        was_idle = not self._user_is_active()
        self._last_activity = self._clock()
        if was_idle:
            self._wake.set()

    def set_webhook_active(self, active: bool) -> None:
        """Webhooks deliver (or stopped delivering): polling slows down (or speeds up again)."""
        if active != self._webhook_active:
            self._webhook_active = active
            self._wake.set()

    def poll_interval(self) -> float:
        """Seconds between polls as things stand now."""
        if self._webhook_active:
            return self.poll_idle * 2
        return self.poll_active if self._user_is_active() else self.poll_idle

    def _user_is_active(self) -> bool:
        return self._clock() - self._last_activity < self.idle_after

    # ------------------------------------------------------------------ newest page

    async def sync_newest(self, *, priority: Priority = Priority.BACKGROUND) -> MergeResult:
        """Merge the newest contents; raises RCError (after publishing it) when offline.

        Callers share a sync in flight at their priority or a more urgent one; a more urgent
        caller (the agent pressed a key) does not wait behind a background poll that is still
        queued for the budget.
        """
        running = self._newest_in_flight(priority)
        key = priority if running is None else running
        return await self._newest.run(lambda: self._sync_newest(priority), key)

    def _newest_in_flight(self, least_urgent: Priority) -> Priority | None:
        """The most urgent priority with a sync of the newest page in flight, at
        ``least_urgent`` or above."""
        for priority in sorted(Priority):
            if priority <= least_urgent and self._newest.running(priority):
                return priority
        return None

    async def _sync_newest(self, priority: Priority) -> MergeResult:
        self._events.publish(SyncStatus(syncing=True, last_sync=self._last_sync))
        try:
            result = await self._fetch_newest(priority)
        except RCError as exc:
            self._report_failure(exc)
            raise
        self._last_sync = self._clock()
        self._events.publish(SyncStatus(last_sync=self._last_sync))
        return result

    async def _fetch_newest(self, priority: Priority) -> MergeResult:
        first_run = self._store.content_count() == 0
        results: list[MergeResult] = []
        token: str | None = None
        used: set[str] = set()
        while True:
            page = await self._list(priority, page_token=token)
            known = self._store.known_content_ids(c.id for c in page.records if c.id)
            with self._store.transaction():
                results.append(self._merge(page.records, live=True))
                if first_run and self._store.cursor(ALL_LISTING) is None:
                    # Older pages of "all" continue from here (unless a list paged on already).
                    self._save_cursor(
                        ALL_LISTING, token, page.next_page_token, _oldest(page.records)
                    )
            if first_run or known or not page.records:
                break
            token = page.next_page_token
            if not token or token in used:
                break
            used.add(token)
        return _combine(results)

    def _report_failure(self, exc: RCError) -> None:
        message = one_line(str(exc), 200)
        log.warning("sync failed: %s", message)
        self._events.publish(SyncStatus(last_sync=self._last_sync, error=message))
        if isinstance(exc, InvalidGrant):
            self._events.publish(LoginRequired(message))

    # ------------------------------------------------------------------ older pages

    async def ensure_threads(
        self, where: ThreadFilter, count: int, *, priority: Priority = Priority.VISIBLE
    ) -> bool:
        """Fetch older pages until ``where`` has ``count`` threads; True if more may exist."""
        while self._store.thread_count(where) < count:
            if not await self.fetch_older_page(where, priority=priority):
                return False
        return not self._exhausted(where.cursor_key)

    async def fetch_older_page(
        self, where: ThreadFilter, *, priority: Priority, per_page: int | None = None
    ) -> bool:
        """Merge the next older page of ``where``'s listing (or join the fetch of it already in
        flight); True if more may exist. History back-fill pages the listings with this."""
        # Which page is next is decided once a sync running elsewhere (a warm start's) has
        # filled the store and its cursors: before, the first page looked missing.
        await self._scheduler.held()
        key = where.cursor_key
        if key == ALL_LISTING and self._store.cursor(key) is None and self._last_sync is None:
            # The first page of "all" is the newest page: join the sync fetching it (whatever
            # its priority: at start-up the poll's first sync is already on the wire) or sync
            # now. An empty store's first sync starts the cursor that older pages go on from;
            # without this a list asking for rows at start-up fetched the same page twice.
            running = self._newest_in_flight(Priority.BACKGROUND)
            if running is not None:
                await self._newest.run(lambda: self._sync_newest(running), running)
            else:
                await self.sync_newest(priority=priority)
            if self._store.cursor(key) is not None:
                return not self._exhausted(key)
        if not self._exhausted(key):
            await self._paging.run(
                lambda: self._fetch_older(key, where.channel_id, priority, per_page), key
            )
        return not self._exhausted(key)

    def _exhausted(self, key: str) -> bool:
        cursor = self._store.cursor(key)
        return cursor is not None and cursor[1]

    async def _fetch_older(
        self,
        key: str,
        channel_id: str | None,
        priority: Priority,
        per_page: int | None = None,
    ) -> None:
        cursor = self._store.cursor(key)
        if cursor is not None and cursor[1]:
            return
        token = cursor[0] if cursor is not None else None
        channels = [channel_id] if channel_id else None
        size = {"per_page": per_page} if per_page else {}
        try:
            page = await self._list(priority, page_token=token, channel_ids=channels, **size)
        except (BadRequest, Unprocessable):
            if token is None:
                raise
            # Page tokens are opaque and may not outlive a server change: start the listing
            # again from its first page (known contents merge as no-ops) rather than be stuck.
            log.warning("the server refused the saved page token of %s; paging from the top", key)
            token = None
            page = await self._list(priority, channel_ids=channels, **size)
        with self._store.transaction():
            self._merge(page.records, live=False)
            self._save_cursor(key, token, page.next_page_token, _oldest(page.records))

    def _save_cursor(
        self, key: str, used: str | None, next_token: str | None, reached: float | None
    ) -> None:
        # A server that hands back the token it was given would page us in a circle.
        exhausted = not next_token or next_token == used
        self._store.set_cursor(key, None if exhausted else next_token, exhausted, reached=reached)

    # ------------------------------------------------------------------ one thread, one content

    async def complete_thread(self, thread_id: str, *, priority: Priority = Priority.USER) -> int:
        """Fetch every content of a thread; returns how many the store did not have."""
        return await self._threads.run(lambda: self._fetch_thread(thread_id, priority), thread_id)

    async def _fetch_thread(self, thread_id: str, priority: Priority) -> int:
        new = 0
        token: str | None = None
        used: set[str] = set()
        while True:
            page = await self._list(
                priority, page_token=token, thread_ids=[thread_id], per_page=THREAD_PAGE
            )
            new += len(self._merge(page.records, live=False).new_content_ids)
            if any((c.thread_id or c.id) != thread_id for c in page.records):
                # The server ignored the filter: following its pages would fetch everything.
                log.warning("the server ignored the thread filter; stopped after one page")
                return new
            token = page.next_page_token
            if not token or token in used:
                return new
            used.add(token)

    async def fetch_content(
        self, content_id: str, *, priority: Priority = Priority.VISIBLE
    ) -> Content:
        """GET one content (e.g. after a webhook) and merge it; announced as live news."""
        content = await self._scheduler.run(priority, lambda: self._client.get_content(content_id))
        self._merge([content], live=True)
        return content

    # ------------------------------------------------------------------ polling

    def synced_elsewhere(self, when: float) -> None:
        """The newest page was merged into the store at ``when`` (engine clock) by other means,
        a warm start's sync in another process: the status says so, and the first poll of
        :meth:`run` comes an interval after it rather than at once (the same page, asked for
        again moments later, would bring nothing)."""
        self._last_sync = when
        # Never later than now: a clock that disagrees must not put the first poll off longer.
        self._first_poll_from = min(when, self._clock())
        self._events.publish(SyncStatus(last_sync=when))

    async def run(self) -> None:
        """Poll the newest page until cancelled; failures back off and never end the loop."""
        failures = 0
        unreached = False
        if self._first_poll_from is not None:
            await self._wait_for_next_poll(self._first_poll_from, 0, False)
        while True:
            started = self._clock()
            self._retry_now = False
            try:
                await self.sync_newest()
            except asyncio.CancelledError:
                raise
            except RCError as exc:
                failures += 1  # already logged and published by sync_newest
                unreached = isinstance(exc, TransportError) and not exc.request_sent
            except Exception as exc:
                failures += 1
                unreached = False
                log.exception("sync failed unexpectedly")
                self._events.publish(
                    SyncStatus(
                        last_sync=self._last_sync,
                        error=one_line(f"{type(exc).__name__}: {exc}", 200),
                    )
                )
            else:
                failures = 0
            await self._wait_for_next_poll(started, failures, unreached)

    def _delay(self, failures: int, unreached: bool = False) -> float:
        if not failures:
            return self.poll_interval()
        if unreached:
            # Nothing reached the server, so nothing was spent: try again soon.
            return min(self.reconnect_max, 2.0 ** (failures - 1))
        return min(self.max_backoff, self.poll_interval() * 2 ** (failures - 1))

    async def _wait_for_next_poll(self, started: float, failures: int, unreached: bool) -> None:
        """Sleep until the next poll is due; re-plan when activity or webhooks change it, and
        go at once when the server answered another request after a failed poll."""
        while True:
            if failures and self._retry_now:
                return
            delay = started + self._delay(failures, unreached) - self._clock()
            if delay <= 0:
                return
            self._wake.clear()
            if await self._sleep_unless_woken(delay):
                # Trust a completed sleep over the clock: an injected sleep may be faster.
                return

    async def _sleep_unless_woken(self, delay: float) -> bool:
        """True when ``delay`` was slept in full, False when woken early."""
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            done, _ = await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
            return sleeper in done
        finally:
            sleeper.cancel()
            waker.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel fetches still in flight (callers that were awaiting them are gone)."""
        for flights in (self._newest, self._paging, self._threads):
            await flights.cancel()

    def merge_found(self, contents: Iterable[Content]) -> MergeResult:
        """Store contents found by other means (a server search): announced as arrivals, but
        not as news to the agent."""
        return self._merge(contents, live=False)

    # ------------------------------------------------------------------ helpers

    async def _list(self, priority: Priority, **filters: Any) -> Page[Content]:
        filters.setdefault("per_page", self._per_page)
        return await self._scheduler.run(priority, lambda: self._client.list_contents(**filters))

    def _merge(self, contents: Iterable[Content], *, live: bool) -> MergeResult:
        """Merge and announce what changed; ``live`` marks new customer contents as news."""
        contents = [c for c in contents if c.id]
        changed = self._changed_threads(contents)
        result = self._store.merge_contents(contents)
        if result.new_content_ids:
            new = set(result.new_content_ids)
            threads = sorted({c.thread_id or c.id for c in contents if c.id in new})
            if self.on_merged is not None:
                self.on_merged([c for c in contents if c.id in new], live)
            self._events.publish(
                ContentsArrived(
                    result.new_content_ids,
                    tuple(threads),
                    result.new_incoming_ids if live else (),
                )
            )
        if changed:
            self._events.publish(ThreadsChanged(tuple(sorted(changed))))
        return result

    def _changed_threads(self, contents: list[Content]) -> set[str]:
        """Threads of contents that are new or differ from the stored copy (a polled page is
        mostly known and unchanged; its threads need no repaint)."""
        changed: set[str] = set()
        known = self._store.known_content_ids(c.id for c in contents)
        for content in contents:
            if content.id in known:
                stored = self._store.content(content.id)
                if stored is not None and same_but_links(stored.raw, content.raw):
                    continue
            changed.add(content.thread_id or content.id)
        return changed


def _oldest(contents: Iterable[Content]) -> float | None:
    """The creation time of the oldest of ``contents``: how far back a listing's page reached."""
    times = [c.creation_time.timestamp() for c in contents if c.creation_time is not None]
    return min(times) if times else None


def _combine(results: list[MergeResult]) -> MergeResult:
    return MergeResult(
        tuple(i for r in results for i in r.new_content_ids),
        tuple(sorted({i for r in results for i in r.changed_thread_ids})),
        tuple(i for r in results for i in r.new_incoming_ids),
    )
