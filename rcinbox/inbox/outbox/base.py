"""The outbox's shared state and the few writes every part of it makes: an entry's change is
recorded and announced in one place (:meth:`OutboxBase._change`), which also wakes whoever
waits for the outbox to move. The parts (sending, reconciling, delivery, drafts) build on it;
:class:`~rcinbox.inbox.outbox.queue.Outbox` puts them together. Never imports Textual.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from rcinbox.api.singleflight import SingleFlight
from rcinbox.inbox.events import EventBus, OutboxChanged
from rcinbox.inbox.scheduler import RequestScheduler
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import DraftRow, OutboxRow

if TYPE_CHECKING:
    from rcinbox.api.client import SocialMessagingClient

log = logging.getLogger("rcinbox.inbox.outbox")


# How far the server's clock may be from ours when looking for a reply we may have sent.
CLOCK_SKEW = 120.0
MAX_DELAY = 60.0
RECONCILE_PAGE_SIZE = 100
# A draft reaches the disk this long after the last keystroke.
DRAFT_DELAY = 0.5
# Accepted replies are followed this long after sending; an export that takes longer is left to
# the sync, which keeps the thread's delivery state from the server's contents.
FOLLOW_FOR = 24 * 3600.0
# How often a flush re-checks when entries are pending but none may go (another process sends).
RECHECK = 1.0


class AlreadySent(Exception):
    """A cancel came too late: the reply had begun to leave (or was gone) before it."""

    def __init__(self, state: str | None) -> None:
        self.state = state
        super().__init__(
            "the reply had already left" if state else "the reply is no longer in the outbox"
        )


class ReplyNotRecorded(Exception):
    """A reply left (or may have), but the store could not record what became of it (a full
    disk). It is kept ``sending`` or ``unknown``: looked for on the server before any resend."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"the reply may have been sent, but the local store could not record it ({reason});"
            " it stays in the outbox and is looked for on the server before any resend"
        )


class ReplyNotQueued(Exception):
    """The store could not write a reply down (a full disk): nothing was queued or sent."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"the reply could not be saved ({reason}); nothing was sent")


class OutboxBase:
    """The store, the client and the state the outbox's parts share."""

    def __init__(
        self,
        *,
        store: Store,
        client: SocialMessagingClient,
        scheduler: RequestScheduler,
        events: EventBus,
        owner_id: Callable[[], str | None],
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        reconcile_grace: float = 2.0,
        max_attempts: int = 8,
        backoff: float = 1.0,
        delivery_poll: float = 2.0,
        draft_delay: float = DRAFT_DELAY,
    ) -> None:
        self._store = store
        self._client = client
        self._scheduler = scheduler
        self._events = events
        self._owner_id = owner_id
        self._clock = clock
        self._sleep = sleep
        self._grace = reconcile_grace
        self._max_attempts = max(1, max_attempts)
        self._backoff = backoff
        self._delivery_poll = delivery_poll
        self._draft_delay = draft_delay
        # Replaced (after being set) on every change, so each waiter sees the changes after it
        # started waiting and none is lost between a check and the wait.
        self._changed = asyncio.Event()
        # One step of the worker at a time, whoever asks (the worker, a flush); a caller that
        # gives up (a timeout) leaves the POST in flight to finish and record its outcome.
        self._steps: SingleFlight[float | None] = SingleFlight()
        self._recovered = False
        # Failed look-ups per unknown entry (not POSTs, so not in ``attempts``): for backoff.
        self._lookup_failures: dict[str, int] = {}
        # Accepted entries being followed: entry id -> (next check on our clock, checks so far).
        self._follow: dict[str, tuple[float, int]] = {}
        # Server clock minus ours, measured on our last 201. Kept in memory only: a server (or
        # emulator) restarted with another clock must not make us miss our own reply.
        self._server_offset: float | None = None
        self._drafts: dict[str, DraftRow] = {}
        self._draft_timers: dict[str, asyncio.Task[None]] = {}

    def _entry(self, entry_id: str) -> OutboxRow:
        row = self._store.outbox_entry(entry_id)
        if row is None:
            raise KeyError(entry_id)
        return row

    def _change(self, entry_id: str, **fields: Any) -> OutboxRow:
        row = self._store.update_outbox(entry_id, **fields)
        self._announce(row)
        return row

    def _announce(self, row: OutboxRow) -> None:
        self._events.publish(OutboxChanged(row))
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _delay(self, attempts: int) -> float:
        """Exponential backoff, capped, with jitter so many clients do not retry in step."""
        return min(self._backoff * 2 ** min(attempts, 30), MAX_DELAY) * random.uniform(0.5, 1.0)
