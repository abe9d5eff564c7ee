"""The outbox: replies written durably before anything leaves. Cancelling a queued reply turns it
back into a draft in one transaction (both tables change together, here)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rcinbox.inbox.store.base import (
    OUTBOX_COLUMNS,
    Tables,
    outbox_row,
    template_json,
)
from rcinbox.inbox.types import (
    DraftRow,
    OutboxRow,
    ReplyState,
    TemplateMessage,
)


class OutboxTables(Tables):
    """The outbox: replies committed before anything leaves, and their states."""

    def add_outbox(
        self,
        entry_id: str,
        *,
        thread_id: str,
        in_reply_to: str,
        channel_type: str | None,
        body: str,
        public: bool | None,
        delete_draft: bool = True,
        not_before: float | None = None,
        channel_id: str | None = None,
        to: Sequence[str] = (),
        title: str | None = None,
        template: TemplateMessage | None = None,
    ) -> OutboxRow:
        """Queue a reply (and drop the thread's draft it was written from) in one commit: it is
        never in neither.

        The draft goes only when its text is the queued text: a reply queued by another
        process (``rcinbox reply`` while the TUI has a draft in that thread) leaves the draft
        it did not send. With ``not_before``, the reply waits until then (undo send) before it
        may leave. A new conversation gives ``channel_id`` (and ``to``, ``title``,
        ``template`` as its channel needs) and an empty ``in_reply_to``.
        """
        now = self._clock()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO outbox (id, thread_id, in_reply_to, channel_type, body, public,"
                " state, created_at, updated_at, next_attempt_at, not_before, channel_id,"
                " recipients, title, template)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry_id,
                    thread_id,
                    in_reply_to,
                    channel_type,
                    body,
                    None if public is None else int(public),
                    ReplyState.QUEUED.value,
                    now,
                    now,
                    now,
                    not_before,
                    channel_id,
                    json.dumps(list(to)) if to else None,
                    title,
                    template_json(template),
                ),
            )
            if delete_draft:
                db.execute("DELETE FROM drafts WHERE thread_id = ? AND body = ?", (thread_id, body))
            if db.execute("SELECT 1 FROM threads WHERE id = ?", (thread_id,)).fetchone():
                self._derive_reply_state(thread_id)
        row = self.outbox_entry(entry_id)
        assert row is not None
        return row

    def update_outbox(self, entry_id: str, **fields: Any) -> OutboxRow:
        """Change an entry's columns (state, content_id, error_*, ...) and stamp updated_at."""
        allowed = {
            # thread_id, channel_type, public: a held reply learns them from its original.
            "thread_id",
            "channel_type",
            "public",
            "state",
            "attempts",
            "sent_at",
            "next_attempt_at",
            "content_id",
            "error_code",
            "error_message",
            # A held reply released with an undo window (rcinbox reply --undo-seconds).
            "not_before",
            # A held email reply learns its subject ("Re: ...") from its original.
            "title",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not outbox columns: {sorted(unknown)}")
        fields["updated_at"] = self._clock()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self.transaction() as db:
            db.execute(
                f"UPDATE outbox SET {assignments} WHERE id = ?", (*fields.values(), entry_id)
            )
            thread = db.execute("SELECT thread_id FROM outbox WHERE id = ?", (entry_id,)).fetchone()
            if thread and db.execute("SELECT 1 FROM threads WHERE id = ?", (thread[0],)).fetchone():
                self._derive_reply_state(thread[0])
        row = self.outbox_entry(entry_id)
        if row is None:
            raise KeyError(entry_id)
        return row

    def outbox_entry(self, entry_id: str) -> OutboxRow | None:
        row = self._db.execute(f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?", (entry_id,))
        found = row.fetchone()
        return outbox_row(found) if found else None

    def outbox(self, states: Sequence[str] | None = None) -> list[OutboxRow]:
        sql = f"SELECT {OUTBOX_COLUMNS} FROM outbox"
        params: Sequence[str] = ()
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            params = states
        rows = self._db.execute(sql + " ORDER BY created_at, id", params).fetchall()
        return [outbox_row(row) for row in rows]

    def thread_outbox(self, thread_id: str) -> list[OutboxRow]:
        rows = self._db.execute(
            f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE thread_id = ? ORDER BY created_at, id",
            (thread_id,),
        ).fetchall()
        return [outbox_row(row) for row in rows]

    def claimed_content_ids(self) -> set[str]:
        """Content ids already matched to an outbox entry: reconciliation never claims one twice."""
        rows = self._db.execute("SELECT content_id FROM outbox WHERE content_id IS NOT NULL")
        return {row[0] for row in rows}

    def cancel_outbox(self, entry_id: str, draft: DraftRow) -> OutboxRow | None:
        """Take back a reply that has not left: delete the entry and write ``draft`` (its text,
        merged by the caller with any newer draft) in one commit, so the text is never in
        neither place. None, and nothing changed, when the entry is no longer queued (the
        worker began sending it first) or is gone.

        Atomic against the sender, in this process or another: both take the write lock
        (``BEGIN IMMEDIATE``) and check the state inside it, so exactly one of them wins.
        """
        with self.transaction() as db:
            current = self.outbox_entry(entry_id)
            if current is None or current.state != ReplyState.QUEUED:
                return None
            db.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))
            db.execute(
                "INSERT INTO drafts (thread_id, body, in_reply_to, public, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO UPDATE SET"
                " body = excluded.body, in_reply_to = excluded.in_reply_to,"
                " public = excluded.public, updated_at = excluded.updated_at",
                (
                    draft.thread_id,
                    draft.body,
                    draft.in_reply_to,
                    None if draft.public is None else int(draft.public),
                    self._clock(),
                ),
            )
            if db.execute("SELECT 1 FROM threads WHERE id = ?", (current.thread_id,)).fetchone():
                self._derive_reply_state(current.thread_id)
        return current

    def delete_outbox(self, entry_id: str) -> None:
        """Forget an entry the agent gave up on; the thread's reply state follows the server."""
        with self.transaction() as db:
            thread = db.execute("SELECT thread_id FROM outbox WHERE id = ?", (entry_id,)).fetchone()
            db.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))
            if thread and db.execute("SELECT 1 FROM threads WHERE id = ?", (thread[0],)).fetchone():
                self._derive_reply_state(thread[0])
