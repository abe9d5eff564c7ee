"""Make customer text safe to show in a terminal.

Message bodies and names come from strangers. Printed raw, an ESC sequence can clear the screen,
retitle the window or move the cursor, a C1 byte can start a control sequence on some terminals,
and a bidi override can make "txt.exe" read as "exe.txt". Everything that would act instead of
showing is replaced here by a visible symbol, so the agent sees exactly what was sent and nothing
happens. This module must stay pure (no I/O, no Textual): the API's error messages, the
engine's status lines, the CLI and the TUI all use it, so there is one sanitiser. Widths are
measured in terminal cells with Rich's measure, the one Textual lays the screen out with.
"""

from __future__ import annotations

import json
from typing import Any

from rcinbox.cells import cell_len, set_cell_size

# Bidi embeddings, overrides and isolates reorder the text around them; shown by their names.
# LRM/RLM/ALM are left alone: they are zero-width marks that legitimate RTL text uses.
_BIDI_NAMES = {
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    # Line and paragraph separators: some terminals and editors break the line on them, which
    # lets a single-line field (a name, an id) forge a second line.
    "\u2028": "LS",
    "\u2029": "PS",
}


def _build_table(keep_newlines: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        # C0 controls have dedicated visible pictures at U+2400 + code (␛ for ESC, ␀ for NUL).
        table[code] = chr(0x2400 + code)
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        # C1 controls have no pictures; a short escape keeps them recognisable and inert.
        table[code] = f"\\x{code:02x}"
    for char, name in _BIDI_NAMES.items():
        table[ord(char)] = f"\u27e8{name}\u27e9"  # ⟨RLO⟩
    for code in range(0xD800, 0xE000):
        # A lone surrogate (half an emoji from a broken server) cannot be printed at all.
        table[code] = "\ufffd"
    table[0x09] = "    "
    if keep_newlines:
        table[0x0A] = "\n"
    return table


_MULTILINE = _build_table(keep_newlines=True)
_ONE_LINE = _build_table(keep_newlines=False)
_ONE_LINE[0x0A] = " \u21b5 "  # ↵ marks where a line break was


def visible(text: str | None, *, multiline: bool = True) -> str:
    """Return ``text`` with every control, escape and bidi override turned into a visible symbol.

    ``\\r\\n`` and lone ``\\r`` count as line breaks. With ``multiline=False`` line breaks become
    a visible ↵ so the result fits one row.
    """
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_MULTILINE if multiline else _ONE_LINE)


# What JSON leaves as it is but a terminal acts on or cannot print: DEL, C1, the bidi controls
# and separators above, lone surrogates. JSON writes C0 controls as escapes already.
_JSON_ESCAPES = {
    code: f"\\u{code:04x}"
    for code in (0x7F, *range(0x80, 0xA0), *map(ord, _BIDI_NAMES), *range(0xD800, 0xE000))
}


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON that is safe to show and to print: the same data (it parses back
    equal), with every character :func:`visible` would replace written as JSON's own escape
    (``\\u202e``), so a record shown or written as it came cannot act on a terminal."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_JSON_ESCAPES)


def flat(text: str | None) -> str:
    """One visible row of any length: line breaks collapse into a single ↵ between lines."""
    if not text:
        return ""
    lines = [" ".join(line.split()) for line in visible(text).split("\n")]
    return " \u21b5 ".join(line for line in lines if line)


def one_line(text: str | None, width: int) -> str:
    """A single visible row of at most ``width`` terminal cells, ellipsised when cut.

    Controls become visible symbols and line breaks ``↵`` (:func:`visible`), runs of whitespace
    one space: server text in an error message can never break or act on the line it is in.
    """
    if width <= 0:
        return ""
    # Only the head is needed; slicing first keeps a megabyte body cheap to preview.
    text = text or ""
    limit = width * 2 + 16
    head = " ".join(visible(text[:limit], multiline=False).split())
    # Marks take no cell: a head that fits may still leave text out, and then says so.
    if cell_width(head) <= width and len(text) <= limit:
        return head
    return _cut(head, width - 1) + "…"


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes, as Rich and Textual count them when they lay out a screen.

    One measure everywhere: a column sized by another rule (code points, or a width table of
    our own) disagrees with the layout beside it on CJK, emoji sequences, combining marks and
    Indic vowel signs, and the text spills over the next column.
    """
    return cell_len(text)


def _cut(text: str, width: int) -> str:
    """The longest head of ``text`` that fits in ``width`` cells (never half a wide character)."""
    head = set_cell_size(text, max(width, 0))
    # Where a wide character did not fit, set_cell_size put a space in its place: drop it.
    while head and not text.startswith(head):
        head = head[:-1]
    return head


def fit(text: str, width: int) -> str:
    """``text`` cut (with …) or padded with spaces to exactly ``width`` terminal cells."""
    used = cell_width(text)
    if used <= width:
        return text + " " * (width - used)
    head = _cut(text, width - 1) + "…"
    return head + " " * (width - cell_width(head))
