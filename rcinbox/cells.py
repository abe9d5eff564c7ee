"""How many terminal cells text takes: Rich's measure (the one Textual lays out the screen with),
with one correction, made once for the whole program.

Rich counts a spacing combining mark (Unicode category Mc: the Devanagari vowel signs ा ि ी ो,
their kin in Bengali, Tamil, Thai, Myanmar...) as zero cells, as terminals that measure grapheme
clusters do. glibc's wcwidth(), and with it tmux, screen, xterm, VTE and most terminals an agent
reaches over SSH, give each of them a cell of its own. Left alone, every such mark in a row puts
the rest of the row one cell to the right of where Textual thinks it is: a Hindi message pushed
the column border into the conversation pane and left debris when rows were repainted.

Counting them as one cell makes the layout exact on those terminals. On a terminal that draws
them in no cell the row comes out a little short instead, never long; the TUI's output anchors
each such character (rcinbox.tui.anchoring), so the rest of the row stays in place either way.

Pure: no I/O, no Textual. Importing it applies the correction (idempotent).
"""

from __future__ import annotations

import functools
import unicodedata

import rich.cells
from rich.cells import cell_len, set_cell_size

__all__ = ["cell_len", "set_cell_size", "spacing_marks_take_a_cell"]


def _without_spacing_marks(widths: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Rich's (start, end, width) ranges with every Mc code point taken out of the zero-width
    ones; a code point in no range is one cell wide."""
    adjusted: list[tuple[int, int, int]] = []
    for start, end, width in widths:
        if width != 0:
            adjusted.append((start, end, width))
            continue
        run_start = None
        for code in range(start, end + 1):
            if unicodedata.category(chr(code)) == "Mc":
                if run_start is not None:
                    adjusted.append((run_start, code - 1, 0))
                    run_start = None
            elif run_start is None:
                run_start = code
        if run_start is not None:
            adjusted.append((run_start, end, 0))
    return adjusted


def spacing_marks_take_a_cell() -> None:
    """Make Rich (and so Textual) give spacing combining marks one cell, as wcwidth() does."""
    load = getattr(rich.cells, "load_cell_table", None)
    if load is None or getattr(load, "_rcinbox", False):
        return

    @functools.cache
    def load_adjusted(unicode_version: str = "auto"):
        table = load(unicode_version)
        return table._replace(widths=_without_spacing_marks(list(table.widths)))

    load_adjusted._rcinbox = True  # type: ignore[attr-defined]
    rich.cells.load_cell_table = load_adjusted
    rich.cells.get_character_cell_size.cache_clear()
    rich.cells.cached_cell_len.cache_clear()


spacing_marks_take_a_cell()
