"""The local store: one SQLite database per profile, so rcinbox opens on what it already knows.

What it keeps: contents (the raw JSON plus the columns queries need), threads (derived from
contents: newest activity, preview, the customer, our last reply's state, unread), channels (with
thread and unread counts kept by triggers, so the sidebar costs nothing), identities (with the time
they were fetched, for a TTL), read marks, drafts, the outbox, sync cursors, and the threads the
agent put aside (done, snoozed).

Queries are shaped for a viewport: a window of ``limit`` threads at ``offset`` in a channel or
filter, read through an index that already has the order, so the cost follows the window and not
the number of threads. The UIs never see SQL: they get small frozen rows.

Durability: WAL with ``synchronous=FULL``; a reply in the outbox or a draft is committed before the
call that wrote it returns, so it survives SIGKILL and power loss. All access happens on one
thread (the engine's event loop); statements are short.

This module never touches the network and never imports Textual.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from rcinbox.config import make_private_dir
from rcinbox.inbox.store.base import StoreError
from rcinbox.inbox.store.contents import MIN_TEXT_QUERY, ContentTables
from rcinbox.inbox.store.cursors import CursorTables
from rcinbox.inbox.store.drafts import DraftTables
from rcinbox.inbox.store.identities import IdentityTables
from rcinbox.inbox.store.lock import SenderLock
from rcinbox.inbox.store.outbox import OutboxTables
from rcinbox.inbox.store.schema import MIGRATIONS, SCHEMA_VERSION
from rcinbox.inbox.store.threads import ThreadTables
from rcinbox.inbox.store.triage import TriageTables
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


class Store(
    ThreadTables,
    TriageTables,
    ContentTables,
    IdentityTables,
    DraftTables,
    OutboxTables,
    CursorTables,
    SenderLock,
):
    """The profile's SQLite database. Open with :meth:`open`; close with :meth:`close`.

    One class over one connection; each table group's methods live in their module (contents,
    threads, identities, drafts, outbox, cursors), the schema in ``schema.py``.
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

    @classmethod
    def open(cls, path: Path | str, *, clock: Callable[[], float] = time.time) -> Store:
        if str(path) != ":memory:":
            make_private_dir(Path(path).parent)
        try:
            connection = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA foreign_keys=ON")
            store = cls(connection, clock, None if str(path) == ":memory:" else Path(path))
            store._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot open the local store {path}: {error}") from None
        return store

    def close(self) -> None:
        self._release_sender_lock()
        self._db.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the local store was written by a newer rcinbox (schema {version}, this one"
                f" knows {SCHEMA_VERSION}); upgrade rcinbox"
            )
        for number in range(version, SCHEMA_VERSION):
            # One script per step, version bump included, so a crash leaves the old version whole.
            self._db.executescript(
                f"BEGIN IMMEDIATE; {MIGRATIONS[number]};"
                f" PRAGMA user_version = {number + 1}; COMMIT;"
            )
