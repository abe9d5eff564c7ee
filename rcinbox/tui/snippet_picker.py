"""ctrl+o in the composer: pick a reply snippet by typing part of its name.

Names are matched with Textual's fuzzy matcher (as the command palette matches), best first;
the preview shows the highlighted snippet as it would go in, placeholders filled for this
conversation and those that cannot be filled marked. Snippet names and texts are the agent's
files, shown as plain text (never as markup) through the one sanitiser.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from rcinbox.config.snippets import PLACEHOLDER, Snippet, fill
from rcinbox.text import one_line, visible
from rcinbox.tui.widgets.composer import PLACEHOLDER_STYLE

# Lines of a snippet the preview shows.
PREVIEW_LINES = 8


class SnippetPicker(ModalScreen[Snippet | None]):
    """Dismissed with the chosen snippet, its placeholders filled, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="snippets.close"),
        Binding("down", "move(1)", "Next", show=False, id="snippets.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="snippets.up"),
    ]

    DEFAULT_CSS = """
    SnippetPicker { align: center middle; }
    SnippetPicker > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $panel; padding: 0 1;
    }
    SnippetPicker #snippet-title { text-style: bold; }
    SnippetPicker Input { margin: 1 0 0 0; }
    SnippetPicker OptionList { height: auto; max-height: 10; border: none; padding: 0; }
    SnippetPicker #snippet-preview {
        height: auto; max-height: 10; border-top: solid $primary 50%; color: $text-muted;
    }
    """

    def __init__(self, snippets: list[Snippet], values: Mapping[str, str | None]) -> None:
        super().__init__()
        self._snippets = snippets
        self._values = values
        self._shown: list[Snippet] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text(end="")
            title.append("Insert a snippet", "bold")
            title.append("  (type to filter · enter inserts · esc closes)", "dim")
            yield Static(title, id="snippet-title")
            search = Input(placeholder="Snippet name", id="snippet-search")
            search.cursor_blink = self.app.animation_level != "none"
            yield search
            yield OptionList(id="snippet-list")
            yield Static(id="snippet-preview")

    def on_mount(self) -> None:
        self._show("")
        self.query_one(Input).focus()

    @on(Input.Changed, "#snippet-search")
    def _search(self, event: Input.Changed) -> None:
        self._show(event.value.strip())

    def _show(self, query: str) -> None:
        matcher = Matcher(query)
        if query:
            scored = [(matcher.match(s.name), s) for s in self._snippets]
            ranked = sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1].name))
            self._shown = [snippet for _, snippet in ranked]
        else:
            self._shown = list(self._snippets)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(self._label(matcher, snippet.name), id=str(index))
            for index, snippet in enumerate(self._shown)
        )
        if self._shown:
            options.highlighted = 0
        else:
            self.query_one("#snippet-preview", Static).update(
                Text("No snippet matches." if query else "No snippets yet.", end="")
            )

    @staticmethod
    def _label(matcher: Matcher, name: str) -> Text:
        """The name with the matched letters marked (Matcher.highlight would read the name as
        markup, and a file name is no place for that)."""
        label = Text(one_line(name, 70), end="")
        if matcher.query:
            _, offsets = matcher.fuzzy_search.match(matcher.query, label.plain)
            for offset in offsets:
                label.stylize("bold reverse", offset, offset + 1)
        return label

    @on(OptionList.OptionHighlighted)
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        snippet = self._chosen(event.option_index)
        if snippet is None:
            return
        filled = visible(fill(snippet.text, self._values))
        lines = filled.split("\n")
        preview = Text("\n".join(lines[:PREVIEW_LINES]), end="")
        if len(lines) > PREVIEW_LINES:
            preview.append(f"\n… {len(lines) - PREVIEW_LINES} more lines", "italic")
        for match in PLACEHOLDER.finditer(preview.plain):
            preview.stylize(PLACEHOLDER_STYLE, match.start(), match.end())
        self.query_one("#snippet-preview", Static).update(preview)

    def _chosen(self, index: int | None) -> Snippet | None:
        if index is None or not 0 <= index < len(self._shown):
            return None
        return self._shown[index]

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(Input.Submitted, "#snippet-search")
    def _submitted(self) -> None:
        self._insert(self.query_one(OptionList).highlighted)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._insert(event.option_index)

    def _insert(self, index: int | None) -> None:
        snippet = self._chosen(index)
        if snippet is not None:
            self.dismiss(Snippet(snippet.name, fill(snippet.text, self._values)))
