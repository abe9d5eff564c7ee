"""The engine's one facade: everything a UI (the TUI or a headless command) may ask of rcinbox.

Reads are local and instant (the store answers); anything that needs the network runs through the
account's :class:`RequestScheduler` and reports back as events on :attr:`Inbox.events`. A UI never
sees httpx or SQLite: it calls these methods and reacts to events.

The pieces, each testable alone: :class:`Syncer` (newest page, older pages on demand, polling,
webhooks), :class:`IdentityDirectory` (names), :class:`Outbox` (drafts and exactly-once replies),
:class:`Connection` (online or not, from every request's outcome). This module wires them
together and owns their background tasks. Never imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rcinbox.api.errors import (
    BadRequest,
    Forbidden,
    InvalidGrant,
    NotFound,
    RCError,
    Unprocessable,
)
from rcinbox.api.models import Content, Identity
from rcinbox.api.ratelimit import RateState
from rcinbox.inbox import held
from rcinbox.inbox.backfill import DEFAULT_HORIZON_DAYS, HistoryBackfill
from rcinbox.inbox.connection import Connection
from rcinbox.inbox.events import (
    ConnectionState,
    EventBus,
    HistoryCoverage,
    LoginRequired,
    Subscription,
    ThreadsChanged,
)
from rcinbox.inbox.identities import IdentityDirectory
from rcinbox.inbox.notices import WaitAnnounced as WaitAnnounced  # for UIs: a wait to show
from rcinbox.inbox.notices import WaitTracker
from rcinbox.inbox.notices import WebhookState as WebhookState  # for UIs: the webhook's state
from rcinbox.inbox.outbox import AlreadySent as AlreadySent  # for UIs: an undo that came too late
from rcinbox.inbox.outbox import Outbox
from rcinbox.inbox.replies import ReplyRefused as ReplyRefused  # for UIs: no reply possible
from rcinbox.inbox.replies import ReplyTarget as ReplyTarget  # for UIs: whom a reply answers
from rcinbox.inbox.replies import reply_target
from rcinbox.inbox.scheduler import Priority, RequestScheduler
from rcinbox.inbox.store import Store
from rcinbox.inbox.store import StoreError as StoreError  # for UIs: a store that cannot open
from rcinbox.inbox.sync import Syncer
from rcinbox.inbox.types import (
    ChannelRow,
    DraftRow,
    MergeResult,
    OutboxRow,
    ThreadFilter,
    ThreadRow,
)
from rcinbox.inbox.webhooks import WebhookReceiver
from rcinbox.text import one_line

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineSettings:
    """How often to poll and how long names stay fresh; the config file can change each."""

    poll_active: float = 10.0
    poll_idle: float = 60.0
    idle_after: float = 120.0
    identity_ttl: float = 24 * 3600
    webhook_listen: tuple[str, int] | None = None
    webhook_url: str | None = None
    # Days of history back-filled in the background, so counts and search cover them whole.
    horizon_days: int = DEFAULT_HORIZON_DAYS
    # The verification token RingCentral must present (the wiring keeps one per account).
    webhook_token: str | None = None


@dataclass(frozen=True)
class BackgroundWork:
    """Which background work :meth:`Inbox.start` runs: polling (and webhooks), the outbox
    worker, name resolution, history back-fill. A UI that only reads (a benchmark, a snapshot)
    turns some off; the TUI, which shows counts, turns history on."""

    poll: bool = True
    send: bool = True
    names: bool = True
    history: bool = True


class Inbox:
    """One account's inbox. Build it, :meth:`start` the background work, :meth:`close` at exit."""

    def __init__(
        self,
        *,
        store: Store,
        client: Any,
        owner_id: Callable[[], str | None] = lambda: None,
        settings: EngineSettings | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        settings = settings or EngineSettings()
        self.settings = settings
        self.store = store
        self.client = client
        self.events = EventBus()
        self._clock = clock
        self._sleep = sleep
        self._owner_id = owner_id
        self._viewing: str | None = None
        self.connection = Connection(self.events)
        self.scheduler = RequestScheduler(client.rate, sleep=sleep, observe=self.connection.observe)
        common = {
            "store": store,
            "client": client,
            "scheduler": self.scheduler,
            "events": self.events,
            "clock": clock,
        }
        self.syncer = Syncer(
            **common,
            sleep=sleep,
            poll_active=settings.poll_active,
            poll_idle=settings.poll_idle,
            idle_after=settings.idle_after,
        )
        # A failed attempt the client will retry says "offline" at once, not after the retries.
        client.on_retry = self.connection.observe
        self.identities = IdentityDirectory(
            **common, ttl=settings.identity_ttl, bulk_first=store.content_count() == 0
        )
        self.syncer.on_merged = self.identities.arrived
        self.outbox = Outbox(**common, sleep=sleep, owner_id=owner_id)
        for waiting in (self.syncer.reconnected, self.identities.retry_now, self.outbox.retry_now):
            self.connection.when_back(waiting)
        self.backfill = HistoryBackfill(
            store=store,
            syncer=self.syncer,
            scheduler=self.scheduler,
            events=self.events,
            horizon_days=settings.horizon_days,
            clock=clock,
            sleep=sleep,
        )
        self._receiver: WebhookReceiver | None = None
        if settings.webhook_listen is not None:
            self._receiver = WebhookReceiver(
                syncer=self.syncer,
                client=client,
                scheduler=self.scheduler,
                events=self.events,
                listen=settings.webhook_listen,
                url=settings.webhook_url,
                verification_token=settings.webhook_token,
                clock=clock,
                sleep=sleep,
            )
        self._tasks: list[asyncio.Task[Any]] = []
        self._waits = WaitTracker(self.events, clock=clock)

    # ------------------------------------------------------------------ life cycle

    async def start(
        self, *, poll: bool = True, send: bool = True, names: bool = True, history: bool = False
    ) -> None:
        """Start background work: polling (and webhooks), the outbox worker, name resolution,
        and, when asked (a UI that shows counts), history back-fill: a headless command has no
        counts to complete, and ``watch`` would print old contents as if they had arrived."""
        if self._receiver is not None:
            try:
                await self._receiver.start()
            except Exception as error:
                # No webhooks (a port taken, a URL the server refuses): polling carries on.
                detail = f"webhooks unavailable ({one_line(str(error), 200)}); polling"
                log.warning("%s", detail)
                self.events.publish(WebhookState(False, detail))
                self._receiver = None
            else:
                self._spawn(self._receiver.run(), "webhooks")
        if poll:
            self._spawn(self.syncer.run(), "sync")
        if send:
            self._spawn(self.outbox.run(), "outbox")
        if names:
            self._spawn(self.identities.run(), "identities")
            self._spawn(self._find_own_identities(), "own-identities")
        if history:
            self._spawn(self.backfill.run(), "history")

    async def _find_own_identities(self) -> None:
        """Who "you" are (the token owner's agent identities), known before any reply is sent;
        asked again whenever the server could not be reached."""
        delay = 1.0
        while True:
            owner = self._owner_id()
            if owner is None:
                # The first answer comes with a login, and the login says who its owner is.
                await self.connection.wait_online()
                owner = self._owner_id()
                if owner is None:
                    return
            try:
                await self.identities.find_own(owner)
                return
            except (BadRequest, Forbidden, NotFound, Unprocessable) as error:
                log.info("could not list the user's own identities: %s", error)
                return
            except RCError as error:
                log.info("could not list the user's own identities yet: %s", error)
            await self._sleep(delay)
            delay = min(delay * 2, 60.0)
            await self.connection.wait_online()

    def _spawn(self, coroutine: Awaitable[Any], name: str) -> None:
        self._tasks.append(asyncio.ensure_future(coroutine))
        self._tasks[-1].set_name(f"rcinbox-{name}")

    async def close(self) -> None:
        """Write pending drafts, stop background work, remove the webhook subscription."""
        await self.outbox.flush_drafts()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self.syncer.aclose()
        self._waits.close()
        if self._receiver is not None:
            with contextlib.suppress(Exception):
                await self._receiver.stop()

    # ------------------------------------------------------------------ what the UI shows

    def channels(self) -> list[ChannelRow]:
        """Every channel with a stored thread; ``unread_count`` counts the unread threads active
        within the history horizon, the part of history the store holds whole (see
        :meth:`history`), so the count does not grow as older pages load while scrolling."""
        unread = self.store.unread_by_channel(self.backfill.horizon_start())
        return [replace(row, unread_count=unread.get(row.id, 0)) for row in self.store.channels()]

    def thread_count(self, where: ThreadFilter) -> int:
        return self.store.thread_count(where)

    def threads(self, where: ThreadFilter, offset: int, limit: int) -> list[ThreadRow]:
        """A window of the list; the names on it are asked for in the background."""
        rows = self.store.threads_window(where, offset, limit)
        self.identities.want((row.customer_id for row in rows if row.customer_id), view="list")
        return rows

    def thread(self, thread_id: str) -> ThreadRow | None:
        return self.store.thread(thread_id)

    def thread_position(self, where: ThreadFilter, thread_id: str) -> int | None:
        return self.store.thread_position(where, thread_id)

    def messages(
        self, thread_id: str, *, limit: int | None = None, before: float | None = None
    ) -> list[Content]:
        contents = self.store.thread_contents(thread_id, limit=limit, before=before)
        thread = self.store.thread(thread_id)
        authors = [c.author_identity_id for c in contents]
        self.identities.want([thread.customer_id if thread else None, *authors], view="thread")
        return contents

    def content(self, content_id: str) -> Content | None:
        return self.store.content(content_id)

    def pending_replies(self, thread_id: str) -> list[OutboxRow]:
        """Replies of this thread that the server has not confirmed (or that failed)."""
        return [e for e in self.store.thread_outbox(thread_id) if e.content_id is None]

    def outbox_entries(self, states: tuple[str, ...] | None = None) -> list[OutboxRow]:
        return self.store.outbox(states)

    def name(self, identity_id: str | None) -> str | None:
        return self.identities.name(identity_id)

    def is_agent(self, identity_id: str | None) -> bool | None:
        return self.identities.is_agent(identity_id)

    def is_own(self, identity_id: str | None) -> bool:
        """Whether the logged-in user wrote as this identity ("you")."""
        return self.identities.is_own(identity_id)

    def reply_target(self, thread_id: str, chosen: str | None = None) -> ReplyTarget:
        """What a reply in this thread answers (``chosen`` if the rule allows it), or why
        no reply is possible there: see :mod:`rcinbox.inbox.replies`."""
        return reply_target(self.store, thread_id, chosen)

    def draft(self, thread_id: str) -> DraftRow | None:
        return self.outbox.draft(thread_id)

    def search(self, text: str, where: ThreadFilter | None = None) -> list[str]:
        """Ids of threads whose customer's name, a message or a subject contains ``text``
        (within ``where``'s channel, or its unread threads, when given)."""
        ids = self.store.search_threads(text)
        if where is None or not (where.channel_id or where.unread_only):
            return ids
        return [row.id for row in self.store.threads_by_ids(ids) if where.admits(row)]

    def older_than_horizon(self, thread_ids: list[str]) -> int:
        """How many of these threads (search results) were last active before the history
        horizon: those were found only because scrolling happened to load them."""
        return self.store.count_threads_before(thread_ids, self.backfill.horizon_start())

    def threads_by_ids(self, thread_ids: list[str]) -> list[ThreadRow]:
        """Rows for these threads in the given order (search results); names asked for."""
        rows = self.store.threads_by_ids(thread_ids)
        self.identities.want((row.customer_id for row in rows if row.customer_id), view="list")
        return rows

    def history(self) -> HistoryCoverage:
        """How much of the history horizon the store holds: until ``complete``, counts and
        search results cover only ``days`` of ``horizon_days`` and must say so."""
        return self.backfill.coverage()

    def rate(self) -> RateState:
        return self.client.rate.snapshot()

    def connection_state(self) -> tuple[ConnectionState, str | None]:
        """Connecting, online or offline now, and why when offline (later changes are
        ``ConnectionChanged`` events)."""
        return self.connection.state, self.connection.reason

    # ------------------------------------------------------------------ actions

    async def ensure_threads(self, where: ThreadFilter, count: int) -> bool:
        """Fetch older pages until ``count`` threads exist for ``where``; False when no more."""
        try:
            return await self.syncer.ensure_threads(where, count)
        finally:
            # Scrolling pages the listing back-fill goes on from: its coverage may have grown.
            self.backfill.announce()

    async def fill_history(self) -> HistoryCoverage:
        """Back-fill history to the horizon now (headless); raises RCError when it cannot."""
        return await self.backfill.fill()

    async def sync_now(self) -> None:
        """Fetch the newest contents now, at user priority (a key, or a headless command)."""
        await self.syncer.sync_newest(priority=Priority.USER)

    async def open_thread(self, thread_id: str) -> int:
        """Mark a thread read and fetch any history the store lacks; returns new contents."""
        self.mark_read(thread_id)
        self.syncer.user_active()
        try:
            return await self.syncer.complete_thread(thread_id, priority=Priority.USER)
        except InvalidGrant as error:
            self.events.publish(LoginRequired(str(error)))
            return 0
        except RCError as error:
            log.info("could not complete thread %s: %s", thread_id, error)
            return 0

    def viewing(self, thread_id: str | None) -> None:
        """The thread the agent has open and on screen (None: none). It is read, and stays
        read while it is looked at: what its customer writes meanwhile is seen as it comes."""
        self.store.keep_read(thread_id)
        if thread_id is not None and thread_id != self._viewing:
            self.mark_read(thread_id)
        self._viewing = thread_id

    def mark_read(self, thread_id: str) -> None:
        if self.store.mark_read(thread_id):
            self.events.publish(ThreadsChanged((thread_id,)))

    def mark_unread(self, thread_id: str) -> None:
        if self.store.mark_unread(thread_id):
            self.events.publish(ThreadsChanged((thread_id,)))

    def toggle_unread(self, thread_id: str) -> None:
        row = self.store.thread(thread_id)
        if row is None:
            return
        if row.unread:
            self.mark_read(thread_id)
        else:
            self.mark_unread(thread_id)

    def next_unread(self, where: ThreadFilter, after_thread_id: str | None) -> str | None:
        return self.store.next_unread(where, after_thread_id)

    def user_active(self) -> None:
        self.syncer.user_active()

    def save_draft(
        self,
        thread_id: str,
        body: str,
        *,
        in_reply_to: str | None = None,
        public: bool | None = None,
    ) -> None:
        self.outbox.save_draft(thread_id, body, in_reply_to=in_reply_to, public=public)

    def send(
        self,
        thread_id: str,
        body: str,
        *,
        in_reply_to: str | None = None,
        public: bool | None = None,
        delay: float = 0.0,
    ) -> OutboxRow:
        """Queue a reply (durably, before anything is sent); the outbox worker sends it,
        no sooner than ``delay`` seconds from now (the undo window; :meth:`cancel_send`).

        It answers ``in_reply_to`` when the reply rule allows it, else the thread's newest
        customer message; where there is none, :class:`ReplyRefused` says why.
        """
        target = self.reply_target(thread_id, in_reply_to)
        if target.content is None:
            raise ReplyRefused(target.refusal or "There is no message to answer here.")
        if in_reply_to and target.content_id != in_reply_to:
            # Never a reply to another message than the one the agent chose.
            raise ReplyRefused("The chosen message is not one of this conversation's.")
        return self.outbox.enqueue(
            thread_id=thread_id,
            in_reply_to=target.content.id,
            channel_type=target.content.channel_type,
            body=body,
            public=public,
            delay=delay,
        )

    def cancel_send(self, entry_id: str) -> DraftRow:
        """Undo send: take back a reply that has not left; its text is the draft again.
        Raises :class:`~rcinbox.inbox.outbox.AlreadySent` when it had begun to leave."""
        return self.outbox.cancel(entry_id)

    def discard_draft(self, thread_id: str) -> None:
        self.outbox.discard_draft(thread_id)

    def now(self) -> float:
        """The engine's clock: what an entry's ``not_before`` is measured against."""
        return self._clock()

    def retry(self, entry_id: str) -> OutboxRow:
        return self.outbox.retry(entry_id)

    def discard(self, entry_id: str) -> None:
        self.outbox.discard(entry_id)

    # ------------------------------------------------------------------ for the wiring and the CLI

    @classmethod
    @contextlib.asynccontextmanager
    async def opened(
        cls,
        store_path: Path,
        *,
        client: Any,
        owner_id: Callable[[], str | None] = lambda: None,
        settings: EngineSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> AsyncIterator[Inbox]:
        """An inbox on the store at ``store_path`` (created or migrated; :class:`StoreError`
        when it cannot be), not yet started, closed in order on the way out: drafts written,
        background work stopped, then the store closed. ``clock`` is the engine's and the
        store's, so the outbox compares the store's times with the engine's."""
        store = Store.open(store_path, clock=clock)
        try:
            inbox = cls(
                store=store, client=client, owner_id=owner_id, settings=settings, clock=clock
            )
            try:
                yield inbox
            finally:
                await inbox.close()
        finally:
            store.close()

    async def check_login(self) -> None:
        """Log in, or renew the login, now if it needs it (no request while the token is fresh),
        so that an expired login fails here rather than inside background work."""
        await self.client.auth.bearer()

    async def remote_contents(
        self, *, limit: int | None = None, max_pages: int | None = None, **filters: Any
    ) -> tuple[list[Content], dict[str, Any]]:
        """Contents straight from the server with the API's filters (those of
        ``list_contents``), page after page until ``limit`` (None: every page) or ``max_pages``
        pages (a server handing out fresh page tokens without end). Not stored.

        Returns at most ``limit`` contents and the ``paging`` object of the last page read.
        """
        records: list[Content] = []
        paging: dict[str, Any] = {}
        token = filters.pop("page_token", None)
        seen: set[str] = set()
        pages = 0
        while max_pages is None or pages < max_pages:
            pages += 1
            page = await self.scheduler.run(
                Priority.USER,
                lambda token=token: self.client.list_contents(page_token=token, **filters),
            )
            records.extend(page.records)
            paging = page.raw.get("paging") or {}
            if limit is not None and len(records) >= limit:
                return records[:limit], paging
            token = page.next_page_token
            # A server that hands back a token it gave before would loop us forever.
            if not token or token in seen:
                return records, paging
            seen.add(token)
        return records, paging

    async def remote_thread(
        self, thread_id: str, *, max_pages: int | None = None
    ) -> tuple[list[Content], bool]:
        """A thread straight from the server, oldest first (empty: no such thread), and whether
        it is whole (False: ``max_pages`` pages were read and the server offered more)."""
        contents, paging = await self.remote_contents(
            thread_ids=[thread_id], order_by="+creationTime", per_page=1000, max_pages=max_pages
        )
        more = isinstance(paging, dict) and bool(paging.get("nextPageToken"))
        return contents, not (max_pages is not None and more)

    async def remote_identity(self, identity_id: str) -> Identity:
        """An identity as the server has it now (NotFound when there is none)."""
        return await self.scheduler.run(
            Priority.USER, lambda: self.client.get_identity(identity_id)
        )

    async def content_or_fetch(self, content_id: str) -> Content:
        """A content from the store, else from the server (then stored)."""
        content = self.store.content(content_id)
        if content is None:
            content = await self.syncer.fetch_content(content_id, priority=Priority.USER)
        return content

    def content_count(self) -> int:
        """How many contents the store holds."""
        return self.store.content_count()

    async def sync_newest(self) -> MergeResult:
        """Like :meth:`sync_now`, and says what arrived (new content ids, changed threads)."""
        return await self.syncer.sync_newest(priority=Priority.USER)

    async def wait_accepted(self, entry_id: str, timeout: float) -> OutboxRow:
        """Send (with the outbox worker) until this reply is accepted, delivered or failed;
        TimeoutError when ``timeout`` passes first (the reply stays queued)."""
        return await self.outbox.wait_accepted(entry_id, timeout)

    async def flush_outbox(self, timeout: float | None = None) -> list[OutboxRow]:
        """Send what is queued and settle replies whose outcome was unknown, until nothing is
        left or ``timeout`` passes; returns the entries not accepted (pending or failed)."""
        return await self.outbox.flush(timeout=timeout)

    def subscribe(self) -> Subscription:
        """Engine events from now on (bounded: a slow reader gets ``Overflowed``)."""
        return self.events.subscribe()

    def unsubscribe(self, subscription: Subscription) -> None:
        self.events.unsubscribe(subscription)

    def current_wait(self) -> WaitAnnounced | None:
        """The pause requests are in (a login limit, a rate-limit penalty...), with its end and
        reason, or None; each new one is also published as :class:`WaitAnnounced`."""
        return self._waits.current()

    def hold_reply(self, content_id: str, body: str) -> OutboxRow:
        """Write a reply to ``content_id`` durably before any request, held (never sent)
        until :meth:`release_reply` once its original is known (:mod:`rcinbox.inbox.held`)."""
        return held.hold(self.store, self.outbox, content_id, body)

    def held_replies(self) -> list[OutboxRow]:
        """Replies written before their original was known, not yet released."""
        return held.held(self.store)

    def release_reply(
        self, entry_id: str, original: Content, *, public: bool, delay: float = 0.0
    ) -> OutboxRow:
        """The original is known and the channel's rules allow the reply: send it (no sooner
        than ``delay`` seconds from now, the undo window)."""
        now = self._clock()
        return held.release(
            self.store,
            self.outbox,
            entry_id,
            original,
            public,
            now,
            not_before=now + delay if delay > 0 else None,
        )

    def refuse_reply(self, entry_id: str, reason: str) -> OutboxRow:
        """The channel's rules refuse a held reply: it fails without being sent."""
        return held.refuse(self.store, self.outbox, entry_id, reason)
