"""Per-key request budgets with RingCentral's documented penalty rule.

Each (group, key) pair has a sliding window of ``limit`` requests per ``window`` seconds; the key is
the access token for the Light and Medium groups and the client id for the Auth group. The request
that finds the window full starts a penalty: it and every request during the penalty get 429, and
each such request restarts the penalty (the documented rule that punishes hammering). When the
penalty is over the budget is whole again. This module only counts; it never sleeps.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Budget:
    limit: int
    window: float
    penalty: float


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one request, and the ``X-Rate-Limit-*`` headers to send with it."""

    allowed: bool
    group: str
    limit: int
    remaining: int
    window: float
    retry_after: float = 0.0

    def headers(self) -> dict[str, str]:
        headers = {
            "X-Rate-Limit-Group": self.group,
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Window": str(max(1, math.ceil(self.window))),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return headers


@dataclass(slots=True)
class _Bucket:
    times: deque[float] = field(default_factory=deque)
    penalty_until: float = 0.0


class RateLimiter:
    """Sliding-window budgets for every (group, key), shared by all request threads."""

    def __init__(self, budgets: dict[str, Budget]) -> None:
        self._budgets = budgets
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, group: str, key: str) -> Decision:
        """Count one request; the decision says whether it may proceed."""
        budget = self._budgets[group]
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault((group, key), _Bucket())
            if now < bucket.penalty_until:
                bucket.penalty_until = now + budget.penalty
                return Decision(False, group, budget.limit, 0, budget.window, budget.penalty)
            self._expire(bucket, now, budget.window)
            if len(bucket.times) >= budget.limit:
                bucket.times.clear()
                bucket.penalty_until = now + budget.penalty
                return Decision(False, group, budget.limit, 0, budget.window, budget.penalty)
            bucket.times.append(now)
            remaining = budget.limit - len(bucket.times)
            return Decision(True, group, budget.limit, remaining, budget.window)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def peek(self, group: str, key: str) -> Decision:
        """The current state without counting a request (for answers refused before counting)."""
        budget = self._budgets[group]
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get((group, key))
            if bucket is None:
                return Decision(True, group, budget.limit, budget.limit, budget.window)
            self._expire(bucket, now, budget.window)
            remaining = 0 if now < bucket.penalty_until else budget.limit - len(bucket.times)
            return Decision(True, group, budget.limit, remaining, budget.window)

    @staticmethod
    def _expire(bucket: _Bucket, now: float, window: float) -> None:
        while bucket.times and bucket.times[0] <= now - window:
            bucket.times.popleft()
