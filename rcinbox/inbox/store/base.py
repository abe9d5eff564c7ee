"""What the table groups share: the connection and clock, the transaction, the row converters."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from rcinbox.api.models import EARLIEST, LATEST, Content, clamp_time
from rcinbox.inbox.types import OutboxRow, TemplateMessage, ThreadRow

PREVIEW_CHARS = 240
# Ids in one IN (...) list: well under SQLite's limit of bound parameters.
CHUNK = 500


class StoreError(Exception):
    """The database cannot be used (newer schema, corrupt file); the message says what to do."""


class Tables:
    """The state every table group's methods use; :class:`~rcinbox.inbox.store.Store` sets it."""

    _db: sqlite3.Connection
    _clock: Callable[[], float]
    # The thread the agent has on screen (see keep_read): what arrives in it is read.
    _kept_read: str | None

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

    def _rows_in(self, sql: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """The rows of ``sql`` (ending in a column) IN ``ids``, a chunk of them at a time."""
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows += self._db.execute(f"{sql} IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        return rows

    def _in(self, sql: str, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            self._db.execute(f"{sql} IN ({','.join('?' * len(chunk))})", chunk)

    def _insert_many(
        self, sql: str, rows: Sequence[tuple[Any, ...]], *, one_statement: bool = False
    ) -> None:
        """``rows`` inserted by ``sql`` (an INSERT with one row of marks) in statements of many
        rows: each a long step that holds no GIL, where executemany takes the GIL back at every
        row. Their sizes are powers of two, or with ``one_statement`` all the rows (as many as
        bound parameters allow), at the price of a statement compiled for each count."""
        if rows:
            head, marks = sql.rsplit(" VALUES ", 1)
            for values, params in self._values_lists(marks, rows, one_statement):
                self._db.execute(f"{head} VALUES {values}", params)

    def _update_many(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Rows of ``table`` updated, each row of ``rows`` the ``columns``' values and then the
        id of the row it updates, in statements of many rows as :meth:`_insert_many` writes."""
        if rows:
            sets = ", ".join(f"{column} = v.column{n}" for n, column in enumerate(columns, 1))
            marks = f"({', '.join('?' * (len(columns) + 1))})"
            for values, params in self._values_lists(marks, rows, False):
                self._db.execute(
                    f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v"
                    f" WHERE {table}.id = v.column{len(columns) + 1}",
                    params,
                )

    def _values_lists(
        self, marks: str, rows: Sequence[tuple[Any, ...]], whole: bool
    ) -> Iterator[tuple[str, list[Any]]]:
        """``rows`` as VALUES lists (``marks`` a row), each with the values it binds: as long
        as bound parameters allow when ``whole``, else each a power of two of rows long. The
        connection keeps the statements it ran compiled, each with the values last bound to it:
        powers of two keep them few, and the values they hold to a page's."""
        most = max(self._db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(rows[0]), 1)
        start = 0
        while start < len(rows):
            count = min(most, len(rows) - start)
            if not whole:
                count = 1 << (count.bit_length() - 1)
            chunk = rows[start : start + count]
            yield ",".join([marks] * count), [value for row in chunk for value in row]
            start += count


def to_epoch(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def from_epoch(epoch: Any) -> datetime:
    """A stored epoch back as a moment; one out of the calendar's range (written before models
    clamped them, or by hand) is clamped, never a crash at every start."""
    try:
        return clamp_time(datetime.fromtimestamp(float(epoch), UTC))
    except (OverflowError, ValueError, OSError, TypeError):
        return LATEST if isinstance(epoch, int | float) and epoch > 0 else EARLIEST


def bool_or_none(value: Any) -> bool | None:
    return None if value is None else bool(value)


THREAD_COLUMNS = (
    "t.id, t.channel_id, t.channel_type, t.latest_at, t.latest_content_id,"
    " t.latest_incoming, t.preview, t.customer_id, i.name, t.latest_inbound_id,"
    " t.reply_state, t.content_count, t.unread, t.latest_inbound_at"
)

THREAD_SELECT = (
    f"SELECT {THREAD_COLUMNS} FROM threads AS t LEFT JOIN identities AS i ON i.id = t.customer_id"
)

OUTBOX_COLUMNS = (
    "id, thread_id, in_reply_to, channel_type, body, public, state, attempts, created_at,"
    " updated_at, sent_at, next_attempt_at, content_id, error_code, error_message, not_before,"
    " channel_id, recipients, title, template"
)


def outbox_row(row: Sequence[Any]) -> OutboxRow:
    values = list(row)
    values[5] = bool_or_none(values[5])
    values[17] = tuple(json.loads(values[17])) if values[17] else ()
    if values[19]:
        template = json.loads(values[19])
        values[19] = TemplateMessage(
            template["name"], template["language"], tuple(template.get("params") or ())
        )
    return OutboxRow(*values)


def template_json(template: TemplateMessage | None) -> str | None:
    if template is None:
        return None
    return json.dumps(
        {"name": template.name, "language": template.language, "params": list(template.params)}
    )


def thread_row(row: Sequence[Any]) -> ThreadRow:
    return ThreadRow(
        id=row[0],
        channel_id=row[1],
        channel_type=row[2],
        latest_at=from_epoch(row[3]),
        latest_content_id=row[4],
        latest_incoming=bool(row[5]),
        preview=row[6],
        customer_id=row[7],
        customer_name=row[8],
        latest_inbound_id=row[9],
        reply_state=row[10],
        content_count=row[11],
        unread=bool(row[12]),
        latest_inbound_at=None if row[13] is None else from_epoch(row[13]),
    )


def preview_of(content: Content) -> str:
    text = content.display_text or content.title or ""
    if not text and content.attachments:
        text = "📎 " + ", ".join(a.filename or "attachment" for a in content.attachments)
    return text[:PREVIEW_CHARS]


def same_but_links(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two versions of a content are the same but for their attachments' ``uri``:
    every answer signs attachment links afresh (API.md), which changes nothing shown."""
    return old == new or _without_links(old) == _without_links(new)


def _without_links(raw: dict[str, Any]) -> dict[str, Any]:
    attachments = raw.get("attachments")
    if not isinstance(attachments, list):
        return raw
    return {
        **raw,
        "attachments": [
            {k: v for k, v in a.items() if k != "uri"} if isinstance(a, dict) else a
            for a in attachments
        ],
    }
