"""The filter box's search: one query, run on the store's connection or off the event loop.

The query stops early. A common word ("order") is in a third of a million-content store; finding
every match and sorting every matching thread took 277 ms. Instead the trigram index is read
newest stored first (``ORDER BY rowid DESC``, which FTS5 walks without sorting) until ``limit``
threads are found, and only those are put in latest-activity order. A word found in more than
``limit`` threads therefore gives the threads of its most recently stored matches (a UI says
"500+"), which is what a filter box over a list in newest-first order shows first anyway.

:class:`SearchWorker` runs it in a thread with its own read connection (WAL lets it read while
the engine writes) and can be cancelled: a newer keystroke interrupts the query in flight
(``Connection.interrupt``), so typing never waits on the database. Never imports Textual.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rcinbox.inbox.store.folding import indexed
from rcinbox.inbox.store.folding import register as register_folding

# The trigram index cannot answer shorter queries; those search names and previews only.
MIN_TEXT_QUERY = 3
# Trigrams of the typed text the index is asked for, at most: each narrows less than the last.
MAX_TRIGRAMS = 8


def search_query(text: str, limit: int) -> tuple[str, dict[str, Any]] | None:
    """The SQL and parameters that find threads whose customer's name, a message or a subject
    contains ``text`` (case-insensitive), newest activity first; None for blank text."""
    text = text.strip()
    if not text:
        return None
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    needle = indexed(text)
    if len(text) >= MIN_TEXT_QUERY and len(needle) < MIN_TEXT_QUERY:
        # Cut short by a NUL, where the tokenizer stops: no trigram to look for.
        in_text = "SELECT NULL AS thread_id WHERE 0"
    elif len(text) >= MIN_TEXT_QUERY:
        # The index (no positions kept) finds the rows with every trigram of the text; the
        # text itself is then looked for in them, as the index reads text (folding.py).
        in_text = (
            "SELECT DISTINCT c.thread_id FROM contents_text AS f"
            " JOIN contents AS c ON c.rowid = f.rowid"
            " WHERE contents_text MATCH :q AND indexed_contains(f.body, f.title, :needle)"
            " ORDER BY f.rowid DESC LIMIT :limit"
        )
    else:
        # Too short for trigrams (a two-character Chinese word, say): scan the indexed text.
        in_text = (
            "SELECT DISTINCT c.thread_id FROM contents_text AS f"
            " JOIN contents AS c ON c.rowid = f.rowid"
            " WHERE f.body LIKE :p ESCAPE '\\' OR f.title LIKE :p ESCAPE '\\'"
            " ORDER BY f.rowid DESC LIMIT :limit"
        )
    # Named customers through who wrote in which thread (the threads table has no index on
    # customers): a thread's customer is one of its authors, unless nobody has answered yet.
    by_name = (
        "SELECT t.id FROM threads AS t WHERE t.id IN (SELECT a.thread_id FROM thread_authors"
        "  AS a WHERE a.author_identity_id IN (SELECT id FROM named))"
        " AND t.customer_id IN (SELECT id FROM named)"
    )
    sql = (
        "WITH named AS (SELECT id FROM identities WHERE name LIKE :p ESCAPE '\\'),"
        f" found AS ({in_text})"
        " SELECT id FROM threads WHERE id IN (SELECT thread_id FROM found"
        f"  UNION {by_name})"
        " ORDER BY latest_at DESC, id DESC LIMIT :limit"
    )
    return sql, {"q": trigram_query(needle), "needle": needle, "p": pattern, "limit": limit}


def trigram_query(needle: str) -> str:
    """An FTS5 query for the rows holding every trigram of ``needle`` (a few of them, spread
    over it, for a long one: the rows are checked for the whole text anyway)."""
    trigrams = list(dict.fromkeys(needle[i : i + 3] for i in range(len(needle) - 2)))
    if len(trigrams) > MAX_TRIGRAMS:
        step = (len(trigrams) - 1) / (MAX_TRIGRAMS - 1)
        trigrams = [trigrams[round(i * step)] for i in range(MAX_TRIGRAMS)]
    return " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)


def run_search(connection: sqlite3.Connection, text: str, limit: int) -> list[str]:
    query = search_query(text, limit)
    if query is None:
        return []
    return [row[0] for row in connection.execute(*query).fetchall()]


class SearchWorker:
    """Searches of the store at ``path`` on one worker thread with its own connection.

    ``await search(text, limit=...)`` gives thread ids; cancelling the awaiting task (or starting
    another search) interrupts the query in flight. :meth:`close` when done.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rcinbox-search")
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._generation = 0

    async def search(self, text: str, *, limit: int) -> list[str]:
        """Thread ids, newest activity first (see :func:`search_query`); an empty list when a
        newer search interrupted this one."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            if self._connection is not None:
                # What is running belongs to an older keystroke: stop it now.
                self._connection.interrupt()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._run, text, limit, generation)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self._interrupt(generation)
            raise

    def _interrupt(self, generation: int) -> None:
        with self._lock:
            if self._connection is not None and generation == self._generation:
                self._connection.interrupt()

    def _run(self, text: str, limit: int, generation: int) -> list[str]:
        with self._lock:
            if generation != self._generation:
                return []  # overtaken before it started
            if self._connection is None:
                self._connection = sqlite3.connect(
                    Path(self._path).resolve().as_uri() + "?mode=ro",
                    uri=True,
                    check_same_thread=False,
                )
                register_folding(self._connection)
        try:
            return run_search(self._connection, text, limit)
        except sqlite3.OperationalError as error:
            if "interrupt" in str(error):
                return []
            raise

    def close(self) -> None:
        with self._lock:
            self._generation += 1
            if self._connection is not None:
                self._connection.interrupt()
        self._executor.shutdown(wait=True)
        if self._connection is not None:
            self._connection.close()
            self._connection = None
