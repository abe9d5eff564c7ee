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
