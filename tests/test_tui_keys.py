"""Keys and focus, driven as an agent would: undo send, the failed reply the keys act on,
discarding a draft, j/k in the sidebar, where Tab stops, what the list says it shows, the
palette, and that every such key is in the help and moves with the keymap.

Pilot tests on the emulator, like ``test_tui_behaviour``: each waits for conditions, never for
a fixed time, and reads what the agent would read.
"""

from __future__ import annotations

import re

import pytest
from textual.command import CommandList
from textual.widgets import Input
from tui_harness import make_app, queue_past_the_rules, server, settle, until

from rcinbox.emulator import Faults
from rcinbox.inbox.store import ThreadFilter
from rcinbox.tui.app import InboxApp, UISettings
from rcinbox.tui.screens import ConfirmScreen, HelpScreen
from rcinbox.tui.widgets.conversation_view import MessageBubble
from rcinbox.tui.widgets.scope_line import ScopeLine
from rcinbox.tui.widgets.sidebar import ALL

WIDE = (120, 40)
NARROW = (80, 24)
TWITTER_THREAD = "6afc3ccdb3246cd8488f19d1"


def bubbles(app: InboxApp) -> list[MessageBubble]:
    return list(app.view.query(MessageBubble))


def shown(bubble: MessageBubble) -> str:
    return str(bubble.visual)


def _title(hit) -> str:
    return hit.text or str(hit.display)


def help_lines(app: InboxApp) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return str(screen._body)


# ---------------------------------------------------------------------------------- undo send


@server()
async def test_undo_send_counts_down_then_puts_the_reply_back_and_nothing_is_sent(
    seeded,
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, undo_seconds=30)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Your refund is on its way", "ctrl+s")
        await settle(pilot)
        assert app.composer.text == ""
        pending = shown(bubbles(app)[-1])
        assert "Your refund is on its way" in pending
        assert re.search(r"◷ sending in (30|29) s · ctrl\+z undo", pending), pending
        [waiting] = app.inbox.outbox_entries(("queued",))
        assert app.inbox.thread(waiting.thread_id).reply_state == "queued"
        # The agent starts the next thought: ctrl+z first undoes that typing, as in any editor;
        # with nothing typed left to undo, it takes the send back.
        await pilot.press(*"P.S.")
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.composer.text == ""
        assert app.inbox.outbox_entries(("queued",)) == [waiting]
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.composer.text == "Your refund is on its way"
        assert app.composer.area.has_focus
        assert app.inbox.outbox_entries() == []
        assert app.inbox.draft(waiting.thread_id).body == app.composer.text
        assert not any("sending in" in shown(b) for b in bubbles(app))
    assert emulator.stats.requests["POST /contents"] == 0
    assert emulator.count_contents(body="Your refund is on its way") == 0


@server()
async def test_undo_after_moving_on_reopens_the_thread_with_the_reply(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, undo_seconds=30)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Wrong customer!", "ctrl+s", "escape", "n")
        await settle(pilot)
        [waiting] = app.inbox.outbox_entries(("queued",))
        assert app.view.thread.id != waiting.thread_id
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.view.thread.id == waiting.thread_id
        assert app.conversation_list.selected.id == waiting.thread_id
        assert app.composer.text == "Wrong customer!"
        assert app.inbox.outbox_entries() == []
    assert emulator.count_contents(body="Wrong customer!") == 0


@server(faults=Faults(latency_ms=400))
async def test_undo_that_loses_the_race_says_already_sent(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, undo_seconds=0.2)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Too late to take back", "ctrl+s")
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("sending",))))
        notes: list[str] = []
        original = app.notify
        app.notify = lambda message, **kw: notes.append(str(message)) or original(message, **kw)
        await pilot.press("ctrl+z")
        assert any("Already sent" in note for note in notes)
        assert app.composer.text == ""
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("accepted", "delivered"))))
    assert emulator.count_contents(body="Too late to take back") == 1


async def test_with_undo_off_a_reply_leaves_at_once(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, undo_seconds=0)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Straight away", "ctrl+s")
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("accepted", "delivered"))))
        assert not any("sending in" in shown(b) for b in bubbles(app))
        [entry] = app.inbox.outbox_entries()
        assert entry.not_before is None


# ---------------------------------------------------------------------------------- failed replies


async def test_retry_and_edit_act_on_the_selected_failed_reply_not_only_the_newest(
    seeded,
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.conversation_list.select_thread(TWITTER_THREAD)
        await pilot.press("enter")
        await settle(pilot)
        too_long = "x" * 281  # X refuses it (EDI-033): each try fails again
        queue_past_the_rules(app.inbox, TWITTER_THREAD, "older " + too_long)
        queue_past_the_rules(app.inbox, TWITTER_THREAD, "newer " + too_long)
        await until(pilot, lambda: len(app.inbox.outbox_entries(("failed",))) == 2)
        await settle(pilot)
        older, newer = app.inbox.outbox_entries(("failed",))
        posts = emulator.stats.requests["POST /contents"]
        # Select the older failed reply, one above the newest, in the conversation.
        app.view.focus()
        await pilot.press("k")
        assert app.view.selected_item.pending.id == older.id
        await pilot.press("ctrl+r")
        await until(pilot, lambda: emulator.stats.requests["POST /contents"] == posts + 1)
        await until(pilot, lambda: app.inbox.store.outbox_entry(older.id).state == "failed")
        assert app.inbox.store.outbox_entry(newer.id) == newer
        await pilot.press("e")
        await settle(pilot)
        assert app.composer.text == older.body
        assert app.composer.area.has_focus
        assert [e.id for e in app.inbox.outbox_entries(("failed",))] == [newer.id]
        # From inside the composer ctrl+r works too, on the one failed reply left.
        await pilot.press("ctrl+r")
        await until(pilot, lambda: emulator.stats.requests["POST /contents"] == posts + 2)
        assert app.composer.text == older.body


@server(sync_delay=0.05, faults=Faults(sync_fail=1.0))
async def test_a_reply_the_channel_refused_comes_back_once_however_often_asked(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Refund sent", "ctrl+s")
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("failed",))))
        await settle(pilot)
        # The server holds that reply (its channel refused it), so nothing is discarded:
        # asking again must not paste a second copy.
        await pilot.press("escape", "e", "escape", "e", "ctrl+r")
        await settle(pilot)
        assert app.composer.text == "Refund sent"
    assert emulator.count_contents(body="Refund sent") == 1


async def test_ctrl_e_in_the_composer_is_end_of_line_again(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"helo", "home", "right", "right", "right", "ctrl+e", "!")
        assert app.composer.text == "helo!"


# ---------------------------------------------------------------------------------- drafts


async def test_discarding_a_draft_asks_first_and_forgets_it(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Half a thought")
        thread = app.view.thread.id
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.composer.text == "Half a thought"
        await pilot.press("ctrl+l", "y")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.composer.text == ""
        assert app.inbox.draft(thread) is None
        await app.inbox.outbox.flush_drafts()
        assert app.inbox.store.draft(thread) is None
        # Nothing to throw away: no question asked.
        await pilot.press("ctrl+l")
        assert not isinstance(app.screen, ConfirmScreen)


# ---------------------------------------------------------------------------------- sidebar, focus


async def test_j_and_k_move_through_the_sidebar_and_show_each_channel(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.sidebar.focus()
        await pilot.press("j", "j", "j")
        await settle(pilot)
        key = app.sidebar.current_key
        assert key is not None and key.startswith("channel:")
        channel = key.removeprefix("channel:")
        assert app.conversation_list.total == app.inbox.thread_count(ThreadFilter(channel))
        await pilot.press("k", "k", "k")
        await settle(pilot)
        assert app.sidebar.current_key == ALL


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x40", "80x24"])
async def test_tab_stops_only_where_something_shows_focus(seeded, size) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)

        async def stops() -> list[str]:
            seen = []
            for _ in range(6):
                await pilot.press("tab")
                focused = app.focused
                assert focused is not None
                assert focused.display and focused.region.area > 0, focused
                seen.append(focused.id or type(focused).__name__)
            return seen

        # No conversation open: the empty conversation pane is no stop.
        assert "view" not in await stops()
        app.conversation_list.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "view" in await stops()


# ---------------------------------------------------------------------------------- what is shown


async def test_a_channel_from_the_palette_at_80_columns_says_which_with_the_filter(
    seeded,
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        scope = app.query_one(ScopeLine)
        assert scope.region.height == 0  # All, no filter: nothing to say
        await pilot.press("slash", *"backpack", "enter")
        await settle(pilot)
        everywhere = app.conversation_list.total
        await pilot.press("ctrl+p")
        await settle(pilot)
        app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"Channel: Messenger")  # two of the backpack threads
        await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await settle(pilot)
        entry = app.sidebar.entry(app.sidebar.current_key)
        assert entry is not None and entry.where.channel_id is not None
        words = str(scope.visual)
        assert scope.region.height == 1 and scope.region.width == NARROW[0]
        assert entry.label in words and "filter: backpack" in words
        total = app.conversation_list.total
        assert 0 < total <= everywhere
        rows = [app.conversation_list._row(i) for i in range(total)]
        assert all(row.channel_id == entry.where.channel_id for row in rows)
        # esc clears the filter; the channel stays and is still named.
        await pilot.press("escape")
        await settle(pilot)
        assert "filter" not in str(scope.visual) and entry.label in str(scope.visual)
        assert app.conversation_list.total == app.inbox.thread_count(entry.where)


async def test_the_palette_names_each_command_once_and_offers_all_conversations(
    seeded,
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.sidebar.choose(f"channel:{app.inbox.channels()[0].id}")
        await settle(pilot)
        await pilot.press("ctrl+p")
        commands = app.screen.query_one(CommandList)
        await until(pilot, lambda: commands.option_count > 0)
        await settle(pilot)
        titles = [_title(commands.get_option_at_index(i).hit) for i in range(commands.option_count)]
        assert len(titles) == len(set(titles)), sorted(titles)
        assert titles.count("Keys") == 1
        assert "All conversations" in titles
        await pilot.press(*"All conversations")
        await until(pilot, lambda: commands.option_count > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert app.sidebar.current_key == ALL
        assert app.conversation_list.total == app.inbox.thread_count(ThreadFilter())


# ---------------------------------------------------------------------------------- help, keymap


async def test_every_new_key_is_in_the_help_with_its_id(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = help_lines(app)
        for key, words, binding_id in [
            ("ctrl+z", "Undo send", "app.undo_send"),
            ("ctrl+r", "Retry failed reply", "app.retry"),
            ("e", "Edit failed reply", "app.edit_failed"),
            ("ctrl+l", "Discard draft", "app.discard_draft"),
            ("j / down", "Next channel", "sidebar.down"),
            ("k / up", "Previous channel", "sidebar.up"),
        ]:
            assert re.search(rf"{re.escape(key)}\s+{words}\s+\({re.escape(binding_id)}\)", text)


async def test_the_keymap_moves_the_new_keys_and_the_hints_follow(seeded) -> None:
    emulator, store = seeded
    keymap = {
        "app.undo_send": "f2",
        "app.discard_draft": "f3",
        "sidebar.down": "ctrl+n",
    }
    app = make_app(emulator, store, ui=UISettings(keymap=keymap), undo_seconds=30)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Moved keys", "ctrl+s")
        await settle(pilot)
        assert "f2 undo" in shown(bubbles(app)[-1])
        await pilot.press("f2")
        await settle(pilot)
        assert app.composer.text == "Moved keys"
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.composer.text == ""
        app.sidebar.focus()
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.sidebar.current_key != ALL
    assert emulator.count_contents(body="Moved keys") == 0
