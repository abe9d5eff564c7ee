"""The local store: one SQLite database per profile, so rcinbox opens on what it already knows.

What it keeps: contents (the raw JSON plus the columns queries need), threads (derived from
contents: newest activity, preview, the customer, our last reply's state, unread), channels (with
thread and unread counts kept by triggers, so the sidebar costs nothing), identities (with the time
they were fetched, for a TTL), read marks, drafts, the outbox and sync cursors.

Queries are shaped for a viewport: a window of ``limit`` threads at ``offset`` in a channel or
filter, read through an index that already has the order, so the cost follows the window and not
the number of threads. The UIs never see SQL: they get small frozen rows.

Durability: WAL with ``synchronous=FULL``; a reply in the outbox or a draft is committed before the
call that wrote it returns, so it survives SIGKILL and power loss. All access happens on one
thread (the engine's event loop); statements are short.

This module never touches the network and never imports Textual.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from rcinbox.api.models import EARLIEST, LATEST, Content, Identity, clamp_time
from rcinbox.config import make_private_dir
from rcinbox.inbox.types import (
    SEARCH_LIMIT,
    CachedIdentity,
    ChannelRow,
    DraftRow,
    MergeResult,
    OutboxRow,
    ReplyState,
    ThreadFilter,
    ThreadRow,
    reply_state,
)

try:
    import fcntl
except ImportError:  # Windows: no advisory lock, so one sender per store is not enforced there.
    fcntl = None  # type: ignore[assignment]

PREVIEW_CHARS = 240

# Each entry moves the schema one version forward; a database is never changed in place otherwise.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE contents (
        id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL,
        channel_id TEXT,
        channel_type TEXT,
        author_identity_id TEXT,
        in_reply_to TEXT,
        created REAL NOT NULL,
        incoming INTEGER NOT NULL,
        status TEXT,
        sync_status TEXT,
        preview TEXT NOT NULL,
        raw TEXT NOT NULL
    );
    CREATE INDEX contents_thread ON contents (thread_id, created, id);
    CREATE INDEX contents_created ON contents (created, id);
    CREATE INDEX contents_author ON contents (author_identity_id);

    CREATE TABLE threads (
        id TEXT PRIMARY KEY,
        channel_id TEXT,
        channel_type TEXT,
        latest_at REAL NOT NULL,
        latest_content_id TEXT NOT NULL,
        latest_incoming INTEGER NOT NULL,
        preview TEXT NOT NULL,
        customer_id TEXT,
        latest_inbound_id TEXT,
        latest_inbound_at REAL,
        latest_outbound_at REAL,
        reply_state TEXT,
        content_count INTEGER NOT NULL,
        unread INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX threads_latest ON threads (latest_at DESC, id DESC);
    CREATE INDEX threads_channel ON threads (channel_id, latest_at DESC, id DESC);
    CREATE INDEX threads_unread ON threads (unread, latest_at DESC, id DESC);

    CREATE TABLE channels (
        id TEXT PRIMARY KEY,
        type TEXT,
        thread_count INTEGER NOT NULL DEFAULT 0,
        unread_count INTEGER NOT NULL DEFAULT 0
    );
    -- Not INSERT OR IGNORE: a trigger fired by an upsert takes the upsert's conflict policy
    -- (abort), so an existing channel would fail the whole merge.
    CREATE TRIGGER threads_insert AFTER INSERT ON threads BEGIN
        INSERT INTO channels (id, type) SELECT NEW.channel_id, NEW.channel_type
        WHERE NOT EXISTS (SELECT 1 FROM channels WHERE id IS NEW.channel_id);
        UPDATE channels
        SET thread_count = thread_count + 1, unread_count = unread_count + NEW.unread
        WHERE id = NEW.channel_id;
    END;
    CREATE TRIGGER threads_delete AFTER DELETE ON threads BEGIN
        UPDATE channels
        SET thread_count = thread_count - 1, unread_count = unread_count - OLD.unread
        WHERE id = OLD.channel_id;
    END;
    CREATE TRIGGER threads_update AFTER UPDATE OF unread, channel_id ON threads BEGIN
        UPDATE channels
        SET thread_count = thread_count - 1, unread_count = unread_count - OLD.unread
        WHERE id = OLD.channel_id;
        INSERT INTO channels (id, type) SELECT NEW.channel_id, NEW.channel_type
        WHERE NOT EXISTS (SELECT 1 FROM channels WHERE id IS NEW.channel_id);
        UPDATE channels
        SET thread_count = thread_count + 1, unread_count = unread_count + NEW.unread
        WHERE id = NEW.channel_id;
    END;

    CREATE TABLE read_marks (
        thread_id TEXT PRIMARY KEY,
        read_up_to REAL,
        manual_unread INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE identities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_agent INTEGER NOT NULL,
        raw TEXT NOT NULL,
        fetched_at REAL NOT NULL
    );

    CREATE TABLE drafts (
        thread_id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        in_reply_to TEXT,
        public INTEGER,
        updated_at REAL NOT NULL
    );

    CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL,
        in_reply_to TEXT NOT NULL,
        channel_type TEXT,
        body TEXT NOT NULL,
        public INTEGER,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        sent_at REAL,
        next_attempt_at REAL,
        content_id TEXT UNIQUE,
        error_code TEXT,
        error_message TEXT
    );
    CREATE INDEX outbox_state ON outbox (state, next_attempt_at);
    CREATE INDEX outbox_thread ON outbox (thread_id, created_at);

    CREATE TABLE cursors (
        key TEXT PRIMARY KEY,
        next_page_token TEXT,
        exhausted INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
    );
    """,
    # 2: a trigram index of message text, so the filter box finds any substring (any script,
    # no word splitting needed for Chinese or Japanese) without scanning every message.
    """
    CREATE VIRTUAL TABLE contents_text USING fts5(body, title, tokenize = 'trigram');
    INSERT INTO contents_text (rowid, body, title)
        SELECT rowid, json_extract(raw, '$.body'), json_extract(raw, '$.title') FROM contents;
    """,
    # 3: how far back in time each listing's pages have reached (the creation time of the oldest
    # content met), so the inbox can tell whether its counts cover the history horizon.
    """
    ALTER TABLE cursors ADD COLUMN reached REAL;
    """,
    # 4: undo send. A reply may wait in the outbox until ``not_before`` (our clock) before it
    # leaves; kept apart from ``next_attempt_at``, which retries and backoff rewrite.
    """
    ALTER TABLE outbox ADD COLUMN not_before REAL;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

# The trigram index cannot answer shorter queries; those search names and previews only.
MIN_TEXT_QUERY = 3


class StoreError(Exception):
    """The database cannot be used (newer schema, corrupt file); the message says what to do."""


def _epoch(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def _moment(epoch: Any) -> datetime:
    """A stored epoch back as a moment; one out of the calendar's range (written before models
    clamped them, or by hand) is clamped, never a crash at every start."""
    try:
        return clamp_time(datetime.fromtimestamp(float(epoch), UTC))
    except (OverflowError, ValueError, OSError, TypeError):
        return LATEST if isinstance(epoch, int | float) and epoch > 0 else EARLIEST


def _bool_or_none(value: Any) -> bool | None:
    return None if value is None else bool(value)


class Store:
    """The profile's SQLite database. Open with :meth:`open`; close with :meth:`close`."""

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
        if self._sender_lock is not None:
            self._sender_lock.close()
            self._sender_lock = None
        self._db.close()

    def hold_sender_lock(self) -> bool:
        """Become this store's one sender, or say another live process already is.

        The outbox treats an entry left in ``sending`` as a crashed send and looks for it before
        sending again. That is only safe when no other process is sending right now, so one
        process at a time (the TUI, or a headless command) owns the outbox, held with an
        advisory lock that the operating system releases when the process dies, SIGKILL too.
        """
        if self._sender_lock is not None:
            return True
        if self._path is None or fcntl is None:
            return True
        lock = open(f"{self._path}.sender-lock", "a+b")  # noqa: SIM115 - held for the process life
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            return False
        self._sender_lock = lock
        return True

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

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if self._db.in_transaction:
            yield self._db
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ------------------------------------------------------------------ contents and threads

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
                created = _epoch(content.creation_time)
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
                        _preview(content),
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

    def _index_text(self, content: Content) -> None:
        rowid = self._db.execute(
            "SELECT rowid FROM contents WHERE id = ?", (content.id,)
        ).fetchone()[0]
        self._db.execute("DELETE FROM contents_text WHERE rowid = ?", (rowid,))
        self._db.execute(
            "INSERT INTO contents_text (rowid, body, title) VALUES (?, ?, ?)",
            (rowid, content.body, content.title),
        )

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
        return Content.from_json(json.loads(row[0])) if row else None

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
        return [Content.from_json(json.loads(row[0])) for row in reversed(rows)]

    def thread_size(self, thread_id: str) -> int:
        return self._db.execute(
            "SELECT COUNT(*) FROM contents WHERE thread_id = ?", (thread_id,)
        ).fetchone()[0]

    def search_threads(self, text: str, *, limit: int = SEARCH_LIMIT) -> list[str]:
        """Threads whose customer's name, a message or a subject contains ``text``
        (case-insensitive), newest activity first."""
        text = text.strip()
        if not text:
            return []
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        if len(text) >= MIN_TEXT_QUERY:
            # A quoted FTS5 string: the trigram index matches it as a plain substring.
            in_text = (
                "id IN (SELECT c.thread_id FROM contents_text AS f"
                " JOIN contents AS c ON c.rowid = f.rowid WHERE contents_text MATCH :q)"
            )
        else:
            # Too short for trigrams (a two-character Chinese word, say): scan the indexed text.
            in_text = (
                "id IN (SELECT c.thread_id FROM contents_text AS f"
                " JOIN contents AS c ON c.rowid = f.rowid"
                " WHERE f.body LIKE :p ESCAPE '\\' OR f.title LIKE :p ESCAPE '\\')"
            )
        rows = self._db.execute(
            f"SELECT id FROM threads WHERE {in_text}"
            " OR customer_id IN (SELECT id FROM identities WHERE name LIKE :p ESCAPE '\\')"
            " ORDER BY latest_at DESC, id DESC LIMIT :limit",
            {"q": '"' + text.replace('"', '""') + '"', "p": pattern, "limit": limit},
        ).fetchall()
        return [row[0] for row in rows]

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
            f"{_THREAD_SELECT} WHERE t.id IN ({marks})", list(thread_ids)
        ).fetchall()
        by_id = {row[0]: _thread_row(row) for row in rows}
        return [by_id[i] for i in thread_ids if i in by_id]

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

    def threads_window(self, where: ThreadFilter, offset: int, limit: int) -> list[ThreadRow]:
        """``limit`` threads from ``offset`` in latest-activity order, names joined in."""
        clause, params = where.where()
        rows = self._db.execute(
            "SELECT t.id, t.channel_id, t.channel_type, t.latest_at, t.latest_content_id,"
            " t.latest_incoming, t.preview, t.customer_id, i.name, t.latest_inbound_id,"
            " t.reply_state, t.content_count, t.unread"
            f" FROM (SELECT * FROM threads {clause}"
            "  ORDER BY latest_at DESC, id DESC LIMIT ? OFFSET ?) AS t"
            " LEFT JOIN identities AS i ON i.id = t.customer_id"
            " ORDER BY t.latest_at DESC, t.id DESC",
            (*params, limit, offset),
        ).fetchall()
        return [_thread_row(row) for row in rows]

    def thread(self, thread_id: str) -> ThreadRow | None:
        row = self._db.execute(f"{_THREAD_SELECT} WHERE t.id = ?", (thread_id,)).fetchone()
        return _thread_row(row) if row else None

    def thread_position(self, where: ThreadFilter, thread_id: str) -> int | None:
        """Where ``thread_id`` stands in the filter's order, so a selection can follow it."""
        row = self._db.execute(
            "SELECT latest_at FROM threads WHERE id = ?", (thread_id,)
        ).fetchone()
        if row is None:
            return None
        clause, params = where.where()
        joiner = "AND" if clause else "WHERE"
        return self._db.execute(
            f"SELECT COUNT(*) FROM threads {clause} {joiner}"
            " (latest_at > ? OR (latest_at = ? AND id > ?))",
            (*params, row[0], row[0], thread_id),
        ).fetchone()[0]

    def thread_count(self, where: ThreadFilter) -> int:
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
        rows = self._db.execute(
            "SELECT channel_id, COUNT(*) FROM threads WHERE unread = 1 AND latest_at >= ?"
            " GROUP BY channel_id",
            (since,),
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def channels(self) -> list[ChannelRow]:
        rows = self._db.execute(
            "SELECT id, type, thread_count, unread_count FROM channels"
            " WHERE thread_count > 0 ORDER BY type, id"
        ).fetchall()
        return [ChannelRow(*row) for row in rows]

    def next_unread(self, where: ThreadFilter, after_thread_id: str | None) -> str | None:
        """The next unread thread below ``after_thread_id`` in the list's order, wrapping."""
        clause, params = where.where()
        joiner = "AND" if clause else "WHERE"
        if after_thread_id is not None:
            position = self._db.execute(
                "SELECT latest_at FROM threads WHERE id = ?", (after_thread_id,)
            ).fetchone()
            if position is not None:
                row = self._db.execute(
                    f"SELECT id FROM threads {clause} {joiner} unread = 1 AND"
                    " (latest_at < ? OR (latest_at = ? AND id < ?))"
                    " ORDER BY latest_at DESC, id DESC LIMIT 1",
                    (*params, position[0], position[0], after_thread_id),
                ).fetchone()
                if row:
                    return row[0]
        row = self._db.execute(
            f"SELECT id FROM threads {clause} {joiner} unread = 1"
            " ORDER BY latest_at DESC, id DESC LIMIT 1",
            params,
        ).fetchone()
        return row[0] if row else None

    def newest_content_ids(self, limit: int) -> list[str]:
        rows = self._db.execute(
            "SELECT id FROM contents ORDER BY created DESC, id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [row[0] for row in rows]

    def content_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM contents").fetchone()[0]

    # ------------------------------------------------------------------ read marks

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

    # ------------------------------------------------------------------ identities

    def save_identities(self, identities: Iterable[Identity], fetched_at: float) -> list[str]:
        """Cache identities; returns the ids whose displayed name is new or changed."""
        changed: list[str] = []
        with self.transaction() as db:
            for identity in identities:
                if not identity.id:
                    continue
                name = identity.display_label
                old = db.execute(
                    "SELECT name FROM identities WHERE id = ?", (identity.id,)
                ).fetchone()
                db.execute(
                    "INSERT INTO identities (id, name, is_agent, raw, fetched_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
                    " is_agent = excluded.is_agent, raw = excluded.raw,"
                    " fetched_at = excluded.fetched_at",
                    (
                        identity.id,
                        name,
                        int(identity.is_agent),
                        json.dumps(identity.raw, ensure_ascii=False, separators=(",", ":")),
                        fetched_at,
                    ),
                )
                if old is None or old[0] != name:
                    changed.append(identity.id)
        return changed

    def cached_identities(self, ids: Iterable[str]) -> dict[str, CachedIdentity]:
        ids = list(dict.fromkeys(ids))
        found: dict[str, CachedIdentity] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT id, name, is_agent, fetched_at FROM identities WHERE id IN ({marks})",
                chunk,
            ):
                found[row[0]] = CachedIdentity(row[0], row[1], bool(row[2]), row[3])
        return found

    def identity_ids_of_user(self, user_id: str) -> list[str]:
        """Cached identities a user (an agent's extension id) may write as."""
        rows = self._db.execute(
            "SELECT i.id FROM identities AS i, json_each(i.raw, '$.userIds') AS u"
            " WHERE u.value = ? ORDER BY i.id",
            (user_id,),
        ).fetchall()
        return [row[0] for row in rows]

    def identity(self, identity_id: str) -> Identity | None:
        row = self._db.execute("SELECT raw FROM identities WHERE id = ?", (identity_id,)).fetchone()
        return Identity.from_json(json.loads(row[0])) if row else None

    def unresolved_author_ids(self, thread_ids: Sequence[str]) -> list[str]:
        """Authors of these threads' contents that have no cached identity."""
        if not thread_ids:
            return []
        marks = ",".join("?" * len(thread_ids))
        rows = self._db.execute(
            "SELECT DISTINCT c.author_identity_id FROM contents AS c"
            " LEFT JOIN identities AS i ON i.id = c.author_identity_id"
            f" WHERE c.thread_id IN ({marks}) AND c.author_identity_id IS NOT NULL"
            " AND i.id IS NULL",
            list(thread_ids),
        ).fetchall()
        return [row[0] for row in rows]

    def author_channels(self, identity_ids: Iterable[str]) -> dict[str, set[str]]:
        """The channels each identity wrote on, or was written to on as a thread's customer,
        as far as the stored contents show; identities the store never saw are left out."""
        ids = list(dict.fromkeys(identity_ids))
        found: dict[str, set[str]] = {}
        for start in range(0, len(ids), 400):
            chunk = ids[start : start + 400]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT author_identity_id, channel_id FROM contents"
                f" WHERE author_identity_id IN ({marks}) AND channel_id IS NOT NULL"
                " UNION SELECT customer_id, channel_id FROM threads"
                f" WHERE customer_id IN ({marks}) AND channel_id IS NOT NULL",
                chunk + chunk,
            )
            for identity_id, channel_id in rows:
                found.setdefault(identity_id, set()).add(channel_id)
        return found

    # ------------------------------------------------------------------ drafts

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
        return DraftRow(row[0], row[1], row[2], _bool_or_none(row[3]), row[4])

    def drafts(self) -> list[DraftRow]:
        rows = self._db.execute(
            "SELECT thread_id, body, in_reply_to, public, updated_at FROM drafts"
            " ORDER BY updated_at DESC"
        ).fetchall()
        return [DraftRow(r[0], r[1], r[2], _bool_or_none(r[3]), r[4]) for r in rows]

    def delete_draft(self, thread_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM drafts WHERE thread_id = ?", (thread_id,))

    # ------------------------------------------------------------------ outbox

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
    ) -> OutboxRow:
        """Queue a reply (and drop the thread's draft) in one commit: it is never in neither.

        With ``not_before``, the reply waits until then (undo send) before it may leave.
        """
        now = self._clock()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO outbox (id, thread_id, in_reply_to, channel_type, body, public,"
                " state, created_at, updated_at, next_attempt_at, not_before)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ),
            )
            if delete_draft:
                db.execute("DELETE FROM drafts WHERE thread_id = ?", (thread_id,))
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
        row = self._db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id = ?", (entry_id,))
        found = row.fetchone()
        return _outbox_row(found) if found else None

    def outbox(self, states: Sequence[str] | None = None) -> list[OutboxRow]:
        sql = f"SELECT {_OUTBOX_COLUMNS} FROM outbox"
        params: Sequence[str] = ()
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            params = states
        rows = self._db.execute(sql + " ORDER BY created_at, id", params).fetchall()
        return [_outbox_row(row) for row in rows]

    def thread_outbox(self, thread_id: str) -> list[OutboxRow]:
        rows = self._db.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE thread_id = ? ORDER BY created_at, id",
            (thread_id,),
        ).fetchall()
        return [_outbox_row(row) for row in rows]

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

    # ------------------------------------------------------------------ cursors

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


_THREAD_SELECT = (
    "SELECT t.id, t.channel_id, t.channel_type, t.latest_at, t.latest_content_id,"
    " t.latest_incoming, t.preview, t.customer_id, i.name, t.latest_inbound_id,"
    " t.reply_state, t.content_count, t.unread"
    " FROM threads AS t LEFT JOIN identities AS i ON i.id = t.customer_id"
)

_OUTBOX_COLUMNS = (
    "id, thread_id, in_reply_to, channel_type, body, public, state, attempts, created_at,"
    " updated_at, sent_at, next_attempt_at, content_id, error_code, error_message, not_before"
)


def _outbox_row(row: Sequence[Any]) -> OutboxRow:
    values = list(row)
    values[5] = _bool_or_none(values[5])
    return OutboxRow(*values)


def _thread_row(row: Sequence[Any]) -> ThreadRow:
    return ThreadRow(
        id=row[0],
        channel_id=row[1],
        channel_type=row[2],
        latest_at=_moment(row[3]),
        latest_content_id=row[4],
        latest_incoming=bool(row[5]),
        preview=row[6],
        customer_id=row[7],
        customer_name=row[8],
        latest_inbound_id=row[9],
        reply_state=row[10],
        content_count=row[11],
        unread=bool(row[12]),
    )


def _preview(content: Content) -> str:
    text = content.display_text or content.title or ""
    if not text and content.attachments:
        text = "📎 " + ", ".join(a.filename or "attachment" for a in content.attachments)
    return text[:PREVIEW_CHARS]
