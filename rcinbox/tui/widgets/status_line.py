"""The status line: the connection, the last sync, the rate budget left, the last error.

It keeps no state of its own beyond what the app sets, and says one consistent thing at a time:

* connecting: nothing else yet (nothing is known);
* online: when the last sync was, the requests left in the rate window, and an error the agent
  has not dismissed (``x``); coming online clears errors from before;
* offline: when the last sync was (a clock time, never "now"), that replies wait, and why the
  server cannot be reached. No rate figure: nothing is being spent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from rcinbox.api.ratelimit import RateState
from rcinbox.inbox.events import ConnectionState
from rcinbox.text import one_line
from rcinbox.tui.formatting import full_time, relative_time


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

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock

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
            text.append(f" · {left}/{state.limit} requests left")
            if state.blocked_for > 0:
                text.append(f" · waiting {state.blocked_for:.0f}s (rate limit)", "yellow")
        if self.note:
            text.append(f" · {one_line(self.note, 80)}")
        if self.error:
            text.append(" · ")
            text.append(one_line(self.error, 120), "bold red")
            text.append(" (x dismiss)", "dim")
        return text
