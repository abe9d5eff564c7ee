"""The conversation view: a thread's messages oldest first, then replies still in the outbox.

Customer messages sit on the left with an accent bar, the agent's on the right with another, so
who said what reads at a glance; what the logged-in user wrote is headed "You", from the first
screen on (the engine knows the user's identities before any reply is sent).

Each message shows its author, time, type, attachments (name, type, size) and, for ours, the
delivery state and the channel's ``synchronizationError``. A reply still in its undo window
counts down ("sending in 4 s · ctrl+z undo") on the outbox's clock.

A thread holds tens of messages, not thousands, so one widget per message is fine here. The view
starts with the newest :data:`PAGE` messages and loads older ones from the store when scrolled to
the top. A body longer than :data:`MAX_SHOWN` characters is shown up to that point, with a note:
wrapping a megabyte of text would freeze the terminal, and ``y`` still copies all of it.

Bodies and names are hostile input: they pass through :func:`rcinbox.text.visible` into Rich
``Text`` objects, never through markup, so ``[@click=app.quit]`` is only text.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from rcinbox.inbox.types import Content, OutboxRow, ReplyState, ThreadRow, reply_state
from rcinbox.text import visible
from rcinbox.tui.formatting import (
    NO_CUSTOMER_TITLE,
    channel_label,
    full_time,
    human_size,
    reply_state_label,
    short_id,
)

PAGE = 60
MAX_SHOWN = 20_000
EMPTY = "No conversation open. Pick one in the list and press enter."

# The keys the hints name, by binding id, as they are before any keymap moves them.
HINT_KEYS = {"app.retry": "ctrl+r", "app.edit_failed": "e", "app.undo_send": "ctrl+z"}


@dataclass(frozen=True)
class ViewItem:
    """One bubble: a content from the server, or a reply still in the outbox."""

    key: str
    content: Content | None = None
    pending: OutboxRow | None = None

    @property
    def incoming(self) -> bool:
        return self.content.is_incoming if self.content else False

    @property
    def text(self) -> str:
        if self.content is not None:
            return self.content.display_text or self.content.title or ""
        return self.pending.body if self.pending else ""


class MessageBubble(Static):
    DEFAULT_CSS = """
    MessageBubble {
        width: 1fr;
        height: auto;
        padding: 0 1;
        /* Space above each bubble, none below: the last one then sits on the pane's bottom. */
        margin: 1 0 0 0;
        &.incoming { border-left: thick $accent; margin: 1 6 0 0; background: $boost; }
        &.outgoing { border-left: thick $success; margin: 1 0 0 6; }
        &.pending { border-left: thick $warning; margin: 1 0 0 6; }
        &.failed { border-left: thick $error; }
        &.selected { background: $block-cursor-blurred-background; }
        &.target { border-right: thick $accent; }
    }
    ConversationView:focus MessageBubble.selected { background: $block-cursor-background 40%; }
    """

    def __init__(self, item: ViewItem, body: Text) -> None:
        super().__init__(body)
        self.item = item
        self._classify()

    def refresh_item(self, item: ViewItem, body: Text) -> None:
        self.item = item
        self.update(body)
        self.set_classes(" ".join(c for c in self.classes if c in ("selected", "target")))
        self._classify()

    def _classify(self) -> None:
        item = self.item
        if item.pending is not None:
            self.add_class("pending")
            if item.pending.state == ReplyState.FAILED:
                self.add_class("failed")
        elif item.incoming:
            self.add_class("incoming")
        else:
            self.add_class("outgoing")
            if item.content and item.content.exported is False:
                self.add_class("failed")


def seconds_to_wait(entry: OutboxRow, now: float) -> int | None:
    """Whole seconds (rounded up) a queued reply still waits in its undo window, else None."""
    if entry.state != ReplyState.QUEUED or entry.not_before is None or entry.not_before <= now:
        return None
    return max(1, math.ceil(entry.not_before - now - 1e-6))


# How the filter's text shows in the open conversation.
MATCH_STYLE = "reverse bold"


class ConversationView(VerticalScroll, can_focus=False):
    """Focusable only while a conversation is shown: an empty pane is no place for Tab to stop."""

    BINDINGS = [
        Binding("j,down", "select(1)", "Next message", show=False, id="view.down"),
        Binding("k,up", "select(-1)", "Previous message", show=False, id="view.up"),
        Binding("enter", "target", "Reply to this", id="view.reply_to"),
        Binding("y", "copy", "Copy", id="view.copy"),
    ]

    DEFAULT_CSS = """
    ConversationView {
        height: 1fr;
        padding: 0 1;
        background: $surface;
        scrollbar-size-vertical: 1;
        & > #thread-title { color: $text-muted; }
        & > #older { color: $text-muted; }
        & > #messages { height: auto; }
        & > #fill { height: 1fr; }
    }
    """

    selected = reactive(-1, repaint=False)

    class TargetChosen(Message):
        """The agent picked the message the next reply answers."""

        def __init__(self, content: Content) -> None:
            self.content = content
            super().__init__()

    class CopyRequested(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        name_of: Callable[[str | None], str | None],
        is_agent: Callable[[str | None], bool | None],
        is_own: Callable[[str | None], bool] = lambda identity_id: False,
        outbox_clock: Callable[[], float] = time.time,
        key_of: Callable[[str], str] = HINT_KEYS.__getitem__,
        match_of: Callable[[], str | None] = lambda: None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        # The filter's text, marked wherever a message shows it.
        self._match_of = match_of
        self._clock = clock
        self._name_of = name_of
        self._is_agent = is_agent
        self._is_own = is_own
        # The undo countdown is measured on the outbox's clock (epoch seconds, injectable so
        # snapshots are stable), not on the display clock above.
        self._outbox_clock = outbox_clock
        self._key_of = key_of
        self.thread: ThreadRow | None = None
        self._items: list[ViewItem] = []
        self._target_id: str | None = None
        self.has_older = False
        # The free-text window's words for the header, and whether it is closed.
        self._window: tuple[str | None, bool] = (None, False)

    def compose(self):
        yield Static(Text(EMPTY, end=""), id="thread-title")
        yield Static(Text("↑ older messages load as you scroll up", "dim"), id="older")
        yield Vertical(id="messages")
        # Takes the room a short thread leaves, so the content is never shorter than the view:
        # Textual 8.2.8 scrolls an anchored container with short content to a negative offset
        # (textual#6652), which would float a short thread in the middle of the pane.
        yield Static(id="fill")

    def on_mount(self) -> None:
        self.query_one("#older").display = False

    @property
    def items(self) -> list[ViewItem]:
        return list(self._items)

    def show(
        self,
        thread: ThreadRow,
        contents: list[Content],
        pending: list[OutboxRow],
        *,
        has_older: bool,
        target_id: str | None,
        keep_scroll: bool = False,
    ) -> None:
        """Show a thread (or show it again after a change, keeping the reader's place)."""
        same_thread = self.thread is not None and self.thread.id == thread.id
        at_bottom = self.scroll_y >= self.max_scroll_y - 1
        self.thread = thread
        self.can_focus = True
        self.has_older = has_older
        self._target_id = target_id
        self._items = [ViewItem(c.id, content=c) for c in contents] + [
            ViewItem(f"outbox:{e.id}", pending=e) for e in pending
        ]
        self.query_one("#thread-title", Static).update(self._title(thread))
        self.query_one("#older").display = has_older
        messages = self.query_one("#messages", Vertical)
        bubbles = list(messages.query(MessageBubble))
        if [b.item.key for b in bubbles] == [i.key for i in self._items]:
            # The same messages: repaint them in place (states, names) instead of rebuilding.
            for bubble, item in zip(bubbles, self._items, strict=True):
                bubble.refresh_item(item, self._render_item(item))
        else:
            with self.app.batch_update():
                messages.remove_children()
                messages.mount_all(
                    MessageBubble(item, self._render_item(item)) for item in self._items
                )
        if not same_thread:
            self.selected = -1
        elif self.selected >= len(self._items):
            self.selected = len(self._items) - 1
        self.call_after_refresh(self._mark_classes)
        if not (same_thread and keep_scroll and not at_bottom):
            self.anchor()

    def prepend_older(self, contents: list[Content], *, has_older: bool) -> None:
        """Older messages loaded: put them on top without moving what the reader sees."""
        if not contents or self.thread is None:
            self.has_older = has_older
            return
        before = self.virtual_size.height
        old_scroll = self.scroll_y
        self.show(
            self.thread,
            contents + [i.content for i in self._items if i.content is not None],
            [i.pending for i in self._items if i.pending is not None],
            has_older=has_older,
            target_id=self._target_id,
            keep_scroll=True,
        )

        def restore() -> None:
            self.scroll_to(
                y=old_scroll + self.virtual_size.height - before, animate=False, immediate=True
            )

        self.call_after_refresh(restore)

    def clear(self, summary: str = EMPTY) -> None:
        """No thread open: show ``summary`` (what is waiting, and how to get to it)."""
        self.thread = None
        self.can_focus = False
        self._items = []
        self.query_one("#thread-title", Static).update(Text(summary, end=""))
        self.query_one("#older").display = False
        self.query_one("#messages", Vertical).remove_children()

    def set_window(self, status: str | None, *, closed: bool) -> None:
        """The channel's free-text window in the header ("window closes in 3 h 12 min",
        "closed: send a template"), or nothing where the channel has none."""
        self._window = (status, closed)
        if self.thread is not None:
            self.query_one("#thread-title", Static).update(self._title(self.thread))

    def _title(self, thread: ThreadRow) -> Text:
        name = thread.customer_name or self._name_of(thread.customer_id)
        title = Text(end="")
        if name:
            title.append(visible(name, multiline=False), "bold")
        elif thread.customer_id:
            title.append(short_id(thread.customer_id), "bold")
        else:
            # An agent-started discussion nobody has answered yet: there is no customer to name.
            title.append(NO_CUSTOMER_TITLE, "bold")
        title.append(f" · {channel_label(thread.channel_type)}")
        title.append(f" · {thread.content_count} message{'s' if thread.content_count != 1 else ''}")
        status, closed = self._window
        if status:
            title.append(f" · {status}", "bold red" if closed else "")
        return title

    def _render_item(self, item: ViewItem) -> Text:
        now = self._clock()
        text = Text(end="")
        if item.pending is not None:
            entry = item.pending
            text.append("You", "bold")
            wait = seconds_to_wait(entry, self._outbox_clock())
            if wait is not None:
                text.append(f" · ◷ sending in {wait} s", "bold")
                text.append(f" · {self._key_of('app.undo_send')} undo", "dim")
            else:
                glyph, words = reply_state_label(entry.state)
                style = "bold red" if entry.state == ReplyState.FAILED else "dim"
                text.append(f" · {glyph} {words}", style)
            text.append("\n")
            text.append(_shown(entry.body))
            if entry.state == ReplyState.FAILED:
                text.append("\n✗ ", "bold red")
                text.append(visible(entry.error_message or "refused", multiline=False), "red")
                if entry.error_code and entry.error_code not in (entry.error_message or ""):
                    text.append(f" ({visible(entry.error_code, multiline=False)})", "red")
                text.append(f"\n  {self._key_of('app.retry')} retries · {self._edit_hint()}", "dim")
            return text
        content = item.content
        assert content is not None
        author = content.author_identity_id
        name = self._name_of(author)
        if self._is_own(author):
            text.append("You", "bold")
            if name:
                # Which of the user's identities the customer saw.
                text.append(f" · as {visible(name, multiline=False)}", "dim")
        else:
            agent = self._is_agent(author)
            if agent is None:
                agent = not content.is_incoming
            text.append(visible(name, multiline=False) if name else short_id(author), "bold")
            text.append(" · agent" if agent else " · customer", "dim")
        text.append(f" · {full_time(content.creation_time, now)}", "dim")
        if content.type and content.type != "Message":
            # "Message" is what nearly every content is; only the others (Comment, Review...) say
            # something, and the header then fits on one line more often.
            text.append(f" · {visible(content.type, multiline=False)}", "dim")
        if content.rating is not None:
            text.append(" · " + "★" * max(0, min(content.rating, 5)), "yellow")
        if not content.is_incoming:
            state = reply_state(content.synchronization_status)
            glyph, words = reply_state_label(state)
            text.append(f" · {glyph} {words}", "bold red" if state == ReplyState.FAILED else "dim")
        if content.id == self._target_id:
            text.append(" · replying to this", "bold")
        text.append("\n")
        if content.title:
            text.append("Subject: ", "dim")
            text.append(visible(content.title, multiline=False) + "\n", "bold")
        text.append_text(self._marked(_shown(item.text)))
        for attachment in content.attachments:
            text.append("\n📎 ", "dim")
            text.append(
                visible(attachment.filename or attachment.id or "attachment", multiline=False)
            )
            text.append(
                f" · {visible(attachment.content_type or 'unknown type', multiline=False)}"
                f" · {human_size(attachment.size)}",
                "dim",
            )
        if content.synchronization_error:
            text.append("\n✗ not delivered: ", "bold red")
            text.append(visible(content.synchronization_error, multiline=False), "red")
            if not content.is_incoming:
                text.append(f"\n  {self._edit_hint()}", "dim")
        return text

    def _marked(self, shown: str) -> Text:
        """A message's text (already made visible) with the filter's text marked in it, found
        in the visible text, so a match can never split a control symbol."""
        body = Text(shown, end="")
        match = self._match_of()
        if match:
            body.highlight_words(
                [visible(match, multiline=False)], MATCH_STYLE, case_sensitive=False
            )
        return body

    def _edit_hint(self) -> str:
        key = self._key_of("app.edit_failed")
        # A letter would be typed into the composer, where the agent often is at this point.
        where = " (outside the composer)" if len(key) == 1 else ""
        return f"{key}{where} puts the text back in the composer"

    def waiting(self) -> bool:
        """Whether a reply shown here is counting down its undo window."""
        now = self._outbox_clock()
        return any(
            i.pending is not None and seconds_to_wait(i.pending, now) is not None
            for i in self._items
        )

    def refresh_pending(self) -> None:
        """Repaint the replies still in the outbox (the undo countdown moves)."""
        for bubble in self._bubbles():
            if bubble.item.pending is not None:
                bubble.refresh_item(bubble.item, self._render_item(bubble.item))

    # ------------------------------------------------------------------ selection

    def _bubbles(self) -> list[MessageBubble]:
        return list(self.query_one("#messages", Vertical).query(MessageBubble))

    def watch_selected(self, old: int, new: int) -> None:
        self._mark_classes()
        bubbles = self._bubbles()
        if 0 <= new < len(bubbles):
            self.scroll_to_widget(bubbles[new], animate=False, immediate=True)

    def _mark_classes(self) -> None:
        for index, bubble in enumerate(self._bubbles()):
            bubble.set_class(index == self.selected, "selected")
            content = bubble.item.content
            bubble.set_class(content is not None and content.id == self._target_id, "target")

    def action_select(self, step: int) -> None:
        if not self._items:
            return
        if self.selected < 0:
            self.selected = len(self._items) - 1 if step < 0 else 0
        else:
            self.selected = max(0, min(self.selected + step, len(self._items) - 1))

    def action_target(self) -> None:
        item = self._selected_item()
        if item is not None and item.content is not None:
            self._target_id = item.content.id
            self.post_message(self.TargetChosen(item.content))

    def action_copy(self) -> None:
        item = self._selected_item() or (self._items[-1] if self._items else None)
        if item is not None:
            self.post_message(self.CopyRequested(item.text))

    def _selected_item(self) -> ViewItem | None:
        if 0 <= self.selected < len(self._items):
            return self._items[self.selected]
        return None

    @property
    def selected_item(self) -> ViewItem | None:
        """The message the agent selected with j/k (kept while the composer has focus)."""
        return self._selected_item()

    class OlderWanted(Message):
        pass

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 and old > 0 and self.has_older:
            self.post_message(self.OlderWanted())

    def on_focus(self) -> None:
        if self.selected < 0 and self._items:
            self.selected = self._newest_in_view()

    def _newest_in_view(self) -> int:
        """The newest message wholly on screen (else the newest partly on screen, else the last).

        Selecting it moves nothing: focusing the view with a click must not scroll the message
        under the pointer away before the click lands.
        """
        view = self.content_region
        bubbles = self._bubbles()
        whole = [i for i, b in enumerate(bubbles) if b.region and view.contains_region(b.region)]
        if whole:
            return whole[-1]
        partly = [i for i, b in enumerate(bubbles) if view.overlaps(b.region)]
        return partly[-1] if partly else len(self._items) - 1


def _shown(body: str) -> str:
    if len(body) <= MAX_SHOWN:
        return visible(body)
    rest = len(body) - MAX_SHOWN
    return visible(body[:MAX_SHOWN]) + f"\n… {rest:,} more characters (y copies the whole message)"
