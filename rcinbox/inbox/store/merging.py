"""Merging contents in: the one transaction that writes contents, their text index and the
threads derived from them (all three change together).

A page of contents is merged with a handful of statements, not several per content: one query
finds which are already stored, new ones are inserted together (with the rowids SQLite would
give them, so the text index's rows follow), and most threads are derived in Python from their
stored row and the page (:func:`extend_thread`). The full derivation from the thread's contents
(:meth:`MergeTables._derive_thread`) is kept for everything else: a content updated or moved,
one older than the thread's newest, a thread with a reply in the outbox or on screen. Both give
the same row; tests/test_store_merging.py holds them to it.

Packing the raw JSON (packing.py) is a third of a merge's time. A page of new contents, what sync
merges, is packed on a worker thread while this one writes everything else, and by both once this
one is done (:func:`~rcinbox.inbox.store.packing.pack_page`); deflate releases the GIL, so the two
overlap on a second core. The thread only compresses: every statement runs on the store's
connection, on the caller's thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rcinbox.api.models import Content
from rcinbox.inbox.store.base import CHUNK, Tables, preview_of, same_but_links, to_epoch
from rcinbox.inbox.store.packing import load, pack, pack_page, unpack
from rcinbox.inbox.store.storable import storable_json
from rcinbox.inbox.types import UNKNOWN_CHANNEL, MergeResult, reply_state

# New contents in a page from which packing them in another thread pays for the handover.
OVERLAP = 50

_INSERT_TEXT = "INSERT INTO contents_text (rowid, body, title) VALUES (?, ?, ?)"
_INSERT_AUTHOR = (
    "INSERT OR IGNORE INTO thread_authors (author_identity_id, thread_id) VALUES (?, ?)"
)

_INSERT_CONTENT = (
    "INSERT INTO contents (rowid, id, thread_id, channel_id, channel_type, author_identity_id,"
    " created, incoming, sync_status, raw, reply_to_author)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE_CONTENT = (
    "UPDATE contents SET thread_id = ?, channel_id = ?, channel_type = ?, author_identity_id = ?,"
    " created = ?, incoming = ?, sync_status = ?, raw = ?, reply_to_author = ? WHERE rowid = ?"
)
_THREAD_COLUMNS = (
    "id, channel_id, channel_type, latest_at, latest_content_id, latest_incoming, preview,"
    " customer_id, latest_inbound_id, latest_inbound_at, latest_outbound_at, reply_state,"
    " content_count"
)
_INSERT_THREAD = (
    f"INSERT INTO threads ({_THREAD_COLUMNS}, unread)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# What a stored thread's row is updated with, in the order of its planned tuple (the thread's id
# follows them).
_UPDATED = (
    "channel_type",
    "latest_at",
    "latest_content_id",
    "latest_incoming",
    "preview",
    "customer_id",
    "latest_inbound_id",
    "latest_inbound_at",
    "latest_outbound_at",
    "reply_state",
    "content_count",
)
# The same, for a thread whose channel or unread flag changes (the channel counts follow).
_MOVED = ("channel_id", "unread", *_UPDATED)


@dataclass(slots=True)
class Merged:
    """A content as this merge stores it: its columns, and the preview a thread may show."""

    content: Content
    raw: str  # the JSON text stored (packed)
    thread_id: str
    created: float
    incoming: bool
    channel_id: str
    preview: str

    @property
    def key(self) -> tuple[float, str]:
        """Where it sorts in its thread: the order of ``ORDER BY created, id``."""
        return (self.created, self.content.id)


@dataclass(frozen=True, slots=True)
class StoredThread:
    """The columns of a thread's row that :func:`extend_thread` starts from."""

    latest_at: float
    latest_content_id: str
    customer_id: str | None
    latest_inbound_id: str | None
    latest_inbound_at: float | None
    latest_outbound_at: float | None
    reply_state: str | None
    content_count: int
    channel_id: str | None
    unread: int


@dataclass(slots=True)
class ThreadPlan:
    """The thread rows a merge writes: new threads (the columns of ``_INSERT_THREAD``), stored
    ones that stay in their channel, read or unread as they were (``_UPDATED``: without
    the columns the channel counts' trigger watches, it would fire for nothing), the others
    (``_MOVED``), and the threads to derive in full once the contents are written."""

    new: list[tuple[Any, ...]] = field(default_factory=list)
    in_place: list[tuple[Any, ...]] = field(default_factory=list)
    moved: list[tuple[Any, ...]] = field(default_factory=list)
    in_full: list[str] = field(default_factory=list)


def extend_thread(
    thread_id: str,
    stored: StoredThread | None,
    added: Sequence[Merged],
    read_mark: tuple[float | None, int] | None,
) -> tuple[Any, ...] | None:
    """The thread's row (the columns of ``_INSERT_THREAD``) once ``added`` (new contents, every
    one newer than the thread's newest) joins ``stored`` (None: a thread not stored yet), and
    the read mark (read_up_to, manual_unread) it has; None when only the full derivation can
    tell (its customer would come from its first content, which is not at hand)."""
    latest = max(added, key=Merged.key.fget)
    inbound = max((m for m in added if m.incoming), key=Merged.key.fget, default=None)
    outbound = max((m for m in added if not m.incoming), key=Merged.key.fget, default=None)
    if stored is None:
        first = min(added, key=Merged.key.fget)
        customer_id = first.content.in_reply_to_author_identity_id
        inbound_id = inbound_at = outbound_at = state = None
        count = 0
    else:
        customer_id = stored.customer_id
        inbound_id, inbound_at = stored.latest_inbound_id, stored.latest_inbound_at
        outbound_at, state, count = (
            stored.latest_outbound_at,
            stored.reply_state,
            stored.content_count,
        )
    if inbound is not None:
        inbound_id, inbound_at = inbound.content.id, inbound.created
        if inbound.content.author_identity_id is not None:
            customer_id = inbound.content.author_identity_id
        elif stored is not None:
            # The customer is then the one the first content answered: not in this page.
            return None
    if outbound is not None:
        outbound_at = outbound.created
        state = reply_state(outbound.content.synchronization_status)
    read_up_to, manual_unread = read_mark if read_mark is not None else (None, 0)
    # As ThreadTables._derive_unread says it.
    if manual_unread == 1:
        unread = 1
    elif inbound_at is None:
        unread = 0
    else:
        seen = max(
            -1 if read_up_to is None else read_up_to, -1 if outbound_at is None else outbound_at
        )
        unread = int(inbound_at > seen)
    return (
        thread_id,
        latest.channel_id,
        latest.content.channel_type,
        latest.created,
        latest.content.id,
        int(latest.incoming),
        latest.preview,
        customer_id,
        inbound_id,
        inbound_at,
        outbound_at,
        state,
        count + len(added),
        unread,
    )


class MergeTables(Tables):
    """``merge_contents``: contents, their text index and their threads, in one commit."""

    def merge_contents(self, contents: Iterable[Content]) -> MergeResult:
        """Insert or update contents, then re-derive every thread they touch, in one commit."""
        merged = [m for m in map(self._prepare, contents) if m is not None]
        new_ids: list[str] = []
        new_incoming: list[str] = []
        # The threads touched: with the contents this merge added to each, and those to derive
        # in full from what is stored (a content of theirs was updated, or moved out).
        added: dict[str, list[Merged]] = {}
        full: set[str] = set()
        with self.transaction() as db:
            # id -> (raw, thread_id, rowid, author) of what is stored, or about to be.
            ids = list({m.content.id: None for m in merged})
            stored = self._stored_contents(ids)
            next_rowid = (db.execute("SELECT MAX(rowid) FROM contents").fetchone()[0] or 0) + 1
            if not stored and len(ids) == len(merged) >= OVERLAP:
                return self._merge_new(merged, next_rowid)
            pending: list[tuple[int, Merged, bytes]] = []
            pending_ids: set[str] = set()
            # Who wrote in which thread, as this page says (written after its contents).
            authors: dict[tuple[str, str], None] = {}
            for item in merged:
                content = item.content
                existed = stored.get(content.id)
                if content.id in pending_ids:
                    # The same content twice in a page: the first is written before the second.
                    self._insert(pending)
                    pending, pending_ids = [], set()
                if existed is not None and self._unchanged(existed, item):
                    continue
                # Packed only when written: polling merges the same page again and again, and
                # inflating what is stored to compare costs a fifth of deflating what came.
                packed = pack(item.raw)
                if content.author_identity_id is not None:
                    authors[(content.author_identity_id, item.thread_id)] = None
                if existed is None:
                    pending.append((next_rowid, item, packed))
                    pending_ids.add(content.id)
                    stored[content.id] = (
                        packed,
                        item.thread_id,
                        next_rowid,
                        content.author_identity_id,
                    )
                    next_rowid += 1
                    added.setdefault(item.thread_id, []).append(item)
                    new_ids.append(content.id)
                    if item.incoming:
                        new_incoming.append(content.id)
                    continue
                self._update(item, packed, existed[2])
                self._forget_author(existed[3], existed[1])
                stored[content.id] = (
                    packed,
                    item.thread_id,
                    existed[2],
                    content.author_identity_id,
                )
                full.update((item.thread_id, existed[1]))
                # Its thread's newest content may be this one: derived with this preview.
                added.setdefault(item.thread_id, []).append(item)
            self._insert(pending)
            db.executemany(_INSERT_AUTHOR, list(authors))
            self._derive_in_full(self._extend_threads(added, full), added)
        return MergeResult(tuple(new_ids), tuple(sorted(added.keys() | full)), tuple(new_incoming))

    def _merge_new(self, merged: list[Merged], first_rowid: int) -> MergeResult:
        """A page of contents none of which is stored (what sync merges): their JSON is packed
        in another thread (deflate lets go of the GIL) while this one indexes their text and
        extends their threads, which need only the columns.

        The two threads share the GIL: the packer takes it back several times a content, and
        so does this one at every row of an ``executemany`` or a fetch; each time one finds the
        other holding it, it sleeps until woken. Row by row, that doubled what indexing the text
        cost. So everything that reads or computes is done before the packing starts, and what
        is written while it runs is written by few statements, each one long step of SQLite
        that holds no GIL (:meth:`_insert_many`)."""
        added: dict[str, list[Merged]] = {}
        for item in merged:
            added.setdefault(item.thread_id, []).append(item)
        threads = self._plan_threads(added, set())
        rowids = range(first_rowid, first_rowid + len(merged))
        text = [
            (rowid, m.content.body, m.content.title)
            for rowid, m in zip(rowids, merged, strict=True)
        ]
        authors = list(
            {
                (m.content.author_identity_id, m.thread_id): None
                for m in merged
                if m.content.author_identity_id is not None
            }
        )
        packing = pack_page([m.raw for m in merged])
        # The text in one statement, not several: each statement that opens a savepoint (one of
        # many rows does, and so does each row of the threads', for their triggers) has the text
        # index write what it holds so far as a segment of its own, and segments cost merging.
        self._insert_many(_INSERT_TEXT, text, one_statement=True)
        self._insert_many(_INSERT_AUTHOR, authors)
        in_full = self._write_threads(threads)
        self._db.executemany(
            _INSERT_CONTENT,
            [
                (rowid, m.content.id, *self._columns(m, packed))
                for rowid, m, packed in zip(rowids, merged, packing(), strict=True)
            ],
        )
        self._derive_in_full(in_full, added)
        return MergeResult(
            tuple(m.content.id for m in merged),
            tuple(sorted(added)),
            tuple(m.content.id for m in merged if m.incoming),
        )

    def _prepare(self, content: Content) -> Merged | None:
        # A record without a usable id (none, or not a string) is not stored: decided on the
        # record as it came, since repairing it could make an id up (a NaN id becomes "NaN").
        if not content.id:
            return None
        raw, repaired = storable_json(content.raw)
        if repaired is not None:
            # A field the store cannot hold was replaced: read the content from the repaired
            # record, so its columns and index say what is stored.
            content = Content.from_json(repaired)
        if not content.id:
            return None
        created = to_epoch(content.creation_time)
        if created is None:
            # A content without a time still belongs in its thread; "now" keeps it visible.
            created = self._clock()
        return Merged(
            content,
            raw,
            content.thread_id or content.id,
            created,
            content.is_incoming,
            content.channel_id or UNKNOWN_CHANNEL,
            preview_of(content),
        )

    def _stored_contents(self, ids: Sequence[str]) -> dict[str, tuple[Any, str, int, str | None]]:
        stored: dict[str, tuple[Any, str, int, str | None]] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT id, raw, thread_id, rowid, author_identity_id FROM contents"
                f" WHERE id IN ({marks})",
                chunk,
            ):
                stored[row[0]] = row[1:]
        return stored

    @staticmethod
    def _unchanged(existed: tuple[Any, str, int, str | None], item: Merged) -> bool:
        if existed[1] != item.thread_id:
            return False
        if unpack(existed[0]) == item.raw:
            # Polling sees the same contents again and again: nothing to rewrite.
            return True
        # Attachment links are signed afresh in every answer (API.md): nothing shown has
        # changed, and rewriting each poll would cost a disk sync. A download whose stored link
        # has expired asks for the content again.
        return bool(item.content.attachments) and same_but_links(load(existed[0]), item.content.raw)

    def _columns(self, item: Merged, packed: bytes) -> tuple[Any, ...]:
        content = item.content
        return (
            item.thread_id,
            item.channel_id,
            content.channel_type,
            content.author_identity_id,
            item.created,
            int(item.incoming),
            content.synchronization_status,
            packed,
            content.in_reply_to_author_identity_id,
        )

    def _insert(self, pending: list[tuple[int, Merged, bytes]]) -> None:
        """New contents and their text, with the rowids SQLite would give them one by one
        (one more than the largest), which the text index's rows share."""
        if not pending:
            return
        self._db.executemany(
            _INSERT_CONTENT,
            [
                (rowid, item.content.id, *self._columns(item, packed))
                for rowid, item, packed in pending
            ],
        )
        self._db.executemany(
            _INSERT_TEXT,
            [(rowid, item.content.body, item.content.title) for rowid, item, _ in pending],
        )

    def _forget_author(self, author_id: str | None, thread_id: str) -> None:
        """After a content changed author or thread: its old author and thread are a pair no
        longer, unless another content of the thread says so (or one this page adds)."""
        if author_id is not None:
            self._db.execute(
                "DELETE FROM thread_authors WHERE author_identity_id = ? AND thread_id = ?"
                " AND NOT EXISTS (SELECT 1 FROM contents WHERE thread_id = ?"
                " AND author_identity_id = ?)",
                (author_id, thread_id, thread_id, author_id),
            )

    def _update(self, item: Merged, packed: bytes, rowid: int) -> None:
        self._db.execute(_UPDATE_CONTENT, (*self._columns(item, packed), rowid))
        self._db.execute("DELETE FROM contents_text WHERE rowid = ?", (rowid,))
        self._db.execute(
            "INSERT INTO contents_text (rowid, body, title) VALUES (?, ?, ?)",
            (rowid, item.content.body, item.content.title),
        )

    def _extend_threads(self, added: dict[str, list[Merged]], full: set[str]) -> list[str]:
        """Each touched thread's row extended from its stored row, when this merge only added
        contents newer than its newest; the threads left to derive in full (once the contents
        are written) are returned."""
        return self._write_threads(self._plan_threads(added, full))

    def _plan_threads(self, added: dict[str, list[Merged]], full: set[str]) -> ThreadPlan:
        """What :meth:`_extend_threads` writes, read and worked out without writing."""
        touched = list(added.keys() | full)
        with_outbox = {
            row[0]
            for row in self._rows_in(
                "SELECT DISTINCT thread_id FROM outbox WHERE thread_id", touched
            )
        }
        extendable = [
            t for t in touched if t not in full and t not in with_outbox and t != self._kept_read
        ]
        stored = {
            row[0]: StoredThread(*row[1:])
            for row in self._rows_in(
                "SELECT id, latest_at, latest_content_id, customer_id, latest_inbound_id,"
                " latest_inbound_at, latest_outbound_at, reply_state, content_count,"
                " channel_id, unread FROM threads WHERE id",
                extendable,
            )
        }
        marks = {
            row[0]: (row[1], row[2])
            for row in self._rows_in(
                "SELECT thread_id, read_up_to, manual_unread FROM read_marks WHERE thread_id",
                extendable,
            )
        }
        plan = ThreadPlan()
        for thread_id in extendable:
            items = added[thread_id]
            before = stored.get(thread_id)
            row = None
            if before is None or min(m.key for m in items) > (
                before.latest_at,
                before.latest_content_id,
            ):
                row = extend_thread(thread_id, before, items, marks.get(thread_id))
            if row is None:
                plan.in_full.append(thread_id)
            elif before is None:
                plan.new.append(row)
            elif (row[1], row[13]) == (before.channel_id, before.unread):
                plan.in_place.append((*row[2:13], thread_id))
            else:
                plan.moved.append((row[1], row[13], *row[2:13], thread_id))
        plan.in_full += (t for t in touched if t not in extendable)
        return plan

    def _write_threads(self, plan: ThreadPlan) -> list[str]:
        """The rows planned written; the threads left to derive in full are returned."""
        # In statements of many rows, not row by row: they are written while the
        # packing runs (see _merge_new).
        self._insert_many(_INSERT_THREAD, plan.new)
        self._update_many("threads", _UPDATED, plan.in_place)
        self._update_many("threads", _MOVED, plan.moved)
        # The customer wrote after the thread was put aside: it comes back.
        self._in(
            "DELETE FROM triage WHERE COALESCE(inbound_at, -1) < (SELECT"
            " COALESCE(latest_inbound_at, -1) FROM threads WHERE id = triage.thread_id)"
            " AND thread_id",
            [row[0] for row in plan.new] + [row[-1] for row in (*plan.in_place, *plan.moved)],
        )
        return plan.in_full

    def _derive_in_full(self, thread_ids: list[str], added: dict[str, list[Merged]]) -> None:
        for thread_id in thread_ids:
            previews = {m.content.id: m.preview for m in added.get(thread_id, ())}
            self._derive_thread(thread_id, previews)

    def _derive_thread(self, thread_id: str, previews: dict[str, str]) -> None:
        db = self._db
        latest = db.execute(
            "SELECT id, created, incoming, raw, channel_id, channel_type FROM contents"
            " WHERE thread_id = ? ORDER BY created DESC, id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        if latest is None:
            db.execute("DELETE FROM threads WHERE id = ?", (thread_id,))
            return
        preview = previews.get(latest[0])
        if preview is None:
            preview = preview_of(Content.from_json(load(latest[3])))
        inbound = db.execute(
            "SELECT id, created, author_identity_id FROM contents"
            " WHERE thread_id = ? AND incoming = 1 ORDER BY created DESC, id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        outbound = db.execute(
            "SELECT created, sync_status FROM contents"
            " WHERE thread_id = ? AND incoming = 0 ORDER BY created DESC, id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        customer_id = inbound[2] if inbound else None
        if customer_id is None:
            # An agent-started discussion with no answer yet: the customer is who we wrote to.
            customer_id = db.execute(
                "SELECT reply_to_author FROM contents WHERE thread_id = ? ORDER BY created LIMIT 1",
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
                preview,
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
