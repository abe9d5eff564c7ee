"""How commands print: JSON for scripts, tables sized to the terminal, times, notes on stderr.

Every cell of a table passes through :func:`rcinbox.text.visible` (or ``one_line``), so a
hostile body or name cannot act on the terminal; JSON is the API's own records, untouched.
Messages meant for the user rather than for a pipe (prompts, progress) go to stderr, so stdout
stays clean for ``--json``.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from rcinbox.text import fit, one_line, visible


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_json_line(value: Any) -> None:
    """One record per line (NDJSON), flushed at once: a reader may be waiting for it."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """A line for the user on stderr (stdout is for results)."""
    print(message, file=sys.stderr, flush=True)


def terminal_width() -> int:
    # Piped output has no terminal; 120 keeps lines readable in a log or a pager.
    return shutil.get_terminal_size((120, 24)).columns


def print_table(
    headers: tuple[str, ...], rows: Iterable[tuple[str, ...]], *, fixed: tuple[int, ...]
) -> None:
    """Fixed-width columns, then the last one takes what the terminal has left."""
    rest = max(terminal_width() - sum(fixed) - 2 * len(fixed), 10)
    widths = (*fixed, rest)
    print("  ".join(fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        cells = [
            fit(visible(cell, multiline=False), w) for cell, w in zip(row[:-1], fixed, strict=True)
        ]
        cells.append(one_line(row[-1], rest))
        print("  ".join(cells).rstrip())


def print_fields(rows: Iterable[tuple[str, str]], *, width: int) -> None:
    """``Label:  value`` lines, the values made visible (they may be a customer's words)."""
    for label, value in rows:
        print(f"{label + ':':<{width}}{visible(str(value), multiline=False)}")


def when(moment: datetime | float | None, *, seconds: bool = False) -> str:
    """A moment (a datetime, or seconds since the epoch) in the local time zone, for people.

    ``2025-03-01 14:05``; with ``seconds``, ``2025-03-01 14:05:09 CET``. Empty for None.
    """
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M")


def iso_utc(moment: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 in UTC (``2025-03-01T13:05:09Z``), for JSON."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
