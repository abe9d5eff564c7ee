"""What the engine tells a UI about how it is connected: announced waits, webhooks on or off.

Waits: the one a UI should show as a countdown.

:mod:`rcinbox.api.waits` announces every pause longer than a second; :class:`WaitTracker`
listens for one inbox, remembers the latest pause and publishes :class:`WaitAnnounced` on the
inbox's event bus, so the TUI's status line can count it down ("waiting 58 s: RingCentral's
login limit (5 a minute)"). :class:`WebhookState`: whether notifications arrive (then polling
slows down) or polling has taken over, and why. Never imports Textual.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rcinbox.api import waits
from rcinbox.inbox.events import EventBus


@dataclass(frozen=True, slots=True)
class WaitAnnounced:
    """Requests pause until ``until`` (epoch seconds) because of ``reason``."""

    until: float
    reason: str


@dataclass(frozen=True, slots=True)
class WebhookState:
    """Webhooks deliver (``active``) or polling has taken over; ``detail`` says why."""

    active: bool
    detail: str


class WaitTracker:
    """Listens for announced waits from construction until :meth:`close`."""

    def __init__(self, events: EventBus, *, clock: Callable[[], float] = time.time) -> None:
        self._events = events
        self._clock = clock
        self._latest: WaitAnnounced | None = None
        self._remove = waits.add_listener(self._heard)

    def _heard(self, wait: waits.Wait) -> None:
        self._latest = WaitAnnounced(wait.until, wait.reason)
        self._events.publish(self._latest)

    def current(self) -> WaitAnnounced | None:
        """The pause under way, or None once it has ended."""
        latest = self._latest
        if latest is None or latest.until <= self._clock():
            return None
        return latest

    def close(self) -> None:
        self._remove()
