"""The channel sidebar: All, Unread, Needs reply, then each channel with its unread count.

While history is still being back-filled the counts are lower bounds and say so: ``34+``.

A handful of entries, so an ``OptionList`` suits it (the conversation list, which can hold
100,000 rows, is the one that must not mount a widget per row). Counts come from the engine's
channel rows (unread threads of the history horizon), so a refresh costs two small queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from rcinbox.inbox.types import UNKNOWN_CHANNEL, ChannelRow, ThreadFilter
from rcinbox.text import fit, visible
from rcinbox.tui.formatting import channel_label

ALL = "all"
UNREAD = "unread"
NEEDS_REPLY = "needs-reply"
# Not in the sidebar: the palette's "Show done/snoozed" shows this list.
TRIAGED = "triaged"
TRIAGED_ENTRY_LABEL = "Done & snoozed"


@dataclass(frozen=True)
class SidebarEntry:
    """One line of the sidebar: its key, its label and the threads it lists."""

    key: str
    label: str
    where: ThreadFilter


def channel_name(channel: ChannelRow, names: Mapping[str, str]) -> str:
    """The name the config gives the channel, else its type and a short id."""
    configured = names.get(channel.id)
    if configured:
        return visible(configured, multiline=False)
    if channel.id == UNKNOWN_CHANNEL:
        return "Unknown channel"
    return f"{channel_label(channel.type)} {visible(channel.id[-4:], multiline=False)}"


class ChannelSidebar(OptionList):
    # j/k as in the conversation list and view (the arrows are OptionList's own).
    BINDINGS = [
        Binding("j,down", "cursor_down", "Next channel", show=False, id="sidebar.down"),
        Binding("k,up", "cursor_up", "Previous channel", show=False, id="sidebar.up"),
    ]

    DEFAULT_CSS = """
    ChannelSidebar {
        width: 26;
        height: 1fr;
        border: none;
        padding: 0;
        background: $panel;
        /* OptionList draws a border when focused; that would narrow the labels fitted to the
           unfocused width and push the counts out of sight. The highlight shows focus instead. */
        &:focus { border: none; }
        & > .option-list--option { padding: 0 1; }
    }
    """

    class Chosen(Message):
        def __init__(self, entry: SidebarEntry) -> None:
            self.entry = entry
            super().__init__()

    def __init__(self, *, channel_names: Mapping[str, str], id: str | None = None) -> None:
        super().__init__(id=id)
        self._names = channel_names
        self._entries: list[SidebarEntry] = []
        self._counts: dict[str, int] = {}
        self._partial = False

    def update_channels(
        self,
        channels: list[ChannelRow],
        total_unread: int,
        *,
        partial: bool = False,
        needs_reply: int = 0,
    ) -> None:
        """Rebuild the entries, keeping the highlighted one highlighted; ``partial`` while the
        counts cover only part of the history (each count then reads ``N+``); ``needs_reply``:
        how many threads wait for an answer."""
        current = self.current_key
        entries = [
            SidebarEntry(ALL, "All", ThreadFilter()),
            SidebarEntry(UNREAD, "Unread", ThreadFilter(unread_only=True)),
            SidebarEntry(NEEDS_REPLY, "Needs reply", ThreadFilter(needs_reply=True)),
        ]
        counts = {ALL: total_unread, UNREAD: total_unread, NEEDS_REPLY: needs_reply}
        for channel in channels:
            key = f"channel:{channel.id}"
            entries.append(
                SidebarEntry(key, channel_name(channel, self._names), ThreadFilter(channel.id))
            )
            counts[key] = channel.unread_count
        self._counts = counts
        self._partial = partial
        self._entries = entries
        self._render_options()
        keys = [entry.key for entry in entries]
        self.highlighted = keys.index(current) if current in keys else 0

    def _render_options(self) -> None:
        current = self.highlighted
        # OptionList sizes prompts to their own width, so the label is fitted to ours here
        # (and again on resize) to keep the counts in one right-aligned column.
        width = max(self.scrollable_content_region.width - 2, 8)
        options = []
        for entry in self._entries:
            count = self._counts.get(entry.key, 0) if entry.key != ALL else 0
            count_text = f" {count}{'+' if self._partial else ''}" if count else ""
            label = Text(
                fit(entry.label, max(width - len(count_text), 1)),
                "bold" if count else "",
                end="",
            )
            label.append(count_text, "bold")
            options.append(Option(label, id=entry.key))
        self.set_options(options)
        if current is not None and current < len(options):
            self.highlighted = current

    def on_resize(self) -> None:
        if self._entries:
            self._render_options()

    @property
    def current_key(self) -> str | None:
        if self.highlighted is None or not self._entries:
            return None
        return self._entries[self.highlighted].key

    def entry(self, key: str) -> SidebarEntry | None:
        if key == TRIAGED:
            return SidebarEntry(TRIAGED, TRIAGED_ENTRY_LABEL, ThreadFilter(triaged=True))
        return next((e for e in self._entries if e.key == key), None)

    def choose(self, key: str) -> None:
        keys = [entry.key for entry in self._entries]
        if key in keys:
            self.highlighted = keys.index(key)
            self.post_message(self.Chosen(self._entries[self.highlighted]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self._entries[event.option_index]))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # Moving through the sidebar shows each channel at once; no need to press enter.
        event.stop()
        if self.has_focus:
            self.post_message(self.Chosen(self._entries[event.option_index]))
