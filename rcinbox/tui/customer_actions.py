"""``i``: the customer panel for the message (or conversation) in front of the agent.

A mixin of :class:`~rcinbox.tui.app.InboxApp`. Whose profile: the selected message's author when
a customer wrote it; otherwise the open conversation's customer; with no conversation open, the
customer of the conversation highlighted in the list. The panel shows what the store knows at
once, then what the server says (:meth:`Inbox.load_customer`), and a conversation picked in it
opens like one picked in the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from rcinbox.tui.widgets.customer_panel import CustomerPanel

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = object


class CustomerActions(_Base):
    """Toggle the customer panel; open a conversation picked in it."""

    @property
    def customer_panel(self) -> CustomerPanel:
        return self.query_one(CustomerPanel)

    def action_toggle_customer(self) -> None:
        if len(self.screen_stack) > 1:
            return  # a dialog (help, a picker) is in front
        panel = self.customer_panel
        if panel.has_class("shown"):
            self._hide_customer()
            self._focus_now(self.view if self._open_thread is not None else self.conversation_list)
            return
        identity_id = self._customer_in_front()
        if identity_id is None:
            self.notify("No customer to show here.", timeout=3)
            return
        panel.add_class("shown")
        # The panel takes the list's place; the conversation keeps its width.
        self.main_screen.add_class("customer-open")
        open_id = self._open_thread.id if self._open_thread else None
        panel.show(self.inbox.customer(identity_id), loading=True, open_thread=open_id)
        self._focus_now(panel.conversations)
        self._load_customer(identity_id)

    def _customer_in_front(self) -> str | None:
        thread = self._open_thread
        if thread is None:
            row = self.conversation_list.selected
            return row.customer_id if row is not None else None
        item = self.view.selected_item
        content = item.content if item is not None else None
        if content is not None and content.author_identity_id:
            author = content.author_identity_id
            if content.is_incoming and not self.inbox.is_own(author):
                return author
        return thread.customer_id

    @work(exclusive=True, group="customer", exit_on_error=False)
    async def _load_customer(self, identity_id: str) -> None:
        profile = await self.inbox.load_customer(identity_id)
        panel = self.customer_panel
        if panel.has_class("shown") and panel.profile and panel.profile.identity_id == identity_id:
            open_id = self._open_thread.id if self._open_thread else None
            panel.show(profile, loading=False, open_thread=open_id)

    def on_customer_panel_conversation_chosen(
        self, message: CustomerPanel.ConversationChosen
    ) -> None:
        self.conversation_list.select_thread(message.thread_id)
        self.open_thread(message.thread_id)
        self._hide_customer()
        self._focus_now(self.view)

    def _hide_customer(self) -> None:
        self.customer_panel.remove_class("shown")
        self.main_screen.remove_class("customer-open")
