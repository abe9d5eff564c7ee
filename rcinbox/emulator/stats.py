"""Counters that tests and the demo read to see what the emulator was asked and what it did.

Every property returns a snapshot (a ``Counter`` copy, so an absent key reads as 0); counting and
reading are safe from any thread. Nothing here ever records a token or a secret.
"""

from __future__ import annotations

import threading
from collections import Counter


class EmulatorStats:
    """Requests per endpoint key, token grants, 429s, injected faults and webhook deliveries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._grants: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._webhooks: Counter[str] = Counter()
        self._rate_limited = 0

    def count_request(self, endpoint: str) -> None:
        with self._lock:
            self._requests[endpoint] += 1

    def count_grant(self, grant_type: str) -> None:
        with self._lock:
            self._grants[grant_type] += 1

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def count_webhook(self, outcome: str) -> None:
        with self._lock:
            self._webhooks[outcome] += 1

    def count_rate_limited(self) -> None:
        with self._lock:
            self._rate_limited += 1

    @property
    def requests(self) -> Counter[str]:
        """Requests received per endpoint key, e.g. ``"GET /contents"``, ``"POST /oauth/token"``."""
        with self._lock:
            return Counter(self._requests)

    @property
    def grants(self) -> Counter[str]:
        """Tokens issued per ``grant_type``."""
        with self._lock:
            return Counter(self._grants)

    @property
    def faults(self) -> Counter[str]:
        """Faults injected per kind (``latency``, ``error_rate``, ``malformed``...)."""
        with self._lock:
            return Counter(self._faults)

    @property
    def webhooks(self) -> Counter[str]:
        """Webhook delivery attempts per outcome: ``delivered``, ``retried``, ``abandoned``."""
        with self._lock:
            return Counter(self._webhooks)

    @property
    def rate_limited(self) -> int:
        """How many answers were 429."""
        with self._lock:
            return self._rate_limited

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._grants.clear()
            self._faults.clear()
            self._webhooks.clear()
            self._rate_limited = 0

    def __repr__(self) -> str:
        with self._lock:
            return (
                f"EmulatorStats(requests={dict(self._requests)}, grants={dict(self._grants)}, "
                f"rate_limited={self._rate_limited}, faults={dict(self._faults)})"
            )
