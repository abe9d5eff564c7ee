"""Triage on the facade: done, snooze, the needs-reply count, and when a snooze ends.

The API has no conversation status, so putting a thread aside is ours alone, kept in the store
(:mod:`rcinbox.inbox.store.triage`). Done hides a thread until its customer writes again;
snoozed hides it until a time (or until its customer writes again), then it comes back unread.
Snoozes end on the engine's clock: each read of the lists ends those that are due first
(:meth:`TriageFacade.wake_snoozed`), so a list never shows a stale snooze, and a UI's timer
calls it too so a list left alone repaints when one ends.

:func:`snooze_until` reads the times a person gives ("3h", "tomorrow", "2026-12-24 09:00"),
for the TUI's picker and the headless command alike. Never imports Textual.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from rcinbox.inbox.backfill import HistoryBackfill
from rcinbox.inbox.events import EventBus, ThreadsChanged
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import TriageRow, TriageState

# Snoozes a picker offers: what to type (or pick) and what it means.
SNOOZE_CHOICES = (
    ("1h", "In 1 hour"),
    ("3h", "In 3 hours"),
    ("tomorrow", "Tomorrow 9:00"),
    ("monday", "Next Monday 9:00"),
)
# "Tomorrow" and "next Monday" begin at this hour, local time.
MORNING = 9

_SPAN = re.compile(r"^(\d+(?:\.\d+)?)\s*(m|min|h|d)$")
_SPAN_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400}
_WHEN_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")

SNOOZE_HELP = '"1h", "30m", "2d", "tomorrow", "monday", "HH:MM" or "YYYY-MM-DD HH:MM"'


def snooze_until(text: str, now: float) -> float:
    """The moment (epoch seconds) ``text`` names, relative to ``now``, in local time; a
    ValueError that says what is accepted when it names none, or a moment already past."""
    spoken = text.strip().lower()
    here = datetime.fromtimestamp(now).astimezone()
    morning = here.replace(hour=MORNING, minute=0, second=0, microsecond=0)
    moment: datetime | None = None
    if span := _SPAN.match(spoken):
        moment = here + timedelta(seconds=float(span[1]) * _SPAN_SECONDS[span[2]])
    elif spoken == "tomorrow":
        moment = morning + timedelta(days=1)
    elif spoken in ("monday", "next monday"):
        moment = morning + timedelta(days=7 - here.weekday())
    elif re.fullmatch(r"\d{1,2}:\d{2}", spoken):
        hours, minutes = (int(part) for part in spoken.split(":"))
        if hours < 24 and minutes < 60:
            moment = here.replace(hour=hours, minute=minutes, second=0, microsecond=0)
            if moment <= here:
                moment += timedelta(days=1)
    else:
        for layout in _WHEN_FORMATS:
            try:
                moment = datetime.strptime(spoken.upper(), layout).astimezone()
                break
            except ValueError:
                continue
    if moment is None:
        raise ValueError(f"not a time to snooze until: {text.strip()[:40]!r}; give {SNOOZE_HELP}")
    if moment <= here:
        raise ValueError(f"{text.strip()[:40]!r} is already past")
    return moment.timestamp()


class TriageFacade:
    """The :class:`~rcinbox.inbox.engine.Inbox` methods for done and snoozed threads."""

    store: Store
    events: EventBus
    backfill: HistoryBackfill
    _clock: Callable[[], float]

    def needs_reply_count(self) -> int:
        """Threads waiting for an answer (their newest message is the customer's), active
        within the history horizon like the unread counts; done and snoozed ones aside."""
        return self.store.needs_reply_count(self.backfill.horizon_start())

    def wake_snoozed(self) -> tuple[str, ...]:
        """End the snoozes that are due on the engine's clock: those threads come back unread
        (announced with ``ThreadsChanged``). Returns them."""
        woken = tuple(self.store.wake_snoozed(self._clock()))
        if woken:
            self.events.publish(ThreadsChanged(woken))
        return woken

    def mark_done(self, thread_id: str) -> TriageRow | None:
        """Hide a thread until its customer writes again (what the agent writes does not bring
        it back); it is read. None when there is no such thread."""
        return self._put_aside(thread_id, TriageState.DONE, None)

    def snooze(self, thread_id: str, until: float) -> TriageRow | None:
        """Hide a thread until ``until`` (the engine's clock, epoch seconds) or until its
        customer writes again; then it is back, unread. None when there is no such thread."""
        return self._put_aside(thread_id, TriageState.SNOOZED, until)

    def restore(self, thread_id: str) -> TriageRow | None:
        """Undo done or snooze; returns what was undone (None: the thread was not aside)."""
        row = self.store.take_back(thread_id)
        if row is not None:
            self.events.publish(ThreadsChanged((thread_id,)))
        return row

    def triage(self, thread_id: str) -> TriageRow | None:
        """Whether a thread is done or snoozed (and until when), or None."""
        return self.store.triage(thread_id)

    def triaged(self) -> list[TriageRow]:
        """Every thread put aside, the most recently put aside first (snoozes due end first)."""
        self.wake_snoozed()
        return self.store.triaged()

    def _put_aside(
        self, thread_id: str, state: TriageState, until: float | None
    ) -> TriageRow | None:
        row = self.store.put_aside(thread_id, state, until)
        if row is not None:
            self.events.publish(ThreadsChanged((thread_id,)))
        return row
