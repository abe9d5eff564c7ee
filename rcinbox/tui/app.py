"""The rcinbox TUI: sidebar | conversation list | conversation view + composer, status, footer.

The app talks only to the engine's :class:`~rcinbox.inbox.engine.Inbox`: it reads rows from it
(local and instant), asks it to fetch (older pages, a thread's history), queues replies through
its outbox, and repaints on its events. It never touches httpx or SQLite.

Start-up paints what the store holds at once, then starts the engine (polling, outbox, names)
and syncs in the background; with the server unreachable the app still opens, says it is
offline, keeps drafts and queues replies until the server answers again.

What the screen says follows the engine: the connection state, the message a reply answers
(the same one the view marks and the composer names), whether the open thread is read. The app
tells the engine which thread the agent is looking at, never decides such rules itself.

Time comes from an injected clock and animations are off by default, so snapshots are stable
and nothing moves needlessly over SSH.

This module holds the layout, start and stop, the list and the open conversation, and the keys
that move between them. The rest are mixins, one concern each: :mod:`~rcinbox.tui.live` (engine
events), :mod:`~rcinbox.tui.composing` (reply target, drafts, send),
:mod:`~rcinbox.tui.filtering` (the filter box) and :mod:`~rcinbox.tui.reply_actions` (undo
send, retry, discard).
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, TextArea

from rcinbox.config import TemplateConfig
from rcinbox.inbox.engine import (
    BackgroundWork,
    Inbox,
    StoreError,
)
from rcinbox.inbox.types import ThreadFilter, ThreadRow
from rcinbox.text import one_line
from rcinbox.tui.anchoring import anchor_disputed_widths
from rcinbox.tui.attachment_actions import AttachmentActions
from rcinbox.tui.composing import Composing
from rcinbox.tui.customer_actions import CustomerActions
from rcinbox.tui.filtering import FilterActions
from rcinbox.tui.formatting import system_clock
from rcinbox.tui.keys import key_label, teach_alt_enter
from rcinbox.tui.live import LiveUpdates
from rcinbox.tui.reply_actions import ReplyActions
from rcinbox.tui.server_search import ServerSearchActions
from rcinbox.tui.terminal import TerminalEvents
from rcinbox.tui.toasts import PlainToasts
from rcinbox.tui.triaging import TriageActions, empty_text
from rcinbox.tui.widgets.composer import Composer
from rcinbox.tui.widgets.conversation_list import ConversationList, ListSource
from rcinbox.tui.widgets.conversation_view import HINT_KEYS, PAGE, ConversationView
from rcinbox.tui.widgets.customer_panel import CustomerPanel
from rcinbox.tui.widgets.key_footer import KeyFooter
from rcinbox.tui.widgets.scope_line import ScopeLine
from rcinbox.tui.widgets.sidebar import ALL, UNREAD, ChannelSidebar, SidebarEntry
from rcinbox.tui.widgets.status_line import StatusLine
from rcinbox.tui.writing_actions import WritingActions

teach_alt_enter()
anchor_disputed_widths()


@dataclass(frozen=True)
class UISettings:
    """What the TUI takes from the config: looks, keys, names, where files go."""

    theme: str = "textual-dark"
    mouse: bool = True
    notifications: str = "bell"  # "bell", "osc9" or "off"
    animations: bool = False
    keymap: Mapping[str, str] = field(default_factory=dict)
    channel_names: Mapping[str, str] = field(default_factory=dict)
    profile: str = "default"
    # Seconds a sent reply waits in the outbox, and can be taken back ([compose]); 0 = off.
    undo_seconds: float = 5.0
    # The approved WhatsApp templates config.toml names ([whatsapp] templates).
    templates: tuple[TemplateConfig, ...] = ()
    # Where snippets are read and exports written; None: the config dir's snippets/ and the
    # user's Downloads (rcinbox.config.paths).
    snippets_dir: Path | None = None
    downloads_dir: Path | None = None


def _keep_startup_objects() -> None:
    """After the first frame: what exists now lives for the session. Frozen, the collector's
    full passes (tens of ms each, felt as a stutter while moving) look at new objects only; and
    the collector comes back on if the launcher turned it off for the start-up."""
    gc.freeze()
    gc.enable()


def _inbox_commands() -> type[Provider]:
    # The palette's provider loads when the palette first opens, not at start-up.
    from rcinbox.tui.commands import InboxCommands

    return InboxCommands


InboxFactory = Callable[[], contextlib.AbstractAsyncContextManager[Inbox]]


class InboxApp(
    PlainToasts,
    TerminalEvents,
    LiveUpdates,
    Composing,
    FilterActions,
    ServerSearchActions,
    TriageActions,
    ReplyActions,
    WritingActions,
    AttachmentActions,
    CustomerActions,
    App[None],
):
    TITLE = "rcinbox"

    # The layout, reloaded on save when Textual's debug feature is on (TEXTUAL=debug). A full
    # path: Textual reads a relative one beside the module of whichever subclass is run (the
    # benchmark's timed app lives in rcinbox/bench).
    CSS_PATH = Path(__file__).with_name("app.tcss")

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("n", "next_unread", "Next unread", id="app.next_unread"),
        Binding("u", "toggle_unread", "Read/unread", id="app.toggle_unread"),
        Binding("d", "mark_done", "Done", show=False, id="app.done"),
        Binding("z", "snooze", "Snooze", show=False, id="app.snooze"),
        Binding("w", "toggle_wait_sort", "Sort by wait", show=False, id="app.wait_sort"),
        # Keys that move focus into a text box are priority bindings, run as they arrive (see
        # _focus_now); check_action hands them to the text box when one has focus.
        Binding("r", "reply", "Reply", priority=True, id="app.reply"),
        Binding("slash", "filter", "Filter", priority=True, id="app.filter"),
        Binding(
            "c", "new_conversation", "New conversation", show=False, priority=True, id="app.new"
        ),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="app.sidebar"),
        Binding("i", "toggle_customer", "Customer", show=False, id="app.customer"),
        Binding("f5", "sync_now", "Sync now", show=False, id="app.sync"),
        Binding("x", "dismiss_error", "Dismiss error", show=False, id="app.dismiss_error"),
        # ctrl+r and ctrl+l are no TextArea keys, so they work in the composer too. ctrl+z is
        # the composer's own undo: an empty composer hands it on to undo send (ReplyArea).
        # ctrl+g and ctrl+o stay free for the composer's $EDITOR and snippets.
        Binding("ctrl+z", "undo_send", "Undo send", show=False, id="app.undo_send"),
        Binding("ctrl+r", "retry_failed", "Retry failed reply", show=False, id="app.retry"),
        Binding(
            "e", "edit_failed", "Edit failed reply", show=False, priority=True, id="app.edit_failed"
        ),
        Binding("ctrl+l", "discard_draft", "Discard draft", show=False, id="app.discard_draft"),
        Binding("J", "inspect_raw", "Raw JSON of the message", show=False, id="app.inspect"),
        Binding("E", "export_thread", "Export the conversation", show=False, id="app.export"),
        Binding("escape", "back", "Back", show=False, id="app.back"),
    ]

    COMMANDS = App.COMMANDS | {_inbox_commands}

    def __init__(
        self,
        inbox_factory: InboxFactory,
        *,
        settings: UISettings | None = None,
        clock: Callable[[], datetime] = system_clock,
        on_theme_change: Callable[[str], None] | None = None,
        work: BackgroundWork | None = None,
    ) -> None:
        settings = settings or UISettings()
        super().__init__()
        self.settings = settings
        self.clock = clock
        self._inbox_factory = inbox_factory
        self._on_theme_change = on_theme_change
        # Which background work to start; all of it by default.
        self._work = work or BackgroundWork()
        self._stack = contextlib.AsyncExitStack()
        self._inbox: Inbox | None = None
        self._not_opened = ""  # why the inbox could not be opened
        self._start_after_paint = False
        self._entry: SidebarEntry | None = None
        self._open_thread: ThreadRow | None = None
        self._reply_target: str | None = None
        self._search: str | None = None
        self._synced_once = False
        self._saved_theme: str | None = None
        self._engine_last_sync: float | None = None
        self._refresh_scheduled = False
        self._engine_closed = False
        self._last_refresh = 0.0
        self._search_timer: Timer | None = None
        self._names_changed = False
        self._focused = True  # the terminal has focus (where it reports it)
        self.animation_level = "full" if settings.animations else "none"
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield ChannelSidebar(channel_names=self.settings.channel_names, id="sidebar")
            with Vertical(id="list-pane"):
                yield ScopeLine(id="scope")
                search = Input(placeholder="Filter by name or text; esc clears", id="filter")
                # Like the composer's: no blinking cursor unless animations are wanted.
                search.cursor_blink = self.animation_level != "none"
                yield search
                yield ConversationList(clock=self.clock, name_of=self._name_of, id="list")
            with Vertical(id="thread-pane"):
                yield ConversationView(
                    clock=self.clock,
                    name_of=self._name_of,
                    is_agent=self._is_agent,
                    is_own=self._is_own,
                    outbox_clock=self._outbox_now,
                    key_of=self._key_of,
                    match_of=lambda: self._search,
                    id="view",
                )
                yield Composer(id="composer")
            yield CustomerPanel(clock=self.clock, id="customer")
        yield StatusLine(clock=self.clock, id="status")
        yield KeyFooter()

    @property
    def inbox_ready(self) -> bool:
        """False until the store is open (the palette can be opened before)."""
        return self._inbox is not None

    @property
    def inbox(self) -> Inbox:
        assert self._inbox is not None, "the inbox opens on mount"
        return self._inbox

    @property
    def main_screen(self) -> Screen:
        """The screen the layout classes ("narrow", "reading"...) belong to, whatever dialog is
        on top of it: a resize while a dialog is open lays out the inbox behind it."""
        return self.screen_stack[0]

    @property
    def conversation_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    @property
    def view(self) -> ConversationView:
        return self.query_one(ConversationView)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def sidebar(self) -> ChannelSidebar:
        return self.query_one(ChannelSidebar)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def _name_of(self, identity_id: str | None) -> str | None:
        return self._inbox.name(identity_id) if self._inbox else None

    def _is_agent(self, identity_id: str | None) -> bool | None:
        return self._inbox.is_agent(identity_id) if self._inbox else None

    def _is_own(self, identity_id: str | None) -> bool:
        return self._inbox.is_own(identity_id) if self._inbox else False

    def _outbox_now(self) -> float:
        return self._inbox.now() if self._inbox else time.time()

    def _key_of(self, binding_id: str) -> str:
        """The key a hint names for a binding, after the keymap."""
        return key_label(self.settings.keymap.get(binding_id, HINT_KEYS.get(binding_id, "?")))

    # ------------------------------------------------------------------ start and stop

    async def on_load(self) -> None:
        # The engine starts (login, first page) before the screen is built, not after; its
        # events wait in the message queue until the screen is mounted.
        try:
            self._inbox = await self._stack.enter_async_context(self._inbox_factory())
        except (StoreError, OSError) as error:
            self._not_opened = f"rcinbox: {one_line(str(error), 300)}"  # said once mounted
            return
        self._listen()
        if self.inbox.is_empty():
            # A first run has nothing to paint: the login and the first page go out now, and
            # the server answers while the screen is built.
            await self._start_engine()
        else:
            # The store's rows first, the network's after: the engine (and the HTTP client it
            # builds at its first request) starts once the first frame is on screen.
            self._start_after_paint = True

    async def _start_engine(self) -> None:
        # The engine's polling loop syncs at once, then at its intervals.
        await self.inbox.start(
            poll=self._work.poll,
            send=self._work.send,
            names=self._work.names,
            history=self._work.history,
        )

    async def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.notify(
                f"No theme called {one_line(self.settings.theme, 40)!r}; using {self.theme}.",
                severity="warning",
            )
        self._saved_theme = self.theme
        if self._inbox is None:
            # No store, no inbox: leave with the reason in one line, not a traceback.
            # A Text: Rich would read a str printed on the way out as markup.
            self.exit(return_code=1, message=Text(self._not_opened))
            return
        self._apply_width(self.size.width)
        self.composer.display = False
        self._refresh_sidebar()
        # Set the list's source here rather than through the sidebar's message, so the first
        # frame already has rows.
        self._channel_chosen(ChannelSidebar.Chosen(self.sidebar.entry(ALL)))
        self.conversation_list.focus()
        self._show_connection(*self.inbox.connection_state())
        if self._start_after_paint:
            self.call_after_refresh(self._start_engine)
        self.call_after_refresh(_keep_startup_objects)

    async def on_unmount(self) -> None:
        # A repaint timer set just before quitting must not read the store being closed.
        self._engine_closed = True
        await self._stack.aclose()

    def watch_theme(self, theme: str) -> None:
        # Only a theme the agent picked is written back (never the start-up value).
        if self._on_theme_change is not None and self._saved_theme not in (None, theme):
            self._saved_theme = theme
            self._on_theme_change(theme)

    # ------------------------------------------------------------------ list and sidebar

    def _source_for(self, where: ThreadFilter, key: str) -> ListSource:
        inbox = self.inbox
        return ListSource(
            key=key,
            count=lambda: inbox.thread_count(where),
            window=lambda offset, limit: inbox.threads(where, offset, limit),
            position=lambda thread_id: inbox.thread_position(where, thread_id),
            one_channel=where.channel_id is not None,
            note=lambda row: self.row_note(where, row),
            # Threads put aside are all in the store: older pages would add none.
            more_on_server=not where.triaged,
        )

    @on(ChannelSidebar.Chosen)
    def _channel_chosen(self, event: ChannelSidebar.Chosen) -> None:
        self._entry = self.sorted_entry(event.entry)
        if self._search is not None:
            # A filter typed before stays, now within this channel.
            self._apply_search(self._search)
            return
        self.conversation_list.empty_text = empty_text(self._entry.where)
        self.conversation_list.set_source(self._source_for(self._entry.where, self._entry.key))
        self._show_scope()

    def _show_scope(self) -> None:
        entry = self._entry
        channel = entry.label if entry is not None and entry.key != ALL else None
        self.query_one(ScopeLine).show_scope(channel, self._search, self.server_words())

    @on(ConversationList.MoreWanted)
    def _more_wanted(self, event: ConversationList.MoreWanted) -> None:
        if self._entry is None or event.source_key != self._entry.key:
            return
        self.conversation_list.set_loading(True)
        self._fetch_more(self._entry, event.rows)

    @work(exclusive=True, group="more", exit_on_error=False)
    async def _fetch_more(self, entry: SidebarEntry, rows: int) -> None:
        more = True
        try:
            more = await self.inbox.ensure_threads(entry.where, rows)
        except Exception as error:
            self.status.error = str(error)
        finally:
            if self._entry is not None and self._entry.key == entry.key:
                self.conversation_list.refresh_rows()
                self.conversation_list.set_loading(False, more_on_server=more)

    @on(ConversationList.Opened)
    def _thread_opened(self, event: ConversationList.Opened) -> None:
        self.open_thread(event.thread.id)

    def open_thread(self, thread_id: str) -> None:
        thread = self.inbox.thread(thread_id)
        if thread is None:
            return
        draft = self.inbox.draft(thread_id)
        self._reply_target = draft.in_reply_to if draft and draft.in_reply_to else None
        self._open_thread = thread
        self.composer.display = True
        self.composer.prepare(
            self.inbox.reply_rules(thread.id, self._reply_target),
            text=draft.body if draft else "",
            public=draft.public if draft else None,
        )
        self._show_thread(thread_id, keep_scroll=False)
        self.main_screen.add_class("reading")
        self._update_viewing()
        if self.main_screen.has_class("narrow"):
            # At once, not on the next turn: "r" from the list focuses the composer after this,
            # and a deferred move would then take the keys typed next away from it.
            self._focus_now(self.view)
        self._complete_thread(thread_id)

    @work(exclusive=True, group="thread", exit_on_error=False)
    async def _complete_thread(self, thread_id: str) -> None:
        added = await self.inbox.open_thread(thread_id)
        if added and self._open_thread is not None and self._open_thread.id == thread_id:
            self._show_thread(thread_id, keep_scroll=True)

    def _show_thread(self, thread_id: str, *, keep_scroll: bool) -> None:
        thread = self.inbox.thread(thread_id)
        if thread is None:
            return
        self._open_thread = thread
        shown = max(PAGE, len([i for i in self.view.items if i.content is not None]))
        contents = self.inbox.messages(thread_id, limit=shown)
        # One answer for both: the message the view marks is the one the composer names.
        target = self._target()
        self.view.show(
            thread,
            contents,
            self.inbox.pending_replies(thread_id),
            has_older=thread.content_count > len(contents),
            target_id=target.content_id,
            keep_scroll=keep_scroll,
        )
        self.composer.set_target(self._target_description(target), blocked=not target.possible)
        self._show_window(thread)
        self._follow_countdown()

    @on(ConversationView.OlderWanted)
    def _older_wanted(self) -> None:
        items = [i.content for i in self.view.items if i.content is not None]
        if self._open_thread is None or not items or items[0].creation_time is None:
            return
        older = self.inbox.messages(
            self._open_thread.id, limit=PAGE, before=items[0].creation_time.timestamp()
        )
        self.view.prepend_older(
            older, has_older=self._open_thread.content_count > len(items) + len(older)
        )

    # Letter keys that open a text box or a screen: only while no text box has the keys, on the
    # main screen.
    TYPING_ACTIONS = frozenset(
        {"reply", "filter", "edit_failed", "new_conversation", "inspect_raw", "export_thread"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        typing = len(self.screen_stack) > 1 or isinstance(self.focused, Input | TextArea)
        return not (action in self.TYPING_ACTIONS and typing)

    def _focus_now(self, widget: Widget) -> None:
        """Move focus before the next key is handed on.

        ``Widget.focus`` defers the move to the app's next turn, and keys that came in the same
        burst as the key that moved it (a fast typist, SSH or tmux batching them) are queued
        before that turn: "r" then "Thanks" would give "Thanks" to the list. Keys moving focus
        run as priority bindings in the app's own turn, so focus set here receives the rest.
        """
        self.screen.set_focus(widget)

    def action_leave_composer(self) -> None:
        target = self.view if self.main_screen.has_class("narrow") else self.conversation_list
        self._focus_now(target)

    def action_reply(self) -> None:
        # r answers the conversation on screen; at 80 columns, from the list, that is the one
        # the list selects (the one left with esc is still open, but hidden).
        row = self.conversation_list.selected
        hidden = self.main_screen.has_class("narrow") and not self.main_screen.has_class("reading")
        if row is not None and (self._open_thread is None or hidden):
            self.open_thread(row.id)
        if self._open_thread is None:
            return
        self.composer.display = True
        self._focus_now(self.composer.area)

    def action_new_conversation(self) -> None:
        # The form loads when it first opens, not at start-up.
        from rcinbox.tui.new_conversation import open_new_conversation

        settings = self.settings
        open_new_conversation(self, self.inbox, settings.templates, settings.channel_names)

    # ------------------------------------------------------------------ other actions

    def action_next_unread(self) -> None:
        where = self._entry.where if self._entry else ThreadFilter()
        current = self.conversation_list.selected
        thread_id = self.inbox.next_unread(where, current.id if current else None)
        if thread_id is None:
            self.notify("No unread conversations.", timeout=2)
            return
        self.conversation_list.select_thread(thread_id)
        self.open_thread(thread_id)

    def action_toggle_unread(self) -> None:
        row = self.conversation_list.selected
        if row is not None:
            self.inbox.toggle_unread(row.id)

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus or box.has_class("shown"):
            box.value = ""
            box.remove_class("shown")
            self._focus_now(self.conversation_list)
            self._show_scope()
            return
        if self.main_screen.has_class("narrow") and self.main_screen.has_class("reading"):
            self.main_screen.remove_class("reading")
            self._update_viewing()
            self._focus_now(self.conversation_list)

    def action_toggle_sidebar(self) -> None:
        if self.main_screen.has_class("narrow"):
            self.main_screen.toggle_class("sidebar-open")
        else:
            self.main_screen.toggle_class("hide-sidebar")

    def action_dismiss_error(self) -> None:
        self.status.error = None

    def action_help(self) -> None:
        # The help, and the form whose keys it lists, load when first wanted.
        from rcinbox.tui.screens import HelpScreen, inbox_help

        self.push_screen(HelpScreen(inbox_help(self.BINDINGS, self.settings.keymap)))

    @work(exclusive=True, group="sync", exit_on_error=False)
    async def action_sync_now(self) -> None:
        self.status.syncing = True
        try:
            await self.inbox.sync_now()
        except Exception as error:
            self.status.error = str(error)
        finally:
            self.status.syncing = False

    def get_system_commands(self, screen: Screen) -> Any:
        # Textual's own (theme, quit, ...) less its "Keys" panel: our "Keys" (InboxCommands,
        # with the inbox's actions) shows the generated help, so the palette names each once.
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command

    def action_all_conversations(self) -> None:
        """Every conversation: the All channel, no filter."""
        box = self.query_one("#filter", Input)
        box.value = ""
        box.remove_class("shown")
        self._search = None
        self.sidebar.choose(ALL)

    def action_unread_conversations(self) -> None:
        self.sidebar.choose(UNREAD)
