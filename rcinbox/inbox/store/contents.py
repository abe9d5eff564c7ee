"""Contents and their full-text index (FTS5, trigram)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rcinbox.api.models import Content
from rcinbox.inbox.store.base import (
    Tables,
)
from rcinbox.inbox.store.packing import load
from rcinbox.inbox.store.search import MIN_TEXT_QUERY as MIN_TEXT_QUERY
from rcinbox.inbox.store.search import run_search
from rcinbox.inbox.types import (
    SEARCH_LIMIT,
)


class ContentTables(Tables):
    """Contents: the raw JSON, the columns queries need, and the trigram index of their text."""

    def has_content(self, content_id: str) -> bool:
        row = self._db.execute("SELECT 1 FROM contents WHERE id = ?", (content_id,)).fetchone()
        return row is not None

    def known_content_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        known: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            known.update(
                row[0]
                for row in self._db.execute(f"SELECT id FROM contents WHERE id IN ({marks})", chunk)
            )
        return known

    def content(self, content_id: str) -> Content | None:
        row = self._db.execute("SELECT raw FROM contents WHERE id = ?", (content_id,)).fetchone()
        return Content.from_json(load(row[0])) if row else None

    def thread_contents(
        self, thread_id: str, *, limit: int | None = None, before: float | None = None
    ) -> list[Content]:
        """A thread's contents oldest first; with ``limit``, the newest ``limit`` of them
        (before ``before`` when given), so history can load upwards a screen at a time."""
        sql = "SELECT raw FROM contents WHERE thread_id = ?"
        params: list[Any] = [thread_id]
        if before is not None:
            sql += " AND created < ?"
            params.append(before)
        sql += " ORDER BY created DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self._db.execute(sql, params).fetchall()
        return [Content.from_json(load(row[0])) for row in reversed(rows)]

    def thread_size(self, thread_id: str) -> int:
        return self._db.execute(
            "SELECT COUNT(*) FROM contents WHERE thread_id = ?", (thread_id,)
        ).fetchone()[0]

    def search_threads(self, text: str, *, limit: int = SEARCH_LIMIT) -> list[str]:
        """Threads whose customer's name, a message or a subject contains ``text``
        (case-insensitive), newest activity first; on this connection (the engine's thread).
        :class:`~rcinbox.inbox.store.search.SearchWorker` runs the same query off it."""
        return run_search(self._db, text, limit)

    def last_stored_content_ids(self, limit: int) -> list[str]:
        """The ``limit`` contents stored last (the benchmark merges them again)."""
        rows = self._db.execute(
            "SELECT id FROM contents ORDER BY rowid DESC LIMIT ?", (limit,)
        ).fetchall()
        return [row[0] for row in rows]

    def has_contents(self) -> bool:
        # Not content_count() == 0: COUNT(*) reads every row (70 ms at 100k contents, cold).
        return self._db.execute("SELECT 1 FROM contents LIMIT 1").fetchone() is not None

    def content_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM contents").fetchone()[0]
