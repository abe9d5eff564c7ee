"""Live updates: the engine's events, as Textual messages, repaint the app.

A mixin of :class:`~rcinbox.tui.app.InboxApp`. The event worker turns each engine event into
its message (:mod:`rcinbox.tui.engine_messages`); each kind has its own ``@on`` handler here.
Repaints are coalesced: a page of arrivals, or names resolved in a burst, is one repaint, at
most every :data:`REFRESH_EVERY` seconds.

It is an ``App`` subclass at run time only so that Textual collects its ``@on`` handlers (it
does so per message-pump class); it adds no CSS, bindings or widgets of its own.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App

from rcinbox.inbox.events import ConnectionState, HistoryCoverage
from rcinbox.inbox.types import ReplyState
from rcinbox.notify import alert_sequence
from rcinbox.text import one_line
from rcinbox.tui.engine_messages import (
    ConnectionChangedMessage,
    ContentsArrivedMessage,
    EngineMessage,
    HistoryChangedMessage,
    IdentitiesResolvedMessage,
    LoginRequiredMessage,
    OutboxChangedMessage,
    OverflowedMessage,
    RateChangedMessage,
    SyncStatusMessage,
    ThreadsChangedMessage,
    TroubleMessage,
    WaitAnnouncedMessage,
    WebhookStateMessage,
    as_message,
    while_running,
)
from rcinbox.tui.formatting import days_loaded

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = App

# Repaints on engine events are at most this often (seconds); a page of arrivals is one.
REFRESH_EVERY = 0.05


class LiveUpdates(_Base):
    """The engine's events, handled: repaint, status line, notices."""

    @work(group="events", exit_on_error=False)
    async def _listen(self) -> None:
        async for event in self.inbox.subscribe():
            message = as_message(event)
            if message is not None:
                self.post_message(message)

    # ------------------------------------------------------------------ engine events

    @on(ContentsArrivedMessage)
    @while_running
    def _contents_arrived(self, message: ContentsArrivedMessage) -> None:
        self._schedule_refresh()
        if message.event.incoming_ids and self._synced_once:
            self._notify_arrival(message.event.incoming_ids)

    @on(ThreadsChangedMessage)
    @on(HistoryChangedMessage)
    @on(OverflowedMessage)
    @while_running
    def _rows_changed(self, message: EngineMessage) -> None:
        self._schedule_refresh()

    @on(OutboxChangedMessage)
    @while_running
    def _outbox_changed(self, message: OutboxChangedMessage) -> None:
        self._schedule_refresh()
        entry = message.event.entry
        if entry.state == ReplyState.FAILED:
            self.notify(
                one_line(entry.error_message or "refused", 200),
                title="Reply not sent",
                severity="error",
            )

    @on(IdentitiesResolvedMessage)
    @while_running
    def _identities_resolved(self, message: IdentitiesResolvedMessage) -> None:
        # The list's names are painted at once: only its rendered lines are stale, and waiting
        # for the next coalesced repaint kept a first start's names off screen for up to
        # REFRESH_EVERY after they came. An open conversation is re-read with that repaint.
        self.conversation_list.names_changed()
        if self._open_thread is not None:
            self._names_changed = True
            self._schedule_refresh()

    @on(ConnectionChangedMessage)
    @while_running
    def _connection_changed(self, message: ConnectionChangedMessage) -> None:
        self._show_connection(message.event.state, message.event.reason)

    @on(SyncStatusMessage)
    @while_running
    def _sync_status(self, message: SyncStatusMessage) -> None:
        event = message.event
        status = self.status
        status.syncing = event.syncing
        if event.syncing:
            return
        if event.last_sync is not None and event.last_sync != self._engine_last_sync:
            # The engine stamps syncs with the wall clock; the status line measures "synced
            # 3m ago" with the app's clock (fixed in snapshots), so the moment is taken on it.
            self._engine_last_sync = event.last_sync
            status.last_sync = self.clock().timestamp()
            self._synced_once = True
        # Offline, the status line shows the connection's reason instead of this one.
        status.error = event.error
        status.rate = self.inbox.rate()

    @on(RateChangedMessage)
    @while_running
    def _rate_changed(self, message: RateChangedMessage) -> None:
        self.status.rate = message.event.state

    @on(WebhookStateMessage)
    @while_running
    def _webhook_state(self, message: WebhookStateMessage) -> None:
        event = message.event
        self.status.webhooks = event.detail if not event.active else "webhooks"

    @on(WaitAnnouncedMessage)
    @while_running
    def _wait_announced(self, message: WaitAnnouncedMessage) -> None:
        # The engine says when on the wall clock; the status line counts down the real time
        # left (on the monotonic clock), whatever the app's clock shows.
        self.status.wait_reason = message.event.reason
        self.status.wait_until = time.monotonic() + (message.event.until - time.time())

    @on(TroubleMessage)
    @while_running
    def _trouble(self, message: TroubleMessage) -> None:
        # Something the engine could not do (a reply it could not record): one line, no crash.
        self.notify(one_line(message.event.message, 300), severity="warning", timeout=8)

    @on(LoginRequiredMessage)
    @while_running
    def _login_required(self, message: LoginRequiredMessage) -> None:
        from rcinbox.tui.screens import LoginRequiredScreen  # loads only when a login ends

        if not isinstance(self.screen, LoginRequiredScreen):
            self.push_screen(LoginRequiredScreen(message.event.message, self.settings.profile))

    def _show_connection(self, state: ConnectionState, reason: str | None) -> None:
        status = self.status
        status.reason = reason
        status.connection = state
        status.rate = self.inbox.rate()

    def _notify_arrival(self, incoming_ids: tuple[str, ...]) -> None:
        count = len(incoming_ids)
        words = "1 new message" if count == 1 else f"{count} new messages"
        sequence = alert_sequence(self.settings.notifications, words)
        if sequence and self._driver is not None:
            self._driver.write(sequence)

    def _schedule_refresh(self) -> None:
        """Repaint now, then coalesce what follows within :data:`REFRESH_EVERY` into one."""
        if self._refresh_scheduled:
            return
        wait = self._last_refresh + REFRESH_EVERY - time.monotonic()
        if wait <= 0:
            self._refresh_now()
        else:
            self._refresh_scheduled = True
            self.set_timer(wait, self._refresh_now)

    def _refresh_now(self) -> None:
        # A repaint timer set before shutdown began may fire while the widgets are removed.
        if self._engine_closed or not self.is_running:
            return
        self._refresh_scheduled = False
        self._last_refresh = time.monotonic()
        names_changed, self._names_changed = self._names_changed, False
        self._refresh_sidebar()
        if self._search is not None:
            self._search_in_background(self._search, keep_cursor=True)
        else:
            self.conversation_list.refresh_rows()
        if names_changed:
            self.conversation_list.names_changed()
        if self._open_thread is not None:
            self._show_thread(self._open_thread.id, keep_scroll=True)
        self.status.rate = self.inbox.rate()

    def _refresh_sidebar(self) -> None:
        channels = self.inbox.channels()
        unread = sum(c.unread_count for c in channels)
        history = self.inbox.history()
        self.sidebar.update_channels(
            channels, unread, partial=history.partial, needs_reply=self.inbox.needs_reply_count()
        )
        if self._open_thread is None:
            self.view.clear(summary(unread, len(channels), history))


def summary(unread: int, channels: int, history: HistoryCoverage) -> str:
    if channels == 0:
        if history.partial:
            return "No conversations yet. Older history is still loading."
        return "No conversations yet. New messages appear here as they arrive."
    plus = "+" if history.partial else ""
    waiting = (
        ("Nothing unread so far." if history.partial else "Nothing unread.")
        if unread == 0
        else (
            f"{unread}{plus} unread conversation{'s' if unread != 1 else ''}"
            f" across {channels}{plus} channel{'s' if channels != 1 else ''}"
            f" in the last {history.horizon_days} days."
        )
    )
    if history.partial:
        waiting += f"\nHistory is still loading ({days_loaded(history)}): counts marked + may grow."
    return (
        f"{waiting}\n\n"
        "enter   open the selected conversation\n"
        "n       next unread\n"
        "/       filter by name or text\n"
        "ctrl+p  jump to a thread, a channel or an action\n"
        "?       every key"
    )
