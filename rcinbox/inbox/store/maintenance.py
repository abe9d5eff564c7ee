"""What the store holds and how big it is, and giving its free room back (``rcinbox store``)."""

from __future__ import annotations

from pathlib import Path

from rcinbox.inbox.store.base import Tables
from rcinbox.inbox.types import StoreInfo


class MaintenanceTables(Tables):
    """The size report and VACUUM."""

    _path: Path | None

    def info(self) -> StoreInfo:
        """Counts, the file's size (database and WAL), its free room, and the largest tables
        and indexes. Reads every page (dbstat): a command's work, not a screen's."""
        db = self._db
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        objects = tuple(
            (name, size)
            for name, size in db.execute(
                "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
            )
        )
        return StoreInfo(
            path=str(self._path) if self._path is not None else ":memory:",
            schema_version=db.execute("PRAGMA user_version").fetchone()[0],
            contents=db.execute("SELECT COUNT(*) FROM contents").fetchone()[0],
            threads=db.execute("SELECT COUNT(*) FROM threads").fetchone()[0],
            identities=db.execute("SELECT COUNT(*) FROM identities").fetchone()[0],
            file_bytes=self._file_bytes() or page_size * pages,
            free_bytes=free * page_size,
            raw_bytes=db.execute("SELECT COALESCE(SUM(LENGTH(raw)), 0) FROM contents").fetchone()[
                0
            ],
            objects=objects,
        )

    def vacuum(self) -> None:
        """Merge the text index's segments, rewrite the file without its free room, and empty
        the WAL. Takes the write lock for as long as it runs (seconds for a large store)."""
        self._db.execute("INSERT INTO contents_text (contents_text) VALUES ('optimize')")
        # VACUUM builds its copy in the temporary store: in a file, not in memory (Store.open
        # keeps temporary data in memory for the merges' statement journals).
        self._db.execute("PRAGMA temp_store=FILE")
        try:
            self._db.execute("VACUUM")
        finally:
            self._db.execute("PRAGMA temp_store=MEMORY")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _file_bytes(self) -> int:
        if self._path is None:
            return 0
        wal = self._path.with_name(self._path.name + "-wal")
        return sum(p.stat().st_size for p in (self._path, wal) if p.exists())
