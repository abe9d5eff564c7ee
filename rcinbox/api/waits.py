"""Waits the user should hear about: a pause longer than a second is announced, once.

RingCentral's limits make rcinbox wait: the login limit (5 token requests a minute), a spent
request budget, a 429 penalty with ``Retry-After``, a backoff between retries. A wait nobody
explains looks like a hang, so every place that pauses calls :func:`announce` first; whoever
shows things to the user (a headless command's stderr, the TUI's status line) :func:`listen`\\s.
A wait of at most :data:`NOTICE_AFTER` seconds is not worth a line. The same wait reached by
several requests at once (they all wait out one penalty) is announced once.

This module does no I/O and imports only the standard library.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

NOTICE_AFTER = 1.0
# Two announcements of one reason ending this close together are the same wait.
_SAME_WAIT = 1.5

LOGIN_LIMIT = "RingCentral's login limit (5 a minute)"


@dataclass(frozen=True)
class Wait:
    """A pause: how long, why, and when it ends (epoch seconds)."""

    seconds: float
    reason: str
    until: float

    def line(self) -> str:
        """``waiting 58 s: RingCentral's login limit (5 a minute)``"""
        return f"waiting {round(self.seconds):.0f} s: {self.reason}"


_listeners: list[Callable[[Wait], None]] = []
_last: dict[str, float] = {}
_lock = threading.Lock()


def announce(seconds: float, reason: str) -> None:
    """Tell the listeners that something is about to wait ``seconds`` for ``reason``."""
    if not seconds > NOTICE_AFTER:
        return
    now = time.time()
    wait = Wait(seconds, reason, now + seconds)
    with _lock:
        previous = _last.get(reason)
        if previous is not None and abs(previous - wait.until) < _SAME_WAIT:
            return
        _last[reason] = wait.until
        listeners = list(_listeners)
    log.info("%s", wait.line())
    for listener in listeners:
        try:
            listener(wait)
        except Exception:
            log.exception("a wait listener failed")


def add_listener(listener: Callable[[Wait], None]) -> Callable[[], None]:
    """Call ``listener`` for each announced wait until the returned function is called."""
    with _lock:
        _listeners.append(listener)

    def remove() -> None:
        with _lock, contextlib.suppress(ValueError):
            _listeners.remove(listener)

    return remove
