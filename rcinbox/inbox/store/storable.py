"""Server records made storable: whatever JSON the server sends, the store can hold it.

The API client parses any JSON Python can, which is more than SQLite and UTF-8 can keep: a lone
surrogate (half an emoji) cannot be encoded, ``NaN`` and ``Infinity`` are not JSON to SQLite, and
a record nested thousands of levels deep cannot be written back out. One such field used to roll
back a whole page. Here each field that cannot be represented is replaced, visibly and on its own,
and the rest of the record is kept as the server sent it:

* a lone surrogate becomes U+FFFD (in keys too);
* a non-finite number becomes its JSON5 spelling as a string (``"NaN"``, ``"Infinity"``,
  ``"-Infinity"``), so ``--json`` still shows what came;
* an integer too long to write out, or a value nested deeper than :data:`MAX_DEPTH`, becomes
  ``"\ufffd"``.

Records that need none of this (all of them, from a sane server) pay one ``json.dumps``, which
the store needs anyway.
"""

from __future__ import annotations

import json
import math
from typing import Any

REPLACEMENT = "\ufffd"
# Deeper than any real record (the API's nest a few levels); deep enough to keep them all.
MAX_DEPTH = 64
# Python refuses to write integers past 4,300 digits; 14,000 bits is just under that.
_MAX_INT_BITS = 14_000


def storable_json(record: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """``record`` as compact JSON text the store can hold, and the repaired record when a field
    had to be replaced (None when it is stored exactly as sent)."""
    try:
        text = _dumps(record)
        # The text must be UTF-8: that is where a lone surrogate shows up (never in ASCII text,
        # which most records are and which says so without being read).
        if not text.isascii():
            text.encode("utf-8")
        return text, None
    except (ValueError, RecursionError):
        # ValueError covers NaN (allow_nan=False), a lone surrogate (UnicodeEncodeError) and an
        # integer too long to write.
        repaired = storable(record)
        return _dumps(repaired), repaired


def storable(value: Any, depth: int = 0) -> Any:
    """``value`` with every field UTF-8 and strict JSON cannot hold replaced (see the module)."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= _MAX_INT_BITS else REPLACEMENT
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if depth >= MAX_DEPTH:
        return REPLACEMENT
    if isinstance(value, dict):
        return {_text(str(k)): storable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item, depth + 1) for item in value]
    return REPLACEMENT


def storable_text(text: str | None) -> str | None:
    """A single string field (a name, say) with lone surrogates replaced."""
    return None if text is None else _text(text)


def _text(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        # Through UTF-16: a high and low surrogate side by side become the character they
        # spell; each lone one becomes one U+FFFD.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


# Made once: json.dumps with options builds an encoder at every call, and a merge writes a
# thousand records. No circular check: a record parsed from JSON cannot hold itself, and one
# that did would fail as one nested too deep does, with RecursionError, and be repaired so.
_DUMPS = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
)


def _dumps(value: Any) -> str:
    """Compact JSON, as ``json.dumps(value, ensure_ascii=False, separators=(",", ":"),
    allow_nan=False)`` writes it."""
    return _DUMPS.encode(value)
