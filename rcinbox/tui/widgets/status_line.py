"""The status line: the connection, the last sync, the rate budget left, the last error.

It keeps no state of its own beyond what the app sets, and says one consistent thing at a time:

* connecting: nothing else yet (nothing is known), but a wait (the login limit, say);
* online: when the last sync was, the requests left in the rate window once half of it is spent
  (a full budget is noise on every screen, and the figure moves with every request), and an
  error the agent has not dismissed (``x``); coming online clears errors from before;
* offline: when the last sync was (a clock time, never "now"), that replies wait, and why the
  server cannot be reached. No rate figure: nothing is being spent.

A wait the engine announced (the login limit, a penalty) is counted down while connecting and
online: no pause looks like a hang. Offline, the waits are retries the offline line explains.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from rcinbox.inbox.events import ConnectionState
from rcinbox.inbox.types import RateState
from rcinbox.text import one_line
from rcinbox.tui.formatting import full_time, relative_time

# The budget left is shown from this share of the window's limit down.
LOW_BUDGET = 0.5


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    connection = reactive(ConnectionState.CONNECTING)
    reason: reactive[str | None] = reactive(None)
    syncing = reactive(False)
    last_sync: reactive[float | None] = reactive(None)
    rate: reactive[RateState | None] = reactive(None)
    error: reactive[str | None] = reactive(None)
    note: reactive[str | None] = reactive(None)
    # A pause the engine announced (login limit, rate-limit penalty...): its end on the
    # monotonic clock, counted down each second until over.
    wait_until: reactive[float | None] = reactive(None)
    wait_reason: reactive[str | None] = reactive(None)
    # "webhooks" while notifications arrive, or why polling has taken over; None: poll only.
    webhooks: reactive[str | None] = reactive(None)

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._countdown: Timer | None = None

    def watch_wait_until(self, until: float | None) -> None:
        if until is not None and self._countdown is None and self.is_mounted:
            self._countdown = self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.wait_until is None or self.wait_until <= time.monotonic():
            self.wait_until = None
            if self._countdown is not None:
                self._countdown.stop()
                self._countdown = None
        self.refresh()

    @property
    def online(self) -> bool | None:
        """True online, False offline, None while connecting."""
        if self.connection is ConnectionState.CONNECTING:
            return None
        return self.connection is ConnectionState.ONLINE

    def watch_connection(self, old: ConnectionState, new: ConnectionState) -> None:
        if new is ConnectionState.ONLINE:
            # Whatever went wrong before the server answered again is no longer the news.
            self.error = None

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if self.connection is ConnectionState.CONNECTING:
            text.append("○ connecting…", "dim")
            self._append_wait(text)
            return text
        moment = datetime.fromtimestamp(self.last_sync, UTC) if self.last_sync else None
        if self.connection is ConnectionState.OFFLINE:
            text.append("● offline", "bold red")
            if moment is not None:
                text.append(f" · last synced {full_time(moment, self._clock())}")
            text.append(" · replies wait in the outbox", "dim")
            if self.reason:
                text.append(" · ")
                text.append(one_line(self.reason, 120), "bold red")
            return text
        text.append("● online", "green")
        if self.syncing:
            text.append(" · syncing…")
        elif moment is not None:
            text.append(f" · synced {relative_time(moment, self._clock())}")
        state = self.rate
        if state is not None and state.limit:
            left = state.available if state.available is not None else state.remaining
            if left is not None and left <= state.limit * LOW_BUDGET:
                text.append(f" · {left}/{state.limit} requests left")
            if state.blocked_for > 0:
                text.append(f" · waiting {state.blocked_for:.0f}s (rate limit)", "yellow")
        if self.webhooks:
            text.append(f" · {one_line(self.webhooks, 80)}")
        self._append_wait(text)
        if self.note:
            text.append(f" · {one_line(self.note, 80)}")
        if self.error:
            text.append(" · ")
            text.append(one_line(self.error, 120), "bold red")
            text.append(" (x dismiss)", "dim")
        return text

    def _append_wait(self, text: Text) -> None:
        left = self.wait_until - time.monotonic() if self.wait_until is not None else 0.0
        if left >= 1:
            reason = one_line(self.wait_reason or "", 80)
            text.append(f" · waiting {left:.0f} s: {reason}", "yellow")
