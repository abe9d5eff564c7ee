"""Threads, channels and read marks: everything derived from contents (merging.py derives them as
contents are merged), the read marks and the reply state the outbox overrides."""

from __future__ import annotations

from collections.abc import Sequence

from rcinbox.inbox.store.base import (
    THREAD_SELECT,
    Tables,
    thread_row,
)
from rcinbox.inbox.types import (
    ChannelRow,
    ThreadFilter,
    ThreadRow,
    reply_state,
)


class ThreadTables(Tables):
    """Threads and channels, derived from contents as they are merged, and the read marks."""

    def _derive_reply_state(self, thread_id: str) -> None:
        """Our last reply's state: an outbox entry not yet on the server wins over the server."""
        newest = self._db.execute(
            "SELECT state, content_id FROM outbox WHERE thread_id = ?"
            " ORDER BY created_at DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        if newest is not None and newest[1] is None:
            self._db.execute(
                "UPDATE threads SET reply_state = ? WHERE id = ?", (newest[0], thread_id)
            )
            return
        outbound = self._db.execute(
            "SELECT sync_status FROM contents WHERE thread_id = ? AND incoming = 0"
            " ORDER BY created DESC, id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        state = reply_state(outbound[0]) if outbound else None
        self._db.execute("UPDATE threads SET reply_state = ? WHERE id = ?", (state, thread_id))

    def _derive_unread(self, thread_id: str) -> None:
        # Unread: the newest customer message is newer than what the agent read or answered.
        self._db.execute(
            "UPDATE threads SET unread = ("
            " SELECT CASE"
            "  WHEN COALESCE(r.manual_unread, 0) = 1 THEN 1"
            "  WHEN t.latest_inbound_at IS NULL THEN 0"
            "  WHEN t.latest_inbound_at > MAX(COALESCE(r.read_up_to, -1),"
            "                                 COALESCE(t.latest_outbound_at, -1)) THEN 1"
            "  ELSE 0 END"
            " FROM threads AS t LEFT JOIN read_marks AS r ON r.thread_id = t.id"
            " WHERE t.id = threads.id)"
            " WHERE id = ?",
            (thread_id,),
        )

    def count_threads_before(self, thread_ids: Sequence[str], moment: float) -> int:
        """How many of these threads had their latest activity before ``moment``."""
        count = 0
        for start in range(0, len(thread_ids), 500):
            chunk = list(thread_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            count += self._db.execute(
                f"SELECT COUNT(*) FROM threads WHERE id IN ({marks}) AND latest_at < ?",
                (*chunk, moment),
            ).fetchone()[0]
        return count

    def threads_by_ids(self, thread_ids: Sequence[str]) -> list[ThreadRow]:
        """Rows for these threads, in the order given (ids that do not exist are left out)."""
        if not thread_ids:
            return []
        marks = ",".join("?" * len(thread_ids))
        rows = self._db.execute(
            f"{THREAD_SELECT} WHERE t.id IN ({marks})", list(thread_ids)
        ).fetchall()
        by_id = {row[0]: thread_row(row) for row in rows}
        return [by_id[i] for i in thread_ids if i in by_id]

    def threads_of_identities(self, identity_ids: Sequence[str], limit: int) -> list[ThreadRow]:
        """The newest ``limit`` threads these identities are the customer of or wrote in."""
        ids = list(dict.fromkeys(identity_ids))[:400]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"{THREAD_SELECT} WHERE t.customer_id IN ({marks}) OR t.id IN"
            f" (SELECT thread_id FROM thread_authors WHERE author_identity_id IN ({marks}))"
            " ORDER BY t.latest_at DESC, t.id DESC LIMIT ?",
            (*ids, *ids, limit),
        ).fetchall()
        return [thread_row(row) for row in rows]

    def thread(self, thread_id: str) -> ThreadRow | None:
        row = self._db.execute(f"{THREAD_SELECT} WHERE t.id = ?", (thread_id,)).fetchone()
        return thread_row(row) if row else None

    def thread_count(self, where: ThreadFilter) -> int:
        if where.triaged and not where.needs_reply:
            # Few threads are put aside: count them from their table, not by scanning threads.
            return self._triaged_count(where)
        if not where.plain:
            clause, params = where.where()
            return self._db.execute(f"SELECT COUNT(*) FROM threads {clause}", params).fetchone()[0]
        return self._kept_count(where) - self._triaged_count(where)

    def _kept_count(self, where: ThreadFilter) -> int:
        """Threads (or unread ones) of all channels or one, from the counts triggers keep."""
        if where.channel_id is None:
            if where.unread_only:
                return self._db.execute(
                    "SELECT COALESCE(SUM(unread_count), 0) FROM channels"
                ).fetchone()[0]
            return self._db.execute(
                "SELECT COALESCE(SUM(thread_count), 0) FROM channels"
            ).fetchone()[0]
        column = "unread_count" if where.unread_only else "thread_count"
        row = self._db.execute(
            f"SELECT {column} FROM channels WHERE id = ?", (where.channel_id,)
        ).fetchone()
        return row[0] if row else 0

    def unread_by_channel(self, since: float) -> dict[str | None, int]:
        """Unread threads with activity at or after ``since``, per channel (from the unread
        index, which has the order: the cost follows the unread threads, not all of them)."""
        clause, _ = ThreadFilter(unread_only=True).where()
        rows = self._db.execute(
            f"SELECT channel_id, COUNT(*) FROM threads {clause} AND latest_at >= ?"
            " GROUP BY channel_id",
            (since,),
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def needs_reply_count(self, since: float) -> int:
        """Threads active at or after ``since`` whose newest message is the customer's, done
        and snoozed ones aside."""
        clause, _ = ThreadFilter(needs_reply=True).where()
        return self._db.execute(
            f"SELECT COUNT(*) FROM threads {clause} AND latest_at >= ?", (since,)
        ).fetchone()[0]

    def channels(self) -> list[ChannelRow]:
        rows = self._db.execute(
            "SELECT id, type, thread_count, unread_count FROM channels"
            " WHERE thread_count > 0 ORDER BY type, id"
        ).fetchall()
        return [ChannelRow(*row) for row in rows]

    def next_unread(self, where: ThreadFilter, after_thread_id: str | None) -> str | None:
        """The next unread thread below ``after_thread_id`` in the list's order, wrapping."""
        clause, params = where.where()
        clause += " AND unread = 1"
        if after_thread_id is not None:
            place = self._order_place(where, after_thread_id, after=True)
            if place is not None:
                row = self._db.execute(
                    f"SELECT id FROM threads {clause} AND {place[0]}"
                    f" ORDER BY {where.order_by()} LIMIT 1",
                    (*params, *place[1]),
                ).fetchone()
                if row:
                    return row[0]
        row = self._db.execute(
            f"SELECT id FROM threads {clause} ORDER BY {where.order_by()} LIMIT 1", params
        ).fetchone()
        return row[0] if row else None

    def mark_read(self, thread_id: str) -> bool:
        """Read up to the thread's newest content; True when the unread flag changed."""
        with self.transaction() as db:
            before = self._unread(thread_id)
            db.execute(
                "INSERT INTO read_marks (thread_id, read_up_to, manual_unread)"
                " SELECT id, latest_at, 0 FROM threads WHERE id = ?"
                " ON CONFLICT (thread_id) DO UPDATE SET read_up_to = excluded.read_up_to,"
                " manual_unread = 0",
                (thread_id,),
            )
            self._derive_unread(thread_id)
            return before != self._unread(thread_id)

    def keep_read(self, thread_id: str | None) -> None:
        """The agent is looking at this thread (None: at none): contents merged into it are
        read as they arrive, unless the agent marked it unread."""
        self._kept_read = thread_id

    def _read_to_latest(self, thread_id: str) -> None:
        self._db.execute(
            "INSERT INTO read_marks (thread_id, read_up_to, manual_unread)"
            " SELECT id, latest_at, 0 FROM threads WHERE id = ?"
            " ON CONFLICT (thread_id) DO UPDATE SET read_up_to = excluded.read_up_to"
            " WHERE manual_unread = 0",
            (thread_id,),
        )

    def mark_unread(self, thread_id: str) -> bool:
        with self.transaction() as db:
            before = self._unread(thread_id)
            db.execute(
                "INSERT INTO read_marks (thread_id, read_up_to, manual_unread) VALUES (?, NULL, 1)"
                " ON CONFLICT (thread_id) DO UPDATE SET manual_unread = 1",
                (thread_id,),
            )
            self._derive_unread(thread_id)
            return before != self._unread(thread_id)

    def _unread(self, thread_id: str) -> bool | None:
        row = self._db.execute("SELECT unread FROM threads WHERE id = ?", (thread_id,)).fetchone()
        return bool(row[0]) if row else None
