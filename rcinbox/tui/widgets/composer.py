"""The composer: a multi-line reply with a counter against the channel's limit.

It only edits text and says what the agent wants (``Composer.Send``, ``Composer.Edited``);
the app writes drafts and queues replies through the engine, whose outbox sends them in the
background, so typing never waits on the network. ``ctrl+s`` and ``alt+enter`` send (a bare
``ctrl+enter`` does not reach the program in most terminals, and not at all over SSH).

The line above the text says which message the reply answers, or, where the engine's reply rule
allows none, why not (and sending is refused).

``ctrl+g`` hands the reply to the agent's editor and ``ctrl+o`` inserts a snippet (the app's
:mod:`rcinbox.tui.writing_actions`); a placeholder left in the text (``{first_name}`` that had no
value) is highlighted wherever it is, so it is seen before sending.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.scalar import Scalar
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Edit, EditResult

from rcinbox.config.snippets import PLACEHOLDER
from rcinbox.inbox.types import ReplyRules
from rcinbox.text import one_line

# How a placeholder still in the reply ({first_name} that had no value) stands out: colour, and
# bold underline for terminals without colour (NO_COLOR).
PLACEHOLDER_STYLE = Style(color="black", bgcolor="yellow", bold=True, underline=True)
_PLACEHOLDER_HIGHLIGHT = "rcinbox.placeholder"


class ReplyArea(TextArea):
    """The text box; its own bindings so a keymap can move them.

    The send keys are priority bindings: the app catches them as they arrive, in order with
    the keys typed before them; the send itself then waits for this widget's turn, after those
    keys (see ``InboxApp.action_send_reply``).
    """

    BINDINGS = [
        Binding("ctrl+s", "app.send_reply", "Send", priority=True, id="composer.send"),
        Binding(
            "alt+enter",
            "app.send_reply",
            "Send",
            show=False,
            priority=True,
            id="composer.send_alt",
        ),
        Binding("ctrl+t", "app.toggle_public", "Public/private", id="composer.visibility"),
        # A priority binding, so keys typed right after it in one burst reach the list.
        Binding("escape", "app.leave_composer", "Leave", priority=True, id="composer.leave"),
        # Neither is a TextArea key (the app leaves both free for these).
        Binding(
            "ctrl+g",
            "app.edit_in_editor",
            "Edit the reply in $VISUAL / $EDITOR",
            show=False,
            id="composer.editor",
        ),
        Binding(
            "ctrl+o", "app.insert_snippet", "Insert a snippet", show=False, id="composer.snippet"
        ),
    ]

    def __init__(self, *args: Any, on_edit: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_edit = on_edit

    def edit(self, edit: Edit) -> EditResult:
        result = super().edit(edit)
        # Told now, not through the Changed message handled after this frame: the counter is
        # then drawn in the same frame as the character, one burst to the terminal per key.
        self._on_edit()
        return result

    def _build_highlight_map(self) -> None:
        # No syntax here, so the map holds only the placeholders left in the reply. TextArea
        # (pinned) rebuilds it after every edit and measures columns in UTF-8 bytes.
        super()._build_highlight_map()
        for row, line in enumerate(self.document.lines):
            for match in PLACEHOLDER.finditer(line):
                start = len(line[: match.start()].encode("utf-8"))
                end = start + len(match.group(0).encode("utf-8"))
                self._highlights[row].append((start, end, _PLACEHOLDER_HIGHLIGHT))

    def _set_theme(self, theme: str) -> None:
        super()._set_theme(theme)
        # A copy of the theme's styles: the built-in theme objects are shared.
        styles = {**self._theme.syntax_styles, _PLACEHOLDER_HIGHLIGHT: PLACEHOLDER_STYLE}
        self._theme = dataclasses.replace(self._theme, syntax_styles=styles)

    async def action_undo(self) -> None:
        # ctrl+z: with nothing typed left to undo, the last thing the agent did was sending,
        # so the key takes that back (while the reply still waits out its undo window).
        if not self.text and not self.history.undo_stack:
            await self.run_action("app.undo_send")
        else:
            super().action_undo()


class Composer(Vertical):
    DEFAULT_CSS = """
    Composer {
        height: auto;
        max-height: 50%;
        border-top: solid $primary 50%;
        background: $surface;
        & > #reply-to {
            color: $text-muted; height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
        }
        & > #reply-to.blocked { color: $text-warning; height: auto; text-wrap: wrap; }
        & > ReplyArea { height: auto; min-height: 1; max-height: 12; border: none; padding: 0 1; }
        & > ReplyArea:focus { min-height: 3; }
        & > ReplyArea:focus { border: none; }
        & > Horizontal { height: 1; padding: 0 1; }
        & #counter { width: auto; color: $text-muted; text-align: right; }
        & #counter.over { color: $text-error; text-style: bold; }
        & #visibility { width: 1fr; color: $text-muted; }
        & #hint { width: auto; color: $text-muted; }
    }
    """

    public: reactive[bool | None] = reactive(None)

    class Edited(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # The engine's rules for the open thread (Inbox.reply_rules): shown here, enforced there.
        self._rules: ReplyRules = ReplyRules.of_channel(None)
        self._loading = False
        self._counter_words = ""

    def compose(self):
        yield Static(id="reply-to")
        area = ReplyArea(
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            on_edit=self._update_counter,
        )
        # A blinking cursor repaints twice a second: noise over SSH and in snapshots.
        area.cursor_blink = self.app.animation_level != "none"
        yield area
        with Horizontal():
            yield Static(id="visibility")
            yield Static(id="counter")
            yield Static(Text("  ctrl+s send · esc leave", end=""), id="hint")

    @property
    def area(self) -> ReplyArea:
        return self.query_one(ReplyArea)

    @property
    def text(self) -> str:
        return self.area.text

    @property
    def rules(self) -> ReplyRules:
        return self._rules

    def prepare(self, rules: ReplyRules, *, text: str, public: bool | None) -> None:
        """Set up for a thread: the engine's rules for it and its draft (the app sets the
        target). The draft's public/private choice holds where the channel offers one."""
        self._rules = rules
        self._loading = True
        self.area.load_text(text)
        self._loading = False
        self.area.move_cursor(self.area.document.end)
        self.public = rules.public(public if rules.has_private_choice else None)
        self._update_counter()
        self.watch_public(self.public)

    def set_target(self, description: str, *, blocked: bool = False) -> None:
        """What the reply answers ("Replying to …"), or why no reply can be sent here."""
        label = self.query_one("#reply-to", Static)
        label.update(Text(one_line(description, 300), end=""))
        label.set_class(blocked, "blocked")

    def replace_text(self, text: str) -> None:
        """The whole reply becomes ``text``, as one edit the agent can undo (ctrl+z)."""
        area = self.area
        area.replace(text, area.document.start, area.document.end)
        area.move_cursor(area.document.end)

    def insert_text(self, text: str) -> None:
        """``text`` in place of the selection, or at the cursor."""
        area = self.area
        start, end = sorted(area.selection)
        area.replace(text, start, end)

    def clear(self) -> None:
        self._loading = True
        self.area.load_text("")
        self._loading = False
        self._update_counter()

    def toggle_public(self) -> bool:
        """Switch public/private where the channel has both; False when it has not."""
        if not self._rules.has_private_choice:
            return False
        self.public = not self.public
        return True

    def watch_public(self, public: bool | None) -> None:
        if not self.is_mounted:
            return
        label = Text(end="")
        if self._rules.has_private_choice:
            label.append("public" if public else "private", "bold")
            label.append(" (ctrl+t)")
        else:
            label.append("public" if public else "private")
        self.query_one("#visibility", Static).update(label, layout=False)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._update_counter()
        if not self._loading:
            self.post_message(self.Edited(self.text))

    def _update_counter(self) -> None:
        # Called on every keystroke. A new layout (what Static.update asks for by default)
        # repaints every scroll bar on screen, so the counter is as wide as its longest
        # reading ("3,000/3,000") from the start and is drawn again only when it reads
        # otherwise: a key sends the character and the counter, nothing more.
        counter = self.query_one("#counter", Static)
        length = len(self.text)
        limit = self._rules.max_length
        widest = len(f"{limit:,}/{limit:,}")
        if counter.styles.width != Scalar.from_number(widest):
            counter.styles.width = widest
        words = f"{length:,}/{limit:,}"
        if words != self._counter_words:
            self._counter_words = words
            counter.update(Text(words, end=""), layout=False)
        counter.set_class(self._rules.too_long(self.text), "over")
