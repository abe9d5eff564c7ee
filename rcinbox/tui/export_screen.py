"""The question ``E`` asks before exporting the open conversation: which format.

The export itself (what it holds, how customer text is kept inert) is :mod:`rcinbox.export`'s,
shared with ``rcinbox export``; this only asks, and says where the file will go.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from rcinbox.text import one_line

CHOICES = (
    ("m", "md", "Markdown"),
    ("j", "json", "JSON (with the server's records)"),
    ("t", "txt", "plain text"),
)


class ExportScreen(ModalScreen[str | None]):
    """Dismissed with "md", "json" or "txt", or None."""

    BINDINGS = [
        Binding("m,enter", "choose('md')", "Markdown", id="export.md"),
        Binding("j", "choose('json')", "JSON", id="export.json"),
        Binding("t", "choose('txt')", "Plain text", id="export.txt"),
        Binding("escape,q", "choose(None)", "Cancel", id="export.cancel"),
    ]

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: round $primary; background: $panel; padding: 1 2;
    }
    ExportScreen #export-where { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self._directory = directory

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Export this conversation as", "bold", end=""))
            choices = Text(end="")
            for key, _, label in CHOICES:
                choices.append(f"\n  {key}", "bold")
                choices.append(f"  {label}")
            choices.append("\n  esc", "bold")
            choices.append(" cancel")
            yield Static(choices)
            where = f"Saved in {one_line(str(self._directory), 50)}, readable by you only."
            yield Static(Text(where, end=""), id="export-where")

    def action_choose(self, fmt: str | None) -> None:
        self.dismiss(fmt)
