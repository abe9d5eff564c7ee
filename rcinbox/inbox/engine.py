"""The engine's one facade: everything a UI (the TUI or a headless command) may ask of rcinbox.

Reads are local and instant (the store answers); anything that needs the network runs through the
account's :class:`RequestScheduler` and reports back as events on :attr:`Inbox.events`. A UI never
sees httpx or SQLite: it calls these methods and reacts to events.

The pieces, each testable alone: :class:`Syncer` (newest page, older pages on demand, polling,
webhooks), :class:`IdentityDirectory` (names), :class:`Outbox` (drafts and exactly-once replies),
:class:`Connection` (online or not, from every request's outcome). This module wires them
together; :mod:`~rcinbox.inbox.lifecycle` starts and stops their background tasks. Never
imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rcinbox.api.downloads import FileDownloader
from rcinbox.api.errors import (
    InvalidGrant,
    RCError,
)
from rcinbox.api.models import Content, Identity
from rcinbox.api.ratelimit import RateState
from rcinbox.inbox import held, remote
from rcinbox.inbox.attachments import AttachmentActions
from rcinbox.inbox.backfill import HistoryBackfill
from rcinbox.inbox.connection import Connection
from rcinbox.inbox.customers import CustomerQueries
from rcinbox.inbox.events import (
    ConnectionState,
    EventBus,
    HistoryCoverage,
    LoginRequired,
    Subscription,
    ThreadsChanged,
    Trouble,
)
from rcinbox.inbox.identities import IdentityDirectory
from rcinbox.inbox.lifecycle import LifeCycle
from rcinbox.inbox.lifecycle import PriorSync as PriorSync  # for the wiring: a warm start
from rcinbox.inbox.lists import ListReads
from rcinbox.inbox.notices import WaitAnnounced as WaitAnnounced  # for UIs: a wait to show
from rcinbox.inbox.notices import WaitTracker
from rcinbox.inbox.notices import WebhookState as WebhookState  # for UIs: the webhook's state
from rcinbox.inbox.outbox import AlreadySent as AlreadySent  # for UIs: an undo that came too late
from rcinbox.inbox.outbox import Outbox
from rcinbox.inbox.outbox import ReplyNotQueued as ReplyNotQueued  # for UIs: a store that is full
from rcinbox.inbox.outbox import ReplyNotRecorded as ReplyNotRecorded  # for UIs: sent, unrecorded
from rcinbox.inbox.replies import FreeTextWindow as FreeTextWindow  # for UIs: WhatsApp's 24 h
from rcinbox.inbox.replies import ReplyTarget as ReplyTarget  # for UIs: whom a reply answers
from rcinbox.inbox.replies import StartRefused as StartRefused  # for UIs: no such new thread
from rcinbox.inbox.replies import WindowClosed as WindowClosed  # for UIs: only a template now
from rcinbox.inbox.replies import enforce, reply_rules, reply_target, reply_title
from rcinbox.inbox.scheduler import Priority, RequestScheduler
from rcinbox.inbox.search import SearchFacade
from rcinbox.inbox.search import ServerSearchResult as ServerSearchResult  # for UIs
from rcinbox.inbox.settings import BackgroundWork as BackgroundWork
from rcinbox.inbox.settings import EngineSettings as EngineSettings
from rcinbox.inbox.starts import Conversations
from rcinbox.inbox.store import Store
from rcinbox.inbox.store import StoreError as StoreError  # for UIs: a store that cannot open
from rcinbox.inbox.sync import Syncer
from rcinbox.inbox.triage import SNOOZE_CHOICES as SNOOZE_CHOICES  # for UIs: a picker's
from rcinbox.inbox.triage import TriageFacade
from rcinbox.inbox.triage import snooze_until as snooze_until  # for UIs: "3h", "tomorrow"
from rcinbox.inbox.types import (
    ChannelRow,
    DraftRow,
    MergeResult,
    OutboxRow,
    ReplyRules,
    ThreadFilter,
    ThreadRow,
)
from rcinbox.inbox.types import ReplyRefused as ReplyRefused  # for UIs: a reply breaking a rule

if TYPE_CHECKING:
    from rcinbox.api.tokens import Token
    from rcinbox.inbox.webhooks import WebhookReceiver

log = logging.getLogger(__name__)


class Inbox(
    LifeCycle,
    ListReads,
    Conversations,
    TriageFacade,
    SearchFacade,
    AttachmentActions,
    CustomerQueries,
):
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
        downloads: FileDownloader | None = None,
        prior_sync: PriorSync | None = None,
    ) -> None:
        settings = settings or EngineSettings()
        self.settings = settings
        self._prior_sync = prior_sync
        # A prior sync that ends after the store was opened (and read) changes rows under a UI.
        self._prior_ends_later = prior_sync is not None and not prior_sync.done()
        self.store = store
        self.client = client
        self.downloads = downloads
        self.events = EventBus()
        self._clock = clock
        self._sleep = sleep
        self._owner_id = owner_id
        self._viewing: str | None = None
        self.connection = Connection(self.events)
        self.scheduler = RequestScheduler(client.rate, sleep=sleep, observe=self.connection.observe)
        if self._prior_ends_later:
            # Whoever asks (a list wanting rows, a name, the agent), nothing is asked for twice.
            self.scheduler.hold_until(self._prior_settled)
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
        self._unobserve = client.observe_retries(self.connection.observe)
        self.identities = IdentityDirectory(
            **common, ttl=settings.identity_ttl, bulk_first=not store.has_contents()
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
            # Imported only when asked for: its HTTP server (h11) is no part of a polling start.
            from rcinbox.inbox.webhooks import WebhookReceiver

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

    # ------------------------------------------------------------------ what the UI shows

    def channels(self) -> list[ChannelRow]:
        """Every channel with a stored thread; ``unread_count`` counts the unread threads active
        within the history horizon, the part of history the store holds whole (see
        :meth:`history`), so the count does not grow as older pages load while scrolling."""
        unread = self.store.unread_by_channel(self.backfill.horizon_start())
        return [replace(row, unread_count=unread.get(row.id, 0)) for row in self.store.channels()]

    def is_empty(self) -> bool:
        """Whether the store holds no content yet (a first run: nothing to show until a sync)."""
        return not self.store.has_contents()

    def thread_count(self, where: ThreadFilter) -> int:
        self.wake_snoozed()
        return self.store.thread_count(where)

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

    def raw_content(self, content_id: str) -> dict[str, Any] | None:
        """A stored content's record as the server sent it (the inspector and exports)."""
        content = self.store.content(content_id)
        return content.raw if content is not None else None

    def identity(self, identity_id: str | None) -> Identity | None:
        """A stored identity in full (first name, screen name...); None while unknown."""
        return self.store.identity(identity_id) if identity_id else None

    def own_name(self, channel_id: str | None = None) -> str | None:
        """The logged-in agent's name, the one customers on ``channel_id`` know when it can
        be told; None while no identity of theirs is known."""
        owner = self._owner_id()
        mine = self.store.identity_ids_of_user(owner) if owner else []
        seen_on = self.store.author_channels(mine)
        mine.sort(key=lambda identity_id: channel_id not in seen_on.get(identity_id, ()))
        return next((name for i in mine if (name := self.name(i))), None)

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

    def reply_rules(self, thread_id: str, chosen: str | None = None) -> ReplyRules:
        """The rules :meth:`send` enforces for a reply in this thread (answering ``chosen``,
        else the default): the channel's length limit, public or private, and why no reply
        can be sent there now, if so. For the UIs to show; they never decide them."""
        return reply_rules(self.store, thread_id, chosen)

    def draft(self, thread_id: str) -> DraftRow | None:
        return self.outbox.draft(thread_id)

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
        self.wake_snoozed()
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
        customer message. It goes out public or private as ``public`` asks, else in kind. A
        reply that breaks a rule (:meth:`reply_rules`) is refused with :class:`ReplyRefused`
        (``ReplyTooLong``, ``VisibilityRefused``) saying why, and where the channel's free-text
        window is closed with :class:`WindowClosed`; :class:`ReplyNotQueued` when the store
        cannot write it down. An email reply keeps the subject ("Re: ...").
        """
        self.check_window(thread_id)
        answered, public = enforce(self.store, thread_id, body, in_reply_to, public)
        return self.outbox.enqueue(
            thread_id=thread_id,
            in_reply_to=answered.id,
            channel_type=answered.channel_type,
            body=body,
            public=public,
            delay=delay,
            title=reply_title(answered.channel_type, answered.title),
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
        downloads: FileDownloader | None = None,
        prior_sync: PriorSync | None = None,
    ) -> AsyncIterator[Inbox]:
        """An inbox on the store at ``store_path`` (created or migrated; :class:`StoreError`
        when it cannot be), not yet started, closed in order on the way out: drafts written,
        background work stopped, then the store closed. ``clock`` is the engine's and the
        store's, so the outbox compares the store's times with the engine's."""
        store = Store.open(store_path, clock=clock)
        try:
            inbox = cls(
                store=store,
                client=client,
                owner_id=owner_id,
                settings=settings,
                clock=clock,
                downloads=downloads,
                prior_sync=prior_sync,
            )
            try:
                yield inbox
            finally:
                await inbox.close()
        finally:
            store.close()

    def login_token(self) -> Token | None:
        """The session's token, to hand to another session of this account (a warm start's
        goes to the UI's engine); None before any login."""
        return self.client.auth.token

    async def check_login(self) -> None:
        """Log in, or renew the login, now if it needs it (no request while the token is fresh),
        so that an expired login fails here rather than inside background work."""
        await self.client.auth.bearer()

    async def remote_contents(
        self, *, limit: int | None = None, max_pages: int | None = None, **filters: Any
    ) -> tuple[list[Content], dict[str, Any]]:
        """Contents straight from the server with the API's filters (those of
        ``list_contents``), page after page until ``limit`` (None: every page) or ``max_pages``
        pages. Not stored. At most ``limit`` contents and the ``paging`` of the last page."""
        return await remote.contents(
            self.scheduler, self.client, limit=limit, max_pages=max_pages, **filters
        )

    async def remote_thread(
        self, thread_id: str, *, max_pages: int | None = None
    ) -> tuple[list[Content], bool]:
        """A thread straight from the server, oldest first (empty: no such thread), and whether
        it is whole (False: ``max_pages`` pages were read and the server offered more)."""
        return await remote.thread(self.scheduler, self.client, thread_id, max_pages=max_pages)

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

    def report_trouble(self, message: str) -> None:
        """Tell the UIs, in one line, of something that failed outside the engine but is theirs
        to show (a renewed login that could not be saved): a ``Trouble`` event."""
        self.events.publish(Trouble(message))

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
        self, entry_id: str, original: Content, *, public: bool | None, delay: float = 0.0
    ) -> OutboxRow:
        """The original is known: send the held reply (no sooner than ``delay`` seconds from
        now, the undo window), public or private as ``public`` asks, else in kind. A reply the
        channel's rules refuse raises :class:`ReplyRefused` and stays held; :class:`WindowClosed`
        when the channel's free-text window is closed."""
        self.check_window(original.thread_id or original.id)
        entry = self.store.outbox_entry(entry_id)
        if entry is None:
            raise KeyError(entry_id)
        rules = ReplyRules.of_channel(original.channel_type, in_kind=original.public)
        public = rules.check(entry.body, public)
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
