"""The TUI honours config.toml: the keymap remaps bindings by id, a picked theme persists."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_harness import make_app, pin_time_zone, settle, warm_store

from rcinbox.config import Config
from rcinbox.emulator import Emulator
from rcinbox.tui.app import InboxApp, UISettings


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory):
    pin_time_zone()
    emulator = Emulator().start()
    store = warm_store(emulator, tmp_path_factory.mktemp("store") / "inbox.sqlite3", pages=1)
    yield emulator, store
    emulator.stop()


async def test_keymap_moves_a_binding_by_its_id(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, ui=UISettings(keymap={"app.quit": "ctrl+q"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause(0.1)
        assert app.return_code is None, "q no longer quits once the keymap moved app.quit"
        await pilot.press("ctrl+q")
        await pilot.pause(0.1)
        assert app.return_code == 0


async def test_a_picked_theme_is_written_to_config_and_nothing_else(seeded, tmp_path: Path) -> None:
    emulator, store = seeded
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"app.help" = "f1"\n', encoding="utf-8")
    config = Config.load(path)
    saved: list[str] = []

    def remember(theme: str) -> None:
        saved.append(theme)
        config.save_ui_change("theme", theme)

    app = make_app(emulator, store)
    app._on_theme_change = remember
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.theme = "ansi-dark"
        await pilot.pause(0.1)
    assert saved == ["ansi-dark"]
    reloaded = Config.load(path)
    assert reloaded.ui.theme == "ansi-dark"
    assert reloaded.keymap == {"app.help": "f1"}


async def test_an_unknown_theme_in_config_falls_back_with_a_warning(seeded) -> None:
    emulator, store = seeded
    app: InboxApp = make_app(emulator, store, ui=UISettings(theme="no-such-theme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert app.is_running


def test_alt_enter_from_a_legacy_terminal_is_alt_enter_not_enter() -> None:
    from textual._xterm_parser import XTermParser

    import rcinbox.tui.app  # noqa: F401 - teaches Textual the sequence on import

    keys = [event.key for event in XTermParser().feed("\x1b\r") if hasattr(event, "key")]
    assert keys == ["alt+enter"]


async def test_a_store_from_a_newer_rcinbox_ends_with_one_line_not_a_traceback(
    seeded, tmp_path
) -> None:
    import sqlite3

    emulator, _ = seeded
    path = tmp_path / "newer.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 999")
    db.close()
    app = make_app(emulator, path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        said = " ".join(str(message) for message in app._exit_renderables)
    assert app.return_code == 1
    assert "newer rcinbox" in said and "\n" not in said


async def test_a_theme_change_repaints_every_cached_list_row(seeded) -> None:
    from rich.color import ColorType

    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = app.conversation_list

        def colour_types() -> set[ColorType]:
            return {
                colour.type
                for y in range(rows.size.height)
                for segment in rows.render_line(y)
                if segment.style is not None
                for colour in (segment.style.color, segment.style.bgcolor)
                if colour is not None
            }

        assert ColorType.TRUECOLOR in colour_types()
        app.theme = "ansi-dark"
        await settle(pilot)
        # The terminal's own colours only: no row kept a colour of the old theme.
        assert ColorType.TRUECOLOR not in colour_types()
