"""Sync cursors: where each API listing's paging stands."""

from __future__ import annotations

from rcinbox.inbox.store.base import (
    Tables,
)


class CursorTables(Tables):
    """Paging cursors, one per API listing, and how far back each has reached."""

    def cursor(self, key: str) -> tuple[str | None, bool] | None:
        row = self._db.execute(
            "SELECT next_page_token, exhausted FROM cursors WHERE key = ?", (key,)
        ).fetchone()
        return (row[0], bool(row[1])) if row else None

    def set_cursor(
        self,
        key: str,
        next_page_token: str | None,
        exhausted: bool,
        *,
        reached: float | None = None,
    ) -> None:
        """Save where a listing's paging goes on; ``reached`` (the creation time of the oldest
        content of the page just merged) only ever moves the listing's reach further back."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO cursors (key, next_page_token, exhausted, updated_at, reached)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                " next_page_token = excluded.next_page_token, exhausted = excluded.exhausted,"
                " updated_at = excluded.updated_at,"
                " reached = CASE WHEN cursors.reached IS NULL THEN excluded.reached"
                " WHEN excluded.reached IS NULL THEN cursors.reached"
                " ELSE MIN(cursors.reached, excluded.reached) END",
                (key, next_page_token, int(exhausted), self._clock(), reached),
            )

    def cursor_reach(self, key: str) -> float | None:
        """The creation time (epoch) of the oldest content the listing's pages have reached."""
        row = self._db.execute("SELECT reached FROM cursors WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
