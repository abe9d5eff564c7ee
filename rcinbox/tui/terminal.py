"""What the terminal tells the app: keys in bursts, its size, whether it has focus.

A mixin of :class:`~rcinbox.tui.app.InboxApp`. The width decides the layout (below
:data:`NARROW` columns the list and the open conversation take turns), and width, focus and the
layout together decide which conversation the agent is looking at, which the engine keeps read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import App

from rcinbox.tui.widgets.composer import ReplyArea

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = App

# Below this width the panes take turns: the list, or the open conversation.
NARROW = 100


class TerminalEvents(_Base):
    """Key bursts split back into keys, the layout for the width, the conversation in view."""

    async def on_event(self, event: events.Event) -> None:
        # ESC then a letter in one burst (esc j typed fast, SSH or tmux batching them) reaches
        # Textual as one alt+letter key; in the composer that would type the letter and keep
        # focus. Split it back into what the agent pressed: esc leaves the composer, and the
        # letter acts where focus went. TextArea binds no alt+letter, so nothing is lost.
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and isinstance(self.focused, ReplyArea)
            and event.key.startswith("alt+")
            and event.character is not None
            and len(event.character) == 1
            and event.character.isprintable()
        ):
            await super().on_event(events.Key("escape", "\x1b"))
            await super().on_event(events.Key(event.key.removeprefix("alt+"), event.character))
            return
        await super().on_event(event)

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.main_screen.set_class(width < NARROW, "narrow")
        if self._inbox is not None:
            self._update_viewing()

    def _update_viewing(self) -> None:
        """Tell the engine which thread the agent sees: open, its pane shown (at 80 columns the
        list and the thread take turns), the terminal focused. That one stays read."""
        screen = self.main_screen
        shown = not screen.has_class("narrow") or screen.has_class("reading")
        thread = self._open_thread
        self.inbox.viewing(thread.id if thread is not None and shown and self._focused else None)

    def on_app_focus(self) -> None:
        self._focused = True
        if self._inbox is not None:
            self._update_viewing()

    def on_app_blur(self) -> None:
        self._focused = False
        if self._inbox is not None:
            self._update_viewing()

    def on_key(self) -> None:
        if self._inbox is not None:
            self._inbox.user_active()
