"""What the TUI says while things change under it (issue 8, findings 3, 4, 6 and 7).

Pilot tests on the real app, engine and emulator: the status line says one consistent thing
offline and online again; the composer names the message the view marks, as the customer writes
on; an open conversation stays read; a conversation nobody has answered cannot be replied to,
and says why; "You" is known before any reply; customers who write while the app runs are named
within seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from engine_helpers import own_identity_ids
from tui_harness import make_app, pin_time_zone, settle, until, warm_store

from rcinbox.emulator import Emulator
from rcinbox.inbox.engine import BackgroundWork, EngineSettings
from rcinbox.inbox.events import ConnectionState
from rcinbox.inbox.replies import no_customer_message
from rcinbox.inbox.store import ThreadFilter
from rcinbox.tui.app import InboxApp
from rcinbox.tui.widgets.conversation_view import MessageBubble

WIDE = (120, 40)
LIVE = EngineSettings(poll_active=0.2, poll_idle=0.2, idle_after=3600.0)
LOGINS = 1000  # every app logs in once; the default allows five a minute
# Names resolved as the app runs (the harness's default is a store with every name, no lookups).
NAMES = BackgroundWork(send=False, names=True, history=False)


@pytest.fixture
def seeded(make_emulator: Callable[..., Emulator], tmp_path: Path) -> tuple[Emulator, Path]:
    """An emulator of the test's own (it writes to it) and a warm store of its data."""
    pin_time_zone()
    emulator = make_emulator(auth_rate_limit=LOGINS)
    return emulator, warm_store(emulator, tmp_path / "inbox.sqlite3")


def status_text(app: InboxApp) -> str:
    return app.status.render().plain


def composer_label(app: InboxApp) -> str:
    return str(app.composer.query_one("#reply-to").visual)


def bubble_texts(app: InboxApp) -> list[str]:
    return [str(bubble.visual) for bubble in app.view.query(MessageBubble)]


def list_lines(app: InboxApp, rows: int) -> list[str]:
    """The list's first ``rows`` name lines as drawn."""
    listing = app.conversation_list
    return [listing.render_line(2 * index).text for index in range(rows)]


async def open_thread(pilot, thread_id: str) -> None:
    app = pilot.app
    assert app.conversation_list.select_thread(thread_id)
    await pilot.press("enter")
    await settle(pilot)
    assert app.view.thread is not None and app.view.thread.id == thread_id


async def test_the_status_line_says_one_thing_offline_and_again_once_online(
    seeded, make_emulator: Callable[..., Emulator]
) -> None:
    emulator, store = seeded
    port = int(emulator.url.rsplit(":", 1)[1])
    app = make_app(emulator, store, settings=LIVE)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        online = status_text(app)
        assert online.startswith("● online · synced now")
        emulator.stop()
        await until(pilot, lambda: app.status.connection is ConnectionState.OFFLINE)
        await pilot.pause(1.0)  # polls keep failing meanwhile
        offline = status_text(app)
        assert offline.startswith("● offline · last synced ")
        assert "synced now" not in offline, "offline, yet synced now"
        assert "requests left" not in offline, "nothing is spent offline"
        assert "connect" in offline.lower()
        make_emulator(port=port, auth_rate_limit=LOGINS)
        await until(pilot, lambda: app.status.connection is ConnectionState.ONLINE)
        await until(pilot, lambda: "synced now" in status_text(app))
        again = status_text(app)
        assert again.startswith("● online · synced now")
        assert "connect" not in again.lower() and "dismiss" not in again, "a stale error"


async def test_the_composer_names_what_the_view_marks_as_the_customer_writes_on(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, settings=LIVE)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        thread = next(
            row
            for row in app.inbox.threads(ThreadFilter(), 0, 100)
            if row.customer_name and row.latest_inbound_id
        )
        await open_thread(pilot, thread.id)
        first = app.inbox.content(thread.latest_inbound_id)
        assert app.view._target_id == first.id
        assert composer_label(app).startswith(f"Replying to {thread.customer_name}: ")

        written = emulator.add_inbound(thread.id)
        await until(pilot, lambda: app.view._target_id == written["id"])
        await settle(pilot)
        assert composer_label(app) == f"Replying to {thread.customer_name}: {written['body']}"
        marked = [text for text in bubble_texts(app) if "replying to this" in text]
        assert len(marked) == 1 and written["body"] in marked[0]
        # The agent had it open and on screen: it was read as it came.
        assert not app.inbox.thread(thread.id).unread
        assert not app.conversation_list.selected.unread

        # A message the agent chose stays chosen while others arrive, until the reply leaves.
        app.view.focus()
        app.view.selected = next(
            i for i, item in enumerate(app.view.items) if item.content.id == first.id
        )
        await pilot.press("enter")
        assert composer_label(app).startswith(f"Replying to {thread.customer_name}: ")
        assert app.view._target_id == first.id
        later = emulator.add_inbound(thread.id)
        await until(pilot, lambda: app.inbox.content(later["id"]) is not None)
        await settle(pilot)
        assert app.view._target_id == first.id
        await pilot.press(*"Sorted", "ctrl+s")
        await settle(pilot)
        assert app.inbox.outbox_entries()[0].in_reply_to == first.id
        assert app.view._target_id == later["id"]
        assert composer_label(app).endswith(later["body"])


async def test_a_conversation_nobody_answered_says_why_no_reply_can_go(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        post = next(
            row
            for row in app.inbox.threads(ThreadFilter(), 0, 100)
            if row.latest_inbound_id is None and row.channel_type == "Facebook"
        )
        assert list_lines(app, 1)[0].strip().startswith("No reply yet")
        await open_thread(pilot, post.id)
        words = no_customer_message("Facebook")
        assert composer_label(app) == words
        assert app.composer.query_one("#reply-to").has_class("blocked")
        assert not [text for text in bubble_texts(app) if "replying to this" in text]
        await pilot.press("r", *"Hello", "ctrl+s")
        await settle(pilot)
        assert app.composer.text == "Hello", "the text stays for the agent to keep or drop"
        assert app.inbox.outbox_entries() == []
        assert any(words in str(n.message) for n in app._notifications)
    assert emulator.stats.requests["POST /contents"] == 0


async def test_your_own_messages_say_you_from_the_first_screen(seeded) -> None:
    emulator, store = seeded
    own = own_identity_ids(emulator)
    app = make_app(emulator, store, work=NAMES)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        thread = next(
            row
            for row in app.inbox.threads(ThreadFilter(), 0, 200)
            if row.latest_inbound_id
            and any(c.author_identity_id in own for c in app.inbox.messages(row.id))
        )
        await open_thread(pilot, thread.id)
        await until(pilot, lambda: any(text.startswith("You · as ") for text in bubble_texts(app)))
        customers = [text for text in bubble_texts(app) if " · customer · " in text]
        assert customers and not any(text.startswith("You") for text in customers)
    assert emulator.stats.requests["POST /contents"] == 0


async def test_customers_who_write_while_a_thread_is_open_are_named_within_seconds(
    seeded,
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, settings=LIVE, work=NAMES)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        thread = next(r for r in app.inbox.threads(ThreadFilter(), 0, 100) if r.customer_name)
        await open_thread(pilot, thread.id)  # its view asks for names too
        listed = emulator.stats.requests["GET /identities"]
        written = [emulator.add_inbound() for _ in range(3)]
        await until(pilot, lambda: app.conversation_list.total >= 3)
        await until(
            pilot,
            lambda: all(app.inbox.name(c["authorIdentityId"]) for c in written),
            timeout=3.0,
        )
        await settle(pilot)
        shown = list_lines(app, 3)
        assert not [line for line in shown if "…" in line.split("·")[0]], shown
        assert emulator.stats.requests["GET /identities/{id}"] == 0
        assert emulator.stats.requests["GET /identities"] - listed <= 2


@pytest.fixture
def nameless(make_emulator, tmp_path: Path) -> tuple[Emulator, Path]:
    """An emulator and a warm store of its contents without any name."""
    pin_time_zone()
    emulator = make_emulator(auth_rate_limit=LOGINS)
    return emulator, warm_store(emulator, tmp_path / "inbox.sqlite3", names=False)


async def test_names_that_arrive_are_painted_without_waiting_for_the_coalesced_repaint(
    nameless: tuple[Emulator, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolved names only make the list's rendered lines stale: the list is repainted at once,
    not with the next repaint of the rows (which waits out REFRESH_EVERY after the last one)."""
    import time

    from rcinbox.inbox.events import IdentitiesResolved
    from rcinbox.tui import live
    from rcinbox.tui.engine_messages import IdentitiesResolvedMessage

    emulator, store = nameless
    monkeypatch.setattr(live, "REFRESH_EVERY", 3600.0)
    app = make_app(emulator, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.conversation_list
        stale: list[bool] = []
        original = listing.names_changed
        monkeypatch.setattr(listing, "names_changed", lambda: stale.append(True) or original())
        app._last_refresh = time.monotonic()  # a repaint just happened
        monkeypatch.setattr(app.inbox, "name", lambda identity_id: "Zed Tester")
        customer = listing._row(0).customer_id
        app.post_message(IdentitiesResolvedMessage(IdentitiesResolved((customer,))))
        await pilot.pause()
        assert stale == [True]
        line = "".join(segment.text for segment in listing.render_line(0))
        assert "Zed Tester" in line
