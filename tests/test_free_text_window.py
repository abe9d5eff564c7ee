"""WhatsApp's 24-hour free-text window, the rule alone and in the engine, on an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rcinbox.api.models import Content
from rcinbox.inbox.replies import (
    WindowClosed,
    duration,
    free_text_window,
    reply_title,
    thread_window,
)
from rcinbox.inbox.store import Store

HOUR = 3600.0
WROTE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC).timestamp()


def test_inside_the_window_free_text_is_allowed_and_the_time_left_is_said() -> None:
    window = free_text_window("WhatsApp", WROTE, WROTE + 20 * HOUR + 48 * 60)
    assert window.open
    assert window.remaining == 3 * HOUR + 12 * 60
    assert window.status() == "window closes in 3 h 12 min"


def test_outside_the_window_only_a_template_may_be_sent() -> None:
    window = free_text_window("WhatsApp", WROTE, WROTE + 26 * HOUR)
    assert not window.open
    assert window.remaining == 0
    assert window.status() == "closed: send a template"
    assert "closed 2 h ago" in window.refusal()
    assert "template" in str(WindowClosed(window))


def test_the_window_closes_at_the_very_moment_24_hours_have_passed() -> None:
    assert free_text_window("WhatsApp", WROTE, WROTE + 24 * HOUR - 1).open
    assert not free_text_window("WhatsApp", WROTE, WROTE + 24 * HOUR).open
    assert free_text_window("WhatsApp", WROTE, WROTE + 24 * HOUR - 59).status() == (
        "window closes in less than a minute"
    )


def test_no_customer_message_means_closed() -> None:
    window = free_text_window("WhatsApp", None, WROTE)
    assert not window.open
    assert "no customer has written" in window.refusal()


@pytest.mark.parametrize("channel", ["Email", "Messenger", "Twitter", None, "SomethingNew"])
def test_other_channels_have_no_window(channel: str | None) -> None:
    window = free_text_window(channel, WROTE, WROTE + 1000 * HOUR)
    assert window.open and window.status() is None


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(30, "less than a minute"), (42 * 60, "42 min"), (3 * HOUR, "3 h"), (50 * HOUR, "2 days")],
)
def test_durations_read_as_words(seconds: float, words: str) -> None:
    assert duration(seconds) == words


def test_an_email_reply_keeps_the_subject_once() -> None:
    assert reply_title("Email", "Your order") == "Re: Your order"
    assert reply_title("Email", "RE: Your order") == "RE: Your order"
    assert reply_title("Email", None) is None
    assert reply_title("WhatsApp", "Your order") is None


def _content(content_id: str, at: float, incoming: bool) -> Content:
    return Content.from_json(
        {
            "id": content_id,
            "threadId": "t" * 24,
            "channelId": "c" * 24,
            "channelType": "WhatsApp",
            "authorIdentityId": "a" * 24 if incoming else "b" * 24,
            "body": "hello",
            "status": "New" if incoming else "UserReply",
            "contentDirection": "Incoming" if incoming else "Outgoing",
            "creationTime": datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )


def test_a_stored_thread_counts_from_its_newest_customer_message(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "inbox.db", clock=lambda: WROTE)
    try:
        store.merge_contents(
            [
                _content("1" * 24, WROTE - 48 * HOUR, True),
                _content("2" * 24, WROTE, True),
                # Our own later message does not reopen or extend the window.
                _content("3" * 24, WROTE + 10 * HOUR, False),
            ]
        )
        now = WROTE + timedelta(hours=23).total_seconds()
        assert thread_window(store, "t" * 24, now).open
        assert not thread_window(store, "t" * 24, WROTE + 24 * HOUR).open
    finally:
        store.close()
