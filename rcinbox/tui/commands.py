"""The command palette (ctrl+p): jump to a thread by name or text, to a channel, or run an action.

Threads are found by the store (customer names, message text, subjects), so the palette reaches
conversations that are not on screen without loading the whole list.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from rcinbox.inbox.types import TriageState
from rcinbox.text import one_line, visible
from rcinbox.tui.formatting import channel_label, short_id
from rcinbox.tui.widgets.sidebar import channel_name

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp


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
        return [
            (
                f"Channel: {channel_name(c, app.settings.channel_names)}",
                f"channel:{c.id}",
            )
            for c in app.inbox.channels()
        ]

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
            yield DiscoveryHit(title, action, help=help_text)
        for title, key in self._channels():
            yield DiscoveryHit(title, partial(self._app.sidebar.choose, key))
        for title, help_text, action in self._put_aside():
            yield DiscoveryHit(Text(title, end=""), action, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._actions():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), action, help=help_text)
        for title, key in self._channels():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._app.sidebar.choose, key))
        for title, help_text, action in self._put_aside():
            score = matcher.match(title)
            if score > 0:
                # A customer's name is never markup: no matcher.highlight (it reads markup).
                yield Hit(score, Text(title, end=""), action, text=title, help=help_text)
        app = self._app
        if not app.inbox_ready or len(query.strip()) < 2:
            return
        for row in app.inbox.threads_by_ids(app.inbox.search(query.strip())[:20]):
            name = row.customer_name or app.inbox.name(row.customer_id) or short_id(row.customer_id)
            label = Text(end="")
            label.append("Open: ")
            label.append(visible(name, multiline=False), "bold")
            label.append(f" · {channel_label(row.channel_type)}")
            yield Hit(
                0.5,
                label,
                partial(self._open, row.id),
                help=one_line(row.preview, 80),
            )

    def _open(self, thread_id: str) -> None:
        app = self._app
        app.conversation_list.select_thread(thread_id)
        app.open_thread(thread_id)
