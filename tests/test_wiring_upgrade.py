"""A store written by an older rcinbox is upgraded before the TUI opens it, with a line saying so
when it is large (the upgrade would otherwise run behind a blank screen)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rcinbox.config import Credentials
from rcinbox.inbox.store import MIGRATIONS, SCHEMA_VERSION, Store
from rcinbox.inbox.store.packing import register
from rcinbox.wiring.accounts import Account
from rcinbox.wiring.inbox import upgrade_store


def older_store(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    register(db)  # the SQL functions the migrations use
    for number in range(SCHEMA_VERSION - 1):
        db.executescript(
            f"BEGIN; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
        )
    db.close()


def test_an_older_store_is_upgraded_once_and_said_so(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    older_store(path)
    account = Account(Credentials("http://127.0.0.1:9", "id", "secret", "jwt"), path)
    said: list[str] = []
    assert Store.pending_migrations(path) == 1
    upgrade_store(account, said.append, notice_bytes=0)
    assert len(said) == 1 and "upgrading the local store" in said[0]
    assert Store.pending_migrations(path) == 0
    upgrade_store(account, said.append, notice_bytes=0)
    assert len(said) == 1


def test_a_small_store_is_upgraded_without_a_word_and_no_store_is_left_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "inbox.sqlite3"
    older_store(path)
    account = Account(Credentials("http://127.0.0.1:9", "id", "secret", "jwt"), path)
    said: list[str] = []
    upgrade_store(account, said.append)
    assert said == [] and Store.pending_migrations(path) == 0
    missing = Account(account.credentials, tmp_path / "none" / "inbox.sqlite3")
    upgrade_store(missing, said.append, notice_bytes=0)
    assert said == [] and not missing.store_path.exists()


def test_a_failing_migration_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every pending step runs in one transaction: one that fails takes the others back."""
    import rcinbox.inbox.store as store_module
    from rcinbox.inbox.store import StoreError

    path = tmp_path / "inbox.sqlite3"
    older_store(path)
    broken = (*MIGRATIONS, "CREATE TABLE later (x); SELECT no_such_function();")
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(broken))
    with pytest.raises((StoreError, sqlite3.Error)):
        Store.open(path)
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION - 1
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        assert "later" not in tables
    finally:
        db.close()


def test_a_store_named_by_a_relative_path_is_read_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    older_store(tmp_path / "inbox.sqlite3")
    assert Store.pending_migrations(Path("inbox.sqlite3")) == 1
