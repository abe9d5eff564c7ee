"""The customer panel (``i``): who wrote, as whom else, and where else, one key from each.

Docked at the right of the screen. It shows a :class:`~rcinbox.inbox.types.CustomerProfile`: the
author's identity (display and screen name, phone, email, company, channel, avatar address), the
other identities of the same identity group (the same person on other channels), and the
customer's conversations on every channel, newest first. A conversation opens with enter, or
with its number (1 to 9) at once.

Everything shown is the server's text: it passes through :func:`rcinbox.text.visible` into Rich
``Text``, never markup. The panel only shows what it is given and says what was picked
(:class:`CustomerPanel.ConversationChosen`); the app loads the profile and opens threads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from rcinbox.inbox.types import CustomerProfile, Identity, ThreadRow
from rcinbox.text import one_line, visible
from rcinbox.tui.formatting import channel_label, full_time, short_id

# Conversations that get a number key.
NUMBERED = 9


class CustomerPanel(Vertical, can_focus=False):
    """The author's identity, their other identities and their conversations."""

    BINDINGS = [
        Binding("i,escape", "app.toggle_customer", "Close the panel", id="customer.close"),
        Binding(
            "1",
            "pick(0)",
            "Open conversation 1 (2 to 9: the others)",
            show=False,
            id="customer.pick1",
        ),
        *(
            Binding(str(n), f"pick({n - 1})", "", show=False, id=f"customer.pick{n}")
            for n in range(2, NUMBERED + 1)
        ),
    ]

    DEFAULT_CSS = """
    CustomerPanel {
        dock: right;
        width: 46;
        height: 1fr;
        display: none;
        background: $panel;
        border-left: solid $accent;
        padding: 0 1;
        &.shown { display: block; }
        & > #customer-identity { height: auto; }
        & > #customer-others { height: auto; margin-top: 1; }
        & > #customer-conversations-title { margin-top: 1; color: $text-muted; }
        & > OptionList { height: 1fr; border: none; padding: 0; }
    }
    """

    class ConversationChosen(Message):
        """The agent picked one of the customer's conversations."""

        def __init__(self, thread_id: str) -> None:
            self.thread_id = thread_id
            super().__init__()

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._threads: list[ThreadRow] = []
        self.profile: CustomerProfile | None = None

    def compose(self):
        yield Static(id="customer-identity")
        yield Static(id="customer-others")
        yield Static(Text("Conversations"), id="customer-conversations-title")
        yield OptionList(id="customer-conversations")

    @property
    def conversations(self) -> OptionList:
        return self.query_one("#customer-conversations", OptionList)

    def show(self, profile: CustomerProfile, *, loading: bool, open_thread: str | None) -> None:
        """Show ``profile``; ``loading`` says the server is still being asked."""
        self.profile = profile
        self.query_one("#customer-identity", Static).update(_identity_text(profile, loading))
        self.query_one("#customer-others", Static).update(_others_text(profile.others))
        self._threads = list(profile.conversations)
        options = self.conversations
        highlighted = options.highlighted
        options.clear_options()
        now = self._clock()
        options.add_options(
            Option(_thread_label(n, row, now, row.id == open_thread), id=row.id)
            for n, row in enumerate(self._threads, 1)
        )
        if not self._threads:
            options.add_option(Option(Text("None stored", "dim"), disabled=True))
        elif highlighted is not None and highlighted < len(self._threads):
            options.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.ConversationChosen(event.option.id))

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self._threads):
            self.post_message(self.ConversationChosen(self._threads[index].id))


def _line(text: Text, label: str, value: str | None) -> None:
    if value:
        text.append(f"\n{label:<8}", "dim")
        text.append(visible(value, multiline=False))


def _identity_text(profile: CustomerProfile, loading: bool) -> Text:
    identity = profile.identity
    text = Text(end="")
    if identity is None:
        text.append(short_id(profile.identity_id), "bold")
        text.append("\nasking the server…" if loading else "\nnot known yet", "dim")
        return text
    text.append(visible(identity.display_label, multiline=False), "bold")
    text.append(" · agent" if identity.is_agent else " · customer", "dim")
    _line(text, "Name", identity.display_name)
    _line(text, "Screen", identity.screen_name)
    _line(text, "Phone", identity.mobile_phone or identity.home_phone)
    _line(text, "Email", identity.email_address)
    _line(text, "Company", identity.company)
    _line(text, "Channel", channel_label(identity.type) if identity.type else None)
    _line(text, "Avatar", identity.avatar_uri)
    if loading:
        text.append("\nasking the server…", "dim")
    return text


def _others_text(others: tuple[Identity, ...]) -> Text:
    if not others:
        return Text("No other identity known", "dim", end="")
    text = Text("Also known as", "dim", end="")
    for other in others:
        text.append(f"\n• {channel_label(other.type)} ", "dim")
        text.append(visible(other.display_label, multiline=False))
        contact = other.mobile_phone or other.email_address or other.screen_name
        if contact and contact != other.display_label:
            text.append(f" · {visible(contact, multiline=False)}", "dim")
    return text


def _thread_label(number: int, row: ThreadRow, now: datetime, is_open: bool) -> Text:
    text = Text(f"{number} " if number <= NUMBERED else "  ", "bold", end="")
    text.append(channel_label(row.channel_type))
    text.append(f" · {full_time(row.latest_at, now)}", "dim")
    if is_open:
        text.append(" · open", "bold")
    text.append(f"\n  {one_line(row.preview, 38)}", "dim")
    return text
