"""Which message a reply answers, and whether there is one: the reply rule, in one place.

A reply answers a content (``inReplyToContentId``). The server refuses to open a conversation on
an agent's message (EDI-013): in a conversation no customer has written in, nothing may be
answered. So:

* by default a reply answers the thread's newest customer message, never one of ours;
* the agent may choose another message: any customer message, or one of ours once a customer
  has written in the conversation;
* where no customer has written yet, no reply is possible, and :attr:`ReplyTarget.refusal` says
  why in the channel's own terms.

The UIs ask (:meth:`rcinbox.inbox.engine.Inbox.reply_target`) and show the answer; the engine's
``send`` applies the same rule and refuses with the same words. Never imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from rcinbox.api.channels import Initiation, channel_info
from rcinbox.api.models import Content
from rcinbox.inbox.store import Store


class ReplyRefused(ValueError):
    """No reply is possible in this thread (yet); the message says why, in plain words."""


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
