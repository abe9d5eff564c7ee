"""The engine's public types: the rows the UIs read, the thread filter, the reply states.

Everything a UI needs besides the :class:`~rcinbox.inbox.engine.Inbox` facade and the event
classes of :mod:`rcinbox.inbox.events` is here, including the channel rules and API values the rows
refer to (re-exported, so a UI never imports :mod:`rcinbox.api` or the SQLite module). The rows
are small frozen values: the UIs never see SQL.

This module never touches the network or the database and never imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from rcinbox.api.channels import ChannelInfo as ChannelInfo
from rcinbox.api.channels import Initiation as Initiation
from rcinbox.api.channels import Visibility as Visibility
from rcinbox.api.channels import channel_info as channel_info
from rcinbox.api.downloads import SavedFile as SavedFile
from rcinbox.api.models import Attachment as Attachment
from rcinbox.api.models import Content as Content
from rcinbox.api.models import Identity as Identity
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


class ThreadOrder(StrEnum):
    """How a list is sorted: newest activity first, or the longest-waiting customer first."""

    LATEST = "latest"
    # Threads whose newest message is the customer's first, the longest wait on top; then the
    # rest, newest activity first.
    WAITING = "waiting"


class TriageState(StrEnum):
    """A thread the agent put aside. The API has no conversation status: this is ours alone.
    The values are what the ``triage`` table's ``state`` column holds."""

    # Hidden until its customer writes again.
    DONE = "done"
    # Hidden until a chosen time (or until its customer writes again), then back as unread.
    SNOOZED = "snoozed"


# Whether a thread is put aside (done or snoozed): the one test, used by every list query.
_TRIAGED = "EXISTS (SELECT 1 FROM triage WHERE triage.thread_id = threads.id)"

# Sort keys per order, every column in one direction so SQL row values compare them; ``{t}``
# is the threads table's alias in the query (or nothing).
_ORDER_KEYS = {
    ThreadOrder.LATEST: (("{t}latest_at", "{t}id"), True),
    ThreadOrder.WAITING: (
        (
            "-{t}latest_incoming",
            "CASE WHEN {t}latest_incoming = 1 THEN {t}latest_inbound_at ELSE -{t}latest_at END",
            "{t}id",
        ),
        False,
    ),
}


@dataclass(frozen=True, slots=True)
class ThreadFilter:
    """Which threads a list shows and in which order: all, one channel, only unread ones,
    only those whose newest message is the customer's (``needs_reply``); done and snoozed
    threads are left out, unless ``triaged`` asks for only those."""

    channel_id: str | None = None
    unread_only: bool = False
    needs_reply: bool = False
    triaged: bool = False
    order: ThreadOrder = ThreadOrder.LATEST

    def where(self) -> tuple[str, tuple[Any, ...]]:
        """The SQL condition on the ``threads`` table (unaliased) and its parameters."""
        conditions = [_TRIAGED if self.triaged else f"NOT {_TRIAGED}"]
        params: tuple[Any, ...] = ()
        if self.unread_only:
            conditions.append("unread = 1")
        if self.needs_reply:
            # Written as the wait sort's index has it, so that order reads the index in turn.
            waiting = self.order is ThreadOrder.WAITING
            conditions.append("-latest_incoming = -1" if waiting else "latest_incoming = 1")
        # ``is not None``: the unknown channel's id (UNKNOWN_CHANNEL) is empty, not absent.
        if self.channel_id is not None:
            conditions.append("channel_id = ?")
            params = (self.channel_id,)
        return "WHERE " + " AND ".join(conditions), params

    def order_keys(self, alias: str = "") -> tuple[list[str], bool]:
        """The sort key's SQL expressions (on the table ``alias``) and whether the order is
        descending; every expression goes the same way, so row values compare whole keys."""
        keys, descending = _ORDER_KEYS[self.order]
        if self.needs_reply and self.order is ThreadOrder.WAITING:
            # Every thread here waits: the first key is the same for all, and SQLite reads the
            # index in order only without it.
            keys = keys[1:]
        prefix = f"{alias}." if alias else ""
        return [key.format(t=prefix) for key in keys], descending

    def order_by(self, alias: str = "") -> str:
        keys, descending = self.order_keys(alias)
        return ", ".join(key + (" DESC" if descending else "") for key in keys)

    def admits(self, row: ThreadRow) -> bool:
        """Whether ``row`` is one of the threads this filter shows (what ``where()`` selects),
        done and snoozed aside: a row does not say whether it is put aside."""
        if self.channel_id is not None and row.channel_id != self.channel_id:
            return False
        if self.needs_reply and not row.latest_incoming:
            return False
        return row.unread or not self.unread_only

    @property
    def plain(self) -> bool:
        """Whether the channels' kept counts answer this filter (all, unread, a channel)."""
        return not (self.needs_reply or self.triaged)

    @property
    def cursor_key(self) -> str:
        """Names the API listing that feeds this filter: one paging cursor per listing. The
        unknown channel has no listing of its own: its contents come with everyone's."""
        return f"channel:{self.channel_id}" if self.channel_id else "all"


@dataclass(frozen=True, slots=True)
class ThreadRow:
    """A conversation as the list shows it: its newest message, its customer, its state."""

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
    # When the customer's newest message came (None: they never wrote).
    latest_inbound_at: datetime | None = None

    def waiting(self, now: datetime) -> timedelta | None:
        """How long the customer has waited for an answer: since their newest message, when
        it is the thread's newest; None when nobody waits (the agent wrote last)."""
        if not self.latest_incoming or self.latest_inbound_at is None:
            return None
        return max(now - self.latest_inbound_at, timedelta(0))


@dataclass(frozen=True, slots=True)
class TriageRow:
    """A thread put aside: done (``until`` None) or snoozed until ``until`` (epoch seconds)."""

    thread_id: str
    state: TriageState
    until: float | None
    # The thread's newest content when it was put aside.
    content_id: str | None
    set_at: float


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """A channel the store knows, with its threads and its unread threads counted."""

    id: str
    type: str | None
    thread_count: int
    unread_count: int


@dataclass(frozen=True, slots=True)
class DraftRow:
    """A thread's reply not sent yet, kept as the agent types it."""

    thread_id: str
    body: str
    in_reply_to: str | None
    public: bool | None
    updated_at: float


@dataclass(frozen=True, slots=True)
class TemplateMessage:
    """An approved WhatsApp template to send: its name, language and its parameters' values
    (``{{1}}``, ``{{2}}``... in order). The API cannot list templates, so the names come from
    the user (config.toml's ``[whatsapp] templates``, or the command line)."""

    name: str
    language: str
    params: tuple[str, ...] = ()

    def components(self) -> list[dict[str, Any]]:
        """The ``components`` of the create request (the WhatsApp Cloud API's format)."""
        if not self.params:
            return []
        parameters = [{"type": "text", "text": value} for value in self.params]
        return [{"type": "body", "parameters": parameters}]


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A reply, or a new conversation, on its way out: queued, sending, sent or failed."""

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
    # A new conversation answers nothing (``in_reply_to`` is empty): it names its channel, and
    # the recipients and template the channel needs. ``thread_id`` is a placeholder until the
    # server accepts it and says its thread.
    channel_id: str | None = None
    to: tuple[str, ...] = ()
    # An email's subject: a new conversation's, or "Re: ..." on a reply.
    title: str | None = None
    template: TemplateMessage | None = None

    @property
    def starts_conversation(self) -> bool:
        return self.channel_id is not None


@dataclass(frozen=True, slots=True)
class CachedIdentity:
    """An identity's name as the store keeps it, and when it was fetched."""

    id: str
    name: str
    is_agent: bool
    fetched_at: float


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What merging contents into the store changed."""

    new_content_ids: tuple[str, ...]
    changed_thread_ids: tuple[str, ...]
    # Newly seen contents that customers wrote: what live updates announce.
    new_incoming_ids: tuple[str, ...]


class ReplyRefused(ValueError):
    """A reply that may not be sent (no message to answer, a rule of the channel): the one-line
    message says why, in plain words. Raised by ``Inbox.send`` before anything is queued."""


class ReplyTooLong(ReplyRefused):
    """Longer than the channel allows."""

    def __init__(self, length: int, limit: int, channel: str) -> None:
        self.length = length
        self.limit = limit
        self.channel = channel
        super().__init__(f"the reply has {length} characters; {channel} allows {limit}")


class VisibilityRefused(ReplyRefused):
    """Public asked where the channel has only private replies, or the other way round."""

    def __init__(self, allowed: Visibility) -> None:
        self.allowed = allowed
        kind = "private" if allowed is Visibility.PRIVATE_ONLY else "public"
        super().__init__(f"this channel has only {kind} replies")


@dataclass(frozen=True, slots=True)
class ReplyRules:
    """What a reply in one thread may be, as ``Inbox.send`` enforces it: the UIs read these
    (``Inbox.reply_rules``) to show a counter, the public/private choice and why sending is
    refused, and never decide them. :mod:`rcinbox.inbox.replies` builds them."""

    channel: str  # the channel's name, as messages say it
    max_length: int
    visibility: Visibility
    # The visibility of the message answered: a reply's default ("in kind"), None if unknown.
    in_kind: bool | None = None
    # Why no reply can be sent in this thread now (None: one can).
    refusal: str | None = None

    @classmethod
    def of_channel(
        cls, channel_type: str | None, *, in_kind: bool | None = None, refusal: str | None = None
    ) -> ReplyRules:
        info = channel_info(channel_type)
        return cls(info.label, info.max_body, info.visibility, in_kind, refusal)

    @property
    def can_reply(self) -> bool:
        return self.refusal is None

    @property
    def has_private_choice(self) -> bool:
        return self.visibility is Visibility.BOTH

    def too_long(self, text: str) -> bool:
        return len(text) > self.max_length

    def public(self, asked: bool | None = None) -> bool:
        """Public (True) or private: what the channel allows, else what was asked, else in
        kind (a public comment gets a public answer, a private message a private one).
        :class:`VisibilityRefused` when what was asked is not allowed."""
        if self.visibility is Visibility.PRIVATE_ONLY:
            if asked:
                raise VisibilityRefused(self.visibility)
            return False
        if self.visibility is Visibility.PUBLIC_ONLY:
            if asked is False:
                raise VisibilityRefused(self.visibility)
            return True
        if asked is not None:
            return asked
        return self.in_kind if self.in_kind is not None else True

    def check(self, text: str, asked: bool | None) -> bool:
        """Refuse a reply that breaks a rule (:class:`ReplyRefused` and its kinds); else
        whether it goes out publicly."""
        if self.refusal is not None:
            raise ReplyRefused(self.refusal)
        if self.too_long(text):
            raise ReplyTooLong(len(text), self.max_length, self.channel)
        return self.public(asked)


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


class AttachmentMissing(LookupError):
    """The message has no attachment at that position, or the server gave no address for it."""


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """One author: their identity (None until known), their other identities (the same identity
    group: the same person on other channels), and their conversations, newest first."""

    identity_id: str
    identity: Identity | None
    others: tuple[Identity, ...]
    conversations: tuple[ThreadRow, ...]
