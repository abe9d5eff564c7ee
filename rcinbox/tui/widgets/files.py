"""Modal screens for attachments: choose one, watch a download, see where a file went.

Names are the server's: they pass through :func:`rcinbox.text.visible` into Rich ``Text``,
never markup. The saved file's path is also a terminal hyperlink (OSC 8, ``file://``), which a
terminal on the same machine opens with a click; over SSH it is the path to copy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from rcinbox.inbox.types import Attachment
from rcinbox.text import visible
from rcinbox.tui.formatting import human_size

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 95%; height: auto; max-height: 80%;
    border: round $accent; background: $panel; padding: 0 1;
}}
"""


def attachment_label(attachment: Attachment) -> Text:
    text = Text(visible(attachment.filename or attachment.id or "attachment", multiline=False))
    kind = visible(attachment.content_type or "unknown type", multiline=False)
    text.append(f" · {kind} · {human_size(attachment.size)}", "dim")
    return text


class AttachmentPicker(ModalScreen[int | None]):
    """Which of a message's attachments: its position, or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="files.close")]
    DEFAULT_CSS = _DIALOG_CSS.format(name="AttachmentPicker")

    def __init__(self, attachments: tuple[Attachment, ...], verb: str) -> None:
        super().__init__()
        self._attachments = attachments
        self._verb = verb

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self._verb} which attachment? (enter; esc closes)", "bold"))
            yield OptionList(*(Option(attachment_label(a)) for a in self._attachments))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)


class DownloadScreen(ModalScreen[None]):
    """A download under way: the file, a progress bar; esc cancels it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel download", id="files.cancel")]
    DEFAULT_CSS = _DIALOG_CSS.format(name="DownloadScreen")

    def __init__(self, attachment: Attachment, on_cancel: Callable[[], None]) -> None:
        super().__init__()
        self._attachment = attachment
        self._on_cancel = on_cancel

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Downloading ", "bold") + attachment_label(self._attachment))
            yield ProgressBar(total=self._attachment.size, show_eta=False)
            yield Static(Text("esc cancels", "dim"))

    def advance(self, received: int, total: int | None) -> None:
        if self.is_mounted:
            self.query_one(ProgressBar).update(total=total, progress=received)

    def action_cancel(self) -> None:
        self._on_cancel()
        self.dismiss()


class SavedFileScreen(ModalScreen[None]):
    """Where a file went, as a path and a ``file://`` hyperlink, and why it was not opened."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Close", id="files.done")]
    DEFAULT_CSS = _DIALOG_CSS.format(name="SavedFileScreen")

    def __init__(self, path: Path, why: str) -> None:
        super().__init__()
        self.path = path
        self._why = why

    def compose(self) -> ComposeResult:
        link = Text(visible(str(self.path), multiline=False), Style(link=self.path.as_uri()))
        with Vertical():
            yield Static(Text(self._why, "bold"))
            yield Static(Text("Saved at:", "dim"))
            yield Static(link, id="saved-path")
            yield Static(Text("enter or esc closes", "dim"))
