"""One account's connection state, derived in one place from every request's outcome.

``connecting`` until the first request ends, then ``online`` or ``offline``: every request the
engine makes (polls, older pages, names, replies, delivery checks, webhook fetches) reports its
outcome here through the :class:`RequestScheduler`, and the client reports each failed attempt it
is about to retry, so a lost connection shows at once and the first answer afterwards shows
``online`` at once, whichever part of the engine got it.

What counts as offline: no answer at all (no connection, a timeout, a dropped connection, no
login server), or an answer that says the server cannot serve (5xx). Any other answer, a refusal
included (4xx, 429), proves the server is there: online. A UI is told of each change
(:class:`ConnectionChanged`), with the reason in one line.

This module does no I/O and never imports Textual.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rcinbox.api.errors import RCError, ServerError, TransportError, one_line
from rcinbox.inbox.events import ConnectionChanged, ConnectionState, EventBus


class Connection:
    """The state one UI shows; ``observe`` every request's outcome (None: the server answered)."""

    def __init__(self, events: EventBus) -> None:
        self._events = events
        self.state = ConnectionState.CONNECTING
        self.reason: str | None = None
        self._online = asyncio.Event()
        # Told when the connection comes back, so waiting work (a poll backing off, names put
        # back after a failure) goes again at once rather than at its next retry.
        self._on_back: list[Callable[[], None]] = []

    @property
    def online(self) -> bool:
        return self.state is ConnectionState.ONLINE

    def observe(self, error: BaseException | None) -> None:
        """A request ended (or an attempt failed): with no error, or one the server sent."""
        if isinstance(error, TransportError | ServerError):
            self._change(ConnectionState.OFFLINE, one_line(str(error), 200))
        elif error is None or isinstance(error, RCError):
            self._change(ConnectionState.ONLINE, None)

    def when_back(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` each time the state turns online again after being offline."""
        self._on_back.append(callback)

    async def wait_online(self) -> None:
        await self._online.wait()

    def _change(self, state: ConnectionState, reason: str | None) -> None:
        if state is self.state and reason == self.reason:
            return
        back = state is ConnectionState.ONLINE and self.state is ConnectionState.OFFLINE
        self.state, self.reason = state, reason
        if state is ConnectionState.ONLINE:
            self._online.set()
        else:
            self._online.clear()
        self._events.publish(ConnectionChanged(state, reason))
        if back:
            for callback in self._on_back:
                callback()
