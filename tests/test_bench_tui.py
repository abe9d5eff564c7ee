"""The TUI benchmark's in-process part runs: its timed app (a subclass of the app defined in
rcinbox/bench) finds the app's layout and answers keys. Timings are the benchmark's to print;
this only proves it can take them."""

from __future__ import annotations

from pathlib import Path

from rcinbox.bench.common import build_store, seeded_inbox
from rcinbox.bench.tui import measure_app


def test_the_timed_app_lists_a_stored_inbox_and_answers_keys(tmp_path: Path) -> None:
    store = tmp_path / "inbox.sqlite3"
    build_store(store, seeded_inbox(200, newest_only=True))
    result = measure_app(str(store), presses=3)
    assert result["threads"] == 200
    assert all(len(samples) == 3 for samples in result["series"].values())
