"""The real ``rcinbox`` in a pseudo-terminal against a ``demo-server`` process (see pty_harness).

What only a terminal shows: keys that arrive in one burst, terminals without colour or with few,
resizes, the widths of wide scripts on screen, names arriving while the app is open, and what is
left on the shell when the app quits.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pty_harness import DemoServer, TerminalApp, write_config

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pseudo-terminal")

# Per-token budget of the demo server: high enough that no test waits for the rate limit.
FAST = ("--rate-limit", "1000")
# Until the undo-send delay exists the setting is ignored; once it does, replies leave at once.
NO_UNDO = "[compose]\nundo_seconds = 0\n"
# The composer's counter with nothing typed ("0/3,000"), not the status line's "990/1000 requests".
EMPTY_COMPOSER = re.compile(r"(?<![\d,])0/[\d,]+(?! requests)")


@pytest.fixture
def demo_server() -> Iterator[Callable[..., DemoServer]]:
    servers: list[DemoServer] = []

    def start(*options: str) -> DemoServer:
        server = DemoServer(*FAST, *options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[..., TerminalApp]]:
    apps: list[TerminalApp] = []

    def start(server: DemoServer, *argv: str, **options) -> TerminalApp:
        home = options.pop("home", tmp_path / f"home{len(apps)}")
        app = TerminalApp([*server.credentials(), *argv], home=home, **options)
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.close()


def poll(value: Callable[[], object], done: Callable[[object], bool], timeout: float = 20.0):
    """``value()`` again and again until ``done(value)`` or the timeout; the last value."""
    deadline = time.monotonic() + timeout
    while True:
        current = value()
        if done(current) or time.monotonic() > deadline:
            return current
        time.sleep(0.1)


def open_composer(app: TerminalApp) -> None:
    """Open the next unread conversation (a customer's) and focus the composer."""
    wait_for_unread_rows(app)
    app.write(b"n")
    app.wait_for("Replying to")
    app.write(b"r")
    app.wait_for("esc Leave")


def wait_for_unread_rows(app: TerminalApp) -> None:
    """Until the app is online and the list shows an unread row: "online" alone comes with the
    login, and the engine starts before the screen is built, so the first page may still be on
    its way then (n would find nothing unread)."""
    app.wait_for("online")
    app.wait_for(
        lambda screen: any("●" in row and "online" not in row for row in screen.rows()),
        message="no unread row came",
    )


def contents_since(server: DemoServer, before: set[str]) -> list[str]:
    """Bodies of the contents created since ``before`` was taken, oldest first."""
    new = [c for c in server.contents() if c["id"] not in before]
    new.sort(key=lambda c: (c["creationTime"], c["id"]))
    return [c.get("body") for c in new]


def sent_after(server: DemoServer, before: set[str], count: int) -> list[str]:
    """Bodies created since ``before``, once there are ``count`` of them (or the timeout)."""
    return poll(lambda: contents_since(server, before), lambda got: len(got) >= count)


@pytest.fixture
def replying(
    demo_server, terminal, tmp_path: Path
) -> Callable[..., tuple[DemoServer, TerminalApp]]:
    """``replying(**options)``: a demo server and the app on it, replies leaving at once (no
    undo window); options go to the terminal (size, environment)."""

    def start(**options) -> tuple[DemoServer, TerminalApp]:
        server = demo_server("--contents", "300")
        home = tmp_path / "home"
        write_config(home, NO_UNDO)
        return server, terminal(server, home=home, **options)

    return start


# ---------------------------------------------------------------------------------- replies


@pytest.mark.parametrize("send_key", [b"\x13", b"\x1b\r"], ids=["ctrl+s", "alt+enter"])
def test_replies_typed_in_one_burst_leave_whole_and_in_order(replying, send_key: bytes) -> None:
    server, app = replying()
    open_composer(app)
    before = {c["id"] for c in server.contents()}
    bodies = [f"Q{n}: Thanks for waiting, I have checked your order." for n in range(1, 11)]
    for body in bodies:
        app.write(body.encode() + send_key)
    received = poll(
        lambda: contents_since(server, before),
        lambda got: len(got) >= len(bodies) and got[-1] == bodies[-1],
    )
    assert received == bodies
    # Nothing was left behind to be glued onto the next reply: the counter says 0/3,000.
    app.wait_for(
        lambda screen: any(EMPTY_COMPOSER.search(row) for row in screen.rows()),
        message="the composer kept text",
    )


# ---------------------------------------------------------------------------------- terminals

NAME = re.compile(r"\b[A-Z][a-zé]+ [A-Z]\.")


def names_shown(screen) -> bool:
    return any(NAME.search(row) for row in screen.rows())


@pytest.mark.parametrize(
    "env",
    [
        {"NO_COLOR": "1"},
        {"TERM": "linux"},
        {"TERM": "screen"},
        {"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "standard"},
    ],
    ids=["NO_COLOR", "linux", "screen", "16-colours"],
)
def test_starts_and_shows_names_in_every_terminal(demo_server, terminal, env) -> None:
    server = demo_server("--contents", "300")
    app = terminal(server, env=env)
    app.wait_for(names_shown, message="no customer name on screen")
    app.wait_for("online")
    assert app.process.poll() is None, "the app died"
    app.write(b"q")
    assert app.wait_exit() == 0


def test_demo_opens_with_names_answers_keys_at_once_and_leaves_no_process_behind(
    tmp_path: Path,
) -> None:
    """`rcinbox --demo` as a newcomer runs it: its server warms the demo's store while the TUI
    loads, the screen has customers' names, a filter typed at once is taken whole, and
    quitting stops the server (and its store goes with it)."""
    app = TerminalApp(["--demo"], home=tmp_path / "home", env={"NO_COLOR": "1"})
    try:
        app.wait_for(names_shown, message="no customer name on screen")
        app.wait_for("online")
        app.write(b"/" + b"zzz-no-such-customer")
        app.wait_for("zzz-no-such-customer")
        children = _children(app.process.pid)
        assert children, "the demo server is not a child of the app"
        app.write(b"\x1b")
        # An escape and a key in one read are alt+key: q waits for the filter to close.
        app.wait_for(lambda screen: not any("zzz-no-such-customer" in row for row in screen.rows()))
        app.write(b"q")
        assert app.wait_exit() == 0
        for pid in children:
            assert poll(lambda pid=pid: _alive(pid), lambda alive: not alive, timeout=10) is False
    finally:
        app.close()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# ---------------------------------------------------------------------------------- sizes


def test_a_resize_redraws_the_list_and_the_status_line(demo_server, terminal) -> None:
    server = demo_server("--contents", "300")
    app = terminal(server, columns=60, lines=20)
    app.wait_for(names_shown, message="no customer name at 60x20")
    app.wait_for(lambda screen: "online" in screen.rows()[18], message="no status line at 60x20")
    app.resize(120, 40)

    def redrawn(screen) -> bool:
        rows = screen.rows()
        return (
            "online" in rows[38]
            and sum("online" in row for row in rows) == 1
            and " All " in rows[0]  # the sidebar comes back at full width
            and sum(bool(NAME.search(row)) for row in rows) >= 10
        )

    app.wait_for(redrawn, message="the list and the status line were not redrawn at 120x40")
    assert "Traceback" not in app.text()
    assert app.process.poll() is None, "the app died"


# ---------------------------------------------------------------------------------- quitting


def test_q_leaves_the_alternate_screen_and_prints_nothing(demo_server, terminal) -> None:
    server = demo_server("--contents", "300")
    app = terminal(server)
    app.wait_for(names_shown, message="no customer name on screen")
    app.write(b"q")
    assert app.wait_exit() == 0
    assert b"\x1b[?1049h" in app.output, "the app never used the alternate screen"
    assert app.after_alternate_screen().strip() == b""


def test_quitting_while_offline_prints_nothing_on_the_shell(demo_server, terminal) -> None:
    server = demo_server("--contents", "300")
    app = terminal(server)
    app.wait_for(names_shown, message="no customer name on screen")
    server.stop()
    app.write(b"\x1b[15~")  # f5: sync now, which fails
    app.wait_for("offline")
    app.write(b"q")
    assert app.wait_exit() == 0
    assert app.after_alternate_screen().strip() == b""


# ---------------------------------------------------------------------------------- names

ID_FRAGMENT = re.compile(r"…[0-9a-f]{4}\b")


def test_customers_writing_while_the_app_is_open_get_names(
    demo_server, terminal, tmp_path: Path
) -> None:
    server = demo_server("--inbound-every", "2")
    home = tmp_path / "home"
    # Polled every 2 s, so arrivals reach the list as they come (idle polls are a minute).
    write_config(home, "[poll]\nactive = 2\nidle = 2\n")
    app = terminal(server, home=home)
    app.wait_for(names_shown, message="no customer name on screen")
    before = {c["id"] for c in server.contents()}
    # Twenty seconds of customers writing, counted on the server (about one every 2 s).
    poll(lambda: contents_since(server, before), lambda new: len(new) >= 10, timeout=40)
    app.wait_for("· now", message="no arrival reached the list")

    def no_fragment(screen) -> bool:
        return not any(ID_FRAGMENT.search(row) for row in screen.rows())

    app.wait_for(no_fragment, timeout=8, message="a customer is still shown as an id fragment")


# ---------------------------------------------------------------------------------- wide text

# Devanagari (vowel signs, a conjunct), Arabic with harakat, CJK, a ZWJ family, a skin tone,
# VS16, a combining acute: every way a character can take other than one cell.
MIXED = (
    "नमस्ते, क्षमा करें · مَرْحَبًا بك · 您好，已经处理 · 👩‍👩‍👧 👍🏽 ❤️ · Cafe\u0301 ok · "
    "👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧 आपका ऑर्डर भेज दिया गया है और जल्द ही पहुँचेगा।"
)
RELATIVE_TIME = re.compile(r"· (now|\d+[mh])\b")
MAIN_ROWS = slice(0, 38)  # at 120x40: everything above the status line and the footer


def reply_in(server: DemoServer, words: str, body: str) -> dict:
    """The agent answers a customer message that contains ``words``."""
    for content in server.contents(text=words):
        if words in (content.get("body") or ""):
            try:
                return server.reply(content["id"], body)
            except Exception:  # our own message: the server refuses a reply to it
                continue
    raise AssertionError(f"no customer message with {words!r} to answer")


def border_column(app: TerminalApp) -> int:
    """Where the conversation pane's border is, read on the status-free bottom row of the list."""
    row = app.grid()[37]
    assert "│" in row, "no pane border on screen"
    return row.index("│")


def assert_panes_intact(app: TerminalApp, border: int) -> None:
    """The border stands in its column on every row: nothing was drawn over or past it."""
    grid = app.grid()
    broken = [y for y in range(MAIN_ROWS.stop) if grid[y][border] != "│"]
    assert not broken, f"text over the border on rows {broken}\n{app.text()}"
    # The right edge is the conversation pane's scrollbar or margin: no text reaches it.
    spilled = [y for y in range(MAIN_ROWS.stop) if grid[y][-1].isalnum()]
    assert not spilled, f"text at the right edge on rows {spilled}\n{app.text()}"


def assert_words_shown(app: TerminalApp, words: list[str]) -> None:
    """Each word is on screen, whole (blank cells a terminal left inside a word aside)."""
    rows = [row.replace(" ", "") for row in app.screen.rows()]
    missing = [word for word in words if not any(word in row for row in rows)]
    assert not missing, f"{missing} not on screen: cut off or drawn over\n{app.text()}"


def _timeless(cells: list[str]) -> str:
    return " ".join(RELATIVE_TIME.sub("", "".join(cells)).split())


def assert_same_as_a_full_repaint(app: TerminalApp) -> None:
    """What partial updates left on screen is what a full repaint draws: no debris."""
    app.settled()
    before, minute = app.grid()[MAIN_ROWS], time.strftime("%H%M")
    app.resize(121, 40)
    app.settled()
    app.resize(120, 40)
    app.settled()
    after = app.grid()[MAIN_ROWS]
    different = [y for y in range(len(after)) if before[y] != after[y]]
    if minute != time.strftime("%H%M"):
        # A minute passed between the two: rows whose "4m" became "5m" changed honestly.
        different = [y for y in different if _timeless(before[y]) != _timeless(after[y])]
    shown = "\n".join(
        f"{y:2} was {''.join(before[y]).rstrip()!r}\n   now {''.join(after[y]).rstrip()!r}"
        for y in different
    )
    assert not different, f"debris on rows {different}:\n{shown}"


@pytest.mark.parametrize("widths", ["grapheme", "wcwidth"])
def test_wide_scripts_stay_inside_their_panes(demo_server, terminal, widths: str) -> None:
    server = demo_server()
    # Ananya वर्मा's email (WhatsApp threads this old are past their 24-hour window).
    reply_in(server, "रविवार", MIXED)
    app = terminal(server, widths=widths)
    # "Ananya", not the whole name: where a terminal draws a spacing mark (ा) in no cell, the
    # cell Rich gave it stays blank, inside the word.
    app.wait_for("Ananya", message="the customer's name never showed")
    app.wait_for("↳ नमस्ते", message="the mixed-script reply is not the row's preview")
    border = border_column(app)
    assert_panes_intact(app, border)
    app.write(b"\r")  # open the thread: the customer's Devanagari, then our mixed reply
    app.wait_for("您好", message="the thread did not open")
    app.settled()
    assert_panes_intact(app, border)
    # Words written after emoji a terminal draws wider than Rich measures are not pushed away.
    assert_words_shown(app, ["आपका", "ऑर्डर", "مَرْحَبًا", "您好", "Cafe\u0301"])
    assert_same_as_a_full_repaint(app)
    # Scrolling repaints rows in part: down the list and back up.
    app.write(b"jjjjjjjjjjjjjjjjjjjjjjjjjkkkkkkkkkkkkkkkkkkkkkkkkk")
    app.settled()
    assert_panes_intact(app, border)
    assert_same_as_a_full_repaint(app)
    # The filter from the issue: the list redrawn with Devanagari rows only.
    app.write(b"/")
    app.wait_for("Filter by name or text")
    app.write("बैकपैक\r".encode())
    app.wait_for(
        lambda screen: "Marie F." not in "".join(screen.rows()), message="the filter did not apply"
    )
    app.settled()
    assert_panes_intact(app, border)
    assert_same_as_a_full_repaint(app)


def test_keys_typed_right_after_r_reach_the_composer(replying) -> None:
    # "r" moves focus to the composer; the text and ctrl+s come in the same write, as when a
    # fast typist's keys are batched by SSH or tmux. None of it may reach the list instead.
    server, app = replying()
    wait_for_unread_rows(app)
    app.write(b"n")
    app.wait_for("Replying to")
    before = {c["id"] for c in server.contents()}
    app.write(b"rjust checking in, kind regards\x13")
    received = sent_after(server, before, 1)
    assert received == ["just checking in, kind regards"]


def test_at_80_columns_r_from_the_list_and_a_burst_of_text_reach_the_composer(
    replying,
) -> None:
    # At 80x24 the list and the conversation take turns. Opening a conversation used to move
    # focus to it on the app's next turn, after "r" had given it to the composer: what was
    # typed next went to the conversation, its "e" and "r" acting as keys.
    server, app = replying(columns=80, lines=24)
    wait_for_unread_rows(app)
    app.write(b"n")
    app.wait_for("Replying to")
    app.write(b"\x1b")
    app.wait_for(
        lambda screen: not any("Replying to" in row for row in screen.rows()),
        message="still reading",
    )
    before = {c["id"] for c in server.contents()}
    app.write(b"r")
    time.sleep(1.0)  # typed after a pause: focus has settled wherever it went
    app.write(b"Here we are, three letters e r e\x13")
    received = sent_after(server, before, 1)
    assert received == ["Here we are, three letters e r e"]


def test_escape_and_a_key_in_one_burst_leave_the_composer(replying) -> None:
    # esc then r, batched together by tmux or SSH, reach the app as one "alt+r": the composer
    # must not swallow it as text; esc leaves, r opens the reply again.
    server, app = replying()
    open_composer(app)
    before = {c["id"] for c in server.contents()}
    app.write(b"First answer\x13\x1brSecond answer\x13")
    received = sent_after(server, before, 2)
    assert received == ["First answer", "Second answer"]


# ---------------------------------------------------------------------------------- $EDITOR

# An editor that proves it has the terminal: it says so on the screen, reads a line typed at the
# keyboard, records what it saw (a terminal on stdin and stdout, the file's mode) and saves.
PTY_EDITOR = """
import json, os, stat, sys
path = sys.argv[-1]
print("EDITOR READY, type a line:", flush=True)
typed = sys.stdin.readline().strip()
record = {
    "tty": os.isatty(0) and os.isatty(1),
    "mode": stat.S_IMODE(os.stat(path).st_mode),
    "path": path,
}
with open(os.environ["RCINBOX_TEST_RECORD"], "w") as file:
    json.dump(record, file)
text = open(path, encoding="utf-8").read()
with open(path, "w", encoding="utf-8") as file:
    file.write(f"{text} {typed}\\n")
"""


def test_ctrl_g_lends_the_terminal_to_the_editor_and_takes_its_text(
    replying, tmp_path: Path
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(PTY_EDITOR, encoding="utf-8")
    record = tmp_path / "record.json"
    editor = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    env = {"VISUAL": None, "EDITOR": editor, "RCINBOX_TEST_RECORD": str(record)}
    server, app = replying(env=env)
    open_composer(app)
    app.write(b"Draft from the app")
    app.wait_for("Draft from the app")
    app.write(b"\x07")  # ctrl+g
    app.wait_for("EDITOR READY")
    app.write(b"and a line from the editor\r")
    app.wait_for("Draft from the app and a line from the editor")
    seen = json.loads(record.read_text())
    assert seen["tty"] and seen["mode"] == 0o600
    assert not Path(seen["path"]).exists()
    before = {c["id"] for c in server.contents()}
    app.write(b"\x13")
    received = sent_after(server, before, 1)
    assert received == ["Draft from the app and a line from the editor"]


# ---------------------------------------------------------------------------------- hostile text

HOSTILE_BODY = "zebra: see [/docs] page [@click=app.quit]quit[/] \x1b[2J\x1b]0;owned\x07 [bold end"
# As the app shows it: the markup as typed, each control as its visible picture (␛, ␇); in
# pieces, as the bubble may wrap the line between them.
HOSTILE_SHOWN = ["[/docs]", "[@click=app.quit]quit[/]", "␛[2J␛]0;owned␇", "[bold"]


def shows_body(screen) -> bool:
    rows = screen.rows()
    return all(any(piece in row for row in rows) for piece in HOSTILE_SHOWN)


def test_markup_and_escapes_from_the_server_config_and_environment_are_shown_as_they_are(
    demo_server, terminal, tmp_path: Path
) -> None:
    server = demo_server()
    for content in server.contents():
        try:
            reply = server.reply(content["id"], HOSTILE_BODY)
            break
        except Exception:  # our own message: the server refuses a reply to it
            continue
    home = tmp_path / "home"
    write_config(home, f'[channels]\n"{reply["channelId"]}" = "Support [/b] EU"\n')
    app = terminal(server, home=home, env={"RCINBOX_THEME": "[/] x"})
    app.wait_for("No theme called '[/] x'", message="the theme's warning is not shown as it is")
    app.wait_for("Support [/b] EU", message="the channel's name is not shown as it is")
    app.wait_for("online")
    app.write(b"\x10")  # ctrl+p
    app.wait_for("Search for commands")
    app.write(b"zebra")
    app.wait_for("zebra: see [/docs] page", message="the palette does not show the preview")
    app.write(b"\r")  # the thread with the reply
    app.wait_for(shows_body, message="the body is not shown as it is")
    app.settled()
    # Nothing reached the terminal as a control: no title was set, the screen was not cleared
    # (the body is there once the theme's toast over it has gone).
    assert app.screen.title != "owned"
    app.wait_for(shows_body, message="the body did not stay on screen")
    assert app.process.poll() is None
