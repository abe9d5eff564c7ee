"""Snapshots of the TUI on seeded data with a fixed clock (pytest --snapshot-update to accept).

Every scenario drives the app with keys, as an agent would, then waits for a still screen with
:func:`tui_harness.settle` (or polls a condition first). Scenarios that only look share one
emulator and one warm store; a scenario that writes (opening a thread marks it read, a reply is
sent) gets a fresh copy of the store, or its own emulator when the server has to behave
differently, so no scenario depends on the ones before it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Input, Select
from tui_harness import (
    FIXED_NOW,
    copy_store,
    make_app,
    pin_time_zone,
    until,
    warm_store,
)
from tui_harness import settle as settle_screen

from rcinbox.api.channels import WHATSAPP_WINDOW
from rcinbox.config import TemplateConfig
from rcinbox.emulator import Emulator, EmulatorConfig, Faults
from rcinbox.emulator.clock import epoch
from rcinbox.inbox.events import LoginRequired
from rcinbox.tui.app import UISettings
from rcinbox.tui.new_conversation import NewConversationScreen
from rcinbox.tui.widgets.sidebar import NEEDS_REPLY

WIDE = (120, 40)
NARROW = (80, 24)
# Every app logs in once; the emulator's default allows five logins a minute per client.
LOGINS = 1000


async def settle(pilot, **options: object) -> None:
    """Settle, and wait for the engine's own requests too: the budget the status line shows
    must not depend on how fast the machine answered."""
    await settle_screen(pilot, quiet=True, **options)


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory):
    """One emulator and one warm store for the module."""
    pin_time_zone()
    emulator = Emulator(EmulatorConfig(auth_rate_limit=LOGINS)).start()
    store = warm_store(emulator, tmp_path_factory.mktemp("store") / "inbox.sqlite3")
    yield emulator, store
    emulator.stop()


@pytest.fixture
def seeded(warm):
    """The shared emulator and warm store, for the scenarios that only look. The rate budget
    the status line shows starts full, whichever scenarios ran before (or beside, with -n)."""
    emulator, store = warm
    emulator.reset_rate_limits()
    return emulator, store


@pytest.fixture
def fresh(seeded, tmp_path: Path):
    """The shared emulator with a copy of the warm store, for a scenario that writes to it."""
    emulator, store = seeded
    return emulator, copy_store(store, tmp_path)


@pytest.fixture
def own_emulator(tmp_path: Path):
    """``own_emulator(**EmulatorConfig fields)``: an emulator and a warm store of its own."""
    pin_time_zone()
    started: list[Emulator] = []

    def start(**options: object) -> tuple[Emulator, Path]:
        emulator = Emulator(EmulatorConfig(auth_rate_limit=LOGINS, **options)).start()
        started.append(emulator)
        return emulator, warm_store(emulator, tmp_path / f"inbox-{len(started)}.sqlite3")

    yield start
    for emulator in started:
        emulator.stop()


async def _filter_and_open(pilot: Pilot, text: str) -> None:
    """Filter the list by ``text``, then open the first match, as an agent would."""
    await settle(pilot)
    await pilot.press("slash", *text, "enter", "enter")
    await settle(pilot)


async def _reply(pilot: Pilot, text: str) -> None:
    await pilot.press("r", *text)


# ---------------------------------------------------------------------------------- the list


def test_start_screen_120x40(snap_compare: Callable, seeded) -> None:
    emulator, store = seeded
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=settle)


def test_start_screen_80x24(snap_compare: Callable, seeded) -> None:
    emulator, store = seeded
    assert snap_compare(make_app(emulator, store), terminal_size=NARROW, run_before=settle)


def test_channel_selected_in_sidebar(snap_compare: Callable, seeded) -> None:
    async def choose_twitter(pilot: Pilot) -> None:
        await settle(pilot)
        # All, Unread, Needs reply, then the channels by name: X (Twitter) is the fifteenth.
        await pilot.press("shift+tab", *["down"] * 14)
        await settle(pilot)

    emulator, store = seeded
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=choose_twitter)


def test_channel_from_the_palette_at_80x24_is_named_above_the_list(
    snap_compare: Callable, seeded
) -> None:
    async def choose_from_palette(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"Channel: Viber")
        await until(pilot, lambda: pilot.app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await settle(pilot)

    emulator, store = seeded
    assert snap_compare(
        make_app(emulator, store), terminal_size=NARROW, run_before=choose_from_palette
    )


def test_filter_matching_nothing_says_so(snap_compare: Callable, seeded) -> None:
    async def filter_nothing(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"no such words")
        await settle(pilot)

    emulator, store = seeded
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=filter_nothing)


def test_offline_start_shows_stored_rows(snap_compare: Callable, fresh) -> None:
    _, store = fresh
    gone = Emulator(EmulatorConfig(contents=0)).start()
    gone.stop()  # nothing listens on its address any more
    assert snap_compare(make_app(gone, store), terminal_size=WIDE, run_before=settle)


# ---------------------------------------------------------------------------------- a thread


def test_thread_open(snap_compare: Callable, fresh) -> None:
    async def open_seventh(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(*["j"] * 6, "enter")  # a WhatsApp thread with photos and a receipt
        await settle(pilot)

    emulator, store = fresh
    # Pinned: the header counts the WhatsApp window's minutes on the engine's clock.
    app = make_app(emulator, store, engine_clock=_pinned)
    assert snap_compare(app, terminal_size=WIDE, run_before=open_seventh)


def test_thread_open_80x24_takes_the_whole_width(snap_compare: Callable, fresh) -> None:
    async def open_seventh(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(*["j"] * 6, "enter")
        await settle(pilot)

    emulator, store = fresh
    app = make_app(emulator, store, engine_clock=_pinned)
    assert snap_compare(app, terminal_size=NARROW, run_before=open_seventh)


def test_composing_shows_the_counter(snap_compare: Callable, fresh) -> None:
    async def compose(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(*["j"] * 4, "enter")  # Facebook: public or private, ctrl+t
        await _reply(pilot, "Hi Emma, it ships today.")
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=compose)


def test_long_names_emoji_and_rtl_text(snap_compare: Callable, fresh) -> None:
    async def open_long_name(pilot: Pilot) -> None:
        await settle(pilot)
        # The first Email channel holds CJK, Hebrew and very long names; the twelfth thread
        # is María Fernanda de los Ángeles García-Villanueva y Montenegro de la Santísima Trinidad.
        await pilot.press("shift+tab", *["down"] * 4, "tab", *["j"] * 11, "enter")
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=open_long_name)


# ---------------------------------------------------------------------------------- hostile text


def test_markup_in_a_body_is_shown_as_text(snap_compare: Callable, fresh) -> None:
    async def open_markup(pilot: Pilot) -> None:
        await _filter_and_open(pilot, "click me")
        pilot.app.view.scroll_home(animate=False, immediate=True)
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=open_markup)


def test_ansi_escapes_in_a_body_are_shown_as_symbols(snap_compare: Callable, fresh) -> None:
    async def open_ansi(pilot: Pilot) -> None:
        await _filter_and_open(pilot, "still red")
        pilot.app.view.scroll_home(animate=False, immediate=True)
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=open_ansi)


def test_bidi_overrides_are_shown_as_symbols_80x24(snap_compare: Callable, fresh) -> None:
    emulator, store = fresh
    assert snap_compare(
        make_app(emulator, store),
        terminal_size=NARROW,
        run_before=lambda pilot: _filter_and_open(pilot, "Isolated:"),
    )


# ---------------------------------------------------------------------------------- replies


def test_reply_delivered(snap_compare: Callable, own_emulator) -> None:
    emulator, store = own_emulator(sync_delay=0.05)
    app = make_app(emulator, store)

    async def send(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("n")  # the newest unread: Marie F. on LinkedIn
        await _reply(pilot, "Danke, Marie!")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("delivered",))))
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=send)


def test_reply_not_delivered_shows_the_channel_error(snap_compare: Callable, own_emulator) -> None:
    emulator, store = own_emulator(sync_delay=0.05, faults=Faults(sync_fail=1))
    app = make_app(emulator, store)

    async def send(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("n")
        await _reply(pilot, "Danke, Marie!")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(app.inbox.outbox_entries(("failed",))))
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=send)


def test_reply_waiting_out_its_undo_window(snap_compare: Callable, fresh) -> None:
    emulator, store = fresh
    # The engine's clock stands still: the countdown reads the same on every run.
    frozen = FIXED_NOW.timestamp()
    app = make_app(emulator, store, undo_seconds=5, engine_clock=lambda: frozen)

    async def send(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("n")
        await _reply(pilot, "Danke, Marie!")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=send)


def test_discarding_a_draft_asks_first(snap_compare: Callable, fresh) -> None:
    async def discard(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(*["j"] * 4, "enter")
        await _reply(pilot, "Hi Emma, it ships today.")
        await pilot.press("ctrl+l")
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=NARROW, run_before=discard)


# ---------------------------------------------------------------------------------- attachments

# The seeded conversation whose first message carries the specimen files (seed 1).
SPECIMEN_THREAD = "6acff68e82e83672bc0ff993"
# Sophia H. on X; the same person wrote on Instagram and Facebook too (seed 1).
THREE_CHANNEL_CUSTOMER_THREAD = "6aee97932d2db478f6ac9a3f"


def test_attachments_with_hostile_names_are_shown_as_text(snap_compare: Callable, fresh) -> None:
    async def select_specimen(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.open_thread(SPECIMEN_THREAD)
        await settle(pilot)
        pilot.app.screen.set_focus(pilot.app.view)
        await pilot.press("k", "k", "k")
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=select_specimen)


def test_attachment_picker(snap_compare: Callable, fresh) -> None:
    async def picker(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.open_thread(SPECIMEN_THREAD)
        await settle(pilot)
        pilot.app.screen.set_focus(pilot.app.view)
        await pilot.press("k", "k", "k", "s")
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=NARROW, run_before=picker)


def test_customer_panel_on_three_channels(snap_compare: Callable, fresh) -> None:
    async def panel(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.open_thread(THREE_CHANNEL_CUSTOMER_THREAD)
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=panel)


# ---------------------------------------------------------------------------------- screens


def test_help_screen(snap_compare: Callable, seeded) -> None:
    async def help_screen(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    emulator, store = seeded
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=help_screen)


def test_command_palette_with_a_query(snap_compare: Callable, seeded) -> None:
    async def palette(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        # Textual's palette blinks its cursor whatever the app's animation level.
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"noah")
        await until(pilot, lambda: pilot.app.screen.query_one(CommandList).option_count > 0)
        await settle(pilot)

    emulator, store = seeded
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=palette)


def test_login_required_screen(snap_compare: Callable, seeded) -> None:
    async def expire(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.inbox.events.publish(
            LoginRequired("The refresh token has expired (OAU-213): log in again.")
        )
        await settle(pilot)

    emulator, store = seeded
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=expire)


# ------------------------------------------------------------- starting, and WhatsApp's window

TEMPLATES = (
    TemplateConfig("order_update", "en", 2, "Hi {{1}}, your order {{2}} has shipped."),
    TemplateConfig("welcome", "en", 0, "Welcome to Acme!"),
)


def _pinned() -> float:
    # The window's minutes are counted on the engine's clock: pinned, they never tick between
    # runs.
    return FIXED_NOW.timestamp()


def test_new_conversation_form_with_a_whatsapp_template(snap_compare: Callable, fresh) -> None:
    emulator, store = fresh
    whatsapp = emulator.contents_where(channelType="WhatsApp")[0]["channelId"]

    async def fill(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(pilot.app.screen, NewConversationScreen))
        screen = pilot.app.screen
        screen.query_one("#channel", Select).value = whatsapp
        screen.query_one("#template", Select).value = 0
        await until(pilot, lambda: len(screen.query(".param")) == 2)
        screen.query_one("#to").focus()
        await pilot.press(*"+15551234567", "tab", "tab", *"Ann", "tab", *"#1234")
        await settle(pilot)

    app = make_app(emulator, store, ui=UISettings(templates=TEMPLATES), engine_clock=_pinned)
    assert snap_compare(app, terminal_size=WIDE, run_before=fill)


def test_whatsapp_thread_with_a_closed_window(snap_compare: Callable, fresh) -> None:
    emulator, store = fresh
    newest: dict[str, float] = {}
    for content in emulator.contents_where(channelType="WhatsApp", contentDirection="Incoming"):
        newest[content["threadId"]] = epoch(content["creationTime"])
    closed = next(
        thread
        for thread, wrote in sorted(newest.items(), key=lambda item: -item[1])
        if FIXED_NOW.timestamp() - wrote > WHATSAPP_WINDOW + 3600
    )

    async def open_closed(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.open_thread(closed)
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

    app = make_app(emulator, store, engine_clock=_pinned)
    assert snap_compare(app, terminal_size=WIDE, run_before=open_closed)


# ---------------------------------------------------------------------------------- writing tools


def test_snippet_picker_filters_and_previews_filled_in(
    snap_compare: Callable, fresh, tmp_path: Path
) -> None:
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    for name, text in {
        "greeting": "Hi {first_name},\n\nabout {order}: this is {agent_name} from {channel}.",
        "refund policy": "Refunds take {days} working days, {name}.",
        "goodbye": "Have a good day, {first_name}!",
        "[reverse]grey markup": "Shown as text.",
    }.items():
        (snippets / f"{name}.txt").write_text(text, encoding="utf-8")

    async def pick(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("n", "r", "ctrl+o")
        await settle(pilot)
        await pilot.press(*"greet")
        await settle(pilot)

    emulator, store = fresh
    app = make_app(emulator, store, ui=UISettings(snippets_dir=snippets))
    assert snap_compare(app, terminal_size=WIDE, run_before=pick)


def test_raw_json_inspector_shows_the_servers_record(snap_compare: Callable, fresh) -> None:
    async def inspect(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("n", "J")
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=inspect)


def test_export_asks_for_the_format(snap_compare: Callable, fresh) -> None:
    async def export(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("n", "E")
        await settle(pilot)

    emulator, store = fresh
    # The dialog names the folder; nothing is written until a format is chosen.
    ui = UISettings(downloads_dir=Path("/home/agent/Downloads"))
    assert snap_compare(make_app(emulator, store, ui=ui), terminal_size=WIDE, run_before=export)


# ---------------------------------------------------------------------------------- triage


def test_needs_reply_sorted_by_wait(snap_compare: Callable, seeded) -> None:
    async def needs_reply_by_wait(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.sidebar.choose(NEEDS_REPLY)
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)

    emulator, store = seeded
    assert snap_compare(
        make_app(emulator, store), terminal_size=WIDE, run_before=needs_reply_by_wait
    )


def test_server_search_marks_what_only_the_server_had(snap_compare: Callable, tmp_path) -> None:
    async def search_the_server(pilot: Pilot) -> None:
        # The store holds the newest 200 contents; this customer wrote long before them.
        await settle(pilot)
        await pilot.press("slash", *"store on this side", "enter")
        await until(pilot, lambda: bool(pilot.app._server_found))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    pin_time_zone()
    emulator = Emulator(EmulatorConfig(auth_rate_limit=LOGINS)).start()
    try:
        store = warm_store(emulator, tmp_path / "inbox.sqlite3", pages=1, per_page=200)
        assert snap_compare(
            make_app(emulator, store), terminal_size=WIDE, run_before=search_the_server
        )
    finally:
        emulator.stop()


def test_snooze_offers_common_times_and_a_typed_one(snap_compare: Callable, fresh) -> None:
    async def snooze(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)

    emulator, store = fresh
    assert snap_compare(make_app(emulator, store), terminal_size=WIDE, run_before=snooze)
