"""The command palette (ctrl+p): jump to a thread by name or text, to a channel, or run an action.

Threads are found by the store (customer names, message text, subjects), so the palette reaches
conversations that are not on screen without loading the whole list.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

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

    async def discover(self) -> Hits:
        for title, help_text, action in self._actions():
            yield DiscoveryHit(title, action, help=help_text)
        for title, key in self._channels():
            yield DiscoveryHit(title, partial(self._app.sidebar.choose, key))

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
