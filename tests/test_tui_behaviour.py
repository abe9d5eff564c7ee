"""What the TUI does when driven by keys, clicks and the server: pilot tests on the emulator.

Each test runs the real app (engine, store, loopback HTTP) in Textual's headless pilot and waits
for conditions (never for a fixed time), so it proves behaviour rather than a picture.
"""

from __future__ import annotations

import pytest
from tui_harness import (
    QUIET,
    make_app,
    queue_past_the_rules,
    server,
    settle,
    until,
)

from rcinbox.emulator import Faults
from rcinbox.inbox.engine import EngineSettings
from rcinbox.inbox.store import ThreadFilter
from rcinbox.tui.app import InboxApp
from rcinbox.tui.widgets.conversation_view import MessageBubble

WIDE = (120, 40)
NARROW = (80, 24)
LIVE = EngineSettings(poll_active=0.2, poll_idle=0.2, idle_after=3600.0)

# Seeded threads (seed 1) by what they hold.
MARKUP_CONTENT = "6ad2ae7166403ef7f099dd28"  # "[@click=app.quit]click me[/] [b]bold[/b]…"
TWITTER_THREAD = "6afc3ccdb3246cd8488f19d1"


def _bubble_text(bubble: MessageBubble) -> str:
    return str(bubble.visual)


def _last_bubble(app: InboxApp) -> MessageBubble:
    return list(app.view.query(MessageBubble))[-1]


# ---------------------------------------------------------------------------------- the list


@server(warm=False, contents=3000)
async def test_scrolling_down_fetches_older_pages_and_never_repeats_a_row(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        listing = app.conversation_list
        first_total = listing.total
        first_gets = emulator.stats.requests["GET /contents"]
        assert first_total > 0
        for _ in range(12):
            await pilot.press("pagedown")
            await until(pilot, lambda: not listing.loading_older)
        await settle(pilot)
        assert emulator.stats.requests["GET /contents"] > first_gets
        assert listing.total > first_total
        ids = [listing._row(index).id for index in range(listing.total)]
        assert len(ids) == len(set(ids))
        assert ids == [row.id for row in app.inbox.threads(ThreadFilter(), 0, listing.total)]


@server()
async def test_keys_move_the_list_while_older_conversations_load(seeded) -> None:
    """ "Loading older conversations…" (a slow or unreachable server) must not take the keys
    away: the agent can still move up the rows already listed. Textual counts a widget whose
    ``loading`` is true as not focused, so the list's own flag must not be called that."""
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        listing = app.conversation_list
        listing.cursor = 5
        listing.set_loading(True)
        await pilot.pause()
        assert app.focused is listing
        await pilot.press("k", "k")
        await until(pilot, lambda: listing.cursor == 3)
        assert listing.loading_older


@server()
async def test_new_inbound_message_appears_without_a_keypress_and_keeps_the_selection(
    seeded,
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, settings=LIVE)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        listing = app.conversation_list
        chosen = listing.selected
        before = listing.total
        written = emulator.add_inbound()
        await until(pilot, lambda: listing.total == before + 1)
        await settle(pilot)
        assert listing._row(0).id == written["threadId"]
        assert listing.selected.id == chosen.id
        assert listing.cursor == 4
        # At the top of the list the new arrival stays in sight.
        assert listing.scroll_y == 0


@server()
async def test_an_arrival_above_a_scrolled_list_moves_nothing_on_screen(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, settings=LIVE)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("pagedown", "pagedown", "j")
        listing = app.conversation_list
        chosen = listing.selected
        on_screen = listing.cursor * 2 - round(listing.scroll_y)
        assert listing.scroll_y > 0
        before = listing.total
        emulator.add_inbound()
        await until(pilot, lambda: listing.total == before + 1)
        await settle(pilot)
        assert listing.selected.id == chosen.id
        assert listing.cursor * 2 - round(listing.scroll_y) == on_screen


async def test_j_k_g_G_and_page_down_move_the_selection(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        listing = app.conversation_list
        await pilot.press("j", "j", "j", "k")
        assert listing.cursor == 2
        await pilot.press("pagedown")
        screenful = listing.scrollable_content_region.height // 2
        assert listing.cursor == 2 + screenful
        await pilot.press("g")
        assert listing.cursor == 0
        await pilot.press("G")
        await until(pilot, lambda: not listing.loading_older)
        await pilot.press("G")
        assert listing.cursor == listing.total - 1


async def test_n_opens_the_next_unread_thread_and_marks_it_read(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        first_unread = app.inbox.next_unread(ThreadFilter(), None)
        await pilot.press("n")
        await settle(pilot)
        assert app.view.thread is not None and app.view.thread.id == first_unread
        assert app.conversation_list.selected.id == first_unread
        assert not app.inbox.thread(first_unread).unread
        second_unread = app.inbox.next_unread(ThreadFilter(), first_unread)
        await pilot.press("n")
        await settle(pilot)
        assert app.view.thread.id == second_unread


async def test_u_toggles_the_selected_thread_unread(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        row = app.conversation_list.selected
        await pilot.press("u")
        await settle(pilot)
        assert app.inbox.thread(row.id).unread is not row.unread
        assert app.conversation_list.selected.unread is not row.unread
        await pilot.press("u")
        await settle(pilot)
        assert app.inbox.thread(row.id).unread is row.unread


async def test_slash_filters_the_list_and_escape_restores_it(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        listing = app.conversation_list
        everything = listing.total
        await pilot.press("slash", *"click me")
        await settle(pilot)
        assert listing.total == 1
        await pilot.press("escape")
        await settle(pilot)
        assert listing.total == everything
        assert listing.has_focus


# ---------------------------------------------------------------------------------- a thread


async def test_clicking_a_markup_laden_body_runs_nothing(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    actions: list[str] = []
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"click me", "enter", "enter")
        await settle(pilot)
        app.view.scroll_home(animate=False, immediate=True)
        await settle(pilot)
        bubble = next(
            b
            for b in app.view.query(MessageBubble)
            if b.item.content and b.item.content.id == MARKUP_CONTENT
        )
        assert "[@click=app.quit]click me[/]" in _bubble_text(bubble)
        original = app.run_action

        async def record(action, *args, **kwargs):
            actions.append(str(action))
            return await original(action, *args, **kwargs)

        app.run_action = record
        # The body's first line, on the words "click me": plain text, no action attached.
        x, y = bubble.region.x + 22, bubble.region.y + 1
        assert "@click" not in app.screen.get_style_at(x, y).meta
        assert await pilot.click(bubble, offset=(22, 1))
        await settle(pilot)
        assert app.is_running
        assert app.return_code is None
        assert actions == []


async def test_y_copies_the_selected_message(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j", "j", "enter")
        await settle(pilot)
        app.view.focus()  # selects the newest message
        await pilot.press("k", "y")
        await settle(pilot)
        items = app.view.items
        assert app.clipboard == items[-2].text
        assert app.clipboard


async def test_narrow_layout_shows_the_thread_full_width_and_escape_returns(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert not app.sidebar.display or app.sidebar.region.width == 0
        chosen = app.conversation_list.selected
        await pilot.press("enter")
        await settle(pilot)
        pane = app.query_one("#thread-pane")
        assert pane.region.width == NARROW[0]
        assert app.conversation_list.region.width == 0
        assert app.view.has_focus
        assert app.view.thread.id == chosen.id
        await pilot.press("escape")
        await settle(pilot)
        assert pane.region.width == 0
        assert app.conversation_list.region.width == NARROW[0]
        assert app.conversation_list.has_focus
        assert app.conversation_list.selected.id == chosen.id


async def test_a_resize_while_a_dialog_is_open_lays_out_the_inbox_behind_it(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: len(app.screen_stack) > 1)
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        await pilot.press("escape")
        await until(pilot, lambda: len(app.screen_stack) == 1)
        await settle(pilot)
        # Wide now: the sidebar, the list and the conversation pane side by side.
        assert app.sidebar.region.width > 0
        assert 0 < app.conversation_list.region.width < WIDE[0]
        assert app.query_one("#thread-pane").region.width > 0


# ---------------------------------------------------------------------------------- replies


@server(sync_delay=0.05)
async def test_a_sent_reply_reaches_delivered(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Danke!", "ctrl+s")
        thread = app.view.thread
        assert app.composer.text == ""
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("delivered",))))
        await settle(pilot)
        assert "✓✓ delivered" in _bubble_text(_last_bubble(app))
        assert "Danke!" in _bubble_text(_last_bubble(app))
        assert app.inbox.thread(thread.id).reply_state == "delivered"
        assert emulator.count_contents(body="Danke!") == 1


@server(sync_delay=0.05, faults=Faults(sync_fail=1.0))
async def test_a_reply_the_channel_refused_can_be_reworded_from_its_text(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Refund on its way", "ctrl+s")
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("failed",))))
        await settle(pilot)
        assert "not delivered" in _bubble_text(_last_bubble(app))
        # e is a letter in the composer: the agent leaves it first (ctrl+e is its end of line).
        assert app.composer.area.has_focus
        await pilot.press("escape", "e")
        assert app.composer.text == "Refund on its way"
        assert app.composer.area.has_focus


@server()
async def test_sending_never_blocks_typing(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("r", *"Hi")
        # Every answer now takes a second: the POST is on its way while the agent types on.
        emulator.config.faults.latency_ms = 1000
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("sending",))))
        await pilot.press(*"ok?")
        assert app.composer.text == "ok?"
        assert app.inbox.outbox_entries(("sending",)), "the POST was still in flight"
        emulator.config.faults.latency_ms = 0


async def test_a_reply_the_server_refuses_shows_its_words_and_how_to_retry(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    too_long = " ".join(["Thanks for waiting, the replacement jacket ships today."] * 6)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.conversation_list.select_thread(TWITTER_THREAD)
        await pilot.press("enter")
        queue_past_the_rules(app.inbox, TWITTER_THREAD, too_long)
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("failed",))))
        await settle(pilot)
        shown = _bubble_text(_last_bubble(app))
        assert "✗ failed" in shown
        assert "Body is too long" in shown
        assert shown.count("EDI-033") == 1
        assert "ctrl+r retries" in shown


async def test_the_composer_refuses_a_reply_over_the_channel_limit(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, settings=QUIET)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.conversation_list.select_thread(TWITTER_THREAD)
        await pilot.press("enter", "r")
        app.composer.area.insert("x" * 281)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.composer.rules.too_long(app.composer.text)
        assert app.composer.query_one("#counter").has_class("over")
        assert app.composer.text == "x" * 281
        assert app.inbox.outbox_entries() == []


async def test_enter_in_the_filter_box_filters_at_once(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        # No pause between the typing and the keys: enter must not wait for the debounce.
        await pilot.press("slash", *"click me", "enter", "enter")
        assert app.view.thread is not None
        assert "[@click=app.quit]" in _bubble_text(_last_bubble(app)) or any(
            "[@click=app.quit]" in (item.text or "") for item in app.view.items
        )


def _burst(app: InboxApp, *keys: str) -> None:
    """Keys posted to the app at once, as a terminal delivers a batched burst: the app takes the
    next one before the text area has handled the last."""
    from textual import events

    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


@pytest.mark.parametrize("send_key", ["ctrl+s", "alt+enter"])
@server()
async def test_a_reply_typed_in_one_burst_leaves_whole(seeded, send_key: str) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    bodies = [f"Q{n}: thanks, checked." for n in range(1, 4)]
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r")
        keys = [key for body in bodies for key in (*body, send_key)]
        _burst(app, *keys, *"next")
        await until(pilot, lambda: app.composer.text.endswith("next"))
        await settle(pilot)
        sent = [e.body for e in sorted(app.inbox.outbox_entries(), key=lambda e: e.created_at)]
        assert sent == bodies
        assert app.composer.text == "next"
