"""The conversation list: one two-line row per thread, drawn with Textual's line API.

Textual's list-view widget mounts a widget per row and slows to a crawl at a few thousand
threads. This widget mounts nothing per row: it asks the engine for the window of rows on
screen (the store answers from an index, in about a millisecond), renders only the lines
Textual asks for, and keeps a small cache of rows and rendered lines. Its cost follows the
viewport, not the inbox.

When the view comes within a screen of the end of what the store holds, it posts
:class:`ConversationList.MoreWanted` so that the app fetches older pages, and shows a loading
row meanwhile. A refresh (new arrivals, read marks, names) keeps the selected thread selected
and on the same screen line.

Customer text reaches the screen only through :func:`rcinbox.text.visible` and Rich ``Text``
objects built with ``append`` (never markup), so a hostile preview stays inert.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from rcinbox.inbox.types import ReplyState, ThreadRow
from rcinbox.text import flat, visible
from rcinbox.tui.formatting import (
    NO_CUSTOMER_TITLE,
    channel_label,
    relative_time,
    reply_state_label,
    short_id,
)

ROW_HEIGHT = 2
# Rows fetched per store query: a screen or two, aligned so neighbours share a query.
CHUNK = 64


@dataclass(frozen=True)
class ListSource:
    """Where rows come from: a count and a window function (a filter, or search results)."""

    key: str
    count: Callable[[], int]
    window: Callable[[int, int], list[ThreadRow]]
    position: Callable[[str], int | None]
    # False once the server has nothing older for this listing.
    more_on_server: bool = True
    # One channel's threads: its name is in the sidebar, so rows leave it out for the names.
    one_channel: bool = False
    # A few words a row shows on its second line instead of its reply state ("waiting 3 h",
    # "found on the server"), or None; the app's words, never customer text.
    note: Callable[[ThreadRow], str | None] | None = None


class ConversationList(ScrollView, can_focus=True):
    """A lazily paginated list of threads."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("g,home", "first", "First", show=False, id="list.first"),
        Binding("G,end", "last", "Last", show=False, id="list.last"),
        Binding("enter", "open", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES = {
        "conversation-list--cursor",
        "conversation-list--unread",
        "conversation-list--name",
        "conversation-list--dim",
        "conversation-list--failed",
        "conversation-list--loading",
    }

    DEFAULT_CSS = """
    ConversationList {
        background: $surface;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        & > .conversation-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .conversation-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .conversation-list--unread { color: $accent; text-style: bold; }
        & > .conversation-list--name { text-style: bold; }
        & > .conversation-list--dim { color: $text-muted; }
        & > .conversation-list--failed { color: $text-error; text-style: bold; }
        & > .conversation-list--loading { color: $text-muted; text-style: italic; }
    }
    """

    cursor = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        def __init__(self, thread: ThreadRow | None) -> None:
            self.thread = thread
            super().__init__()

    class Opened(Message):
        def __init__(self, thread: ThreadRow) -> None:
            self.thread = thread
            super().__init__()

    class MoreWanted(Message):
        """The view nears the end of what the store holds: fetch older threads."""

        def __init__(self, source_key: str, rows: int) -> None:
            self.source_key = source_key
            self.rows = rows
            super().__init__()

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        name_of: Callable[[str | None], str | None],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._name_of = name_of
        self._source: ListSource | None = None
        self._total = 0
        self._rows: OrderedDict[int, ThreadRow] = OrderedDict()
        self._lines: OrderedDict[tuple, Strip] = OrderedDict()
        self._loading = False
        self._selected_id: str | None = None
        self._asked_for: int = -1
        self._reloaded_in = ""  # the minute of the last reload (see _now_bucket)
        self.empty_text = "No conversations here."

    # ------------------------------------------------------------------ data

    @property
    def source(self) -> ListSource | None:
        return self._source

    @property
    def selected(self) -> ThreadRow | None:
        return self._row(self.cursor) if self._total else None

    @property
    def total(self) -> int:
        return self._total

    @property
    def loading_older(self) -> bool:
        """Older conversations are being fetched ("Loading older conversations…" below the
        rows). Not ``loading``: Textual counts a widget whose ``loading`` is true as unfocused,
        and the keys would stop moving the list while a slow server answered."""
        return self._loading

    def set_source(self, source: ListSource) -> None:
        """Show another listing, from its top."""
        self._source = source
        self._selected_id = None
        self._asked_for = -1
        self._loading = False
        self._reload(keep_selection=False)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = 0
        self._announce()
        self._check_more()

    def update_source(self, source: ListSource) -> None:
        """The same listing with new contents (search results again): keep the selection."""
        self._source = source
        self._reload(keep_selection=True)

    def set_loading(self, loading: bool, *, more_on_server: bool | None = None) -> None:
        if self._source is not None and more_on_server is not None:
            self._source = dataclasses.replace(self._source, more_on_server=more_on_server)
        self._loading = loading
        self._update_virtual_size()
        self._lines.clear()
        self.refresh()
        if not loading:
            self._check_more()

    def refresh_rows(self) -> None:
        """The data changed (arrivals, read marks, reply states): redraw, keeping the selection
        on the same thread and that thread on the same screen line."""
        self._reload(keep_selection=True)

    def names_changed(self) -> None:
        """Names arrived: only the rendered lines are stale, the rows are not."""
        self._lines.clear()
        self.refresh()

    def select_thread(self, thread_id: str) -> bool:
        if self._source is None:
            return False
        position = self._source.position(thread_id)
        if position is None:
            return False
        self.cursor = position
        return True

    def _reload(self, *, keep_selection: bool) -> None:
        old_cursor = self.cursor
        old_scroll = round(self.scroll_y)
        old_offset = old_cursor * ROW_HEIGHT - old_scroll
        old_total = self._total
        shown = {index: self._rows.get(index) for index in self._visible_indexes()}
        self._rows.clear()
        self._total = self._source.count() if self._source else 0
        new_cursor = old_cursor
        if keep_selection and self._selected_id and self._source is not None:
            position = self._source.position(self._selected_id)
            if position is not None:
                new_cursor = position
        new_cursor = max(0, min(new_cursor, self._total - 1)) if self._total else 0
        self._update_virtual_size()
        at_top = round(self.scroll_y) == 0
        if keep_selection and new_cursor != old_cursor and not at_top:
            # Rows arrived above: scroll by as much, so nothing under the agent's eyes moves.
            # At the very top the agent is watching for arrivals: those stay in sight, and the
            # selection (the same thread still) moves down with its row.
            self.scroll_to(
                y=max(0, new_cursor * ROW_HEIGHT - old_offset), animate=False, immediate=True
            )
        self.set_reactive(ConversationList.cursor, new_cursor)
        self._remember_selection()
        minute, self._reloaded_in = self._reloaded_in, self._now_bucket()
        if round(self.scroll_y) != old_scroll or not keep_selection or minute != self._reloaded_in:
            # Another listing, rows arrived above and the view scrolled, or a minute passed
            # and every row's "4m" may read otherwise: all of it is drawn again.
            self.refresh()
            return
        # Only rows whose data or selection changed are drawn again: a poll that changed one
        # thread sends that row's two lines to the terminal, not the whole list.
        for index, before in shown.items():
            selection_moved = (index == old_cursor) != (index == new_cursor)
            status_row_moved = index >= min(old_total, self._total)
            if selection_moved or status_row_moved or before != self._row(index):
                self._refresh_row(index)

    def _visible_indexes(self) -> range:
        top = round(self.scroll_y) // ROW_HEIGHT
        rows = -(-self.scrollable_content_region.height // ROW_HEIGHT) + 1
        return range(top, top + rows)

    def _refresh_row(self, index: int) -> None:
        self.refresh_lines(index * ROW_HEIGHT, ROW_HEIGHT)

    def _update_virtual_size(self) -> None:
        extra = 1 if self._show_status_row() else 0
        self.virtual_size = Size(
            self.scrollable_content_region.width, (self._total + extra) * ROW_HEIGHT
        )

    def _show_status_row(self) -> bool:
        return self._loading or self._total == 0

    def _row(self, index: int) -> ThreadRow | None:
        if not 0 <= index < self._total or self._source is None:
            return None
        row = self._rows.get(index)
        if row is not None:
            return row
        start = index - index % CHUNK
        for offset, fetched in enumerate(self._source.window(start, CHUNK)):
            self._rows[start + offset] = fetched
        while len(self._rows) > CHUNK * 8:
            self._rows.popitem(last=False)
        return self._rows.get(index)

    def _remember_selection(self) -> None:
        row = self.selected
        self._selected_id = row.id if row else None

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line_number = scroll_y + y
        index, part = divmod(line_number, ROW_HEIGHT)
        width = self.scrollable_content_region.width
        if index >= self._total:
            return self._status_line(index, part, width)
        row = self._row(index)
        if row is None:
            return Strip.blank(width, self.rich_style)
        name = row.customer_name or self._name_of(row.customer_id)
        note = self._source.note(row) if self._source and self._source.note and part else None
        key = (row, part, width, index == self.cursor, self.has_focus, name, self._now_bucket())
        key += (note,)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._render_row(row, part, width, index == self.cursor, name, note)
            self._lines[key] = strip
            while len(self._lines) > 512:
                self._lines.popitem(last=False)
        return strip.crop(scroll_x, scroll_x + width)

    def _now_bucket(self) -> str:
        # Relative times only change by the minute; the key keeps old strips valid till then.
        return self._clock().strftime("%Y%m%d%H%M")

    def _status_line(self, index: int, part: int, width: int) -> Strip:
        if index != self._total or part != 0 or not self._show_status_row():
            return Strip.blank(width, self.rich_style)
        style = self.get_component_rich_style("conversation-list--loading")
        words = "  Loading older conversations…" if self._loading else f"  {self.empty_text}"
        text = Text(no_wrap=True, end="")
        text.append(words, style)
        return self._strip(text, width, self.rich_style)

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        """``text`` as one line of exactly ``width`` cells, every segment on ``base``.

        Text renders the plain parts of a line as segments without a style; Textual's filters
        (the monochrome one that NO_COLOR turns on, the dim one) need a style on each segment,
        and without the widget's own background those parts would show the terminal's.
        """
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = Segment.apply_style(text.render(self.app.console), base)
        return Strip(segments, width).simplify()

    def _render_row(
        self,
        row: ThreadRow,
        part: int,
        width: int,
        is_cursor: bool,
        name: str | None,
        note: str | None = None,
    ) -> Strip:
        base = self.rich_style
        if is_cursor:
            base = base + self.get_component_rich_style("conversation-list--cursor")
        dim = self.get_component_rich_style("conversation-list--dim", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if part == 0:
            unread_style = self.get_component_rich_style("conversation-list--unread", partial=True)
            name_style = self.get_component_rich_style("conversation-list--name", partial=True)
            text.append(" ● " if row.unread else "   ", unread_style)
            if name:
                text.append(
                    visible(name, multiline=False), unread_style if row.unread else name_style
                )
            elif row.customer_id:
                text.append(short_id(row.customer_id), dim)
            else:
                # An agent-started discussion nobody has answered: no customer to name yet.
                text.append(NO_CUSTOMER_TITLE, dim)
            when = relative_time(row.latest_at, self._clock())
            right = Text(end="")
            if self._source is not None and self._source.one_channel:
                right.append(f" {when} ", dim)
            else:
                when = f" · {when} "
                # A long channel label ("Google Business Messages") gives way before the name
                # does: the name keeps up to half the row, the label shrinks (to a few letters).
                name_room = min(text.cell_len, width // 2)
                channel = Text(f" {channel_label(row.channel_type)}", dim, end="")
                channel_room = max(width - name_room - len(when), 5)
                if channel.cell_len > channel_room:
                    channel.truncate(channel_room, overflow="ellipsis")
                right.append_text(channel)
                right.append(when, dim)
        else:
            arrow = "   " if row.latest_incoming else "   ↳ "
            text.append(arrow, dim)
            text.append(flat(row.preview))
            right = Text(end="")
            glyph, words = reply_state_label(row.reply_state)
            if note:
                right.append(f" {note} ", dim)
            elif glyph:
                failed = row.reply_state == ReplyState.FAILED
                style = (
                    self.get_component_rich_style("conversation-list--failed", partial=True)
                    if failed
                    else dim
                )
                right.append(f" {glyph} {words} ", style)
        room = max(width - right.cell_len, 0)
        text.truncate(room, overflow="ellipsis", pad=True)
        text.append_text(right)
        return self._strip(text, width, base)

    # ------------------------------------------------------------------ cursor and scrolling

    def watch_cursor(self, old: int, new: int) -> None:
        if self._total == 0:
            return
        clamped = max(0, min(new, self._total - 1))
        if clamped != new:
            self.cursor = clamped
            return
        # No cache clearing: the cursor is part of each line's cache key. Only the two rows
        # that changed are sent to the terminal, unless the view scrolled (which redraws it).
        self._remember_selection()
        scrolled = round(self.scroll_y)
        self._scroll_cursor_into_view()
        if round(self.scroll_y) == scrolled:
            self._refresh_row(old)
            self._refresh_row(new)
        self._announce()
        self._check_more()

    def _scroll_cursor_into_view(self) -> None:
        top = self.cursor * ROW_HEIGHT
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + ROW_HEIGHT > self.scroll_y + height:
            self.scroll_to(y=top + ROW_HEIGHT - height, animate=False, immediate=True)

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self.selected))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._check_more()

    def on_resize(self) -> None:
        self._lines.clear()
        self._update_virtual_size()
        self._check_more()

    def _check_more(self) -> None:
        """Ask for older threads once the view comes within a screen of the end."""
        if self._source is None or not self._source.more_on_server or self._loading:
            return
        screen_rows = max(self.scrollable_content_region.height // ROW_HEIGHT, 1)
        last_visible = (round(self.scroll_y) + self.scrollable_content_region.height) // ROW_HEIGHT
        wanted = max(last_visible, self.cursor) + 2 * screen_rows
        if wanted > self._total and wanted > self._asked_for:
            self._asked_for = wanted
            self.post_message(self.MoreWanted(self._source.key, wanted))

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_page_down(self) -> None:
        self.cursor += max(self.scrollable_content_region.height // ROW_HEIGHT, 1)

    def action_page_up(self) -> None:
        self.cursor -= max(self.scrollable_content_region.height // ROW_HEIGHT, 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(self._total - 1, 0)

    def action_open(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(self.Opened(row))

    def on_click(self, event) -> None:
        index = (round(self.scroll_y) + event.y) // ROW_HEIGHT
        if 0 <= index < self._total:
            self.cursor = index
            if event.chain >= 2:
                self.action_open()

    def notify_style_update(self) -> None:
        # The theme changed (or the CSS): every cached line has the old colours in it.
        super().notify_style_update()
        self._lines.clear()

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()
