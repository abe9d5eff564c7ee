"""What the engine tells its UIs, and the bus that carries it.

Events flow up, data flows down: the engine publishes small frozen events; a UI subscribes and,
on each, asks the engine for the rows it shows. Events carry ids, not rows, so a slow subscriber
never holds stale data. Each subscriber has its own bounded queue: one that stops reading loses
its oldest events (and is told so with ``Overflowed``) rather than growing memory without end.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum

from rcinbox.api.ratelimit import RateState
from rcinbox.inbox.types import OutboxRow


@dataclass(frozen=True, slots=True)
class ContentsArrived:
    """Contents the store did not have: from polling, a webhook, history or our own sends."""

    content_ids: tuple[str, ...]
    thread_ids: tuple[str, ...]
    incoming_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ThreadsChanged:
    """These threads' rows changed (new content, read state, reply state)."""

    thread_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IdentitiesResolved:
    """These identities' names (and whether they are agents) are known now."""

    identity_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutboxChanged:
    """An outbox entry was queued or changed (sent, failed, discarded...): the row as it is."""

    entry: OutboxRow


class ConnectionState(StrEnum):
    CONNECTING = "connecting"  # no request has ended yet
    ONLINE = "online"  # the last request got an answer from the server
    OFFLINE = "offline"  # it got none, or the server said it cannot serve (5xx)


@dataclass(frozen=True, slots=True)
class ConnectionChanged:
    """The one connection state changed (see :mod:`rcinbox.inbox.connection`)."""

    state: ConnectionState
    reason: str | None = None  # why offline, in one line


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """A sync of the newest contents started (``syncing``) or ended.

    Whether the server can be reached is not a sync's to say: that is :class:`ConnectionChanged`.
    ``error`` is why the sync failed, when it did.
    """

    syncing: bool = False
    last_sync: float | None = None  # wall-clock time of the last successful sync
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RateChanged:
    """What the rate budget knows now (the status line shows it)."""

    state: RateState


@dataclass(frozen=True, slots=True)
class HistoryCoverage:
    """How much history the store holds, so counts and search can say whether they are exact.

    ``days`` is how many whole days back from now the store holds every content (at most
    ``horizon_days``); ``complete`` is True once that covers the horizon, or everything the
    server has (then counts and search results are exact).
    """

    horizon_days: int
    days: int
    complete: bool

    @property
    def partial(self) -> bool:
        return not self.complete


@dataclass(frozen=True, slots=True)
class HistoryChanged:
    """How much of the history horizon the store holds changed (see ``Inbox.history``)."""

    coverage: HistoryCoverage


@dataclass(frozen=True, slots=True)
class LoginRequired:
    """The refresh token expired or was revoked: only a new login helps."""

    message: str


@dataclass(frozen=True, slots=True)
class Trouble:
    """Something the engine could not do, in one line for the person to read (a reply whose
    outcome a full disk kept from being recorded); the engine has already made it safe."""

    message: str


@dataclass(frozen=True, slots=True)
class Overflowed:
    """This subscriber fell behind and lost events: it should reload what it shows."""

    dropped: int = 0


Event = (
    ContentsArrived
    | ThreadsChanged
    | IdentitiesResolved
    | OutboxChanged
    | SyncStatus
    | ConnectionChanged
    | RateChanged
    | HistoryChanged
    | LoginRequired
    | Trouble
    | Overflowed
)


@dataclass
class Subscription:
    """One subscriber's view of the bus: ``async for event in subscription``."""

    _queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))
    _closed: bool = False

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event]:
        while not self._closed:
            yield await self._queue.get()

    async def get(self) -> Event:
        return await self._queue.get()

    def get_nowait(self) -> Event | None:
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None

    def _put(self, event: Event) -> None:
        if self._queue.full():
            dropped = 0
            while self._queue.qsize() > self._queue.maxsize // 2:
                self._queue.get_nowait()
                dropped += 1
            self._queue.put_nowait(Overflowed(dropped))
        self._queue.put_nowait(event)


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscription] = []

    def subscribe(self) -> Subscription:
        subscription = Subscription()
        self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription._closed = True
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)

    def publish(self, event: Event) -> None:
        for subscription in self._subscribers:
            subscription._put(event)
