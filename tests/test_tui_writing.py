"""Writing tools in the TUI: the reply in $EDITOR (ctrl+g), snippets (ctrl+o), the raw JSON
inspector (i) and exporting a conversation (E), driven by keys on the emulator."""

from __future__ import annotations

import json
import re
import shlex
import stat
import sys
from pathlib import Path

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from tui_harness import make_app, settle, until

from rcinbox.emulator import Emulator
from rcinbox.inbox.types import channel_info
from rcinbox.tui.app import InboxApp, UISettings
from rcinbox.tui.export_screen import ExportScreen
from rcinbox.tui.inspector import RawJsonScreen
from rcinbox.tui.screens import ConfirmScreen, HelpScreen
from rcinbox.tui.snippet_picker import SnippetPicker
from rcinbox.tui.widgets.composer import PLACEHOLDER_STYLE

WIDE = (120, 40)

# An editor for the tests: records what it was given (arguments, the file's mode and text),
# then saves "Edited: <text>" and exits with $RCINBOX_TEST_EXIT.
EDITOR = """
import json, os, stat, sys
path = sys.argv[-1]
record = {
    "args": sys.argv[1:-1],
    "path": path,
    "mode": stat.S_IMODE(os.stat(path).st_mode),
    "text": open(path, encoding="utf-8").read(),
}
with open(os.environ["RCINBOX_TEST_RECORD"], "w") as file:
    json.dump(record, file)
with open(path, "w", encoding="utf-8") as file:
    file.write("Edited: " + record["text"] + "\\n")
sys.exit(int(os.environ.get("RCINBOX_TEST_EXIT", "0")))
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$VISUAL is the recording editor (with an argument, as ``code --wait`` has); returns
    the file its record goes to. The headless driver lends its "terminal" as a real one does."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    record = tmp_path / "record.json"
    monkeypatch.setenv("RCINBOX_TEST_RECORD", str(record))
    monkeypatch.setenv("VISUAL", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} --wait")
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True))
    return record


def _notes(app: InboxApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


# ---------------------------------------------------------------------------------- $EDITOR


async def test_ctrl_g_puts_what_the_editor_saved_in_the_composer(seeded, editor: Path) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Hello", "ctrl+g")
        await until(pilot, lambda: app.composer.text == "Edited: Hello")
        record = json.loads(editor.read_text())
        assert record["args"] == ["--wait"] and record["text"] == "Hello"
        # The draft's file was private, and is gone.
        assert record["mode"] == 0o600
        assert not Path(record["path"]).exists()
        thread_id = app.view.thread.id
        await until(pilot, lambda: app.inbox.draft(thread_id).body == "Edited: Hello")
        assert app.composer.area.has_focus
        # One edit: ctrl+z takes the editor's text back.
        await pilot.press("ctrl+z")
        await until(pilot, lambda: app.composer.text == "Hello")


async def test_an_editor_that_fails_leaves_the_draft_untouched(
    seeded, editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RCINBOX_TEST_EXIT", "1")
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Keep me", "ctrl+g")
        await until(pilot, lambda: any("exited with 1" in note for note in _notes(app)))
        assert app.composer.text == "Keep me"
        record = json.loads(editor.read_text())
        assert not Path(record["path"]).exists()


async def test_a_missing_editor_is_named_and_the_draft_stays(
    seeded, editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "no-such-editor-anywhere --wait")
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Still here", "ctrl+g")
        await until(pilot, lambda: any("no-such-editor" in note for note in _notes(app)))
        assert app.composer.text == "Still here"


async def test_ctrl_g_where_no_terminal_can_be_lent_says_so(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Hi", "ctrl+g")
        await until(pilot, lambda: any("No terminal" in note for note in _notes(app)))
        assert app.composer.text == "Hi"


# ---------------------------------------------------------------------------------- snippets


def _own_name(emulator: Emulator, channel_id: str | None) -> str:
    """The name the logged-in agent writes under on that channel, read from the server."""
    own: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for content in emulator.contents_where():
        author = emulator.identity(content["authorIdentityId"])
        if author and emulator.owner_id in author.get("userIds", []):
            own.setdefault(author["id"], set()).add(content["channelId"])
            names[author["id"]] = author["screenName"]
    on_channel = sorted(i for i, channels in own.items() if channel_id in channels)
    return names[on_channel[0]]


def _snippets(tmp_path: Path) -> UISettings:
    directory = tmp_path / "snippets"
    directory.mkdir()
    (directory / "greeting.txt").write_text(
        "Hi {first_name}, this is {agent_name} from {channel}.\n", encoding="utf-8"
    )
    (directory / "refund.txt").write_text("Refunds take {days} days, {name}.", encoding="utf-8")
    (directory / "[@click=app.quit]evil.txt").write_text("x", encoding="utf-8")
    return UISettings(snippets_dir=directory)


async def test_ctrl_o_inserts_the_picked_snippet_with_placeholders_filled(
    seeded, tmp_path: Path
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, ui=_snippets(tmp_path))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", *"Hello. ", "ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, SnippetPicker))
        await pilot.press(*"grt", "enter")
        await until(pilot, lambda: not isinstance(app.screen, SnippetPicker))
        thread = app.view.thread
        customer = emulator.identity(thread.customer_id)
        text = app.composer.text
        assert text == (
            f"Hello. Hi {customer['firstName']}, this is {_own_name(emulator, thread.channel_id)}"
            f" from {channel_info(thread.channel_type).label}."
        )
        assert app.composer.area.has_focus


async def test_a_placeholder_left_is_highlighted_and_sending_asks_first(
    seeded, tmp_path: Path
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, ui=_snippets(tmp_path))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", "ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, SnippetPicker))
        await pilot.press(*"refund", "enter")
        await until(pilot, lambda: "{days}" in app.composer.text)
        name = app.view.thread.customer_name or app.inbox.name(app.view.thread.customer_id)
        text = f"Refunds take {{days}} days, {name}."
        assert app.composer.text == text
        await settle(pilot)
        # The placeholder is drawn in the placeholder style, the rest is not.
        line = app.composer.area.render_line(0)
        yellow = PLACEHOLDER_STYLE.bgcolor
        marked = "".join(s.text for s in line if s.style and s.style.bgcolor == yellow)
        assert marked == "{days}"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot)
        assert app.composer.text == text
        assert emulator.count_contents(body=text) == 0
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: app.composer.text == "")
        await until(pilot, lambda: emulator.count_contents(body=text) == 1)


async def test_no_snippets_says_where_to_put_them(seeded, tmp_path: Path) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, ui=UISettings(snippets_dir=tmp_path / "none"))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "r", "ctrl+o")
        await until(pilot, lambda: any("No snippets yet" in note for note in _notes(app)))
        assert not isinstance(app.screen, SnippetPicker)


# ---------------------------------------------------------------------------------- inspector


async def test_i_shows_the_selected_message_as_the_server_sent_it_and_y_copies_it(
    seeded,
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.view.focus()
        await pilot.press("k", "J")
        await until(pilot, lambda: isinstance(app.screen, RawJsonScreen))
        selected = app.view.selected_item.content
        screen = app.screen
        assert json.loads(screen.json_text) == emulator.content(selected.id)
        await pilot.press("y")
        assert app.clipboard == screen.json_text
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RawJsonScreen))


async def test_i_in_the_list_shows_the_newest_message_of_the_selected_thread(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j", "J")
        await until(pilot, lambda: isinstance(app.screen, RawJsonScreen))
        row = app.conversation_list.selected
        assert json.loads(app.screen.json_text) == emulator.content(row.latest_content_id)


# ---------------------------------------------------------------------------------- export


@pytest.mark.parametrize("key, fmt", [("m", "md"), ("j", "json")])
async def test_E_exports_the_open_conversation_to_the_downloads_dir(
    seeded, tmp_path: Path, key: str, fmt: str
) -> None:
    emulator, store = seeded
    downloads = tmp_path / "downloads"
    app = make_app(emulator, store, ui=UISettings(downloads_dir=downloads))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("E")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press(key)
        await until(pilot, lambda: downloads.exists() and any(downloads.iterdir()))
        (written,) = downloads.iterdir()
        assert written.suffix == f".{fmt}"
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        thread = app.view.thread
        server = emulator.contents_where(threadId=thread.id)
        text = written.read_text(encoding="utf-8")
        if fmt == "json":
            data = json.loads(text)
            assert [m["raw"] for m in data["messages"]] == server
        else:
            assert text.startswith("# Conversation with ")
            assert text.count("\n### ") == len(server)
        await until(pilot, lambda: any(str(written) in note for note in _notes(app)))


# ---------------------------------------------------------------------------------- help, keymap


async def test_the_new_keys_are_in_the_help_with_their_ids(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen._body)
        for key, words, binding_id in [
            ("J", "Raw JSON of the message", "app.inspect"),
            ("E", "Export the conversation", "app.export"),
            ("ctrl+g", "Edit the reply in $VISUAL / $EDITOR", "composer.editor"),
            ("ctrl+o", "Insert a snippet", "composer.snippet"),
        ]:
            assert re.search(rf"{re.escape(key)}\s+{re.escape(words)}\s+\({binding_id}\)", text)


async def test_the_keymap_moves_the_inspector_export_and_snippet_keys(
    seeded, tmp_path: Path
) -> None:
    emulator, store = seeded
    keymap = {"app.inspect": "f6", "app.export": "f7", "composer.snippet": "f8"}
    settings = UISettings(
        keymap=keymap, snippets_dir=_snippets(tmp_path).snippets_dir, downloads_dir=tmp_path
    )
    app = make_app(emulator, store, ui=settings)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, RawJsonScreen))
        await pilot.press("escape", "f7")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("escape", "r", "f8")
        await until(pilot, lambda: isinstance(app.screen, SnippetPicker))
