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
