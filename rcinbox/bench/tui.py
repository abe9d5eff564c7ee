"""Benchmark of the TUI: ``python -m rcinbox.bench.tui``.

Three parts, each figure beside a baseline measured in the same run:

(a) What reaches a terminal (:mod:`rcinbox.bench.terminal`): every app a child process on a
    pseudo-terminal (120x40), its output read as it comes. Launches: the time to the first
    customer name on screen (and to the first conversation row) of ``rcinbox --demo`` (the
    emulator in a child, a login and a first page, as a user's first run) and of a returning
    user's ``rcinbox`` (an account in ``RCINBOX_*``, its store holding 1,000 threads and their
    customers' names, a server that does not answer), against a hello-world Textual app and
    the screen floor (the widgets of rcinbox's first screen with fixed text, Textual alone: what
    no rcinbox code can go under).
    Keys: the bytes written to the terminal per ``j`` down the list, against ``down`` in an
    OptionList app; the bytes per character typed in the composer and when the last of them
    came, against a plain Input app. The baselines are scripts in
    :mod:`rcinbox.bench.baselines`, run in the same run. One table: measure | now | baseline |
    goal (``--markdown`` prints it for the README).

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
import gc
import multiprocessing
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from textual import events
from textual._compositor import CompositorUpdate
from textual.screen import Screen

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
from rcinbox.bench.terminal import measure_keys, measure_launches, print_report
from rcinbox.config import Credentials
from rcinbox.emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rcinbox.emulator.seed import DEFAULT_NOW
from rcinbox.inbox.engine import BackgroundWork, EngineSettings
from rcinbox.tui.app import InboxApp, UISettings
from rcinbox.wiring.accounts import Account
from rcinbox.wiring.inbox import open_inbox

COLUMNS, LINES = 120, 40
LAUNCH_RUNS = 5
THREAD_COUNTS = (1_000, 100_000)
PRESSES = 150
KEY_GAP = 1 / 30
FRAME_TIMEOUT = 5.0
LAUNCH_GOAL = 2.0
KEY_GOAL = 0.016
SCALE_GOAL = 1.3
# Nothing listens on the discard port; with the engine's background work off nothing calls it.
OFFLINE_SERVER = "http://127.0.0.1:9"

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


def run(scratch: Path, *, terminal_only: bool = False, markdown: bool = False) -> None:
    stores: dict[int, Path] = {}
    for threads in THREAD_COUNTS[:1] if terminal_only else THREAD_COUNTS:
        began = time.perf_counter()
        inbox = seeded_inbox(threads, newest_only=True)
        path = scratch / f"inbox-{threads}.sqlite3"
        report = build_store(path, inbox)
        stores[threads] = path
        print(
            f"built a store of {threads:,} threads ({report.contents:,} contents, names"
            f" included) in {time.perf_counter() - began:.1f} s"
        )
        if threads == THREAD_COUNTS[0]:
            # The pty measures go first, before the large store's data fills this process.
            print("Launching each app under a pty, then pressing keys in it …")
            launches = measure_launches(scratch, path, inbox.identities, LAUNCH_RUNS)
            keys = measure_keys(scratch)
            print()
            print_report(launches, keys, markdown=markdown)
            print()
        del inbox
    if terminal_only:
        return
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
    parser.add_argument(
        "--terminal-only",
        action="store_true",
        help="only (a), the measures under a pty (no 100,000-thread store)",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print table (a) as Markdown, for the README"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rcinbox-bench-") as scratch:
        run(Path(scratch), terminal_only=args.terminal_only, markdown=args.markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
