"""The TUI benchmark runs: its timed app (a subclass of the app defined in rcinbox/bench) finds
the app's layout and answers keys, and its launch baselines paint what it waits for. Timings
are the benchmark's to print; this only proves it can take them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rcinbox.bench.baselines import HELLO_TEXT, SCREEN_TEXT, SCRIPTS
from rcinbox.bench.common import build_store, seeded_inbox
from rcinbox.bench.terminal import ROW_MARKER, Terminal, launch_env
from rcinbox.bench.tui import measure_app


def test_the_timed_app_lists_a_stored_inbox_and_answers_keys(tmp_path: Path) -> None:
    store = tmp_path / "inbox.sqlite3"
    build_store(store, seeded_inbox(200, newest_only=True))
    result = measure_app(str(store), presses=3)
    assert result["threads"] == 200
    assert all(len(samples) == 3 for samples in result["series"].values())


def test_the_launch_baselines_show_what_the_benchmark_waits_for(tmp_path: Path) -> None:
    """Hello world and the screen floor, on a pty as the benchmark runs them, paint the text
    their launch is timed to (the floor: a list row's corner and a customer's name)."""
    env = launch_env(tmp_path)
    for script, markers in (
        ("hello", (re.compile(re.escape(HELLO_TEXT)),)),
        ("screen", (ROW_MARKER, re.compile(re.escape(SCREEN_TEXT)))),
    ):
        with Terminal([sys.executable, str(SCRIPTS[script])], env) as terminal:
            found = terminal.wait_for(*markers)
        assert len(found) == len(markers)
