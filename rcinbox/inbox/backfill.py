"""History back-fill: page the listing back to the horizon, so counts and search are whole.

Polling brings the newest page and lists fetch older pages as the agent scrolls; without more,
unread counts and search results would cover only what someone happened to scroll past. This
module pages the unfiltered listing ("all") further back, in the background, until the oldest
content reached is older than the horizon (``[sync] horizon_days``, 14 by default) or the server
has no more, and reports how far it got as a :class:`HistoryCoverage`.

* **Background priority, within the budget.** Every page goes through the account's
  :class:`RequestScheduler` at ``BACKGROUND``: the agent's requests and the lists' pages go first,
  and the scheduler's reserve keeps it away from the budget's last requests. It waits for its turn
  *before* it starts a page, so a list that wants the same listing joins a fetch that is already
  on the wire, never one still queued for the budget.
* **Shared cursor, resumable.** It pages the same cursor as the lists' lazy pagination of "all"
  (``Syncer.fetch_older_page``), saved in the store with how far back it reached: scrolling and
  back-fill never fetch a page twice, and after a restart both go on where they stopped.
* **Never ends the app.** A failure backs off (doubling, capped) and tries again; a login that
  expired is reported by the syncer's events, and back-fill simply waits.

This module never talks HTTP itself and never imports Textual.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rcinbox.api.errors import RCError
from rcinbox.inbox.events import EventBus, HistoryChanged, HistoryCoverage
from rcinbox.inbox.scheduler import Priority, RequestScheduler
from rcinbox.inbox.store import Store
from rcinbox.inbox.sync import Syncer
from rcinbox.inbox.types import ThreadFilter

log = logging.getLogger(__name__)

DAY = 86_400.0
DEFAULT_HORIZON_DAYS = 14
# Contents per back-fill request: few requests for a long history, and a merge short enough
# (tens of milliseconds) not to be felt between two keystrokes. The API allows up to 1000.
PAGE_SIZE = 500

ALL = ThreadFilter()


class HistoryBackfill:
    """Fills the store back to ``horizon_days`` before now, a page at a time."""

    def __init__(
        self,
        *,
        store: Store,
        syncer: Syncer,
        scheduler: RequestScheduler,
        events: EventBus,
        horizon_days: int = DEFAULT_HORIZON_DAYS,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        page_size: int = PAGE_SIZE,
        first_backoff: float = 5.0,
        max_backoff: float = 60.0,
    ) -> None:
        self._store = store
        self._syncer = syncer
        self._scheduler = scheduler
        self._events = events
        self.horizon_days = horizon_days
        self._clock = clock
        self._sleep = sleep
        self.page_size = page_size
        self._first_backoff = first_backoff
        self._max_backoff = max_backoff
        self._published: HistoryCoverage | None = None

    def horizon_start(self) -> float:
        """The moment (epoch) the horizon begins: ``horizon_days`` before now."""
        return self._clock() - self.horizon_days * DAY

    def coverage(self) -> HistoryCoverage:
        """How far back the store holds every content, as of now."""
        cursor = self._store.cursor(ALL.cursor_key)
        no_more = cursor is not None and cursor[1]
        reached = self._store.cursor_reach(ALL.cursor_key)
        days = 0 if reached is None else math.floor(max(self._clock() - reached, 0.0) / DAY)
        return HistoryCoverage(
            horizon_days=self.horizon_days,
            days=min(days, self.horizon_days),
            complete=no_more or (reached is not None and reached <= self.horizon_start()),
        )

    async def run(self) -> None:
        """Fill until complete, then stop; failures back off and never end the loop early."""
        failures = 0
        self.announce()
        while not self.coverage().complete:
            try:
                await self._next_page(Priority.BACKGROUND)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
                if isinstance(error, RCError):
                    log.info("history back-fill paused: %s", error)
                else:
                    log.exception("history back-fill failed unexpectedly")
                await self._sleep(self._backoff(failures))
                continue
            failures = 0
            self.announce()
        self.announce()

    async def fill(self, *, priority: Priority = Priority.VISIBLE) -> HistoryCoverage:
        """Fill until complete now (a headless ``sync --history``); RCError on failure."""
        while not self.coverage().complete:
            await self._next_page(priority)
            self.announce()
        self.announce()
        return self.coverage()

    async def _next_page(self, priority: Priority) -> None:
        # With nothing fetched yet, the syncer's first page of "all" is the newest sync's
        # (polling's first one, joined), which also starts the cursor this goes on from.
        await self._scheduler.wait_turn(priority)
        await self._syncer.fetch_older_page(ALL, priority=priority, per_page=self.page_size)

    def _backoff(self, failures: int) -> float:
        return min(self._max_backoff, self._first_backoff * 2 ** (failures - 1))

    def announce(self) -> None:
        """Publish ``HistoryChanged`` if the coverage differs from the one last published."""
        coverage = self.coverage()
        if coverage != self._published:
            self._published = coverage
            self._events.publish(HistoryChanged(coverage))
