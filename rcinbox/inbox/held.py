"""Replies held until their original is known: durable before any network request.

``rcinbox reply CONTENT_ID TEXT`` must not lose the reply if the server is down or the process
is killed while it logs in and fetches the message it answers. When the original is not in the
local store, the reply is written at once as a *held* outbox entry: queued, with the answered
content's id standing in for its thread, and a first attempt so far in the future that no
outbox worker (this process's or the TUI's) sends it. Once the original is known, the
channel's rules are applied by the caller and the entry is :func:`release`\\d (its thread,
channel and visibility filled in, due now) or :func:`refuse`\\d (failed, with the reason);
``rcinbox outbox flush`` releases what an earlier ``reply`` could not. Never imports Textual.
"""

from __future__ import annotations

import uuid

from rcinbox.api.models import Content
from rcinbox.inbox.outbox import Outbox
from rcinbox.inbox.replies import reply_title
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import OutboxRow, ReplyState

# Held entries are due this far after they were written (a hold, not a plan).
HOLD = 100 * 365 * 86400.0


def is_held(row: OutboxRow) -> bool:
    return (
        row.state == ReplyState.QUEUED and (row.next_attempt_at or 0.0) - row.created_at > HOLD / 2
    )


def hold(store: Store, outbox: Outbox, content_id: str, body: str) -> OutboxRow:
    """Write the reply to ``content_id`` durably, held until its original is known."""
    row = store.add_outbox(
        str(uuid.uuid4()),
        thread_id=content_id,
        in_reply_to=content_id,
        channel_type=None,
        body=body,
        public=None,
        delete_draft=False,
    )
    return _changed(store, outbox, row.id, next_attempt_at=row.created_at + HOLD)


def held(store: Store) -> list[OutboxRow]:
    return [row for row in store.outbox((ReplyState.QUEUED,)) if is_held(row)]


def release(
    store: Store,
    outbox: Outbox,
    entry_id: str,
    original: Content,
    public: bool,
    now: float,
    *,
    not_before: float | None = None,
) -> OutboxRow:
    """The original is known and the channel's rules passed: send it like any reply (with
    ``not_before``, once the undo window has passed)."""
    return _changed(
        store,
        outbox,
        entry_id,
        thread_id=original.thread_id or original.id,
        channel_type=original.channel_type,
        public=int(public),
        next_attempt_at=now,
        not_before=not_before,
        title=reply_title(original.channel_type, original.title),
    )


def refuse(store: Store, outbox: Outbox, entry_id: str, message: str) -> OutboxRow:
    """The channel's rules refuse the reply: it fails here and is never sent."""
    return _changed(store, outbox, entry_id, state=ReplyState.FAILED, error_message=message)


def _changed(store: Store, outbox: Outbox, entry_id: str, **fields: object) -> OutboxRow:
    row = store.update_outbox(entry_id, **fields)
    # The outbox's own announcement: UIs hear of the change and its worker wakes up.
    outbox._announce(row)
    return row
