"""Which message a reply answers, and whether there is one: the reply rule, in one place.

A reply answers a content (``inReplyToContentId``). The server refuses to open a conversation on
an agent's message (EDI-013): in a conversation no customer has written in, nothing may be
answered. So:

* by default a reply answers the thread's newest customer message, never one of ours;
* the agent may choose another message: any customer message, or one of ours once a customer
  has written in the conversation;
* where no customer has written yet, no reply is possible, and :attr:`ReplyTarget.refusal` says
  why in the channel's own terms.

The UIs ask (:meth:`rcinbox.inbox.engine.Inbox.reply_target`, :meth:`~rcinbox.inbox.engine.
Inbox.reply_rules`) and show the answer; the engine's ``send`` applies the same rules
(:func:`enforce`) and refuses with the same words. The channel's own rules (its length limit,
public or private) are :class:`~rcinbox.inbox.types.ReplyRules`. Never imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from rcinbox.api.channels import Initiation, channel_info
from rcinbox.api.models import Content
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import ReplyRefused as ReplyRefused
from rcinbox.inbox.types import ReplyRules


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """The message a reply would answer, or why there is none."""

    content: Content | None
    chosen: bool = False  # the agent picked it (else it is the default)
    refusal: str | None = None

    @property
    def content_id(self) -> str | None:
        return self.content.id if self.content is not None else None

    @property
    def possible(self) -> bool:
        return self.content is not None and self.refusal is None


def reply_target(store: Store, thread_id: str, chosen: str | None = None) -> ReplyTarget:
    """What a reply in ``thread_id`` answers: ``chosen`` when the rule allows it, else the
    newest customer message, else nothing (with the refusal in words)."""
    thread = store.thread(thread_id)
    if thread is None:
        return ReplyTarget(None, refusal="This conversation is not stored here yet.")
    customer_wrote = thread.latest_inbound_id is not None
    content = store.content(chosen) if chosen else None
    if (
        content is not None
        and (content.thread_id or content.id) == thread_id
        and (content.is_incoming or customer_wrote)
    ):
        return ReplyTarget(content, chosen=True)
    if customer_wrote:
        content = store.content(thread.latest_inbound_id or "")
        if content is not None:
            return ReplyTarget(content)
    return ReplyTarget(None, refusal=no_customer_message(thread.channel_type))


def reply_rules(store: Store, thread_id: str, chosen: str | None = None) -> ReplyRules:
    """The rules a reply in ``thread_id`` (answering ``chosen``, or the default) must keep."""
    return _rules(store, thread_id, reply_target(store, thread_id, chosen))


def enforce(
    store: Store, thread_id: str, body: str, chosen: str | None, public: bool | None
) -> tuple[Content, bool]:
    """What a reply with ``body`` answers, and whether it goes out publicly; a reply that breaks
    a rule is refused (:class:`~rcinbox.inbox.types.ReplyRefused`, or one of its kinds) before
    anything is queued."""
    target = reply_target(store, thread_id, chosen)
    rules = _rules(store, thread_id, target)
    if target.content is not None and chosen and target.content_id != chosen:
        # Never a reply to another message than the one the agent chose.
        raise ReplyRefused("The chosen message is not one of this conversation's.")
    public = rules.check(body, public)
    assert target.content is not None  # else the rules refused the reply
    return target.content, public


def _rules(store: Store, thread_id: str, target: ReplyTarget) -> ReplyRules:
    """The thread's channel rules, with whether a reply may be sent there now.

    ``refusal`` is the one place that says whether a reply may be sent in the thread now:
    every rule that can forbid one is a check here, in order. Today that is the reply target
    rule (a customer message to answer); a rule bound to time, such as WhatsApp's 24 hours
    after the customer's last message, is another check here, and the UIs and ``send`` follow
    it without a change of theirs.
    """
    thread = store.thread(thread_id)
    content = target.content
    channel_type = thread.channel_type if thread is not None else None
    if channel_type is None and content is not None:
        channel_type = content.channel_type
    refusal = None
    if content is None:
        refusal = target.refusal or "There is no message to answer here."
    return ReplyRules.of_channel(
        channel_type, in_kind=content.public if content is not None else None, refusal=refusal
    )


def no_customer_message(channel_type: str | None) -> str:
    """Why nothing can be answered in a conversation no customer has written in."""
    info = channel_info(channel_type)
    if info.initiation is Initiation.PUBLIC_POST:
        return (
            f"Nobody has answered this post yet. On {info.label} a reply answers a customer's"
            " comment, not your own post."
        )
    if info.initiation is Initiation.TEMPLATE:
        return (
            f"The customer has not written back yet. On {info.label} only an approved template"
            " may write first; you can reply once they answer."
        )
    if info.initiation is Initiation.RECIPIENT:
        return (
            f"The customer has not answered yet. On {info.label} a reply answers the customer's"
            " message, not your own; you can reply once they write."
        )
    return (
        f"No customer has written here yet. On {info.label} only customers start"
        " conversations; you can reply once they write."
    )


# ---------------------------------------------------------------------- the free-text window


class WindowClosed(ReplyRefused):
    """Free text is refused: the channel's window after the customer's last message is over."""

    def __init__(self, window: FreeTextWindow) -> None:
        self.window = window
        super().__init__(window.refusal())


@dataclass(frozen=True, slots=True)
class FreeTextWindow:
    """Whether free text may be sent in a thread now, and for how long (WhatsApp's 24 hours
    after the customer's newest message; outside it only an approved template may be sent).

    ``closes_at`` and ``now`` are seconds since the epoch on the engine's clock; ``closes_at``
    is None when the channel has no window or no customer has written.
    """

    channel_label: str
    limited: bool
    closes_at: float | None
    now: float

    @property
    def open(self) -> bool:
        if not self.limited:
            return True
        return self.closes_at is not None and self.now < self.closes_at

    @property
    def remaining(self) -> float:
        """Seconds of free text left (0 when closed; infinite when the channel has no window)."""
        if not self.limited:
            return float("inf")
        return max(0.0, (self.closes_at or self.now) - self.now)

    def status(self) -> str | None:
        """One line for a thread's header ("window closes in 3 h 12 min"), None without a
        window."""
        if not self.limited:
            return None
        if self.open:
            return f"window closes in {duration(self.remaining)}"
        return "closed: send a template"

    def refusal(self) -> str:
        """Why free text is refused now, in plain words."""
        if self.closes_at is None:
            why = "no customer has written in this conversation"
        else:
            why = f"that window closed {duration(self.now - self.closes_at)} ago"
        return (
            f"{self.channel_label} allows free text only within 24 hours of the customer's"
            f" last message, and {why}: only an approved template can be sent"
        )


def free_text_window(
    channel_type: str | None, newest_customer_at: float | None, now: float
) -> FreeTextWindow:
    """The window rule: open until ``free_text_window`` seconds after the customer's newest
    message (closed at that very moment), on channels that have one; always open elsewhere."""
    info = channel_info(channel_type)
    if info.free_text_window is None:
        return FreeTextWindow(info.label, False, None, now)
    closes = None if newest_customer_at is None else newest_customer_at + info.free_text_window
    return FreeTextWindow(info.label, True, closes, now)


def thread_window(store: Store, thread_id: str, now: float) -> FreeTextWindow:
    """The window of a stored thread, from its newest customer message."""
    thread = store.thread(thread_id)
    if thread is None:
        return free_text_window(None, None, now)
    newest = store.content(thread.latest_inbound_id) if thread.latest_inbound_id else None
    moment = newest.creation_time.timestamp() if newest and newest.creation_time else None
    return free_text_window(thread.channel_type, moment, now)


def duration(seconds: float) -> str:
    """``3 h 12 min``, ``42 min``, ``less than a minute``; whole days past two days."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


# ---------------------------------------------------------------------- new conversations


class StartRefused(ValueError):
    """The channel does not let this new conversation start; the message says why."""


def can_start(channel_type: str | None) -> bool:
    """Whether an agent may start a conversation on this channel type."""
    return channel_info(channel_type).can_initiate


def check_start(channel_type: str | None, body: str, *, template: bool) -> None:
    """What the channel table tells for sure about a new conversation, before it is queued:
    the channel allows starting one, a template only on WhatsApp and there always, a message
    within the channel's length. Recipients and subjects are the server's to judge (its
    refusal names the missing parameter). An unknown channel type is left to the server."""
    if channel_type is None:
        return
    info = channel_info(channel_type)
    if not info.can_initiate:
        raise StartRefused(
            f"{info.label} does not let agents start conversations: only customers do"
        )
    if template and info.initiation is not Initiation.TEMPLATE:
        raise StartRefused(f"{info.label} has no message templates: they are WhatsApp's")
    if not template and info.initiation is Initiation.TEMPLATE:
        raise StartRefused(f"on {info.label} a new conversation starts with an approved template")
    if not template and not body.strip():
        raise StartRefused("the message is empty")
    if len(body) > info.max_body:
        raise StartRefused(
            f"the message has {len(body)} characters; {info.label} allows {info.max_body}"
        )


def reply_title(channel_type: str | None, subject: str | None) -> str | None:
    """An email reply keeps the conversation's subject, as "Re: subject" (once)."""
    if channel_type != "Email" or not subject or not subject.strip():
        return None
    subject = subject.strip()
    return subject if subject[:3].casefold() == "re:" else f"Re: {subject}"
