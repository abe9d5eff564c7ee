"""How a merge writes: the settings, the derivation shortcuts and the schema that keep the bytes
written per content flat as the store grows (issue 12), answering exactly as before."""

from __future__ import annotations

from pathlib import Path

from rcinbox.api.models import Content
from rcinbox.emulator.seed import generate
from rcinbox.inbox.store import Store

MEMORY = 2  # PRAGMA temp_store


def test_statement_journals_stay_in_memory_and_vacuum_copies_through_a_file(
    tmp_path: Path,
) -> None:
    """Merges keep temporary data (statement journals) in memory; VACUUM's copy of the whole
    database goes to a temporary file, and the store is back in memory mode after it."""
    store = Store.open(tmp_path / "inbox.sqlite3")
    try:
        assert store._db.execute("PRAGMA temp_store").fetchone()[0] == MEMORY
        store.merge_contents(Content.from_json(r) for r in generate(contents=60).contents)
        store.vacuum()
        assert store._db.execute("PRAGMA temp_store").fetchone()[0] == MEMORY
        assert store.content_count() == 60
    finally:
        store.close()
