"""Triage and server search in the TUI, driven by keys: pilot tests on the emulator."""

from __future__ import annotations

import asyncio

from tui_harness import FIXED_NOW, make_app, server, settle, until, warm_store

from rcinbox.inbox.store import ThreadFilter
from rcinbox.inbox.types import ThreadOrder, TriageState
from rcinbox.tui.app import InboxApp
from rcinbox.tui.commands import InboxCommands
from rcinbox.tui.screens import help_text
from rcinbox.tui.server_search import FOUND_THERE
from rcinbox.tui.widgets.conversation_view import MessageBubble
from rcinbox.tui.widgets.scope_line import ScopeLine
from rcinbox.tui.widgets.sidebar import NEEDS_REPLY

WIDE = (120, 40)


def rows(app) -> list:
    listing = app.conversation_list
    return [listing._row(i) for i in range(listing.total)]


async def test_d_marks_the_selected_thread_done_and_the_palette_takes_it_back(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        total = app.conversation_list.total
        row = app.conversation_list.selected
        await pilot.press("d")
        await settle(pilot)
        assert app.inbox.triage(row.id).state is TriageState.DONE
        assert app.conversation_list.total == total - 1
        assert row.id not in [r.id for r in rows(app)]
        # The palette lists it, by its customer's name, and takes it back.
        titles = [title for title, _, _ in app_commands(app)]
        assert f"Undo done: {app.thread_title(row)}" in titles
        app.restore_thread(row.id)
        await settle(pilot)
        assert app.conversation_list.total == total
        assert app.inbox.triage(row.id) is None


def app_commands(app) -> list:
    provider = InboxCommands(app.screen)
    return provider._put_aside()


async def test_z_snoozes_until_the_chosen_time_then_it_comes_back_unread(seeded) -> None:
    emulator, store = seeded
    now = [FIXED_NOW.timestamp()]
    app = make_app(emulator, store, engine_clock=lambda: now[0])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        row = app.conversation_list.selected
        app.inbox.mark_read(row.id)
        await pilot.press("z")
        await settle(pilot)
        # A time the engine cannot read keeps the picker open and says why.
        await pilot.press("tab", *"soonish", "enter")
        await settle(pilot)
        assert "not a time" in str(app.screen.query_one("#snooze-error").visual)
        await pilot.press(*["backspace"] * 7, *"3h", "enter")
        await settle(pilot)
        mark = app.inbox.triage(row.id)
        assert mark.state is TriageState.SNOOZED and mark.until == now[0] + 3 * 3600
        assert row.id not in [r.id for r in rows(app)]
        now[0] += 3 * 3600
        app._wake_snoozed()
        await settle(pilot)
        assert row.id in [r.id for r in rows(app)]
        assert app.inbox.thread(row.id).unread


async def test_z_offers_common_times_first(seeded) -> None:
    emulator, store = seeded
    now = [FIXED_NOW.timestamp()]
    app = make_app(emulator, store, engine_clock=lambda: now[0])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        row = app.conversation_list.selected
        await pilot.press("z", "enter")  # the first choice: in 1 hour
        await settle(pilot)
        assert app.inbox.triage(row.id).until == now[0] + 3600
        await pilot.press("z", "escape")
        await settle(pilot)
        assert app.inbox.triage(app.conversation_list.selected.id) is None


async def test_the_needs_reply_view_shows_waits_and_w_sorts_by_them(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.sidebar.choose(NEEDS_REPLY)
        await settle(pilot)
        where = ThreadFilter(needs_reply=True)
        assert app.conversation_list.total == app.inbox.thread_count(where) > 0
        shown = rows(app)
        assert all(row.latest_incoming for row in shown)
        source = app.conversation_list.source
        assert source.note(shown[0]).startswith("waiting ")
        await pilot.press("w")
        await settle(pilot)
        by_wait = rows(app)
        waits = [row.waiting(FIXED_NOW) for row in by_wait]
        assert waits == sorted(waits, reverse=True)
        assert app._entry.where.order is ThreadOrder.WAITING
        await pilot.press("w")
        await settle(pilot)
        assert [row.id for row in rows(app)] == [row.id for row in shown]


@server(warm=False)
async def test_enter_in_the_filter_box_asks_the_server_and_marks_what_it_adds(seeded) -> None:
    emulator, store = seeded
    # The store holds the newest 200 contents only: the rest is on the server.
    await asyncio.to_thread(warm_store, emulator, store, pages=1, per_page=200)
    old = next(c for c in emulator.contents_where(contentDirection="Incoming") if c["body"])
    words = old["body"][:30]
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert old["threadId"] not in app.inbox.search(words)
        await pilot.press("slash", *words, "enter")
        await until(pilot, lambda: bool(app._server_found))
        await settle(pilot)
        found = {row.id: app.conversation_list.source.note(row) for row in rows(app)}
        assert found[old["threadId"]] == FOUND_THERE
        scope = str(app.query_one(ScopeLine).visual)
        assert f"{len(app._server_found)} more from the server" in scope
        # The open conversation marks the match.
        app.conversation_list.select_thread(old["threadId"])
        app.open_thread(old["threadId"])
        await settle(pilot)
        marked = [
            bubble.visual.plain[span.start : span.end]
            for bubble in app.view.query(MessageBubble)
            for span in bubble.visual.spans
            if getattr(span.style, "reverse", False)
        ]
        assert words in marked


async def test_show_done_snoozed_lists_them_with_their_state_and_fetches_nothing(
    seeded,
) -> None:
    emulator, store = seeded
    now = [FIXED_NOW.timestamp()]
    app = make_app(emulator, store, engine_clock=lambda: now[0])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        first, second = rows(app)[:2]
        app.inbox.mark_done(first.id)
        app.inbox.snooze(second.id, now[0] + 7200)
        await settle(pilot)
        listed = emulator.stats.requests["GET /contents"]
        app.action_show_triaged()
        await settle(pilot)
        shown = rows(app)
        assert {row.id for row in shown} == {first.id, second.id}
        notes = {row.id: app.conversation_list.source.note(row) for row in shown}
        assert notes[first.id] == "done"
        assert notes[second.id].startswith("snoozed until ")
        assert emulator.stats.requests["GET /contents"] == listed


def test_the_help_names_the_triage_keys_with_their_ids() -> None:
    text = help_text([("Everywhere", InboxApp.BINDINGS)], {"app.snooze": "S"}).plain
    assert "d               Done  (app.done)" in text
    assert "S               Snooze  (app.snooze)" in text
    assert "w               Sort by wait  (app.wait_sort)" in text


async def test_a_name_full_of_markup_is_said_as_text(seeded, monkeypatch) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        name = "[@click=app.quit]Eve[/] [b"
        monkeypatch.setattr(app, "thread_title", lambda row: name)
        await pilot.press("d")
        await settle(pilot)
        notice = list(app._notifications)[-1]
        assert notice.message.startswith(f"Done: {name} (back when") and notice.markup is False
        assert app.is_running
