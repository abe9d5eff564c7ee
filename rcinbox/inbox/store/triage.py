"""Triage: threads the agent put aside, done or snoozed (the API has no conversation status).

A row here hides its thread from every list but the done-and-snoozed one
(:class:`~rcinbox.inbox.types.ThreadFilter` asks for that). The row goes, and the thread comes
back, when its customer writes a message newer than the one it was put aside with (checked as
contents merge), when a snooze's time comes (:meth:`TriageTables.wake_snoozed`, as unread), or
when the agent undoes it. What the agent writes meanwhile changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rcinbox.inbox.store.base import Tables
from rcinbox.inbox.types import ThreadFilter, TriageRow, TriageState

_COLUMNS = "thread_id, state, until, content_id, set_at"


def _triage_row(row: Sequence[Any]) -> TriageRow:
    return TriageRow(row[0], TriageState(row[1]), row[2], row[3], row[4])


class TriageTables(Tables):
    """Done and snoozed threads."""

    def put_aside(
        self, thread_id: str, state: TriageState, until: float | None
    ) -> TriageRow | None:
        """Mark a thread done (``until`` None) or snoozed until ``until``, with its newest
        content and newest customer message as they are now; None when there is no such
        thread. A done thread is read: it has been dealt with."""
        with self.transaction() as db:
            updated = db.execute(
                f"INSERT INTO triage ({_COLUMNS}, inbound_at)"
                " SELECT id, ?, ?, latest_content_id, ?, latest_inbound_at FROM threads"
                " WHERE id = ?"
                " ON CONFLICT (thread_id) DO UPDATE SET state = excluded.state,"
                " until = excluded.until, content_id = excluded.content_id,"
                " set_at = excluded.set_at, inbound_at = excluded.inbound_at",
                (str(state), until, self._clock(), thread_id),
            ).rowcount
            if not updated:
                return None
            if state is TriageState.DONE:
                self.mark_read(thread_id)
        return self.triage(thread_id)

    def take_back(self, thread_id: str) -> TriageRow | None:
        """Undo done or snooze: the thread is back in the lists as it is. Returns the row
        removed (None: the thread was not put aside)."""
        with self.transaction() as db:
            row = self.triage(thread_id)
            db.execute("DELETE FROM triage WHERE thread_id = ?", (thread_id,))
        return row

    def triage(self, thread_id: str) -> TriageRow | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM triage WHERE thread_id = ?", (thread_id,)
        ).fetchone()
        return _triage_row(row) if row else None

    def triaged(self) -> list[TriageRow]:
        """Every thread put aside, the most recently put aside first."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM triage ORDER BY set_at DESC, thread_id"
        ).fetchall()
        return [_triage_row(row) for row in rows]

    def wake_snoozed(self, now: float) -> list[str]:
        """Snoozes whose time has come (at or before ``now``) end: their threads come back
        unread. Returns those threads (usually none: one look at an index)."""
        due = [
            row[0]
            for row in self._db.execute(
                "SELECT thread_id FROM triage WHERE until IS NOT NULL AND until <= ?", (now,)
            )
        ]
        if not due:
            return []
        with self.transaction() as db:
            for thread_id in due:
                db.execute("DELETE FROM triage WHERE thread_id = ?", (thread_id,))
                self.mark_unread(thread_id)
        return due

    def _drop_answered_triage(self, thread_id: str) -> None:
        """The customer wrote after the thread was put aside: it comes back (inside the merge's
        transaction, after the thread's row is derived)."""
        self._db.execute(
            "DELETE FROM triage WHERE thread_id = ? AND COALESCE(inbound_at, -1) <"
            " (SELECT COALESCE(latest_inbound_at, -1) FROM threads WHERE id = ?)",
            (thread_id, thread_id),
        )

    def _triaged_count(self, where: ThreadFilter) -> int:
        """How many threads put aside are in ``where``'s channel (or all), unread if it asks."""
        conditions = ["1"]
        params: list[Any] = []
        if where.unread_only:
            conditions.append("t.unread = 1")
        if where.channel_id:
            conditions.append("t.channel_id = ?")
            params.append(where.channel_id)
        return self._db.execute(
            "SELECT COUNT(*) FROM triage AS x JOIN threads AS t ON t.id = x.thread_id"
            f" WHERE {' AND '.join(conditions)}",
            params,
        ).fetchone()[0]
