"""Triage in the store and on the facade: done, snooze, the needs-reply view, the wait sort."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rcinbox.api.models import Content
from rcinbox.inbox.events import ThreadsChanged
from rcinbox.inbox.store import Store, ThreadFilter
from rcinbox.inbox.triage import snooze_until
from rcinbox.inbox.types import ThreadOrder, TriageState
from tests.engine_helpers import engine

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def message(cid: str, thread: str, minutes: int, *, incoming: bool, body: str = "hi") -> Content:
    """A content ``minutes`` after START in channel c1."""
    return Content.from_json(
        {
            "id": cid,
            "threadId": thread,
            "channelId": "c1",
            "channelType": "WhatsApp",
            "creationTime": (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "contentDirection": "Incoming" if incoming else "Outgoing",
            "body": body,
            "authorIdentityId": "customer" if incoming else "agent",
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "inbox.sqlite3", clock=lambda: START.timestamp())
    # t1: the customer waits since minute 10; t2: answered; t3: the customer waits since 30;
    # t4: the customer waits since minute 5 (the longest wait).
    store.merge_contents(
        [
            message("a1", "t1", 0, incoming=True),
            message("a2", "t1", 10, incoming=True),
            message("b1", "t2", 20, incoming=True),
            message("b2", "t2", 40, incoming=False),
            message("c1", "t3", 30, incoming=True),
            message("d1", "t4", 5, incoming=True),
        ]
    )
    yield store
    store.close()


def ids(store: Store, where: ThreadFilter) -> list[str]:
    return [row.id for row in store.threads_window(where, 0, 100)]


def test_needs_reply_lists_threads_whose_newest_message_is_the_customers(store: Store) -> None:
    where = ThreadFilter(needs_reply=True)
    assert ids(store, where) == ["t3", "t1", "t4"]
    assert store.thread_count(where) == 3
    assert store.needs_reply_count(0) == 3
    store.merge_contents([message("c2", "t3", 50, incoming=False)])
    assert ids(store, where) == ["t1", "t4"]


def test_the_wait_sort_puts_the_longest_wait_first_then_the_rest_by_activity(
    store: Store,
) -> None:
    waiting = ThreadFilter(order=ThreadOrder.WAITING)
    assert ids(store, waiting) == ["t4", "t1", "t3", "t2"]
    # Positions and "next unread" follow the same order.
    assert [store.thread_position(waiting, t) for t in ("t4", "t1", "t3", "t2")] == [0, 1, 2, 3]
    assert store.next_unread(waiting, "t4") == "t1"
    assert store.next_unread(waiting, "t3") == "t4"  # wraps
    assert ids(store, ThreadFilter(needs_reply=True, order=ThreadOrder.WAITING)) == [
        "t4",
        "t1",
        "t3",
    ]


def test_the_wait_is_measured_from_the_customers_newest_message(store: Store) -> None:
    rows = {row.id: row for row in store.threads_window(ThreadFilter(), 0, 10)}
    now = START + timedelta(hours=3, minutes=10)
    assert rows["t1"].waiting(now) == timedelta(hours=3)
    assert rows["t2"].waiting(now) is None


def test_done_hides_a_thread_until_its_customer_writes_again(store: Store) -> None:
    assert store.put_aside("t1", TriageState.DONE, None) is not None
    assert "t1" not in ids(store, ThreadFilter())
    assert "t1" not in ids(store, ThreadFilter(unread_only=True))
    assert "t1" not in ids(store, ThreadFilter(needs_reply=True))
    assert ids(store, ThreadFilter(triaged=True)) == ["t1"]
    assert store.thread_count(ThreadFilter()) == 3
    assert store.thread_count(ThreadFilter(channel_id="c1", unread_only=True)) == 2
    assert store.unread_by_channel(0) == {"c1": 2}
    # Done is read.
    assert store.thread("t1").unread is False
    # The agent writing changes nothing.
    store.merge_contents([message("a3", "t1", 60, incoming=False)])
    assert "t1" not in ids(store, ThreadFilter())
    # An older customer message turning up (history paging) changes nothing either.
    store.merge_contents([message("a0", "t1", -60, incoming=True)])
    assert "t1" not in ids(store, ThreadFilter())
    # The customer writes again: back, unread, no longer put aside.
    store.merge_contents([message("a4", "t1", 70, incoming=True)])
    assert ids(store, ThreadFilter(unread_only=True))[0] == "t1"
    assert store.triage("t1") is None
    assert store.thread_count(ThreadFilter()) == 4


def test_undo_done_brings_the_thread_back(store: Store) -> None:
    store.put_aside("t3", TriageState.DONE, None)
    assert store.take_back("t3").state is TriageState.DONE
    assert "t3" in ids(store, ThreadFilter())
    assert store.take_back("t3") is None


def test_a_snooze_ends_at_its_time_and_the_thread_comes_back_unread(store: Store) -> None:
    until = START.timestamp() + 3600
    store.mark_read("t3")
    row = store.put_aside("t3", TriageState.SNOOZED, until)
    assert row.until == until and row.content_id == "c1"
    assert "t3" not in ids(store, ThreadFilter())
    assert store.wake_snoozed(until - 1) == []
    assert "t3" not in ids(store, ThreadFilter())
    assert store.wake_snoozed(until) == ["t3"]
    assert ids(store, ThreadFilter(unread_only=True))[0] == "t3"
    assert store.triaged() == []


def test_putting_aside_an_unknown_thread_does_nothing(store: Store) -> None:
    assert store.put_aside("nope", TriageState.DONE, None) is None
    assert store.triaged() == []


def test_snooze_times_are_read_relative_to_the_clock() -> None:
    now = datetime(2026, 3, 4, 15, 30).astimezone()  # a Wednesday, local time
    epoch = now.timestamp()
    assert snooze_until("3h", epoch) == epoch + 3 * 3600
    assert snooze_until("30m", epoch) == epoch + 1800
    tomorrow = datetime.fromtimestamp(snooze_until("tomorrow", epoch)).astimezone()
    assert (tomorrow.day, tomorrow.hour, tomorrow.minute) == (5, 9, 0)
    monday = datetime.fromtimestamp(snooze_until("monday", epoch)).astimezone()
    assert (monday.weekday(), monday.day, monday.hour) == (0, 9, 9)
    later = datetime.fromtimestamp(snooze_until("2026-03-10 08:15", epoch)).astimezone()
    assert (later.day, later.hour, later.minute) == (10, 8, 15)
    early = datetime.fromtimestamp(snooze_until("09:00", epoch)).astimezone()
    assert (early.day, early.hour) == (5, 9)
    with pytest.raises(ValueError, match="not a time"):
        snooze_until("soonish", epoch)
    with pytest.raises(ValueError, match="already past"):
        snooze_until("2020-01-01 00:00", epoch)


async def test_the_facade_ends_due_snoozes_on_its_own_clock(tmp_path: Path) -> None:
    now = [START.timestamp()]
    async with engine("http://127.0.0.1:9", tmp_path / "s.sqlite3", clock=lambda: now[0]) as inbox:
        inbox.store.merge_contents([message("a1", "t1", -10, incoming=True)])
        inbox.mark_read("t1")
        subscription = inbox.subscribe()
        assert inbox.snooze("t1", now[0] + 600).state is TriageState.SNOOZED
        assert inbox.thread_count(ThreadFilter()) == 0
        assert [r.thread_id for r in inbox.triaged()] == ["t1"]
        now[0] += 600
        # Any read of the lists ends the snooze first.
        assert [row.id for row in inbox.threads(ThreadFilter(unread_only=True), 0, 10)] == ["t1"]
        assert inbox.triaged() == []
        events = []
        while (event := subscription.get_nowait()) is not None:
            events.append(event)
        assert ThreadsChanged(("t1",)) in events
        inbox.mark_done("t1")
        assert inbox.restore("t1").state is TriageState.DONE
        assert inbox.thread_count(ThreadFilter()) == 1
