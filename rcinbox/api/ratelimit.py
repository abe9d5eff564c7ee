"""One account's request budget, read from RingCentral's rate-limit headers.

Every answer carries ``X-Rate-Limit-Group``/``-Limit``/``-Remaining``/``-Window``; a refusal is
HTTP 429 with ``Retry-After`` and starts a penalty (60 s by default) that **restarts with every
request sent during it**. So the budget never lets a request out while it is blocked: not during
a penalty, and not while the last answer said ``Remaining: 0`` (until that window has passed).
Between answers it also counts what it let out, so a burst of concurrent requests cannot spend
more than the server said was left.

Time is injected (``clock``, ``sleep``) so tests never wait. A waiter whose sleep completes takes
its turn without re-reading the clock, so a fake sleep paired with a real clock cannot spin.
This module does no I/O and imports nothing beyond the standard library.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rcinbox.api.errors import DEFAULT_RETRY_AFTER, header_value, retry_after_seconds
from rcinbox.api.waits import announce

# Used when the server says Remaining: 0 without saying how long its window is.
_DEFAULT_WINDOW = 60.0
# The longest pause a server's headers can impose (Retry-After, a window): RingCentral's own
# are a minute. A server asking for more (1e12 s) is obeyed for an hour, then asked again; the
# wait line says what it asked.
MAX_PAUSE = 3600.0


@dataclass(frozen=True, slots=True)
class RateState:
    """What the budget knows, for a status line. Times are on the budget's clock."""

    group: str | None
    limit: int | None
    remaining: int | None
    window: float | None
    blocked_until: float | None
    retry_after: float | None
    blocked_for: float = 0.0
    # Requests that may still go out in this window: ``remaining`` less what was let out since.
    available: int | None = None


class RateBudget:
    """Paces one account's requests; share one instance between everything using that account."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._group: str | None = None
        self._limit: int | None = None
        self._remaining: int | None = None
        self._window: float | None = None
        self._retry_after: float | None = None
        # The longest pause a server asked for beyond MAX_PAUSE, for the wait's words.
        self._asked = 0.0
        self._penalty_until = -math.inf
        self._observed_at = -math.inf
        # Requests let out since the last answer with numbers, and those still unanswered: the
        # server may not have counted the latter in the Remaining it last sent.
        self._granted_since_observed = 0
        self._in_flight = 0
        # Futures of paused waiters, resolved on news; plain futures bind to no loop in advance.
        self._waiters: set[asyncio.Future[None]] = set()
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every answer is recorded, so a UI can show the budget as
        it is rather than as it was at its last repaint."""
        self._listeners.append(listener)

    def observe(self, headers: Any, status: int) -> None:
        """Record what an answer said about the budget (call it for every answer)."""
        now = self._clock()
        group = header_value(headers, "X-Rate-Limit-Group")
        if group:
            self._group = group.strip()
        limit = _number(header_value(headers, "X-Rate-Limit-Limit"))
        if limit is not None:
            self._limit = int(limit)
        window = _number(header_value(headers, "X-Rate-Limit-Window"))
        if window is not None:
            self._asked = max(self._asked, window) if window > MAX_PAUSE else self._asked
            self._window = min(window, MAX_PAUSE)
        self._in_flight = max(0, self._in_flight - 1)
        remaining = _number(header_value(headers, "X-Rate-Limit-Remaining"))
        if remaining is not None:
            self._remaining = int(remaining)
            self._observed_at = now
            self._granted_since_observed = self._in_flight
        wait = retry_after_seconds(headers)
        if status == 429:
            self.block_for(DEFAULT_RETRY_AFTER if wait is None else wait)
        elif status == 503 and wait is not None:
            self.block_for(wait)
        else:
            self._wake()
        for listener in self._listeners:
            listener()

    def unsent(self) -> None:
        """A request let out by :meth:`wait_turn` never left (no connection, no login): the
        server did not count it, so neither do we. Offline, the budget stays where it was."""
        self._granted_since_observed = max(0, self._granted_since_observed - 1)
        self._in_flight = max(0, self._in_flight - 1)

    def block_for(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (extends, never shortens, a block already running)."""
        seconds = max(0.0, seconds) if math.isfinite(seconds) else DEFAULT_RETRY_AFTER
        if seconds > MAX_PAUSE:
            self._asked = seconds
            seconds = MAX_PAUSE
        self._retry_after = seconds
        self._penalty_until = max(self._penalty_until, self._clock() + seconds)
        self._wake()

    async def wait_turn(self) -> None:
        """Return when one request may be sent; waits out penalties and spent windows."""
        # Time our own completed sleeps prove has passed, even if the clock does not show it.
        served_until = -math.inf
        while True:
            now = max(self._clock(), served_until)
            self._refill(now)
            until = self._blocked_until(now)
            if until is None:
                self._granted_since_observed += 1
                self._in_flight += 1
                return
            announce(until - now, self._why_blocked(now))
            if await self._pause(until - now):
                served_until = until

    def snapshot(self) -> RateState:
        now = self._clock()
        self._refill(now)
        until = self._blocked_until(now)
        return RateState(
            group=self._group,
            limit=self._limit,
            remaining=self._remaining,
            window=self._window,
            blocked_until=until,
            retry_after=self._retry_after,
            blocked_for=0.0 if until is None else until - now,
            available=None
            if self._remaining is None
            else max(0, self._remaining - self._granted_since_observed),
        )

    def _why_blocked(self, now: float) -> str:
        group = f" ({self._group} group)" if self._group else ""
        if self._asked:
            group += f"; the server asked for {self._asked:.6g} s"
        if self._penalty_until > now:
            return f"RingCentral's rate limit{group}: a penalty after HTTP 429 or Retry-After"
        limit = f", {self._limit} a window" if self._limit is not None else ""
        return f"the request budget is spent{group}{limit}"

    def _window_end(self) -> float:
        return self._observed_at + (self._window if self._window is not None else _DEFAULT_WINDOW)

    def _refill(self, now: float) -> None:
        # Once the window of the last answer has passed, the server has refilled the budget to
        # its limit; count our grants against that until the next answer brings real numbers.
        if self._remaining is not None and now >= self._window_end():
            self._remaining = self._limit
            self._observed_at = now
            self._granted_since_observed = 0
            # Requests that never got an answer (network failures) stop counting here.
            self._in_flight = 0

    def _blocked_until(self, now: float) -> float | None:
        candidates = [self._penalty_until]
        if self._remaining is not None and self._granted_since_observed >= self._remaining:
            candidates.append(self._window_end())
        until = max(candidates)
        return until if until > now else None

    async def _pause(self, delay: float) -> bool:
        """Sleep ``delay``, or less if the budget changes; True when the full delay was slept."""
        news: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(news)
        sleeper = asyncio.ensure_future(self._sleep(max(0.0, delay)))
        try:
            done, _ = await asyncio.wait({sleeper, news}, return_when=asyncio.FIRST_COMPLETED)
            if sleeper in done:
                sleeper.result()
            return sleeper in done
        finally:
            self._waiters.discard(news)
            news.cancel()
            sleeper.cancel()
            await asyncio.gather(sleeper, return_exceptions=True)

    def _wake(self) -> None:
        # Waiters re-check on news (a fresh Remaining, a longer penalty) instead of oversleeping.
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


def _number(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
