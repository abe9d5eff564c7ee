"""Threads, channels and read marks: everything derived from contents, and the one transaction that
merges contents in and re-derives their threads (contents, index and threads change together)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from rcinbox.api.models import Content
from rcinbox.inbox.store.base import (
    THREAD_COLUMNS,
    THREAD_SELECT,
    Tables,
    preview_of,
    thread_row,
    to_epoch,
)
from rcinbox.inbox.types import (
    ChannelRow,
    MergeResult,
    ThreadFilter,
    ThreadRow,
    reply_state,
)


class ThreadTables(Tables):
    """Threads and channels, derived from contents as they are merged, and the read marks."""

    def merge_contents(self, contents: Iterable[Content]) -> MergeResult:
        """Insert or update contents, then re-derive every thread they touch, in one commit."""
        new_ids: list[str] = []
        new_incoming: list[str] = []
        threads: set[str] = set()
        with self.transaction() as db:
            for content in contents:
                if not content.id:
                    continue
                thread_id = content.thread_id or content.id
                created = to_epoch(content.creation_time)
                if created is None:
                    # A content without a time still belongs in its thread; "now" keeps it visible.
                    created = self._clock()
                incoming = content.is_incoming
                raw = json.dumps(content.raw, ensure_ascii=False, separators=(",", ":"))
                existed = db.execute(
                    "SELECT raw, thread_id FROM contents WHERE id = ?", (content.id,)
                ).fetchone()
                if existed is not None and existed[0] == raw and existed[1] == thread_id:
                    # Polling sees the same contents again and again: nothing to rewrite.
                    continue
                db.execute(
                    "INSERT INTO contents (id, thread_id, channel_id, channel_type,"
                    " author_identity_id, in_reply_to, created, incoming, status, sync_status,"
                    " preview, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id,"
                    " channel_id = excluded.channel_id, channel_type = excluded.channel_type,"
                    " author_identity_id = excluded.author_identity_id,"
                    " in_reply_to = excluded.in_reply_to, created = excluded.created,"
                    " incoming = excluded.incoming, status = excluded.status,"
                    " sync_status = excluded.sync_status, preview = excluded.preview,"
                    " raw = excluded.raw",
                    (
                        content.id,
                        thread_id,
                        content.channel_id,
                        content.channel_type,
                        content.author_identity_id,
                        content.in_reply_to_content_id,
                        created,
                        int(incoming),
                        content.status,
                        content.synchronization_status,
                        preview_of(content),
                        raw,
                    ),
                )
                self._index_text(content)
                threads.add(thread_id)
                if existed is not None and existed[1] != thread_id:
                    threads.add(existed[1])
                if not existed:
                    new_ids.append(content.id)
                    if incoming:
                        new_incoming.append(content.id)
            for thread_id in threads:
                self._derive_thread(thread_id)
        return MergeResult(tuple(new_ids), tuple(sorted(threads)), tuple(new_incoming))

    def _derive_thread(self, thread_id: str) -> None:
        db = self._db
        latest = db.execute(
            "SELECT id, created, incoming, preview, channel_id, channel_type FROM contents"
            " WHERE thread_id = ? ORDER BY created DESC, id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        if latest is None:
            db.execute("DELETE FROM threads WHERE id = ?", (thread_id,))
            return
        inbound = db.execute(
            "SELECT id, created, author_identity_id FROM contents"
            " WHERE thread_id = ? AND incoming = 1 ORDER BY created DESC, id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        outbound = db.execute(
            "SELECT created, sync_status, status FROM contents"
            " WHERE thread_id = ? AND incoming = 0 ORDER BY created DESC, id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        customer_id = inbound[2] if inbound else None
        if customer_id is None:
            # An agent-started discussion with no answer yet: the customer is who we wrote to.
            customer_id = db.execute(
                "SELECT json_extract(raw, '$.inReplyToAuthorIdentityId') FROM contents"
                " WHERE thread_id = ? ORDER BY created LIMIT 1",
                (thread_id,),
            ).fetchone()[0]
        count = db.execute(
            "SELECT COUNT(*) FROM contents WHERE thread_id = ?", (thread_id,)
        ).fetchone()[0]
        db.execute(
            "INSERT INTO threads (id, channel_id, channel_type, latest_at, latest_content_id,"
            " latest_incoming, preview, customer_id, latest_inbound_id, latest_inbound_at,"
            " latest_outbound_at, reply_state, content_count)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET channel_id = excluded.channel_id,"
            " channel_type = excluded.channel_type, latest_at = excluded.latest_at,"
            " latest_content_id = excluded.latest_content_id,"
            " latest_incoming = excluded.latest_incoming, preview = excluded.preview,"
            " customer_id = excluded.customer_id, latest_inbound_id = excluded.latest_inbound_id,"
            " latest_inbound_at = excluded.latest_inbound_at,"
            " latest_outbound_at = excluded.latest_outbound_at,"
            " reply_state = excluded.reply_state, content_count = excluded.content_count",
            (
                thread_id,
                latest[4],
                latest[5],
                latest[1],
                latest[0],
                latest[2],
                latest[3],
                customer_id,
                inbound[0] if inbound else None,
                inbound[1] if inbound else None,
                outbound[0] if outbound else None,
                reply_state(outbound[1]) if outbound else None,
                count,
            ),
        )
        self._derive_reply_state(thread_id)
        self._drop_answered_triage(thread_id)
        if thread_id == self._kept_read:
            self._read_to_latest(thread_id)
        self._derive_unread(thread_id)

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

    def threads_window(self, where: ThreadFilter, offset: int, limit: int) -> list[ThreadRow]:
        """``limit`` threads from ``offset`` in the filter's order, names joined in."""
        clause, params = where.where()
        rows = self._db.execute(
            f"SELECT {THREAD_COLUMNS}"
            f" FROM (SELECT * FROM threads {clause}"
            f"  ORDER BY {where.order_by()} LIMIT ? OFFSET ?) AS t"
            " LEFT JOIN identities AS i ON i.id = t.customer_id"
            f" ORDER BY {where.order_by('t')}",
            (*params, limit, offset),
        ).fetchall()
        return [thread_row(row) for row in rows]

    def thread(self, thread_id: str) -> ThreadRow | None:
        row = self._db.execute(f"{THREAD_SELECT} WHERE t.id = ?", (thread_id,)).fetchone()
        return thread_row(row) if row else None

    def _order_place(
        self, where: ThreadFilter, thread_id: str, *, after: bool
    ) -> tuple[str, tuple[object, ...]] | None:
        """The condition "comes before (or, ``after``, after) ``thread_id`` in the filter's
        order", as SQL on ``threads`` and its parameters; None when there is no such thread."""
        keys, descending = where.order_keys()
        values = self._db.execute(
            f"SELECT {', '.join(keys)} FROM threads WHERE id = ?", (thread_id,)
        ).fetchone()
        if values is None:
            return None
        comparison = ">" if descending != after else "<"
        # Spelled out rather than as a row value: SQLite then reads the order's index for each
        # part (an expression index included) instead of scanning every thread.
        condition = f"{keys[-1]} {comparison} ?"
        params: list[object] = [values[-1]]
        for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
            condition = f"{key} {comparison} ? OR ({key} = ? AND ({condition}))"
            params[:0] = [value, value]
        return f"({condition})", tuple(params)

    def thread_position(self, where: ThreadFilter, thread_id: str) -> int | None:
        """Where ``thread_id`` stands in the filter's order, so a selection can follow it."""
        place = self._order_place(where, thread_id, after=False)
        if place is None:
            return None
        clause, params = where.where()
        return self._db.execute(
            f"SELECT COUNT(*) FROM threads {clause} AND {place[0]}", (*params, *place[1])
        ).fetchone()[0]

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
