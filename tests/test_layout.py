"""No module of rcinbox is over 600 lines: a module that grows past it is split by concern.

Only pure data tables are exempt: the emulator's text corpus (``rcinbox/emulator/corpus/``).
"""

from __future__ import annotations

from pathlib import Path

import rcinbox

ROOT = Path(rcinbox.__file__).parent
MAX_LINES = 600
# Data, not code: tables of text the emulator seeds its inbox with.
EXEMPT = (ROOT / "emulator" / "corpus",)


def module_lengths() -> dict[str, int]:
    lengths = {}
    for path in sorted(ROOT.rglob("*.py")):
        if any(path.is_relative_to(folder) for folder in EXEMPT):
            continue
        with path.open(encoding="utf-8") as lines:
            lengths[str(path.relative_to(ROOT.parent))] = sum(1 for _ in lines)
    return lengths


def test_no_module_is_over_600_lines() -> None:
    lengths = module_lengths()
    assert len(lengths) > 50, "the walk found the package's modules"
    too_long = {name: count for name, count in lengths.items() if count > MAX_LINES}
    assert not too_long, f"split these by concern (at most {MAX_LINES} lines): {too_long}"
