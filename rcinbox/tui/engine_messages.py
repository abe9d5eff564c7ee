"""Engine events as Textual messages, so the app handles each kind with its own ``@on`` method.

The engine publishes plain frozen values on its bus (it never imports Textual); the app's event
worker wraps each one with :func:`as_message` and posts it to the app, whose message queue then
delivers them in the order the engine published them. ``message.event`` is the engine's value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import App
from textual.message import Message

from rcinbox.inbox.engine import WaitAnnounced, WebhookState
from rcinbox.inbox.events import (
    ConnectionChanged,
    ContentsArrived,
    HistoryChanged,
    IdentitiesResolved,
    LoginRequired,
    OutboxChanged,
    Overflowed,
    RateChanged,
    SyncStatus,
    ThreadsChanged,
    Trouble,
)


class EngineMessage(Message):
    """One engine event, delivered to the app."""

    # Posted to the app itself: there is no parent to bubble to.
    bubble = False

    def __init__(self, event: Any) -> None:
        super().__init__()
        self.event = event


class ContentsArrivedMessage(EngineMessage):
    event: ContentsArrived


class ThreadsChangedMessage(EngineMessage):
    event: ThreadsChanged


class IdentitiesResolvedMessage(EngineMessage):
    event: IdentitiesResolved


class OutboxChangedMessage(EngineMessage):
    event: OutboxChanged


class ConnectionChangedMessage(EngineMessage):
    event: ConnectionChanged


class SyncStatusMessage(EngineMessage):
    event: SyncStatus


class RateChangedMessage(EngineMessage):
    event: RateChanged


class HistoryChangedMessage(EngineMessage):
    event: HistoryChanged


class LoginRequiredMessage(EngineMessage):
    event: LoginRequired


class OverflowedMessage(EngineMessage):
    event: Overflowed


class WebhookStateMessage(EngineMessage):
    event: WebhookState


class WaitAnnouncedMessage(EngineMessage):
    event: WaitAnnounced


class TroubleMessage(EngineMessage):
    event: Trouble


_MESSAGE_FOR: dict[type, type[EngineMessage]] = {
    ContentsArrived: ContentsArrivedMessage,
    ThreadsChanged: ThreadsChangedMessage,
    IdentitiesResolved: IdentitiesResolvedMessage,
    OutboxChanged: OutboxChangedMessage,
    ConnectionChanged: ConnectionChangedMessage,
    SyncStatus: SyncStatusMessage,
    RateChanged: RateChangedMessage,
    HistoryChanged: HistoryChangedMessage,
    LoginRequired: LoginRequiredMessage,
    Overflowed: OverflowedMessage,
    WebhookState: WebhookStateMessage,
    WaitAnnounced: WaitAnnouncedMessage,
    Trouble: TroubleMessage,
}


def as_message(event: object) -> EngineMessage | None:
    """The message for an engine event; None for a kind the app does not show."""
    message_class = _MESSAGE_FOR.get(type(event))
    return message_class(event) if message_class is not None else None


A = TypeVar("A", bound=App[Any])
M = TypeVar("M", bound=EngineMessage)


def while_running(handler: Callable[[A, M], None]) -> Callable[[A, M], None]:
    """Drop the message once the app is shutting down: messages still queued then would find
    the widgets they update already removed (the worker posts until it is cancelled)."""

    @functools.wraps(handler)
    def guarded(app: A, message: M) -> None:
        if app.is_running:
            handler(app, message)

    return guarded
