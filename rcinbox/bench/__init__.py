"""Benchmarks that show rcinbox's speed as figures and ratios, never as pass/fail tests.

Each script measures its subject beside a baseline taken in the same run (a window at offset 0
beside one deep in the list, a hello-world Textual app beside ``rcinbox --demo``, 1,000 threads
beside 100,000), so a slow machine slows both sides and the ratio still means something:

    python -m rcinbox.bench.store    the SQLite store with 100,000 threads
    python -m rcinbox.bench.tui      start-up, per-key latency and memory of the TUI

They build their data from the emulator's seeded generator into throwaway directories, print a
table, and leave nothing behind. Nothing in rcinbox imports this package; the tests never run it.
"""
