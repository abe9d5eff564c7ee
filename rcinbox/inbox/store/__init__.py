"""The local store: one SQLite database per profile, so rcinbox opens on what it already knows.

What it keeps: contents (the raw JSON, packed, plus the columns queries need), threads (derived from
contents: newest activity, preview, the customer, our last reply's state, unread), channels (with
thread and unread counts kept by triggers, so the sidebar costs nothing), identities (with the time
they were fetched, for a TTL), read marks, drafts, the outbox, sync cursors, and the threads the
agent put aside (done, snoozed).

Queries are shaped for a viewport: a window of ``limit`` threads in a channel or filter, read by
keyset through an index that already has the order (windows.py), so the cost follows the window
and not the number of threads or its depth. The UIs never see SQL: they get small frozen rows.

Durability: WAL with ``synchronous=FULL``; a reply in the outbox or a draft is committed before the
call that wrote it returns, so it survives SIGKILL and power loss. All access happens on one
thread (the engine's event loop); statements are short. The one exception is the filter box's
search, which runs in a worker thread on its own read-only connection (search.py). (A merge of
new contents compresses their JSON on a worker thread too, merging.py; that thread never touches
the database.)

This module never touches the network and never imports Textual.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from rcinbox.config import make_private_dir
from rcinbox.inbox.store.base import StoreError
from rcinbox.inbox.store.contents import MIN_TEXT_QUERY, ContentTables
from rcinbox.inbox.store.cursors import CursorTables
from rcinbox.inbox.store.drafts import DraftTables
from rcinbox.inbox.store.folding import register as register_folding
from rcinbox.inbox.store.identities import IdentityTables
from rcinbox.inbox.store.lock import SenderLock
from rcinbox.inbox.store.maintenance import MaintenanceTables
from rcinbox.inbox.store.merging import MergeTables
from rcinbox.inbox.store.outbox import OutboxTables
from rcinbox.inbox.store.packing import register
from rcinbox.inbox.store.schema import MIGRATIONS, SCHEMA_VERSION
from rcinbox.inbox.store.search import SearchWorker
from rcinbox.inbox.store.threads import ThreadTables
from rcinbox.inbox.store.triage import TriageTables
from rcinbox.inbox.store.windows import WindowTables
from rcinbox.inbox.types import (
    SEARCH_LIMIT,
    CachedIdentity,
    ChannelRow,
    DraftRow,
    MergeResult,
    OutboxRow,
    ThreadFilter,
    ThreadRow,
)

# The row types live in rcinbox.inbox.types; they are named here too for the engine's modules
# and tests that import them with the store.
__all__ = [
    "MIGRATIONS",
    "MIN_TEXT_QUERY",
    "SCHEMA_VERSION",
    "SEARCH_LIMIT",
    "CachedIdentity",
    "ChannelRow",
    "DraftRow",
    "MergeResult",
    "OutboxRow",
    "Store",
    "StoreError",
    "ThreadFilter",
    "ThreadRow",
]


# The page cache, at most (KiB).
CACHE_KIB = 32 * 1024
# Tries at switching a new store to WAL while another connection does the same.
WAL_TRIES = 20


def _use_wal(connection: sqlite3.Connection) -> None:
    """Write-ahead logging. Switching a new file to it takes the file alone, and SQLite says
    "database is locked" at once, without the busy timeout, when another connection is
    switching or creating it at that moment (a warm start's process and the UI opening a new
    store together): a moment later it is done, and the switch a no-op."""
    for attempt in range(WAL_TRIES):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == WAL_TRIES - 1:
                raise
            time.sleep(0.005 * (attempt + 1))


def _read_only_row(path: Path, sql: str) -> Any:
    """The first row of ``sql`` on the store at ``path``, opened read-only: never written, never
    created. Raises sqlite3.DatabaseError for a file that is no store."""
    # A URI (read-only mode) needs the path whole: the data dir may be given relative.
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchone()
    finally:
        connection.close()


class Store(
    MergeTables,
    WindowTables,
    ThreadTables,
    TriageTables,
    ContentTables,
    IdentityTables,
    DraftTables,
    OutboxTables,
    CursorTables,
    SenderLock,
    MaintenanceTables,
):
    """The profile's SQLite database. Open with :meth:`open`; close with :meth:`close`.

    One class over one connection; each table group's methods live in their module (merging,
    contents, threads, identities, drafts, outbox, cursors), the schema in ``schema.py``.
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        clock: Callable[[], float],
        path: Path | None = None,
    ) -> None:
        self._db = connection
        self._clock = clock
        self._path = path
        self._sender_lock: BinaryIO | None = None
        # The thread the agent has on screen (see keep_read): what arrives in it is read.
        self._kept_read: str | None = None
        self._kept_anchors = {}
        self._searcher: SearchWorker | None = None

    @classmethod
    def open(cls, path: Path | str, *, clock: Callable[[], float] = time.time) -> Store:
        if str(path) != ":memory:":
            make_private_dir(Path(path).parent)
        try:
            connection = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
            _use_wal(connection)
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA foreign_keys=ON")
            # A merge of 1,000 contents dirties a page of each random-keyed index per content:
            # 16 MB at a million contents. With SQLite's default 2 MB cache those pages spilled
            # into the WAL mid-transaction and were written again at commit, so the bytes
            # written per content grew with the store (9 KB at 10k, 35 KB at 1M). The cache
            # only holds pages that were used, up to this size.
            connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            # Checkpoint every 64 MB of WAL rather than 4: a page rewritten by several commits
            # between two checkpoints is copied into the database once. The threads' rows and
            # indexes are such pages: each commit of sync rewrites the threads it touches, and
            # the next commits touch many of them again (at 100k contents, 16 MB wrote 6.5 KB a
            # content over the last tenth, 64 MB 4.3 KB).
            connection.execute("PRAGMA wal_autocheckpoint=16000")
            # Temporary data in memory: above all the statement journals. A merge's upserts (the
            # threads table has triggers) each keep a journal of the pages they change, so that
            # one statement can be undone alone; past 64 KiB in a transaction SQLite moved them
            # into a temporary file, and writing those page copies out was three quarters of
            # the bytes a merge wrote (25 KB a content at 100k contents). They live for one
            # statement: a few pages. (Store.vacuum builds its copy in a file.)
            connection.execute("PRAGMA temp_store=MEMORY")
            register(connection)
            register_folding(connection)
            store = cls(connection, clock, None if str(path) == ":memory:" else Path(path))
            store._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot open the local store {path}: {error}") from None
        return store

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._release_sender_lock()
        self._db.close()

    async def search_in_thread(self, text: str, *, limit: int = SEARCH_LIMIT) -> list[str]:
        """:meth:`search_threads` in a worker thread with its own connection (see
        :class:`SearchWorker`: cancellable). A store in memory has no file another connection
        could read: it searches on this one."""
        if self._path is None:
            return self.search_threads(text, limit=limit)
        if self._searcher is None:
            self._searcher = SearchWorker(self._path)
        return await self._searcher.search(text, limit=limit)

    @staticmethod
    def pending_migrations(path: Path) -> int:
        """How many schema steps the store at ``path`` is behind this version (0 for none, or
        for no store yet), read without opening it for writing."""
        if not Path(path).exists():
            return 0
        try:
            version = _read_only_row(path, "PRAGMA user_version")[0]
        except sqlite3.DatabaseError:
            return 0  # Store.open says what is wrong with it
        return max(SCHEMA_VERSION - version, 0)

    @staticmethod
    def holds_contents(path: Path) -> bool:
        """Whether the store at ``path`` holds any content, read without opening it for
        writing (False for no store yet; True for one that cannot be read: Store.open says
        what is wrong with it)."""
        if not Path(path).exists():
            return False
        try:
            return _read_only_row(path, "SELECT 1 FROM contents LIMIT 1") is not None
        except sqlite3.OperationalError as error:
            # A file that exists but has no tables yet (created, never migrated) is new.
            return "no such table" not in str(error)
        except sqlite3.DatabaseError:
            return True

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the local store was written by a newer rcinbox (schema {version}, this one"
                f" knows {SCHEMA_VERSION}); upgrade rcinbox"
            )
        if version == SCHEMA_VERSION:
            return
        # Every step in one transaction, each with its version bump: a crash leaves the old
        # version whole, and a new store is one commit (one disk sync), not one per step.
        steps = "".join(
            f" {MIGRATIONS[number]}; PRAGMA user_version = {number + 1};"
            for number in range(version, SCHEMA_VERSION)
        )
        try:
            self._db.executescript(f"BEGIN IMMEDIATE;{steps} COMMIT;")
        except sqlite3.Error:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            # Another connection (a warm start's thread, another rcinbox) upgraded it between
            # the version read above and the write lock: its steps stand, ours are not needed.
            if self._db.execute("PRAGMA user_version").fetchone()[0] != version:
                self._migrate()
                return
            raise
