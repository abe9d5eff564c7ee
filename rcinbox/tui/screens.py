"""Modal screens: the help generated from the bindings, a yes/no question, and the
log-in-again notice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from rcinbox.text import visible
from rcinbox.tui.keys import key_label
from rcinbox.tui.new_conversation import NewConversationScreen
from rcinbox.tui.widgets.composer import ReplyArea
from rcinbox.tui.widgets.conversation_list import ConversationList
from rcinbox.tui.widgets.conversation_view import ConversationView
from rcinbox.tui.widgets.customer_panel import CustomerPanel
from rcinbox.tui.widgets.sidebar import ChannelSidebar


def help_text(
    groups: Iterable[tuple[str, Iterable[BindingType]]], keymap: Mapping[str, str]
) -> Text:
    """One section per area, one line per binding, with the keys the keymap gives it."""
    text = Text(end="")
    for title, bindings in groups:
        text.append(f"{title}\n", "bold underline")
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = keymap.get(binding.id or "", binding.key)
            text.append(f"  {key_label(keys):<16}", "bold")
            text.append(binding.description)
            if binding.id:
                text.append(f"  ({binding.id})", "dim")
            text.append("\n")
        text.append("\n")
    text.append("Remap any key in config.toml under [keymap], by the id in brackets,\n", "dim")
    text.append('e.g.  "app.quit" = "ctrl+q"', "dim")
    return text


def inbox_help(app_bindings: Iterable[BindingType], keymap: Mapping[str, str]) -> Text:
    """The help's text: the app's own keys, then each area's."""
    groups = [
        ("Everywhere", app_bindings),
        ("Channel sidebar", ChannelSidebar.BINDINGS),
        ("Conversation list", ConversationList.BINDINGS),
        ("Conversation view", ConversationView.BINDINGS),
        ("Customer panel", CustomerPanel.BINDINGS),
        ("Composer", ReplyArea.BINDINGS),
        ("New conversation form", NewConversationScreen.BINDINGS),
        (
            "Command palette",
            [
                Binding(
                    "ctrl+p",
                    "command_palette",
                    "Jump to a thread, a channel or an action",
                    id="app.command_palette",
                )
            ],
        ),
    ]
    return help_text(groups, keymap)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 76; max-width: 100%; height: 80%; max-height: 100%;
        border: round $primary; background: $panel; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; margin: 0 0 1 0; }
    """

    def __init__(self, body: Text) -> None:
        super().__init__()
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("rcinbox keys  (esc closes)", end=""), id="help-title")
            with VerticalScroll():
                yield Static(self._body)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question (throwing a draft away, say); dismissed with True for yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 60; max-width: 100%; height: auto;
        border: round $warning; background: $panel; padding: 1 2;
    }
    ConfirmScreen #confirm-keys { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, question: str, *, yes: str, no: str) -> None:
        super().__init__()
        self._question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self._question, "bold", end=""))
            keys = Text(end="")
            keys.append("y", "bold")
            keys.append(f" {self._yes} · ")
            keys.append("n", "bold")
            keys.append(f" / esc {self._no}")
            yield Static(keys, id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class LoginRequiredScreen(ModalScreen[None]):
    """Shown instead of failing when the refresh token expired or was revoked."""

    BINDINGS = [Binding("q,escape", "app.quit", "Quit", id="login.quit")]

    DEFAULT_CSS = """
    LoginRequiredScreen { align: center middle; }
    LoginRequiredScreen > Vertical {
        width: 70; max-width: 100%; height: auto;
        border: thick $error; background: $panel; padding: 1 2;
    }
    """

    def __init__(self, message: str, profile: str) -> None:
        super().__init__()
        self._message = message
        self._profile = profile

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(login_required_text(self._message, self._profile))


def login_required_text(message: str, profile: str) -> Text:
    """Why the login ended (the server's words, shown as they are) and how to log in again."""
    text = Text(end="")
    text.append("Please log in again\n\n", "bold")
    text.append(visible(message, multiline=False) + "\n\n")
    text.append("Your drafts and queued replies are kept and will be sent after you log in.\n\n")
    text.append("Quit (q), then run:\n\n")
    login = "rcinbox login" + ("" if profile == "default" else f" --profile {profile}")
    text.append(f"    {visible(login, multiline=False)}\n", "bold")
    return text
