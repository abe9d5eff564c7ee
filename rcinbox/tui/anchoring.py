"""Keep the screen in place where a terminal counts a character's cells differently.

Textual writes a line of the screen as one run of text and trusts the terminal to advance the
cursor by as many cells as Rich measured. Terminals do not agree on some characters: an emoji
joined by ZWJ (👩‍👩‍👧 is two cells in kitty or WezTerm, six in tmux or xterm), a skin tone, VS16
(❤️), a spacing mark (see rcinbox.cells), emoji newer than the terminal's tables. Where they
disagree, everything after the character on that line lands in the wrong column: text runs
over the pane's border, and the next partial repaint leaves debris.

So each such character is written anchored: the cursor is saved (DECSC), the cells Rich gave it
are erased in the current colours (ECH), the character is drawn, and the cursor is put back
(DECRC) and moved right by exactly those cells (CUF). A terminal that agrees with Rich sees no
difference; one that does not shows that one character clipped or followed by a blank cell, and
nothing else moves. Characters every terminal agrees on (ASCII, Latin, CJK...) are written as
they are, so ordinary text costs nothing extra.

This replaces ``Strip.render`` (the last step from Textual's segments to terminal bytes).
Textual is pinned exactly; a test drives the real app through a pty on two width rules to prove
this holds.
"""

from __future__ import annotations

import functools
import unicodedata

from rich.cells import split_graphemes
from rich.color import ColorSystem
from rich.console import Console
from textual.strip import Strip

import rcinbox.cells  # noqa: F401 - spacing marks take a cell before anything is measured

SAVE, RESTORE = "\x1b7", "\x1b8"


@functools.lru_cache(maxsize=4096)
def _disputed(char: str) -> bool:
    """Terminals do not all give this character the cells Rich gives it."""
    code = ord(char)
    return (
        code in (0x200D, 0xFE0E, 0xFE0F)  # ZWJ, text and emoji presentation selectors
        or code >= 0x1F000  # emoji (tables differ by Unicode version), skin tones, flags
        or unicodedata.category(char) == "Mc"  # spacing marks: see rcinbox.cells
    )


def anchored(text: str) -> str:
    """``text`` with each disputed grapheme written so that it cannot move what follows."""
    if text.isascii() or not any(map(_disputed, text)):
        return text
    spans, _ = split_graphemes(text)
    parts: list[str] = []
    for start, end, cells in spans:
        grapheme = text[start:end]
        if cells and any(map(_disputed, grapheme)):
            parts.append(f"{SAVE}\x1b[{cells}X{grapheme}{RESTORE}\x1b[{cells}C")
        else:
            parts.append(grapheme)
    return "".join(parts)


def _render(self: Strip, console: Console) -> str:
    """``Strip.render`` of Textual 8.2.8, with each segment's text :func:`anchored`."""
    if self._render_cache is None:
        color_system = console._color_system or ColorSystem.TRUECOLOR
        render = self.render_style
        self._render_cache = "".join(
            [
                anchored(text)
                if style is None
                else render(style, anchored(text), color_system=color_system)
                for text, style, _ in self._segments
            ]
        )
    return self._render_cache


def anchor_disputed_widths() -> None:
    Strip.render = _render  # type: ignore[method-assign]
