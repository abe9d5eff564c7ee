"""The facade's part about what may be written where: WhatsApp's free-text window, and new
conversations (a content that answers nothing).

:class:`~rcinbox.inbox.engine.Inbox` inherits these methods; the rules themselves are in
:mod:`rcinbox.inbox.replies`. A new conversation goes through the outbox like a reply: a durable
entry before the POST, sent once, looked for on the server after a lost answer. Never imports
Textual.
"""

from __future__ import annotations

from collections.abc import Callable

from rcinbox.inbox.outbox import Outbox
from rcinbox.inbox.replies import (
    FreeTextWindow,
    WindowClosed,
    can_start,
    check_start,
    thread_window,
)
from rcinbox.inbox.scheduler import Priority
from rcinbox.inbox.store import Store
from rcinbox.inbox.sync import Syncer
from rcinbox.inbox.types import ChannelRow, OutboxRow, TemplateMessage


class Conversations:
    """Needs ``store``, ``outbox``, ``syncer`` and ``_clock`` (the engine's), which the Inbox
    sets."""

    store: Store
    outbox: Outbox
    syncer: Syncer
    _clock: Callable[[], float]

    def free_text_window(self, thread_id: str) -> FreeTextWindow:
        """Whether free text may be sent in this thread now and for how long (WhatsApp's 24
        hours after the customer's newest message), on the engine's clock."""
        return thread_window(self.store, thread_id, self._clock())

    def check_window(self, thread_id: str) -> None:
        """:class:`WindowClosed` when free text may not be sent in this thread now."""
        window = self.free_text_window(thread_id)
        if not window.open:
            raise WindowClosed(window)

    async def complete_thread(self, thread_id: str) -> int:
        """Fetch a thread whole now (its newest customer message decides the window); returns
        how many contents the store did not have. Raises RCError when the server cannot."""
        return await self.syncer.complete_thread(thread_id, priority=Priority.USER)

    def customer_address(self, thread_id: str) -> str | None:
        """Where the thread's customer can be written to afresh (a new conversation's ``to``):
        their phone number, or email address on Email; None when their identity is not
        stored or has none."""
        thread = self.store.thread(thread_id)
        identity = (
            self.store.identity(thread.customer_id) if thread and thread.customer_id else None
        )
        if identity is None:
            return None
        if thread is not None and thread.channel_type == "Email":
            return identity.email_address
        return identity.mobile_phone or identity.home_phone

    def startable_channels(self) -> list[ChannelRow]:
        """The known channels where an agent may start a conversation."""
        return [row for row in self.store.channels() if can_start(row.type)]

    def channel_type(self, channel_id: str) -> str | None:
        """A stored channel's type (None: the store has seen nothing of it)."""
        return next((row.type for row in self.store.channels() if row.id == channel_id), None)

    def start_conversation(
        self,
        channel_id: str,
        body: str = "",
        *,
        to: tuple[str, ...] = (),
        title: str | None = None,
        template: TemplateMessage | None = None,
        channel_type: str | None = None,
    ) -> OutboxRow:
        """Queue a new conversation (durably, like a reply; the outbox worker sends it once).

        ``channel_type`` when the store does not know the channel yet. :class:`StartRefused`
        when the channel's rules refuse it; the server judges recipients and subjects.
        """
        channel_type = self.channel_type(channel_id) or channel_type
        check_start(channel_type, body, template=template is not None)
        return self.outbox.enqueue_start(
            channel_id=channel_id,
            channel_type=channel_type,
            body=body,
            to=to,
            title=title or None,
            template=template,
        )
