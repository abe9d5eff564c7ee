"""One line above the conversation list naming the channel it shows, and the filter.

At 80 columns the sidebar is hidden, so a channel chosen from the palette would narrow the list
with nothing on screen to say so. This line says it at every width: "WhatsApp 63ca · filter:
backpack". On All it is hidden: a filter there is already in its own box above the list.

The filter text is the agent's, and channel names come from config or the server: both pass
through :func:`rcinbox.text.visible` and are fitted to the width, never drawn past it.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from rcinbox.text import visible


class ScopeLine(Static):
    DEFAULT_CSS = """
    ScopeLine {
        display: none;
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ScopeLine.shown { display: block; }
    """

    def show_scope(self, channel: str | None, search: str | None, note: str | None = None) -> None:
        """``channel``: the sidebar entry's label (None for All); ``search``: the filter text;
        ``note``: the app's words on the search ("3 more from the server"), shown on All too."""
        text = Text(end="", no_wrap=True, overflow="ellipsis")
        if channel:
            text.append(visible(channel, multiline=False), "bold")
        if search:
            if channel:
                text.append(" · ")
            if note:
                # First: the filter's text is in its own box just above, the note is news.
                text.append(f"{note} · ")
            text.append("filter: ")
            text.append(visible(search, multiline=False), "bold")
            text.append(" · esc clears", "dim")
        self.update(text)
        self.set_class(bool(channel) or bool(search and note), "shown")
