"""What reaches the terminal: launches and keys of real processes on a pseudo-terminal.

Part of ``python -m rcinbox.bench.tui``. Every app is a child process on a pty
(``pty.fork``; TERM=xterm-256color; 120x40 set on the terminal before ``exec``; XDG directories
in a scratch directory), and everything it writes is read back with the time it arrived:

* **Launch**: from before the fork to the first output holding what the app exists to show:
  a conversation row (a channel label followed by `` · ``, the row's "WhatsApp · 4m" corner),
  a customer's name (any seeded customer's display name; a row whose name is not known yet shows
  "…1a2b"), or a baseline app's text.
* **Bytes per key**: a key is written to the pty, then output is read until the app has been
  quiet for :data:`QUIET`; the bytes in between are what that key cost, and the last of them
  came ``latency`` after the key. Keys go one at a time, each after the previous is answered.

The baselines are small Textual apps in :mod:`rcinbox.bench.baselines`, run the same way in the
same run, so the ratios hold on a busy machine whatever the absolute figures do.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import sys
import termios
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rcinbox.api.channels import CHANNELS
from rcinbox.bench.baselines import HELLO_TEXT, INPUT_READY, OPTIONS_READY, SCREEN_TEXT, SCRIPTS
from rcinbox.bench.common import median, table
from rcinbox.config import Credentials, data_dir
from rcinbox.emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rcinbox.emulator.seed import generate
from rcinbox.wiring.accounts import store_path_for

COLUMNS, LINES = 120, 40
TIMEOUT = 60.0
QUIT_TIMEOUT = 10.0
# A key's answer is over once the app has written nothing for this long.
QUIET = 0.25
# Nothing listens on the discard port: a returning user's server that does not answer.
OFFLINE_SERVER = "http://127.0.0.1:9"

# A list row's right-hand corner: "WhatsApp · 4m". The sidebar shows labels without " · ", and
# the status line's " · " follows "online", never a channel label.
ROW_MARKER = re.compile(
    "(?:"
    + "|".join(re.escape(info.label) for info in sorted(CHANNELS.values(), key=lambda i: i.label))
    + ") · "
)


def name_marker(identities: Iterable[dict]) -> re.Pattern[str]:
    """Any of these customers' display names (plain ASCII ones, long enough not to be found by
    chance): on screen only once the app knows whom a thread is with."""
    names = {
        record["displayName"]
        for record in identities
        if (name := record.get("displayName")) and name.isascii() and len(name) >= 6
    }
    return re.compile("|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)))


@dataclass(frozen=True)
class KeyCost:
    """What one key made the app write: how many bytes, and when the last one came."""

    written: int
    latency: float


class Terminal:
    """A program on a pty of :data:`COLUMNS` x :data:`LINES`, its output read as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._tail = ""

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.quit()

    def _read(self, timeout: float) -> bytes | None:
        """The next output within ``timeout`` (None: nothing came)."""
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return None
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            raise RuntimeError("the app exited while the benchmark waited for it")
        return data

    def wait_for(self, *markers: re.Pattern[str]) -> list[float]:
        """Seconds from the fork until each marker first appeared in the output (in any order),
        reading until every one has."""
        found: dict[int, float] = {}
        deadline = time.perf_counter() + TIMEOUT
        while len(found) < len(markers):
            data = self._read(deadline - time.perf_counter())
            if data is None:
                missing = [m.pattern[:60] for i, m in enumerate(markers) if i not in found]
                raise RuntimeError(f"never appeared within {TIMEOUT:.0f} s: {missing}")
            now = time.perf_counter() - self.started
            # A short tail is kept so that a marker split across two reads is still found.
            text = self._tail + self._decoder.decode(data)
            for index, marker in enumerate(markers):
                if index not in found and marker.search(text):
                    found[index] = now
            self._tail = text[-256:]
        return [found[index] for index in range(len(markers))]

    def settle(self) -> None:
        """Read until the app has been quiet for :data:`QUIET`."""
        deadline = time.perf_counter() + TIMEOUT
        while time.perf_counter() < deadline:
            if self._read(QUIET) is None:
                return
        raise RuntimeError("the app never went quiet")

    def key(self, data: bytes) -> KeyCost:
        """Write one key; the bytes written back until the app is quiet, and when the last
        of them arrived."""
        sent = time.perf_counter()
        os.write(self.fd, data)
        written, last = 0, sent
        while (chunk := self._read(QUIET if written else TIMEOUT)) is not None:
            written += len(chunk)
            last = time.perf_counter()
        return KeyCost(written, last - sent)

    def quit(self) -> None:
        """ctrl+q, then wait for the exit; a child that will not go is terminated, then killed."""
        with contextlib.suppress(OSError):
            os.write(self.fd, b"\x11")
        try:
            for signal_number, timeout in (
                (None, QUIT_TIMEOUT),
                (signal.SIGTERM, 3.0),
                (signal.SIGKILL, 3.0),
            ):
                if signal_number is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.pid, signal_number)
                if self._reaped(timeout):
                    return
        finally:
            os.close(self.fd)

    def _reaped(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                return True
            # Keep reading: a child whose terminal is full would block on its last writes.
            with contextlib.suppress(RuntimeError):
                self._read(0.05)
        return False


def launch_env(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCINBOX_")}
    env["TERM"] = "xterm-256color"
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    # Bytecode as an installed package has it: untimed first launches compile into the scratch
    # directory, and the timed ones load from it (this checkout may forbid writing it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    env["COLUMNS"], env["LINES"] = str(COLUMNS), str(LINES)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(scratch / name.lower())
    return env


def returning_env(scratch: Path, store: Path) -> dict[str, str]:
    """An account set up through RCINBOX_* whose store already holds ``store``'s threads (and
    their customers' names), and whose server does not answer: a returning user's start."""
    env = launch_env(scratch)
    credentials = Credentials(OFFLINE_SERVER, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT)
    data = scratch / "returning-data"
    target = data / store_path_for(credentials).relative_to(data_dir())
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(store, target)
    env.update(
        RCINBOX_DATA_DIR=str(data),
        RCINBOX_CONFIG_DIR=str(scratch / "returning-config"),
        RCINBOX_SERVER=credentials.server,
        RCINBOX_CLIENT_ID=DEMO_CLIENT_ID,
        RCINBOX_CLIENT_SECRET=DEMO_CLIENT_SECRET,
        RCINBOX_JWT=DEMO_JWT,
    )
    return env


# ---------------------------------------------------------------------- the measures

HELLO = "hello-world Textual app"
SCREEN = "screen floor"
DEMO = "rcinbox --demo"
RETURNING = "rcinbox, 1,000 stored threads (names too), offline"
# Keys down the list: fewer than the rows on screen, so none of them scrolls.
LIST_KEYS = 12
TYPED = "thanks, on its way"


@dataclass(frozen=True)
class Launch:
    """Seconds from the fork to the first conversation row and to the first customer name
    (for a baseline, both are its text)."""

    rows: float
    names: float


def _script(name: str) -> list[str]:
    return [sys.executable, str(SCRIPTS[name])]


def measure_launches(
    scratch: Path, stored: Path, stored_identities: list[dict], runs: int
) -> dict[str, list[Launch]]:
    """``runs`` launches of hello world, the screen floor, ``rcinbox --demo`` and a returning
    user's ``rcinbox`` (on a copy of ``stored``, whose customers are ``stored_identities``),
    alternating, after one untimed launch of each."""
    env = launch_env(scratch)
    # The demo server's customers (its default seed and size), and the stored ones.
    names = name_marker([*generate().identities, *stored_identities])
    apps = {
        HELLO: (_script("hello"), env, (re.compile(re.escape(HELLO_TEXT)),)),
        SCREEN: (_script("screen"), env, (ROW_MARKER, re.compile(re.escape(SCREEN_TEXT)))),
        DEMO: ([sys.executable, "-m", "rcinbox", "--demo"], env, (ROW_MARKER, names)),
        RETURNING: (
            [sys.executable, "-m", "rcinbox"],
            returning_env(scratch, stored),
            (ROW_MARKER, names),
        ),
    }
    times: dict[str, list[Launch]] = {label: [] for label in apps}
    for timed in [False] + [True] * runs:
        for label, (argv, app_env, markers) in apps.items():
            with Terminal(argv, app_env) as terminal:
                found = terminal.wait_for(*markers)
            if timed:
                times[label].append(Launch(found[0], found[-1]))
    return times


@dataclass(frozen=True)
class KeyCosts:
    """Per-key costs of moving down a list and of typing, for rcinbox and its baselines."""

    list_moves: list[KeyCost]
    option_list_moves: list[KeyCost]
    composer_chars: list[KeyCost]
    input_chars: list[KeyCost]


def measure_keys(scratch: Path) -> KeyCosts:
    """``j`` down rcinbox's list and ``down`` down an OptionList; a reply typed into
    rcinbox's composer and the same text into a plain Input."""
    env = launch_env(scratch)
    with Terminal([sys.executable, "-m", "rcinbox", "--demo"], env) as demo:
        demo.wait_for(name_marker(generate().identities), re.compile("online"))
        demo.settle()
        list_moves = [demo.key(b"j") for _ in range(LIST_KEYS)]
        demo.key(b"\r")
        demo.key(b"r")
        demo.settle()
        composer = [demo.key(char.encode()) for char in TYPED]
    with Terminal(_script("option_list"), env) as options:
        options.wait_for(re.compile(OPTIONS_READY))
        options.settle()
        option_moves = [options.key(b"\x1b[B") for _ in range(LIST_KEYS)]
    with Terminal(_script("input_box"), env) as box:
        box.wait_for(re.compile(INPUT_READY))
        box.settle()
        typed = [box.key(char.encode()) for char in TYPED]
    return KeyCosts(list_moves, option_moves, composer, typed)


# ---------------------------------------------------------------------- the report

BYTES_PER_MOVE_GOAL = 1500
BYTES_PER_CHAR_GOAL = 700
CHAR_LATENCY_GOAL = 0.010
DEMO_NAMES_GOAL = 2.0
RETURNING_NAMES_GOAL = 1.5


def _verdict(met: bool) -> str:
    return "meets" if met else "MISSES"


def summary(launches: dict[str, list[Launch]], keys: KeyCosts) -> list[list[str]]:
    """The rows of the terminal table: measure | now | baseline | goal."""
    hello = median([launch.names for launch in launches[HELLO]])
    floor = median([launch.names for launch in launches[SCREEN]])
    rows: list[list[str]] = [
        [
            "screen floor: the widgets of rcinbox's first screen, fixed text, Textual alone",
            f"{floor:.3f} s = {floor / hello:.2f}x",
            f"hello-world Textual app {hello:.3f} s",
            "(what no rcinbox code can go under)",
        ]
    ]
    for label, goal in ((DEMO, DEMO_NAMES_GOAL), (RETURNING, RETURNING_NAMES_GOAL)):
        names = median([launch.names for launch in launches[label]])
        first_rows = median([launch.rows for launch in launches[label]])
        rows.append(
            [
                f"{label}: customer names on screen (rows)",
                f"{names:.3f} s = {names / hello:.2f}x ({first_rows / hello:.2f}x)",
                f"hello-world Textual app {hello:.3f} s",
                f"<= {goal:g}x: {_verdict(names / hello <= goal)}",
            ]
        )
    moved = median([cost.written for cost in keys.list_moves])
    peer = median([cost.written for cost in keys.option_list_moves])
    rows.append(
        [
            f"bytes written to the terminal per j ({COLUMNS}x{LINES})",
            f"{moved:,.0f} B",
            f"OptionList app (down) {peer:,.0f} B",
            f"<= {BYTES_PER_MOVE_GOAL:,} B: {_verdict(moved <= BYTES_PER_MOVE_GOAL)}",
        ]
    )
    typed = median([cost.written for cost in keys.composer_chars])
    late = median([cost.latency for cost in keys.composer_chars])
    plain = median([cost.written for cost in keys.input_chars])
    plain_late = median([cost.latency for cost in keys.input_chars])
    met = typed <= BYTES_PER_CHAR_GOAL and late <= CHAR_LATENCY_GOAL
    rows.append(
        [
            "bytes per character typed in the composer (last byte after the key)",
            f"{typed:,.0f} B ({late * 1000:.1f} ms)",
            f"plain Textual Input {plain:,.0f} B ({plain_late * 1000:.1f} ms)",
            f"<= {BYTES_PER_CHAR_GOAL} B, <= {CHAR_LATENCY_GOAL * 1000:g} ms: {_verdict(met)}",
        ]
    )
    return rows


def print_report(launches: dict[str, list[Launch]], keys: KeyCosts, *, markdown: bool) -> None:
    runs = len(launches[HELLO])
    print(
        f"(a) Under a pty {COLUMNS}x{LINES}: launches (median of {runs}) and keys"
        f" (median of {LIST_KEYS} moves, {len(TYPED)} characters)"
    )
    headers = ["measure", "now", "baseline (same run)", "goal"]
    rows = summary(launches, keys)
    if markdown:
        print("| " + " | ".join(headers) + " |")
        print("|" + "---|" * len(headers))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        print(table(headers, rows))
