"""Composing: what a reply answers, its draft, sending it.

A mixin of :class:`~rcinbox.tui.app.InboxApp`. The rules (which message a reply may answer,
whether the channel allows it, how long it may be) are the engine's: this module asks the
``Inbox`` facade and shows its answers, and the view's marker and the composer's "Replying to"
line always come from the same answer.

It is an ``App`` subclass at run time only so that Textual collects its ``@on`` handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import App
from textual.timer import Timer

from rcinbox.inbox.engine import ReplyNotQueued, ReplyRefused, ReplyTarget
from rcinbox.inbox.types import ReplyTooLong, ThreadRow
from rcinbox.text import one_line, visible
from rcinbox.tui.formatting import short_id
from rcinbox.tui.widgets.composer import Composer
from rcinbox.tui.widgets.conversation_view import ConversationView

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = App


class Composing(_Base):
    """The reply's target, its draft, and the send key."""

    def _target(self) -> ReplyTarget:
        """What a reply in the open thread answers, by the engine's rule."""
        if self._open_thread is None:
            return ReplyTarget(None, refusal="No conversation is open.")
        return self.inbox.reply_target(self._open_thread.id, self._reply_target)

    def _target_description(self, target: ReplyTarget) -> str:
        content = target.content
        if content is None:
            return target.refusal or "Nothing to answer here."
        author_id = content.author_identity_id
        if self._is_own(author_id):
            author = "You"
        else:
            author = self._name_of(author_id) or short_id(author_id)
        return f"Replying to {visible(author, multiline=False)}: {content.display_text}"

    def _show_window(self, thread: ThreadRow) -> None:
        """The engine's free-text window for the open thread, in the view's header; once it
        is closed the composer is in template mode (sending opens the template form)."""
        window = self.inbox.free_text_window(thread.id)
        self.view.set_window(window.status(), closed=not window.open)
        self._window_ticks(thread.id, window.remaining if window.limited else None)
        if not window.open and self._target().possible:
            self.composer.set_target(
                f"{window.channel_label} · closed: send a template. Free text is allowed only"
                " within 24 hours of the customer's last message; ctrl+s picks an approved"
                " template.",
                blocked=True,
            )

    def _window_ticks(self, thread_id: str, remaining: float | None) -> None:
        """Show the window again when its minutes change (and when it closes, which turns
        the composer to template mode), while this thread stays open."""
        timer: Timer | None = getattr(self, "_window_timer", None)
        if timer is not None:
            timer.stop()
        self._window_timer = None
        if remaining is None or remaining <= 0:
            return

        def again() -> None:
            if self._open_thread is not None and self._open_thread.id == thread_id:
                self._show_thread(thread_id, keep_scroll=True)

        self._window_timer = self.set_timer(min(remaining % 60 or 60, remaining) + 0.5, again)

    def _send_template(self, thread: ThreadRow) -> None:
        """The composer's template mode: the template form on this thread's channel, to its
        customer."""
        # The form loads when it first opens: it is no part of the first frame.
        from rcinbox.tui.new_conversation import Prefill, open_new_conversation

        if thread.channel_id is None:
            return
        prefill = Prefill(thread.channel_id, to=self.inbox.customer_address(thread.id) or "")
        settings = self.settings
        open_new_conversation(self, self.inbox, settings.templates, settings.channel_names, prefill)

    @on(ConversationView.TargetChosen)
    def _target_chosen(self, event: ConversationView.TargetChosen) -> None:
        thread = self._open_thread
        if thread is None:
            return
        chosen = self.inbox.reply_target(thread.id, event.content.id)
        allowed = chosen.content_id == event.content.id
        if allowed:
            self._reply_target = event.content.id
        else:
            self.notify(
                chosen.refusal or "A reply answers a customer's message, not this one.",
                severity="warning",
            )
        # The marker and the composer's line show what the reply answers now, either way.
        self._show_thread(thread.id, keep_scroll=True)
        if allowed:
            self.action_reply()

    @on(ConversationView.CopyRequested)
    def _copy(self, event: ConversationView.CopyRequested) -> None:
        self.copy_to_clipboard(event.text)
        self.notify(f"Copied {len(event.text):,} characters", timeout=2)

    # ------------------------------------------------------------------ composing

    @on(Composer.Edited)
    def _edited(self, event: Composer.Edited) -> None:
        if self._open_thread is not None:
            self.inbox.save_draft(
                self._open_thread.id,
                event.text,
                in_reply_to=self._reply_target,
                public=self.composer.public,
            )
        self.inbox.user_active()

    def action_send_reply(self) -> None:
        """The send key reached the app: send once the text area has caught up.

        Keys reach the app in order, and it hands each character to the text area's own
        queue. When keys come in one burst (a fast typist, SSH or tmux batching them), the
        characters typed just before the send key may still wait in that queue when the key
        arrives here. Queued behind them, the send takes exactly the text typed before the key,
        and the characters typed after it go to the emptied composer.
        """
        self.composer.area.call_later(self._send_reply)

    def _send_reply(self, *, confirmed: bool = False) -> None:
        thread = self._open_thread
        composer = self.composer
        text = composer.text
        if thread is not None and not self.inbox.free_text_window(thread.id).open:
            self._send_template(thread)
            return
        if thread is None or not text.strip():
            self.notify("Nothing to send.", severity="warning", timeout=2)
            return
        # A snippet's placeholder left in the reply ({first_name}): asked about first.
        if not confirmed and self._asks_before_sending(
            text, lambda: self._send_reply(confirmed=True)
        ):
            return
        try:
            self._last_sent = self.inbox.send(
                thread.id,
                text,
                in_reply_to=self._reply_target,
                public=composer.public,
                delay=self.settings.undo_seconds,
            )
        except ReplyTooLong as error:
            self.notify(
                f"{error.length:,} characters: {error.channel} allows"
                f" {error.limit:,}. Shorten the reply to send it.",
                title="Too long",
                severity="error",
            )
            return
        except ReplyRefused as error:
            self.notify(str(error), title="Cannot send", severity="error")
            return
        except ReplyNotQueued as error:
            # The text stays in the composer; nothing was sent.
            self.notify(one_line(str(error), 200), title="Not sent", severity="error")
            return
        composer.clear()
        # The next reply answers the newest customer message again, unless one is chosen.
        self._reply_target = None
        self._show_thread(thread.id, keep_scroll=False)

    def action_toggle_public(self) -> None:
        if not self.composer.toggle_public():
            self.notify(f"{self.composer.rules.channel} has only one kind of reply.", timeout=2)
        elif self._open_thread is not None:
            self.inbox.save_draft(
                self._open_thread.id,
                self.composer.text,
                in_reply_to=self._reply_target,
                public=self.composer.public,
            )
