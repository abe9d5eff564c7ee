"""What both benchmarks share: seeded stores of an exact thread count, statistics, a table.

Data comes from the emulator's seeded generator, so the stores hold what the API returns
(multilingual bodies, HTML twins, attachments, agent-started discussions, a few hostile records)
and not a synthetic shape that flatters the store. The generator makes about one thread per six
contents; :func:`seeded_inbox` asks for a little more than needed and keeps the newest threads
whole, so a store holds exactly the number of threads asked for.

This module never imports Textual: the store benchmark runs without it.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rcinbox.api.models import Content, Identity
from rcinbox.emulator.seed import DEFAULT_NOW, generate
from rcinbox.inbox.store import Store

# A sync page: the store merges what one API page (perPage=1000) brings, in one commit.
PAGE = 1000
# The generator's contents per thread, plus room so trimming always leaves enough threads.
_CONTENTS_PER_THREAD = 6
_MARGIN = 1.02


@dataclass(frozen=True)
class SeededInbox:
    """Contents (oldest first) of exactly ``threads`` threads, and every seeded identity."""

    contents: list[dict]
    identities: list[dict]
    threads: int
    generate_seconds: float


@dataclass(frozen=True)
class BuildReport:
    contents: int
    threads: int
    parse_seconds: float
    merge_seconds: float
    identities_seconds: float

    @property
    def merge_rate(self) -> float:
        """Contents merged per second (parsing excluded: the API client parses, not the store)."""
        return self.contents / self.merge_seconds if self.merge_seconds else math.inf


def seeded_inbox(
    threads: int, *, seed: int = 1, now: datetime = DEFAULT_NOW, newest_only: bool = False
) -> SeededInbox:
    """The newest ``threads`` threads of a seeded inbox, each with all its contents, or with
    ``newest_only`` just each thread's newest content of each direction: the list's rows come
    out the same (latest message, customer, reply state, unread) from a third of the contents,
    and only ``content_count`` differs."""
    started = time.perf_counter()
    asked = math.ceil(threads * _CONTENTS_PER_THREAD * _MARGIN) + _CONTENTS_PER_THREAD
    data = generate(seed, contents=asked, now=now)
    kept: set[str] = set()
    newest: set[tuple[str, object]] = set()
    chosen: list[dict] = []
    # Newest first: the first time a thread shows up is its latest activity.
    for record in reversed(data.contents):
        thread_id = record.get("threadId") or record["id"]
        if thread_id not in kept:
            if len(kept) == threads:
                continue
            kept.add(thread_id)
        if newest_only:
            side = (thread_id, record.get("contentDirection"))
            if side in newest:
                continue
            newest.add(side)
        chosen.append(record)
    if len(kept) < threads:
        raise RuntimeError(f"the seed made {len(kept)} threads, fewer than {threads}")
    chosen.reverse()
    return SeededInbox(chosen, data.identities, threads, time.perf_counter() - started)


def build_store(path: Path, inbox: SeededInbox, *, names: bool = True) -> BuildReport:
    """Fill a new store page by page, oldest page first, and time parsing and merging apart."""
    store = Store.open(path)
    parse = merge = named = 0.0
    try:
        for start in range(0, len(inbox.contents), PAGE):
            began = time.perf_counter()
            page = [Content.from_json(record) for record in inbox.contents[start : start + PAGE]]
            parsed = time.perf_counter()
            store.merge_contents(page)
            parse += parsed - began
            merge += time.perf_counter() - parsed
        if names:
            began = time.perf_counter()
            for start in range(0, len(inbox.identities), PAGE):
                chunk = inbox.identities[start : start + PAGE]
                store.save_identities(
                    (Identity.from_json(record) for record in chunk), fetched_at=time.time()
                )
            named = time.perf_counter() - began
    finally:
        store.close()
    return BuildReport(len(inbox.contents), inbox.threads, parse, merge, named)


def timings(call: Callable[[], object], runs: int, *, warm_up: int = 1) -> list[float]:
    """Seconds each of ``runs`` calls took, after ``warm_up`` calls (caches filled)."""
    for _ in range(warm_up):
        call()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile: a value that was actually measured."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"


def mib(size: float) -> str:
    return f"{size / 1_048_576:.1f} MiB"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned table: first column left, the others right (they hold numbers)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [first.ljust(widths[0])]
        parts += [cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])
