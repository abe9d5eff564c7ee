"""Drives the real ``rcinbox`` executable in a pseudo-terminal, against a ``demo-server`` process.

Pilot tests run the app inside the test process, where keys arrive one at a time and nothing is
ever drawn: batched keystrokes, ``NO_COLOR``, ``TERM=linux``, resizes and the cell widths of
wide scripts never meet a terminal there. Here the app is a child process on a pty, its output
is fed to a terminal emulator (pyte), keys are written to the pty in single writes as a fast
typist, tmux or SSH would deliver them, and what the server received is read back over HTTP.

Every wait is for a condition with a generous timeout, never a fixed sleep; every child is
killed at teardown, whatever happened.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
import pyte

DEMO_CLIENT = ("rcinbox-demo", "rcinbox-demo-secret")
DEMO_JWT = "rcinbox-demo-jwt"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SOCIAL = "/cx/social-messaging/v1"

# Waits are for conditions; these only bound how long a broken build takes to fail.
START_TIMEOUT = 30.0
WAIT_TIMEOUT = 20.0

ALT_SCREEN_ON = b"\x1b[?1049h"
ALT_SCREEN_OFF = b"\x1b[?1049l"
# Escape sequences (CSI, OSC, DCS/APC, two-byte), to tell "printed text" from terminal modes.
ESCAPES = re.compile(
    rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)"
)


# ---------------------------------------------------------------------------------- the server


class DemoServer:
    """``rcinbox demo-server`` as a child process, and its stored contents read over HTTP."""

    def __init__(self, *options: str) -> None:
        command = [sys.executable, "-m", "rcinbox", "demo-server", "--port", "0", *options]
        # --exit-with-stdin: the server stops when this process's end of the pipe closes, so a
        # test process that dies leaves no server behind.
        self._process = subprocess.Popen(
            [*command, "--exit-with-stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._client: httpx.Client | None = None
        try:
            self.url = self._read_address()
        except BaseException:
            self.stop()
            raise

    def _read_address(self) -> str:
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], START_TIMEOUT)
        line = self._process.stdout.readline() if ready else ""
        if not line.startswith("listening on "):
            raise RuntimeError(f"demo-server did not start: {line!r}")
        return line.split()[-1]

    @property
    def api(self) -> httpx.Client:
        """A client logged in with the demo credentials (its own rate budget, not the app's)."""
        if self._client is None:
            token = httpx.post(
                f"{self.url}/restapi/oauth/token",
                auth=DEMO_CLIENT,
                data={"grant_type": JWT_GRANT, "assertion": DEMO_JWT},
                timeout=START_TIMEOUT,
            )
            token.raise_for_status()
            self._client = httpx.Client(
                base_url=self.url,
                headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                timeout=START_TIMEOUT,
            )
        return self._client

    def contents(self, **params: str | int) -> list[dict]:
        """Contents as the server stores them, newest first (one page of up to 1,000)."""
        response = self.api.get(f"{SOCIAL}/contents", params={"perPage": 1000, **params})
        response.raise_for_status()
        return response.json()["records"]

    def reply(self, content_id: str, body: str) -> dict:
        """Post an agent's reply, as another client of the same account would."""
        response = self.api.post(
            f"{SOCIAL}/contents", json={"inReplyToContentId": content_id, "body": body}
        )
        response.raise_for_status()
        return response.json()

    def credentials(self) -> list[str]:
        return [
            "--server",
            self.url,
            "--client-id",
            DEMO_CLIENT[0],
            "--client-secret",
            DEMO_CLIENT[1],
            "--jwt",
            DEMO_JWT,
        ]

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
        # Nothing to save on a test server: killed at once, not after its serve loop notices.
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()


def _end(process: subprocess.Popen, *, group: bool = False) -> None:
    """Terminate, then kill if it lingers; ``group``: the whole process group it leads."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            if group:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# ---------------------------------------------------------------------------------- cell widths
#
# Terminals disagree on how many cells some characters take, and pyte's own rule (wcwidth per
# code point, and it stops drawing at a zero-width character that is not a combining one) fits
# none of them. The emulated screen takes one of two documented rules:
#
# - "wcwidth": each code point on its own, as glibc's wcwidth() and so tmux, screen, xterm, VTE
#   and the Linux console count: Mn, Me and Cf take no cell (they join the previous cell), wide
#   East Asian characters two, everything else one, spacing marks (Mc, the Devanagari vowel
#   signs ा ि ी) included; an emoji joined by ZWJ still takes its own two cells.
# - "grapheme": as terminals that measure grapheme clusters (kitty, WezTerm, Ghostty, Windows
#   Terminal) and as Rich/Textual measure: marks of every kind take no cell, a ZWJ sequence or an
#   emoji with a skin tone takes the cells of its first emoji, VS16 makes a narrow emoji wide.

ZWJ = "\u200d"
VS16 = "\ufe0f"


def _codepoint_width(char: str) -> int:
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf") or char == "\u200b":
        return 0
    if category == "Cc":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _is_modifier(char: str) -> bool:
    return "\U0001f3fb" <= char <= "\U0001f3ff"


class EmulatedScreen(pyte.Screen):
    """A pyte screen whose cells follow one of the width rules above, wide cells included."""

    def __init__(self, columns: int, lines: int, widths: str = "grapheme") -> None:
        assert widths in ("wcwidth", "grapheme")
        super().__init__(columns, lines)
        self.widths = widths
        self._after_zwj = False

    def draw(self, data: str) -> None:
        for char in data.translate(self.g1_charset if self.charset else self.g0_charset):
            self._draw_char(char)
        self.dirty.add(self.cursor.y)

    def _width(self, char: str) -> int:
        width = _codepoint_width(char)
        if self.widths == "wcwidth":
            return width
        if unicodedata.category(char) == "Mc":
            return 0
        if self._after_zwj or (_is_modifier(char) and self._previous_is_emoji()):
            return 0
        return width

    def _previous_is_emoji(self) -> bool:
        x = self._previous_x()
        return x is not None and self.buffer[self.cursor.y][x].data[:1] >= "\U0001f000"

    def _previous_x(self) -> int | None:
        """The column of the character before the cursor (the first cell of a wide one)."""
        x = self.cursor.x - 1
        line = self.buffer[self.cursor.y]
        while x > 0 and line[x].data == "":
            x -= 1
        return x if x >= 0 else None

    def _draw_char(self, char: str) -> None:
        width = self._width(char)
        self._after_zwj = char == ZWJ
        line = self.buffer[self.cursor.y]
        if width == 0:
            self._join_previous(char)
            return
        x = min(self.cursor.x, self.columns - width)
        if x < 0:
            return
        self._split_wide_at(line, x)
        if width == 2 and x + 1 < self.columns:
            self._split_wide_at(line, x + 1)
        line[x] = self.cursor.attrs._replace(data=char)
        if width == 2 and x + 1 < self.columns:
            line[x + 1] = self.cursor.attrs._replace(data="")
        self.cursor.x = min(x + width, self.columns)

    def _join_previous(self, char: str) -> None:
        x = self._previous_x()
        if x is None:
            return
        line = self.buffer[self.cursor.y]
        cell = line[x]
        if self.widths == "grapheme" and char == VS16 and _codepoint_width(cell.data[0]) == 1:
            # A narrow character asking for emoji presentation becomes wide.
            line[x] = cell._replace(data=cell.data + char)
            if x + 1 < self.columns:
                self._split_wide_at(line, x + 1)
                line[x + 1] = cell._replace(data="")
            self.cursor.x = min(x + 2, self.columns)
            return
        line[x] = cell._replace(data=cell.data + char)

    def _split_wide_at(self, line, x: int) -> None:
        """Writing over half of a wide character blanks its other half, as terminals do."""
        if line[x].data == "" and x > 0:
            line[x - 1] = line[x - 1]._replace(data=" ")
        elif x + 1 < self.columns and line[x + 1].data == "" and line[x].data != "":
            line[x + 1] = line[x + 1]._replace(data=" ")

    def cell(self, x: int, y: int) -> str:
        return self.buffer[y][x].data

    def rows(self) -> list[str]:
        """Each screen row as text: a wide character once (its second cell adds nothing)."""
        return [
            "".join(self.buffer[y][x].data for x in range(self.columns)) for y in range(self.lines)
        ]

    def grid(self) -> list[list[str]]:
        """Each cell's content, row by row ("" for the second cell of a wide character)."""
        return [[self.buffer[y][x].data for x in range(self.columns)] for y in range(self.lines)]


# ---------------------------------------------------------------------------------- the app


class TerminalApp:
    """The ``rcinbox`` executable on a pty, its output read by an :class:`EmulatedScreen`."""

    def __init__(
        self,
        argv: list[str],
        *,
        home: Path,
        columns: int = 120,
        lines: int = 40,
        env: Mapping[str, str | None] | None = None,
        widths: str = "grapheme",
    ) -> None:
        self.screen = EmulatedScreen(columns, lines, widths)
        self._stream = pyte.ByteStream(self.screen)
        self.output = bytearray()
        self._changed = threading.Condition()
        self._master, slave = os.openpty()
        self._set_size(columns, lines, fd=slave)
        child_env = isolated_env(home)
        for name, value in (env or {}).items():
            if value is None:
                child_env.pop(name, None)
            else:
                child_env[name] = value
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "rcinbox", *argv],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=child_env,
                cwd=home,
                start_new_session=True,
            )
        finally:
            os.close(slave)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    # -------------------------------------------------------------- output

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.5)
                if not ready:
                    if self.process.poll() is not None and not self._pending():
                        break
                    continue
                data = os.read(self._master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not data:
                break
            with self._changed:
                self.output += data
                self._stream.feed(data)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _pending(self) -> bool:
        ready, _, _ = select.select([self._master], [], [], 0)
        return bool(ready)

    def wait_for(
        self,
        condition: str | Callable[[EmulatedScreen], object],
        timeout: float = WAIT_TIMEOUT,
        *,
        message: str = "",
    ):
        """Until ``condition`` (text on screen, or a predicate of the screen) holds; returns the
        predicate's value. Fails with the screen's contents when it never does."""
        if isinstance(condition, str):
            text = condition

            def condition(screen: EmulatedScreen) -> bool:
                return any(text in row for row in screen.rows())

            message = message or f"{text!r} never appeared"
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = condition(self.screen)
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if self.process.poll() is not None and not self._reader.is_alive():
                    message = f"{message} (the app exited with {self.process.returncode})"
                    break
                self._changed.wait(min(left, 0.2))
            raise AssertionError(f"{message or 'the condition never held'}\n{self.text()}")

    def text(self) -> str:
        with self._changed:
            return "\n".join(row.rstrip() for row in self.screen.rows())

    def grid(self) -> list[list[str]]:
        with self._changed:
            return self.screen.grid()

    def settled(self, quiet: float = 0.3, timeout: float = WAIT_TIMEOUT) -> None:
        """Until the app has written nothing for ``quiet`` seconds (a frame is complete)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while time.monotonic() < deadline:
                size = len(self.output)
                self._changed.wait(quiet)
                if len(self.output) == size:
                    return
        raise AssertionError(f"the screen never settled\n{self.text()}")

    # -------------------------------------------------------------- input

    def write(self, data: bytes) -> None:
        """``data`` reaches the app in one write, as a fast typist over SSH or tmux sends it."""
        written = os.write(self._master, data)
        assert written == len(data), f"the pty took {written} of {len(data)} bytes"

    def resize(self, columns: int, lines: int) -> None:
        with self._changed:
            self.screen.resize(lines, columns)
        self._set_size(columns, lines)
        os.killpg(self.process.pid, signal.SIGWINCH)

    def _set_size(self, columns: int, lines: int, *, fd: int | None = None) -> None:
        size = struct.pack("HHHH", lines, columns, 0, 0)
        fcntl.ioctl(self._master if fd is None else fd, termios.TIOCSWINSZ, size)

    # -------------------------------------------------------------- the end

    def wait_exit(self, timeout: float = WAIT_TIMEOUT) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout)
        return code

    def after_alternate_screen(self) -> bytes:
        """What the app wrote after it left the alternate screen, escape sequences removed."""
        with self._changed:
            output = bytes(self.output)
        end = output.rfind(ALT_SCREEN_OFF)
        assert end >= 0, "the app never left the alternate screen"
        return ESCAPES.sub(b"", output[end + len(ALT_SCREEN_OFF) :])

    def close(self) -> None:
        _end(self.process, group=True)
        self._reader.join(5)
        os.close(self._master)


def isolated_env(home: Path) -> dict[str, str]:
    """The parent's environment minus anything that points at real data, plus a UTF-8 locale."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("RCINBOX_", "XDG_", "TEXTUAL", "COLORTERM", "NO_COLOR", "TMUX"))
        # A size in the environment wins over the terminal's own in Textual: the app must
        # read the pty's (another test in this process may have left COLUMNS set).
        and name not in ("COLUMNS", "LINES")
    }
    for name in ("config", "data", "cache", "state"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        RCINBOX_CONFIG_DIR=str(home / "config" / "rcinbox"),
        RCINBOX_DATA_DIR=str(home / "data" / "rcinbox"),
        TERM="xterm-256color",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        TZ="UTC",
        PYTHONUNBUFFERED="1",
    )
    return env


def write_config(home: Path, text: str) -> Path:
    """A config.toml in the app's isolated config directory (e.g. ``[compose] undo_seconds``)."""
    directory = home / "config" / "rcinbox"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path
