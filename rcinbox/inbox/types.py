"""The engine's public types: the rows the UIs read, the thread filter, the reply states.

Everything a UI needs besides the :class:`~rcinbox.inbox.engine.Inbox` facade and the event
classes of :mod:`rcinbox.inbox.events` is here, including the channel rules and API values the rows
refer to (re-exported, so a UI never imports :mod:`rcinbox.api` or the SQLite module). The rows
are small frozen values: the UIs never see SQL.

This module never touches the network or the database and never imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from rcinbox.api.channels import ChannelInfo as ChannelInfo
from rcinbox.api.channels import Visibility as Visibility
from rcinbox.api.channels import channel_info as channel_info
from rcinbox.api.models import Content as Content
from rcinbox.api.models import export_outcome
from rcinbox.api.ratelimit import RateState as RateState

# Threads a search returns at most (a UI says "500+" when it gets this many).
SEARCH_LIMIT = 500

# The channel of threads whose contents came without a channelId: the store files them under
# this id (no real channel's), so they are listed, counted and can be chosen like any channel.
UNKNOWN_CHANNEL = ""


class ReplyState(StrEnum):
    """Where a reply of ours stands. The values are the strings the outbox table's ``state``
    column and the threads' ``reply_state`` column hold, so databases written before this enum
    existed read unchanged."""

    QUEUED = "queued"
    SENDING = "sending"
    # Sent, but the answer was lost (a timeout, a process killed mid-send): being checked.
    UNKNOWN = "unknown"
    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    FAILED = "failed"
    # Never stored: only an OutboxChanged event carries it, for an entry removed from the store.
    DISCARDED = "discarded"


# Entries the outbox worker still has to act on, and those whose outcome is known.
PENDING_STATES = (ReplyState.QUEUED, ReplyState.SENDING, ReplyState.UNKNOWN)
SETTLED_STATES = (ReplyState.ACCEPTED, ReplyState.DELIVERED, ReplyState.FAILED)
# Entries a person may still have to act on: everything not yet accepted by the server.
OPEN_STATES = (*PENDING_STATES, ReplyState.FAILED)


@dataclass(frozen=True, slots=True)
class ThreadFilter:
    """Which threads a list shows: all, one channel, or only unread ones."""

    channel_id: str | None = None
    unread_only: bool = False

    def where(self) -> tuple[str, tuple[Any, ...]]:
        # ``is not None``: the unknown channel's id (UNKNOWN_CHANNEL) is empty, not absent.
        if self.unread_only and self.channel_id is not None:
            return "WHERE unread = 1 AND channel_id = ?", (self.channel_id,)
        if self.unread_only:
            return "WHERE unread = 1", ()
        if self.channel_id is not None:
            return "WHERE channel_id = ?", (self.channel_id,)
        return "", ()

    def admits(self, row: ThreadRow) -> bool:
        """Whether ``row`` is one of the threads this filter shows (what ``where()`` selects)."""
        if self.channel_id is not None and row.channel_id != self.channel_id:
            return False
        return row.unread or not self.unread_only

    @property
    def cursor_key(self) -> str:
        """Names the API listing that feeds this filter: one paging cursor per listing. The
        unknown channel has no listing of its own: its contents come with everyone's."""
        return f"channel:{self.channel_id}" if self.channel_id else "all"


@dataclass(frozen=True, slots=True)
class ThreadRow:
    id: str
    channel_id: str | None
    channel_type: str | None
    latest_at: datetime
    latest_content_id: str
    latest_incoming: bool
    preview: str
    customer_id: str | None
    customer_name: str | None
    latest_inbound_id: str | None
    # A ReplyState value, or None when we have not replied.
    reply_state: str | None
    content_count: int
    unread: bool


@dataclass(frozen=True, slots=True)
class ChannelRow:
    id: str
    type: str | None
    thread_count: int
    unread_count: int


@dataclass(frozen=True, slots=True)
class DraftRow:
    thread_id: str
    body: str
    in_reply_to: str | None
    public: bool | None
    updated_at: float


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: str
    thread_id: str
    in_reply_to: str
    channel_type: str | None
    body: str
    public: bool | None
    # A ReplyState value (the column holds its string).
    state: str
    attempts: int
    created_at: float
    updated_at: float
    sent_at: float | None
    next_attempt_at: float | None
    content_id: str | None
    error_code: str | None
    error_message: str | None
    # Undo send: the entry does not leave before this moment (the outbox's clock), or None.
    not_before: float | None = None


@dataclass(frozen=True, slots=True)
class CachedIdentity:
    id: str
    name: str
    is_agent: bool
    fetched_at: float


@dataclass(frozen=True, slots=True)
class MergeResult:
    new_content_ids: tuple[str, ...]
    changed_thread_ids: tuple[str, ...]
    # Newly seen contents that customers wrote: what live updates announce.
    new_incoming_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What ``rcinbox store info`` reports: counts, and where the bytes are."""

    path: str
    schema_version: int
    contents: int
    threads: int
    identities: int
    # The database file and its WAL.
    file_bytes: int
    # Room inside the file that no table uses (VACUUM gives it back).
    free_bytes: int
    # The contents' raw JSON, as stored (packed).
    raw_bytes: int
    # (table or index, bytes), largest first.
    objects: tuple[tuple[str, int], ...]


def reply_state(sync_status: str | None) -> ReplyState:
    """Our reply's state in the outbox's words, from the server's synchronizationStatus."""
    outcome = export_outcome(sync_status)
    if outcome is None:
        return ReplyState.ACCEPTED
    return ReplyState.DELIVERED if outcome else ReplyState.FAILED
