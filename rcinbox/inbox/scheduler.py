"""One request scheduler per account: the agent's actions go first, background work waits.

RingCentral gives a user 50 Light-group requests a minute and punishes a 429 with a penalty that
restarts on every further request, so the budget is shared between everything the engine does.
The client's :class:`~rcinbox.api.RateBudget` already refuses to send while the server would
refuse; this layer decides *who* sends next:

* ``USER`` (send a reply, open a thread) always goes first and may use the whole budget;
* ``VISIBLE`` (names and pages the agent is looking at) may use all but a small reserve;
* ``BACKGROUND`` (polling, warm-up, prefetch) leaves a larger reserve untouched, so a reply typed
  during a busy sync still goes out at once.

Requests of one priority go out in the order they were asked. Every request's outcome is told to
``observe`` (the account's :class:`~rcinbox.inbox.connection.Connection`), so the connection
state follows all of the engine's traffic, not only polls. Nothing here does I/O itself; time is
injected so tests can compress it.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable
from enum import IntEnum
from typing import Any, TypeVar

from rcinbox.api.ratelimit import RateBudget

T = TypeVar("T")


class Priority(IntEnum):
    USER = 0
    VISIBLE = 1
    BACKGROUND = 2


# Requests each priority leaves for the ones above it, out of the window's remaining budget.
RESERVE = {Priority.USER: 0, Priority.VISIBLE: 5, Priority.BACKGROUND: 15}


class RequestScheduler:
    """Runs request functions in priority order within the account's rate budget."""

    def __init__(
        self,
        rate: RateBudget,
        *,
        concurrency: int = 4,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        observe: Callable[[BaseException | None], None] | None = None,
    ) -> None:
        self._rate = rate
        self._observe = observe
        self._clock = clock
        self._sleep = sleep
        self._slots = concurrency
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._in_flight = 0
        self.sent = {priority: 0 for priority in Priority}
        # Set by hold_until: nothing goes out until it has returned.
        self._until: Callable[[], Awaitable[Any]] | None = None
        self._until_ended: asyncio.Future[Any] | None = None

    def hold_until(self, ended: Callable[[], Awaitable[Any]]) -> None:
        """Send nothing until ``ended()`` has returned: a sync of the same store is running
        elsewhere (a warm start's), bringing what these requests would ask for again, and its
        login is handed over when it ends. Whatever it raises is its own; requests go out."""
        self._until = ended

    async def run(self, priority: Priority, request: Callable[[], Awaitable[T]]) -> T:
        """Wait for this priority's turn, then await ``request()``."""
        await self.held()
        await self._acquire(priority)
        try:
            self.sent[priority] += 1
            try:
                result = await request()
            except Exception as error:
                if self._observe is not None:
                    self._observe(error)
                raise
            if self._observe is not None:
                self._observe(None)
            return result
        finally:
            self._in_flight -= 1
            self._dispatch()

    async def wait_turn(self, priority: Priority) -> None:
        """Wait until a request of ``priority`` would go out now, without sending one.

        For work that must not hold something others may want while it queues: history
        back-fill waits here before it starts a page fetch that a list may join, so a list
        never waits behind a background request still queued for the budget.
        """
        await self.held()
        await self._acquire(priority)
        self._in_flight -= 1
        self._dispatch()

    def waiting(self) -> dict[Priority, int]:
        counts = {priority: 0 for priority in Priority}
        for entry_priority, _, future in self._queue:
            if not future.done():
                counts[Priority(entry_priority)] += 1
        return counts

    async def held(self) -> None:
        """Return once nothing holds requests back (see :meth:`hold_until`)."""
        if self._until is None:
            return
        if self._until_ended is None:
            self._until_ended = asyncio.ensure_future(self._until())
        # Shielded: a request given up on must not end the wait of the others.
        with contextlib.suppress(Exception):
            await asyncio.shield(self._until_ended)
        self._until = None

    async def _acquire(self, priority: Priority) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (int(priority), next(self._order), future))
        self._dispatch()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                # The slot was granted just as we were cancelled: hand it back.
                self._in_flight -= 1
                self._dispatch()
            raise

    def _dispatch(self) -> None:
        while self._queue and self._in_flight < self._slots:
            priority, _, future = self._queue[0]
            if future.done():
                heapq.heappop(self._queue)
                continue
            if not self._affordable(Priority(priority)):
                self._wake_later()
                return
            heapq.heappop(self._queue)
            self._in_flight += 1
            future.set_result(None)

    def _affordable(self, priority: Priority) -> bool:
        reserve = RESERVE[priority]
        if reserve == 0:
            return True  # the client's RateBudget still holds it back while the server would refuse
        state = self._rate.snapshot()
        if state.blocked_until is not None:
            return False
        if state.available is None:
            return True  # nothing known yet: the first answers will tell
        return state.available > reserve

    _timer: asyncio.Task[None] | None = None

    def _wake_later(self) -> None:
        """Re-check after the budget's window has had time to refill."""
        if self._timer is not None and not self._timer.done():
            return
        state = self._rate.snapshot()
        delay = state.blocked_for or min(state.window or 60.0, 60.0) / 10
        self._timer = asyncio.get_running_loop().create_task(self._recheck(delay))

    async def _recheck(self, delay: float) -> None:
        await self._sleep(max(delay, 0.01))
        self._timer = None
        self._dispatch()
