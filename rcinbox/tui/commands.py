"""The command palette (ctrl+p): jump to a thread by name or text, to a channel, or run an action.

Threads are found by the store (customer names, message text, subjects), so the palette reaches
conversations that are not on screen without loading the whole list.

Every title and help line is a :class:`~textual.content.Content`: Textual reads a ``str`` there
as markup, and a message preview or a channel's name is not ours to trust (see
:func:`rcinbox.tui.formatting.plain`). Titles are matched and highlighted here (:func:`matched`):
``Matcher.highlight`` parses its candidate as markup, and ``Matcher.match`` can take
exponential time on a title the server chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from rcinbox.inbox.types import ChannelRow, ThreadRow, TriageState
from rcinbox.text import one_line, visible
from rcinbox.tui.formatting import channel_label, plain, short_id
from rcinbox.tui.widgets.sidebar import channel_name

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp

# A channel's title in the palette, in cells: one row, whatever the config or server named it.
TITLE_CELLS = 60


class InboxCommands(Provider):
    """Threads, channels and inbox actions."""

    @property
    def _app(self) -> InboxApp:
        return self.app  # type: ignore[return-value]

    def _actions(self) -> list[tuple[str, str, object]]:
        app = self._app
        # Each title once in the whole palette: the app leaves Textual's own "Keys" out.
        return [
            ("All conversations", "Every channel, no filter", app.action_all_conversations),
            ("Unread conversations", "Only what is unread", app.action_unread_conversations),
            (
                "Needs reply",
                "Threads whose newest message is the customer's",
                app.action_needs_reply,
            ),
            (
                "Sort by waiting time",
                "Longest wait first, or newest first",
                app.action_toggle_wait_sort,
            ),
            ("Mark done", "Hide it until the customer writes again", app.action_mark_done),
            ("Snooze", "Hide it until a time, then back as unread", app.action_snooze),
            ("Show done/snoozed", "Threads put aside, to take back", app.action_show_triaged),
            ("Next unread conversation", "Open the next unread thread", app.action_next_unread),
            ("Reply", "Write a reply to the open conversation", app.action_reply),
            (
                "New conversation",
                "Write first, on a channel that allows it",
                app.action_new_conversation,
            ),
            ("Undo send", "Take back the reply that is waiting to leave", app.action_undo_send),
            ("Discard draft", "Throw away the open conversation's draft", app.action_discard_draft),
            ("Filter conversations", "Search names and messages", app.action_filter),
            (
                "Export conversation",
                "Markdown, JSON or text, to Downloads",
                app.action_export_thread,
            ),
            ("Raw JSON", "The selected message as the server sent it", app.action_inspect_raw),
            ("Toggle sidebar", "Show or hide the channels", app.action_toggle_sidebar),
            ("Sync now", "Fetch the newest messages", app.action_sync_now),
            ("Keys", "Every key binding", app.action_help),
        ]

    def _channels(self) -> list[tuple[str, str]]:
        app = self._app
        if not app.inbox_ready:
            return []
        names = app.settings.channel_names
        return [(channel_title(c, names), f"channel:{c.id}") for c in app.inbox.channels()]

    def _put_aside(self) -> list[tuple[str, str, object]]:
        """One "Undo done: …" or "Unsnooze: …" per thread put aside."""
        app = self._app
        if not app.inbox_ready:
            return []
        marks = app.inbox.triaged()
        rows = {row.id: row for row in app.inbox.threads_by_ids([m.thread_id for m in marks])}
        commands = []
        for mark in marks:
            row = rows.get(mark.thread_id)
            title = app.thread_title(row) if row is not None else short_id(mark.thread_id)
            if mark.state is TriageState.DONE:
                verb, help_text = "Undo done", "Back into the inbox now"
            else:
                verb, help_text = "Unsnooze", "Back into the inbox now, not at its time"
            title = visible(title, multiline=False)
            commands.append(
                (f"{verb}: {title}", help_text, partial(app.restore_thread, mark.thread_id))
            )
        return commands

    async def discover(self) -> Hits:
        for title, help_text, action in self._actions():
            # Help is typed str, but Textual 8.2.8 (pinned) takes a Content through unparsed.
            yield DiscoveryHit(plain(title), action, text=title, help=plain(help_text))
        for title, key in self._channels():
            yield DiscoveryHit(plain(title), partial(self._app.sidebar.choose, key), text=title)
        for title, help_text, action in self._put_aside():
            yield DiscoveryHit(plain(title), action, text=title, help=plain(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._actions():
            score, shown = matched(matcher, title)
            if score > 0:
                yield Hit(score, shown, action, text=title, help=plain(help_text))
        for title, key in self._channels():
            score, shown = matched(matcher, title)
            if score > 0:
                yield Hit(score, shown, partial(self._app.sidebar.choose, key), text=title)
        for title, help_text, action in self._put_aside():
            score, shown = matched(matcher, title)
            if score > 0:
                yield Hit(score, shown, action, text=title, help=plain(help_text))
        app = self._app
        if not app.inbox_ready or len(query.strip()) < 2:
            return
        for row in app.inbox.threads_by_ids(app.inbox.search(query.strip())[:20]):
            name = row.customer_name or app.inbox.name(row.customer_id)
            label, help_text = thread_entry(row, name)
            yield Hit(
                0.5,
                label,
                partial(self._open, row.id),
                text=label.plain,
                help=help_text,
            )

    def _open(self, thread_id: str) -> None:
        app = self._app
        app.conversation_list.select_thread(thread_id)
        app.open_thread(thread_id)


def thread_entry(row: ThreadRow, name: str | None) -> tuple[Content, Content]:
    """A thread's palette title ("Open: name · channel") and help (its latest message)."""
    label = Content.assemble(
        "Open: ",
        plain(name or short_id(row.customer_id), "bold"),
        f" · {channel_label(row.channel_type)}",
    )
    return label, plain(one_line(row.preview, 80))


def channel_title(channel: ChannelRow, names: Mapping[str, str]) -> str:
    """The channel's palette title, ``Channel: <name>``, one row however long the name."""
    return one_line(f"Channel: {channel_name(channel, names)}", TITLE_CELLS)


def matched(matcher: Matcher, title: str) -> tuple[float, Content]:
    """How well ``title`` matches the query (0: not at all), and the title shown as it is with
    the matched letters highlighted.

    Textual's own matcher tries every way the query's letters fit a title, which takes time
    exponential in repeated letters: a channel type the server made up ("a b a b …") and a
    query like "aaaabbbb" would stall the palette for good. Here each letter is taken where it
    first occurs after the one before, in one pass, and scored by Textual's rule (so our hits
    rank among Textual's own commands as before).
    """
    # Case-folded letter by letter (lower() reads a word's last sigma by its context).
    query, candidate = matcher.query.casefold(), title.casefold()
    content = plain(title)
    if not query:
        return 0.0, content
    at = candidate.find(query)
    if at >= 0:
        offsets = list(range(at, at + len(query)))
        bonus = 2.0 if candidate == query else 1.5
    else:
        offsets, index, bonus = [], 0, 1.0
        for letter in query:
            index = candidate.find(letter, index)
            if index < 0:
                return 0.0, content
            offsets.append(index)
            index += 1
    # Where case-folding or visible() changed the length, the offsets would be off: no marks.
    if content.plain == title and len(candidate) == len(title):
        for offset in offsets:
            if not title[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return matcher.fuzzy_search.score(candidate, offsets) * bonus, content
