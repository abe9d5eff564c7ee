"""Benchmark of the TUI: ``python -m rcinbox.bench.tui``.

Three figures, each beside a baseline measured in the same run:

(a) Start-up. ``rcinbox --demo`` and a hello-world Textual app are each launched as a
    subprocess on a pseudo-terminal (``pty.fork``; TERM=xterm-256color; 120x40 set on the
    terminal before ``exec``; XDG directories pointed at a scratch directory). The clock starts
    before the fork and stops when the terminal output first holds a conversation row (a
    channel label followed by `` · ``, which only a list row draws: its "WhatsApp · 4m" corner)
    or, for hello world, its text. One untimed launch of each warms the caches, then
    ``LAUNCH_RUNS`` alternate. Each app is then quit with ctrl+q. The demo's first rows need
    the in-process emulator, a login and a first page, as a user's first run would. A third
    row shows a returning user's start: ``rcinbox`` with an account in ``RCINBOX_*``, its store
    already holding 1,000 threads, and a server that does not answer, so the rows can only come
    from the store. Bytecode is compiled by the untimed launches into a scratch
    ``PYTHONPYCACHEPREFIX``, as an installed package would have it.

(b) Per-key latency: the time from a key reaching the app to the frame that shows its
    effect. The app runs headless (``App.run_test``, 120x40) on a store prebuilt with
    ``Store.merge_contents`` and ``save_identities`` from seeded data, offline (no server;
    polling, sending and name lookups off), so the list and the store are all that is measured.
    The stores hold each seeded thread's newest content of each direction, which derives the
    same rows as the whole thread from a third of the contents (``rcinbox.bench.store`` builds
    and times a store of whole threads).

    For each ``j`` the clock starts as the key event is posted to the app (what the terminal
    driver's input thread does) and stops inside the app's ``_display``, at the first frame
    whose conversation list has moved its cursor: that frame has been composed and, because
    headless runs skip it, also encoded into the escape sequences a terminal would receive
    (only the write to the terminal is left out). ``pilot.press`` is not timed: it waits for
    the process to look idle with two ``wait_for_idle`` calls that each sleep at least 20 ms,
    so it would time the pilot's sleeps, not the app. Keys come 1/30 s apart, like a held
    key's repeat, so each frame starts when its key is handled instead of waiting for the
    previous frame's 1/60 s slot. ``PRESSES`` keys are timed from the top of the list and again
    from its middle (where each new 64-row chunk is read at a deep offset), with 1,000 and with
    100,000 threads. Beside the wall-clock figures: the median CPU time of the process per key
    (``time.process_time``; equal to the wall time unless something else ran) and how many
    full (generation 2) garbage collections fell inside the series.

(c) Memory: VmRSS from /proc/self/status of the process running the app of (b): before the
    app starts (interpreter, Textual and rcinbox imported), with the list painted, after the
    keys, and the peak (VmHWM). Each store gets a fresh process, so neither figure carries the
    other's garbage or the benchmark's own data building.

Building the 100,000-thread store takes under a minute; that time is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import contextlib
import fcntl
import gc
import multiprocessing
import os
import pty
import re
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from textual import events
from textual._compositor import CompositorUpdate
from textual.screen import Screen

from rcinbox.api.channels import CHANNELS
from rcinbox.bench.common import (
    build_store,
    median,
    mib,
    ms,
    p95,
    ratio,
    seeded_inbox,
    table,
)
from rcinbox.config import Credentials, data_dir
from rcinbox.emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rcinbox.emulator.seed import DEFAULT_NOW
from rcinbox.inbox.engine import BackgroundWork, EngineSettings
from rcinbox.tui.app import InboxApp, UISettings
from rcinbox.wiring.accounts import Account, store_path_for
from rcinbox.wiring.inbox import open_inbox

COLUMNS, LINES = 120, 40
LAUNCH_RUNS = 5
LAUNCH_TIMEOUT = 30.0
QUIT_TIMEOUT = 10.0
THREAD_COUNTS = (1_000, 100_000)
PRESSES = 150
KEY_GAP = 1 / 30
FRAME_TIMEOUT = 5.0
LAUNCH_GOAL = 2.0
KEY_GOAL = 0.016
SCALE_GOAL = 1.3
# Nothing listens on the discard port; with the engine's background work off nothing calls it.
OFFLINE_SERVER = "http://127.0.0.1:9"

HELLO_TEXT = "Hello, world"
HELLO_LABEL = "hello-world Textual app"
DEMO_LABEL = "rcinbox --demo"
RETURNING_LABEL = "rcinbox, 1,000 stored threads, offline"
HELLO_SOURCE = f"""
from textual.app import App, ComposeResult
from textual.widgets import Static


class Hello(App):
    def compose(self) -> ComposeResult:
        yield Static({HELLO_TEXT!r})


Hello().run()
"""

# A list row's right-hand corner: "WhatsApp · 4m". The sidebar shows labels without " · ", and
# the status line's " · " follows "online", never a channel label.
ROW_MARKER = re.compile(
    "(?:"
    + "|".join(re.escape(info.label) for info in sorted(CHANNELS.values(), key=lambda i: i.label))
    + ") · "
)


# ---------------------------------------------------------------------- (a) start-up


def _launch(argv: list[str], marker: re.Pattern[str], env: dict[str, str]) -> float:
    """Seconds from before the fork to the first output that matches ``marker``."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    try:
        return _read_until(fd, marker, started)
    finally:
        _quit(pid, fd)


def _read_until(fd: int, marker: re.Pattern[str], started: float) -> float:
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    tail = ""
    deadline = started + LAUNCH_TIMEOUT
    while (left := deadline - time.perf_counter()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            raise RuntimeError("the app exited before drawing what the benchmark waits for")
        # Keep a short tail so a marker split across two reads is still found.
        text = tail + decoder.decode(data)
        if marker.search(text):
            return time.perf_counter() - started
        tail = text[-256:]
    raise RuntimeError(f"nothing matched {marker.pattern!r} within {LAUNCH_TIMEOUT:.0f} s")


def _quit(pid: int, fd: int) -> None:
    """ctrl+q, then wait for the exit; a child that will not go is terminated, then killed."""
    with contextlib.suppress(OSError):
        os.write(fd, b"\x11")
    try:
        for signal_number, timeout in (
            (None, QUIT_TIMEOUT),
            (signal.SIGTERM, 3.0),
            (signal.SIGKILL, 3.0),
        ):
            if signal_number is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal_number)
            if _reaped(pid, fd, timeout):
                return
    finally:
        os.close(fd)


def _reaped(pid: int, fd: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return True
        # Keep reading: a child whose terminal is full would block on its last writes.
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            with contextlib.suppress(OSError):
                os.read(fd, 65536)
    return False


def _launch_env(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCINBOX_")}
    env["TERM"] = "xterm-256color"
    # Bytecode as an installed package has it: the untimed first launches compile into the
    # scratch directory, and the timed ones load from it (this checkout may forbid writing it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    env["COLUMNS"], env["LINES"] = str(COLUMNS), str(LINES)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(scratch / name.lower())
    return env


def _returning_env(scratch: Path, store: Path) -> dict[str, str]:
    """An account set up through RCINBOX_* whose store already holds ``store``'s threads,
    and whose server does not answer: the start a returning user gets, offline."""
    env = _launch_env(scratch)
    credentials = Credentials(OFFLINE_SERVER, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT)
    data = scratch / "returning-data"
    target = data / store_path_for(credentials).relative_to(data_dir())
    target.parent.mkdir(parents=True)
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


def measure_start_up(scratch: Path, stored: Path) -> dict[str, list[float]]:
    """Launch times of hello world, ``rcinbox --demo`` and ``rcinbox`` on ``stored``."""
    env = _launch_env(scratch)
    hello_marker = re.compile(re.escape(HELLO_TEXT))
    apps = {
        HELLO_LABEL: ([sys.executable, "-c", HELLO_SOURCE], hello_marker, env),
        DEMO_LABEL: ([sys.executable, "-m", "rcinbox", "--demo"], ROW_MARKER, env),
        RETURNING_LABEL: (
            [sys.executable, "-m", "rcinbox"],
            ROW_MARKER,
            _returning_env(scratch, stored),
        ),
    }
    for argv, marker, app_env in apps.values():
        _launch(argv, marker, app_env)
    times: dict[str, list[float]] = {label: [] for label in apps}
    for _ in range(LAUNCH_RUNS):
        for label, (argv, marker, app_env) in apps.items():
            times[label].append(_launch(argv, marker, app_env))
    return times


# ---------------------------------------------------------------------- (b) and (c), in a child


class _TimedApp(InboxApp):
    """The app, with a hook that stamps the first frame meeting a condition."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._frame: tuple[Callable[[], bool], asyncio.Future[tuple[float, float]]] | None = None

    def frame_when(self, ready: Callable[[], bool]) -> asyncio.Future[tuple[float, float]]:
        """Resolves to (perf_counter, process_time) at the first frame where ``ready()``."""
        future: asyncio.Future[tuple[float, float]] = asyncio.get_running_loop().create_future()
        self._frame = (ready, future)
        return future

    def _display(self, screen: Screen, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is None:
            return
        if self.is_headless and isinstance(renderable, CompositorUpdate):
            # What a terminal would be sent; headless runs skip it, the benchmark does not.
            renderable.render_segments(self.console)
        if self._frame is not None and self._frame[0]():
            future = self._frame[1]
            self._frame = None
            if not future.done():
                future.set_result((time.perf_counter(), time.process_time()))


def _status(field: str) -> int:
    """A /proc/self/status figure in bytes (VmRSS, VmHWM)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


async def _until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.01)


async def _measure_app(store_path: Path, presses: int) -> dict[str, Any]:
    before = _status("VmRSS")
    credentials = Credentials(OFFLINE_SERVER, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT)
    account = Account(credentials, store_path)
    app = _TimedApp(
        lambda: open_inbox(account, settings=EngineSettings()),
        settings=UISettings(),
        clock=lambda: DEFAULT_NOW,
        work=BackgroundWork(poll=False, send=False, names=False),
    )
    series: dict[int, list[float]] = {}
    cpu: dict[int, list[float]] = {}
    full_collections: dict[int, int] = {}
    current = 0

    def count_full_collections(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full_collections[current] = full_collections.get(current, 0) + 1

    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        listing = app.conversation_list
        await _until(pilot, lambda: listing.total > 0, "the first rows")
        await pilot.pause()
        threads = listing.total
        rss_painted = _status("VmRSS")
        gc.callbacks.append(count_full_collections)
        try:
            for current in (0, threads // 2):
                listing.cursor = current
                await pilot.pause()
                samples = series.setdefault(current, [])
                spent = cpu.setdefault(current, [])
                for step in range(1, presses + 1):
                    await asyncio.sleep(KEY_GAP)
                    frame = app.frame_when(lambda e=current + step: listing.cursor == e)
                    began, began_cpu = time.perf_counter(), time.process_time()
                    app.post_message(events.Key("j", "j"))
                    painted, painted_cpu = await asyncio.wait_for(frame, FRAME_TIMEOUT)
                    samples.append(painted - began)
                    spent.append(painted_cpu - began_cpu)
        finally:
            gc.callbacks.remove(count_full_collections)
        rss_after = _status("VmRSS")
    return {
        "threads": threads,
        "series": series,
        "cpu": cpu,
        "full_collections": full_collections,
        "rss_before": before,
        "rss_painted": rss_painted,
        "rss_after": rss_after,
        "rss_peak": _status("VmHWM"),
    }


def measure_app(store_path: str, presses: int = PRESSES) -> dict[str, Any]:
    """Run in a fresh process: key latencies from two starting rows, and memory."""
    return asyncio.run(_measure_app(Path(store_path), presses))


def _in_fresh_process(store_path: Path) -> dict[str, Any]:
    # Spawned, not forked: the child must not inherit the parent's seeded data.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(measure_app, str(store_path)).result()


# ---------------------------------------------------------------------- report


def _print_start_up(times: dict[str, list[float]]) -> None:
    hello = median(times[HELLO_LABEL])
    rows = [
        [
            label,
            f"{median(runs):.3f} s",
            f"{min(runs):.3f} s",
            f"{max(runs):.3f} s",
            ratio(median(runs), hello),
        ]
        for label, runs in times.items()
    ]
    print(
        f"(a) Launch to first conversation row, under a pty {COLUMNS}x{LINES}, {LAUNCH_RUNS} runs"
    )
    print(table(["app", "median", "min", "max", "vs hello"], rows))
    share = median(times[DEMO_LABEL]) / hello
    verdict = "meets" if share <= LAUNCH_GOAL else "MISSES"
    print(f"goal rcinbox --demo at most {LAUNCH_GOAL:g}x hello world: {verdict} ({share:.2f}x)")


def _print_keys(results: dict[int, dict[str, Any]]) -> None:
    rows: list[list[str]] = []
    for threads, result in results.items():
        for start, samples in result["series"].items():
            rows.append(
                [
                    f"{threads:,} threads, from row {start:,}",
                    str(len(samples)),
                    ms(median(samples)),
                    ms(p95(samples)),
                    ms(max(samples)),
                    ms(median(result["cpu"][start])),
                    str(result["full_collections"].get(start, 0)),
                ]
            )
    print(f"(b) Per-key latency, j, key posted -> frame composed and encoded ({COLUMNS}x{LINES})")
    print(table(["store", "keys", "median", "p95", "max", "CPU median", "full GCs"], rows))
    small, large = (results[n]["series"] for n in THREAD_COUNTS)
    worst = 0.0
    for (small_start, small_samples), (large_start, large_samples) in zip(
        small.items(), large.items(), strict=True
    ):
        share = median(large_samples) / median(small_samples)
        worst = max(worst, share)
        print(
            f"ratio {THREAD_COUNTS[1]:,}/{THREAD_COUNTS[0]:,} threads, from row"
            f" {large_start:,} vs {small_start:,}: {share:.2f}x"
        )
    slowest = max(median(s) for r in results.values() for s in r["series"].values())
    fast = "meets" if slowest < KEY_GOAL else "MISSES"
    flat = "meets" if worst <= SCALE_GOAL else "MISSES"
    print(f"goal median under {ms(KEY_GOAL)}: {fast} (slowest median {ms(slowest)})")
    print(
        f"goal {THREAD_COUNTS[1]:,} within {SCALE_GOAL:g}x of {THREAD_COUNTS[0]:,}: {flat}"
        f" (worst {worst:.2f}x)"
    )


def _print_memory(results: dict[int, dict[str, Any]]) -> None:
    rows = [
        [
            f"{threads:,} threads",
            mib(r["rss_before"]),
            mib(r["rss_painted"]),
            mib(r["rss_after"]),
            mib(r["rss_peak"]),
            mib(r["rss_after"] - r["rss_before"]),
        ]
        for threads, r in results.items()
    ]
    print("(c) Memory of the process running the app (VmRSS)")
    print(
        table(
            ["store", "before app", "list painted", "after keys", "peak", "app's share"],
            rows,
        )
    )
    small, large = (results[n] for n in THREAD_COUNTS)
    print(
        f"ratio {THREAD_COUNTS[1]:,}/{THREAD_COUNTS[0]:,} threads, after keys:"
        f" {ratio(large['rss_after'], small['rss_after'])}"
    )


def run(scratch: Path) -> None:
    stores: dict[int, Path] = {}
    for threads in THREAD_COUNTS:
        began = time.perf_counter()
        inbox = seeded_inbox(threads, newest_only=True)
        path = scratch / f"inbox-{threads}.sqlite3"
        report = build_store(path, inbox)
        del inbox
        stores[threads] = path
        print(
            f"built a store of {threads:,} threads ({report.contents:,} contents, names"
            f" included) in {time.perf_counter() - began:.1f} s"
        )
        if threads == THREAD_COUNTS[0]:
            # Launches go first, before the large store's data fills this process's memory.
            print("Launching each app under a pty …")
            launches = measure_start_up(scratch, path)
            print()
            _print_start_up(launches)
            print()
    results = {threads: _in_fresh_process(path) for threads, path in stores.items()}
    for threads, result in results.items():
        if result["threads"] != threads:
            raise RuntimeError(f"the app listed {result['threads']:,} threads, not {threads:,}")
    print()
    _print_keys(results)
    print()
    _print_memory(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rcinbox.bench.tui", description=__doc__.splitlines()[0]
    )
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rcinbox-bench-") as scratch:
        run(Path(scratch))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
