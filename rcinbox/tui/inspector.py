"""The raw JSON inspector: a content's record exactly as the server sent it.

For the agent (or whoever supports them) who needs what the screen leaves out: every field,
the older spellings a server still sends, ids to quote to RingCentral. The record comes from
the store through the facade (``Inbox.raw_content``) and is shown as JSON that parses back to
the same data, with the characters a terminal would act on written as JSON escapes
(:func:`rcinbox.text.json_text`); it is plain text in a read-only text area, never markup.
``y`` copies it (or the part selected), through the terminal's clipboard (OSC 52).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from rcinbox.text import one_line


class RawJsonScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("y", "copy", "Copy the JSON (or the selection)", id="inspector.copy"),
        Binding("escape,q", "dismiss", "Close", id="inspector.close"),
    ]

    DEFAULT_CSS = """
    RawJsonScreen { align: center middle; }
    RawJsonScreen > Vertical {
        width: 100; max-width: 100%; height: 90%;
        border: round $primary; background: $panel; padding: 0 1;
    }
    RawJsonScreen #raw-title { text-style: bold; }
    RawJsonScreen TextArea { height: 1fr; padding: 0; }
    RawJsonScreen TextArea, RawJsonScreen TextArea:focus { border: none; }
    RawJsonScreen #raw-keys { color: $text-muted; }
    """

    def __init__(self, title: str, json_text: str) -> None:
        super().__init__()
        self._title = title
        self.json_text = json_text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(one_line(self._title, 200), end=""), id="raw-title")
            area = TextArea(
                self.json_text,
                read_only=True,
                soft_wrap=True,
                show_line_numbers=False,
                id="raw-json",
            )
            area.cursor_blink = self.app.animation_level != "none"
            yield area
            keys = Text(end="")
            keys.append("y", "bold")
            keys.append(" copy · arrows / PgUp / PgDn scroll · shift+arrows select · ")
            keys.append("esc", "bold")
            keys.append(" close")
            yield Static(keys, id="raw-keys")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_copy(self) -> None:
        area = self.query_one(TextArea)
        text = area.selected_text or self.json_text
        self.app.copy_to_clipboard(text)
        what = "selection" if area.selected_text else "JSON"
        self.notify(f"Copied the {what} ({len(text):,} characters)", timeout=2)
