"""The engine's life cycle: starting its background work (at once, or after a sync that ran
elsewhere), a new store's warm-up sync, and stopping.

Part of :class:`~rcinbox.inbox.engine.Inbox` (a mixin, so the facade stays one object for the
UIs); the parts it starts are built by the facade. Never imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from rcinbox.api.errors import RCError
from rcinbox.inbox.backfill import HistoryBackfill
from rcinbox.inbox.connection import Connection
from rcinbox.inbox.events import EventBus, IdentitiesResolved, RateChanged, ThreadsChanged
from rcinbox.inbox.identities import IdentityDirectory
from rcinbox.inbox.notices import WaitTracker, WebhookState
from rcinbox.inbox.outbox import Outbox
from rcinbox.inbox.own import find_own_identities
from rcinbox.inbox.scheduler import Priority
from rcinbox.inbox.store import Store
from rcinbox.inbox.sync import Syncer
from rcinbox.inbox.types import ThreadFilter
from rcinbox.text import one_line

if TYPE_CHECKING:
    from rcinbox.inbox.webhooks import WebhookReceiver

log = logging.getLogger(__name__)

# The threads whose customers' names a warm start fetches: more than any terminal shows.
WARM_ROWS = 100
# Seconds between a prior sync that ended late and the engine's own work (see _start_after).
AFTER_PRIOR_SYNC = 0.15


class PriorSync(Protocol):
    """A sync of the store running elsewhere as the engine opens (a warm start's, in another
    process, :mod:`rcinbox.wiring.warm`): the engine's own work waits for it rather than repeat
    it."""

    def done(self) -> bool:
        """Whether it has ended."""

    async def wait(self) -> float | None:
        """Once it has ended: when it merged the newest page (engine clock), None if it did not
        (the server unreachable, the sync cut short)."""


class LifeCycle:
    """Start, warm up and stop: the facade's background tasks."""

    store: Store
    client: Any
    events: EventBus
    syncer: Syncer
    identities: IdentityDirectory
    outbox: Outbox
    backfill: HistoryBackfill
    connection: Connection
    _owner_id: Callable[[], str | None]
    _sleep: Callable[[float], Awaitable[Any]]
    _receiver: WebhookReceiver | None
    _tasks: list[asyncio.Task[Any]]
    _waits: WaitTracker
    _unobserve: Callable[[], None]
    _prior_sync: PriorSync | None
    _prior_ends_later: bool

    async def start(
        self, *, poll: bool = True, send: bool = True, names: bool = True, history: bool = False
    ) -> None:
        """Start background work: polling (and webhooks), the outbox worker, name resolution,
        and, when asked (a UI that shows counts), history back-fill: a headless command has no
        counts to complete, and ``watch`` would print old contents as if they had arrived.

        With a sync still running elsewhere (``prior_sync``), the work starts once it has
        ended: its page and its names are in the store by then, and nothing here asks for them
        again (nor logs in beside it)."""
        work = {"poll": poll, "send": send, "names": names, "history": history}
        if self._prior_sync is not None:
            self._spawn(self._start_after(self._prior_sync, **work), "after-prior-sync")
            return
        await self._start_work(**work)

    async def _start_after(self, prior: PriorSync, **work: bool) -> None:
        synced = await prior.wait()
        if synced is not None:
            self.syncer.synced_elsewhere(synced)
        if self._prior_ends_later:
            # Rows and names written through another connection since a UI read the store.
            self.events.publish(ThreadsChanged(()))
            self.events.publish(IdentitiesResolved(()))
            await self.scheduler.held()
        await self._start_work(**work)

    async def _prior_settled(self) -> None:
        """Once a prior sync that ended after the store was opened has ended, and a UI has had
        a moment to show what it brought: the first request after it loads the HTTP client,
        about 0.1 s of the event loop, which would otherwise come first."""
        if self._prior_sync is not None:
            await self._prior_sync.wait()
        await self._sleep(AFTER_PRIOR_SYNC)

    async def _start_work(self, *, poll: bool, send: bool, names: bool, history: bool) -> None:
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
        # The budget left changes with every answer; the status line shows it as it changes.
        self.client.rate.subscribe(
            lambda: self.events.publish(RateChanged(self.client.rate.snapshot()))
        )
        if poll:
            self._spawn(self.syncer.run(), "sync")
        if send:
            self._spawn(self.outbox.run(), "outbox")
        if names:
            self._spawn(self.identities.run(), "identities")
            self._spawn(
                find_own_identities(
                    self.identities, self.connection, self._owner_id, sleep=self._sleep
                ),
                "own-identities",
            )
        if history:
            self._spawn(self.backfill.run(), "history")

    async def warm_up(self, *, rows: int = WARM_ROWS) -> float:
        """A new store's first sync, run before any UI exists: the newest page, and the names
        of the customers of its first ``rows`` threads (a screenful), fetched as a started
        engine would (the bulk page beside the contents, then what it lacked). Returns when
        both are stored: the time the page was merged. Raises RCError when the server cannot
        be reached or refuses; what was stored before that stays.

        :mod:`rcinbox.wiring.warm` runs it in another process while the TUI loads, so that a
        first start's first frame has rows and names, as a returning user's has."""
        bulk = asyncio.ensure_future(self.identities.list_bulk_page())
        try:
            await self.syncer.sync_newest(priority=Priority.USER)
            synced = self.syncer.last_sync
            assert synced is not None  # set by the sync that just ended
            first_screen = self.store.threads_window(ThreadFilter(), 0, rows)
            await self.identities.resolve(
                (row.customer_id for row in first_screen), priority=Priority.VISIBLE
            )
        finally:
            bulk.cancel()
            with contextlib.suppress(asyncio.CancelledError, RCError):
                await bulk
        return synced

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
        await self.identities.aclose()
        self._unobserve()
        self._waits.close()
        if self._receiver is not None:
            with contextlib.suppress(Exception):
                await self._receiver.stop()
