"""Taking a reply back: undo send, the failed reply ctrl+r / e act on, discarding a draft.

A mixin of :class:`~rcinbox.tui.app.InboxApp`, kept apart so the app module stays about layout
and events. Each action reads the engine through the ``Inbox`` facade, and a reply's text that
comes back always lands in the composer before what the agent had started there, never over it.

Undo send: a reply waits in the outbox for ``[compose] undo_seconds`` (the conversation shows
"sending in 4 s · ctrl+z undo"); taking it back is one commit in the engine that also checks the
reply has not begun to leave, so an undo that comes too late says "Already sent" and nothing is
lost or sent twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcinbox.inbox.engine import AlreadySent
from rcinbox.inbox.types import OutboxRow, ReplyState

if TYPE_CHECKING:
    from textual.timer import Timer

    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = object

# How often a reply's undo countdown is repainted (seconds).
COUNTDOWN_EVERY = 0.5


class ReplyActions(_Base):
    """Undo send, retry or edit a failed reply, discard a draft."""

    _countdown: Timer | None = None
    # The reply this app queued last: what undo send takes back when the open conversation
    # has none waiting (the agent sent, then moved on with n).
    _last_sent: OutboxRow | None = None

    def _follow_countdown(self) -> None:
        """Repaint the open conversation's undo countdown while a reply in it waits."""
        if self.view.waiting() and self._countdown is None:
            self._countdown = self.set_interval(COUNTDOWN_EVERY, self._tick_countdown)

    def _tick_countdown(self) -> None:
        if self.view.waiting():
            self.view.refresh_pending()
        elif self._countdown is not None:
            # The window ended (the outbox's own event repaints the new state) or was undone.
            self._countdown.stop()
            self._countdown = None
            self.view.refresh_pending()

    def _failed_reply(self) -> tuple[OutboxRow | None, str, str | None] | None:
        """The failed reply ctrl+r / e act on: the one selected in the conversation, else
        the newest. An outbox entry the server refused, or a reply the server has but its
        channel did not deliver; as (entry or None, text, the message it answered)."""
        selected = self.view.selected_item
        if selected is not None:
            entry, content = selected.pending, selected.content
            if entry is not None and entry.state == ReplyState.FAILED:
                return entry, entry.body, entry.in_reply_to
            if content is not None and not content.is_incoming and content.exported is False:
                return None, content.display_text, content.in_reply_to_content_id
        if self._open_thread is None:
            return None
        failed = [
            e
            for e in self.inbox.pending_replies(self._open_thread.id)
            if e.state == ReplyState.FAILED
        ]
        if failed:
            return failed[-1], failed[-1].body, failed[-1].in_reply_to
        for item in reversed(self.view.items):
            content = item.content
            if content is not None and not content.is_incoming:
                if content.exported is False:
                    return None, content.display_text, content.in_reply_to_content_id
                return None
        return None

    def action_retry_failed(self) -> None:
        failed = self._failed_reply()
        if failed is None:
            self.notify("No failed reply in this conversation.", timeout=2)
        elif failed[0] is not None:
            self.inbox.retry(failed[0].id)
            self._show_thread(failed[0].thread_id, keep_scroll=True)
        else:
            # The server has that reply (with its channel error); sending it again makes a
            # new one, which the agent may want to word differently: offer the text instead.
            self.action_edit_failed()

    def action_edit_failed(self) -> None:
        failed = self._failed_reply()
        if failed is None:
            self.notify("No failed reply in this conversation.", timeout=2)
            return
        entry, text, answered = failed
        if entry is not None:
            self.inbox.discard(entry.id)
        self._take_into_composer(text, answered)

    def _take_into_composer(self, text: str, answered: str | None) -> None:
        """Put a reply's text back in the composer, before what the agent had started."""
        composer = self.composer
        started = composer.text
        if answered:
            self._reply_target = answered
        composer.display = True
        if text.strip() not in started:
            # (A reply the server holds stays there: pressing the key again adds no copy.)
            composer.area.load_text(f"{text}\n\n{started}" if started.strip() else text)
        composer.area.move_cursor(composer.area.document.end)
        self._focus_now(composer.area)
        if self._open_thread is not None:
            self._show_thread(self._open_thread.id, keep_scroll=True)

    def _waiting_reply(self) -> OutboxRow | None:
        """What undo send takes back: the reply selected in the conversation if it is still
        queued, else the open conversation's newest queued reply, else the last one sent."""
        selected = self.view.selected_item
        if (
            selected is not None
            and selected.pending
            and selected.pending.state == ReplyState.QUEUED
        ):
            return selected.pending
        if self._open_thread is not None:
            queued = [
                e
                for e in self.inbox.pending_replies(self._open_thread.id)
                if e.state == ReplyState.QUEUED
            ]
            if queued:
                return queued[-1]
        return self._last_sent

    def action_undo_send(self) -> None:
        entry = self._waiting_reply()
        if entry is None:
            self.notify("No reply is waiting to be sent.", timeout=2)
            return
        try:
            draft = self.inbox.cancel_send(entry.id)
        except AlreadySent as late:
            words = "Already sent: the reply had left before the undo."
            if late.state == ReplyState.FAILED:
                words = (
                    "Too late to undo: the reply left and was refused;"
                    f" {self._key_of('app.edit_failed')} puts it back in the composer."
                )
            self.notify(words, severity="warning", timeout=4)
            return
        finally:
            if self._last_sent is not None and self._last_sent.id == entry.id:
                self._last_sent = None
        if self._open_thread is None or self._open_thread.id != entry.thread_id:
            self.conversation_list.select_thread(entry.thread_id)
            self.open_thread(entry.thread_id)
        else:
            self._reply_target = draft.in_reply_to
            self.composer.display = True
            self.composer.prepare(
                self.inbox.reply_rules(entry.thread_id, draft.in_reply_to),
                text=draft.body,
                public=draft.public,
            )
            self._show_thread(entry.thread_id, keep_scroll=True)
        self._focus_now(self.composer.area)
        self.notify("Not sent: the reply is back in the composer.", timeout=3)

    def action_discard_draft(self) -> None:
        thread = self._open_thread
        text = self.composer.text if thread is not None else ""
        if thread is None or not text.strip():
            self.notify("No draft to discard.", timeout=2)
            return
        from rcinbox.tui.screens import ConfirmScreen  # the dialog loads when first asked

        def answered(yes: bool | None) -> None:
            if not yes or self._open_thread is None or self._open_thread.id != thread.id:
                return
            self.inbox.discard_draft(thread.id)
            self.composer.clear()
            self._reply_target = None
            self._show_thread(thread.id, keep_scroll=True)
            self.notify("Draft discarded.", timeout=2)

        words = f"{len(text):,} character{'s' if len(text) != 1 else ''}"
        self.push_screen(
            ConfirmScreen(f"Discard this draft ({words})?", yes="discard", no="keep it"),
            answered,
        )
