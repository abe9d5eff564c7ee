"""Drafts: what the agent has written and not sent, one per thread."""

from __future__ import annotations

from rcinbox.inbox.store.base import (
    Tables,
    bool_or_none,
)
from rcinbox.inbox.types import (
    DraftRow,
)


class DraftTables(Tables):
    """Drafts: one per thread, committed before the call returns."""

    def save_draft(
        self, thread_id: str, body: str, *, in_reply_to: str | None, public: bool | None
    ) -> None:
        if not body:
            self.delete_draft(thread_id)
            return
        with self.transaction() as db:
            db.execute(
                "INSERT INTO drafts (thread_id, body, in_reply_to, public, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO UPDATE SET"
                " body = excluded.body, in_reply_to = excluded.in_reply_to,"
                " public = excluded.public, updated_at = excluded.updated_at",
                (
                    thread_id,
                    body,
                    in_reply_to,
                    None if public is None else int(public),
                    self._clock(),
                ),
            )

    def draft(self, thread_id: str) -> DraftRow | None:
        row = self._db.execute(
            "SELECT thread_id, body, in_reply_to, public, updated_at FROM drafts"
            " WHERE thread_id = ?",
            (thread_id,),
        ).fetchone()
        if row is None:
            return None
        return DraftRow(row[0], row[1], row[2], bool_or_none(row[3]), row[4])

    def drafts(self) -> list[DraftRow]:
        rows = self._db.execute(
            "SELECT thread_id, body, in_reply_to, public, updated_at FROM drafts"
            " ORDER BY updated_at DESC"
        ).fetchall()
        return [DraftRow(r[0], r[1], r[2], bool_or_none(r[3]), r[4]) for r in rows]

    def delete_draft(self, thread_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM drafts WHERE thread_id = ?", (thread_id,))
