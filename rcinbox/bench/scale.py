"""The store as it grows: ``python -m rcinbox.bench.store --contents N`` (10k, 100k, 1M).

The issue's store goals, each beside a baseline measured in the same run:

* bytes written per content while merging (what the process handed to ``write()``, WAL and
  checkpoints included, from ``/proc/self/io``), over the whole build and over its last tenth,
  where a cost that grows with the store shows;
* the merge rate, first tenth against last tenth (flat is the goal);
* the file's size, and the bytes per content;
* the last 50-row window of the list, and one in the middle, read by keyset (what the store does)
  beside the same window read by OFFSET (what it did);
* a common word typed in the filter box: the search the UI runs in a worker thread (with its
  result limit) beside the old unlimited query, run the same way;
* the file's size after ``rcinbox store vacuum``.

Seeded emulator data (:func:`rcinbox.emulator.seed.generate`, one seed per 100,000 contents),
merged oldest page first, 1,000 contents a commit, as sync does. Each seed's 90 days follow the
previous seed's, so that a million contents are one inbox's history, in the order sync would
store it, with ids that grow with time as the API's do. (Laid over the same 90 days, ten seeds
were ten inboxes interleaved, and every index took the last tenth as random inserts: 7.8 KB
written a content over the last tenth of a million, against 3.9.) Never imports Textual; never
writes outside its directory.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from rcinbox.api.models import Content
from rcinbox.bench.common import PAGE, median, mib, ms, table, timings
from rcinbox.emulator.seed import DEFAULT_NOW, generate
from rcinbox.emulator.seeding.basics import MAX_AGE
from rcinbox.inbox.store import SEARCH_LIMIT, Store, ThreadFilter
from rcinbox.inbox.store.base import THREAD_SELECT
from rcinbox.inbox.store.folding import indexed
from rcinbox.inbox.store.folding import register as register_folding
from rcinbox.inbox.store.search import SearchWorker, trigram_query
from rcinbox.inbox.types import ThreadOrder

WINDOW = 50
# Contents generated at a time (one seed each).
BATCH = 100_000
RUNS = 50
SEARCH_RUNS = 5
COMMON_WORD = "order"
# The filter box's old query: every matching content joined, all threads sorted, no limit (the
# match written as the index now answers it: every trigram, then the text itself).
_OLD_SEARCH = (
    "SELECT id FROM threads WHERE id IN (SELECT c.thread_id FROM contents_text AS f"
    " JOIN contents AS c ON c.rowid = f.rowid WHERE contents_text MATCH ?"
    " AND indexed_contains(f.body, f.title, ?))"
    " ORDER BY latest_at DESC, id DESC"
)


# The list's old window: the same rows, read by OFFSET.
_OLD_WINDOW = THREAD_SELECT.replace(
    "FROM threads AS t",
    "FROM (SELECT * FROM threads ORDER BY latest_at DESC, id DESC LIMIT ? OFFSET ?) AS t",
)


def _written() -> int:
    """Bytes this process has passed to write() so far (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/io", encoding="ascii") as io:
            for line in io:
                if line.startswith("wchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _timed(call, runs: int) -> float:
    return median(timings(call, runs))


def run(path: Path, contents: int) -> None:
    print(f"Merging {contents:,} seeded contents into {path} …", flush=True)
    store = Store.open(path)
    try:
        merged: list[tuple[int, float, int]] = []
        batches = _batches(contents)
        for seed, size in enumerate(batches, start=1):
            # One seeded inbox of at most BATCH contents at a time: a million records held at
            # once would take gigabytes. Each seed has its own ids, channels and customers.
            began = time.perf_counter()
            # The last seed leads up to the seed's usual instant; each earlier one ends where
            # the next begins.
            now = DEFAULT_NOW - timedelta(seconds=MAX_AGE * (len(batches) - seed))
            records = generate(seed, contents=size, now=now).contents
            print(f"  seed {seed}: {size:,} generated in {time.perf_counter() - began:.0f} s")
            merged += _build(store, records)
            del records
        count = store.content_count()
        _report_build(merged, count)
        _report_size(path, store, count)
        _report_windows(store, path)
        _report_search(store, path)
        _report_vacuum(store, count)
    finally:
        store.close()


def _batches(contents: int) -> list[int]:
    sizes = [BATCH] * (contents // BATCH)
    if contents % BATCH:
        sizes.append(contents % BATCH)
    return sizes


def _build(store: Store, records: list[dict]) -> list[tuple[int, float, int]]:
    """(contents, seconds, bytes written) for each page merged."""
    pages = []
    for start in range(0, len(records), PAGE):
        page = [Content.from_json(record) for record in records[start : start + PAGE]]
        written = _written()
        began = time.perf_counter()
        store.merge_contents(page)
        pages.append((len(page), time.perf_counter() - began, _written() - written))
    return pages


def _report_build(pages: list[tuple[int, float, int]], count: int) -> None:
    tenth = max(len(pages) // 10, 1)

    def row(label: str, part: list[tuple[int, float, int]]) -> list[str]:
        n = sum(p[0] for p in part)
        seconds = sum(p[1] for p in part)
        written = sum(p[2] for p in part)
        return [label, f"{n:,}", f"{n / seconds:,.0f}/s", f"{written / n / 1024:,.1f} KB"]

    print()
    print(f"Merging {count:,} contents, {PAGE:,} a commit (baseline: the first tenth)")
    print(
        table(
            ["part of the build", "contents", "merge rate", "written per content"],
            [
                row("first tenth", pages[:tenth]),
                row("last tenth", pages[-tenth:]),
                row("whole build", pages),
            ],
        )
    )


def _report_size(path: Path, store: Store, count: int) -> None:
    # Measured as the file rests: the WAL's pages in the database, the WAL emptied.
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    info = store.info()
    print()
    print(
        table(
            ["file", "size", "per content"],
            [
                ["database + WAL", mib(info.file_bytes), f"{info.file_bytes / count:,.0f} B"],
                [
                    "  of which raw JSON (packed)",
                    mib(info.raw_bytes),
                    f"{info.raw_bytes / count:,.0f} B",
                ],
                [
                    "  of which free room",
                    mib(info.free_bytes),
                    f"{info.free_bytes / count:,.0f} B",
                ],
                *(
                    [f"  {name}", mib(size), f"{size / count:,.0f} B"]
                    for name, size in info.objects[:8]
                ),
            ],
        )
    )


def _report_vacuum(store: Store, count: int) -> None:
    """What `rcinbox store vacuum` makes of the file: B-tree pages filled by random inserts are
    about two thirds full; VACUUM rewrites them full and merges the text index."""
    before = store.info().file_bytes
    began = time.perf_counter()
    store.vacuum()
    seconds = time.perf_counter() - began
    after = store.info().file_bytes
    print()
    print(
        f"rcinbox store vacuum: {mib(before)} → {mib(after)}"
        f" ({after / count:,.0f} B a content) in {seconds:.0f} s"
    )


def _report_windows(store: Store, path: Path) -> None:
    where = ThreadFilter()
    count = store.thread_count(where)
    connection = sqlite3.connect(str(path))
    rows = []
    try:
        for label, offset in (("middle", count // 2), ("last", max(count - WINDOW, 0))):
            keyset = _timed(lambda o=offset: store.threads_window(where, o, WINDOW), RUNS)
            old = _timed(
                lambda o=offset: connection.execute(_OLD_WINDOW, (WINDOW, o)).fetchall(), RUNS
            )
            above = store.threads_window(where, offset - 1, 1)
            after = (above[0].latest_at.timestamp(), above[0].id) if above else None
            page = _timed(lambda a=after: store.threads_after(where, a, WINDOW), RUNS)
            rows.append([f"{label} window (offset {offset:,})", ms(keyset), ms(page), ms(old)])
        # The triage view's wait sort: anchors of its whole key, against OFFSET on its index.
        waiting = ThreadFilter(order=ThreadOrder.WAITING)
        clause, params = waiting.where()
        old_waiting = (
            f"SELECT id FROM threads {clause} ORDER BY {waiting.order_by()} LIMIT ? OFFSET ?"
        )
        last = max(store.thread_count(waiting) - WINDOW, 0)
        keyset = _timed(lambda: store.threads_window(waiting, last, WINDOW), RUNS)
        old = _timed(
            lambda: connection.execute(old_waiting, (*params, WINDOW, last)).fetchall(), RUNS
        )
        rows.append([f"wait sort, last window (offset {last:,})", ms(keyset), "", ms(old)])
    finally:
        connection.close()
    print()
    print(f"A {WINDOW}-row window of all {count:,} threads, median of {RUNS}")
    print(
        table(
            ["window", "threads_window", "threads_after", "OFFSET (before)"],
            rows,
        )
    )


def _report_search(store: Store, path: Path) -> None:
    worker = SearchWorker(path)
    connection = sqlite3.connect(str(path))
    register_folding(connection)
    try:
        found: list[str] = []

        async def searches() -> float:
            samples = []
            for _ in range(SEARCH_RUNS + 1):
                began = time.perf_counter()
                found[:] = await worker.search(COMMON_WORD, limit=SEARCH_LIMIT)
                samples.append(time.perf_counter() - began)
            return median(samples[1:])

        new = asyncio.run(searches())
        old_rows: list = []
        old = _timed(
            lambda: old_rows.__setitem__(
                slice(None),
                connection.execute(
                    _OLD_SEARCH, (trigram_query(COMMON_WORD), indexed(COMMON_WORD))
                ).fetchall(),
            ),
            SEARCH_RUNS,
        )
    finally:
        worker.close()
        connection.close()
    print()
    print(f"Filter box: {COMMON_WORD!r}, median of {SEARCH_RUNS}")
    print(
        table(
            ["search", "time", "threads"],
            [
                [f"worker thread, limit {SEARCH_LIMIT}", ms(new), f"{len(found):,}"],
                ["before: every match, no limit", ms(old), f"{len(old_rows):,}"],
            ],
        )
    )
