"""How a merge writes: the settings, the derivation shortcuts and the schema that keep the bytes
written per content flat as the store grows (issue 12), answering exactly as before."""

from __future__ import annotations

import copy
import os
import random
import sqlite3
import time
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rcinbox.api.models import Content
from rcinbox.emulator.seed import generate
from rcinbox.inbox.store import SCHEMA_VERSION, MergeResult, Store, ThreadFilter, merging
from rcinbox.inbox.types import TriageState

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


# -- the shortcut derivation against the full one -------------------------------------------------


@pytest.fixture(scope="module")
def seed_records() -> list[dict]:
    return generate(seed=3, contents=400).contents


def merge_scenario(store: Store, records: list[dict], rng: random.Random) -> list[MergeResult]:
    """Merges as sync and the outbox make them, in an order ``rng`` picks: pages out of time
    order, contents seen twice, edited, moved to another thread, without a customer or a time,
    threads read, marked unread, put aside, open on screen, answered through the outbox."""
    records = [copy.deepcopy(r) for r in records]
    thread_ids = sorted({r["threadId"] for r in records})
    pages: list[list[dict]] = []
    position = 0
    while position < len(records):
        size = rng.choice([1, 3, 17, 60])
        pages.append(records[position : position + size])
        position += size
    if rng.random() < 0.5:
        rng.shuffle(pages)
    results = []
    for number, page in enumerate(pages):
        page = list(page)
        for record in list(page):
            roll = rng.random()
            if roll < 0.05:
                page.append(record)  # the same content twice in one page
            elif roll < 0.08:
                edited = dict(record, body=record["body"] + " (edited)")
                page.append(edited)
            elif roll < 0.1:
                record["threadId"] = rng.choice(thread_ids)
            elif roll < 0.12:
                record["authorIdentityId"] = None
            elif roll < 0.13:
                record["creationTime"] = None
        if number and rng.random() < 0.3:
            # A page seen again, some of it changed since: replied to, failed, moved to another
            # thread, written by someone else.
            for seen in rng.choice(pages[:number]):
                roll = rng.random()
                if roll < 0.1:
                    page.append(dict(seen, threadId=rng.choice(thread_ids)))
                elif roll < 0.2:
                    page.append(
                        dict(seen, authorIdentityId=rng.choice(records)["authorIdentityId"])
                    )
                else:
                    page.append(dict(seen, status="Replied", synchronizationStatus="Failed"))
        results.append(store.merge_contents(Content.from_json(r) for r in page))
        threads = [row[0] for row in store._db.execute("SELECT id FROM threads ORDER BY id")]
        if not threads:
            continue
        chosen = rng.choice(threads)
        action = rng.randrange(6)
        if action == 0:
            store.mark_read(chosen)
        elif action == 1:
            store.mark_unread(chosen)
        elif action == 2:
            store.put_aside(chosen, rng.choice(list(TriageState)), 1e12)
        elif action == 3:
            store.keep_read(chosen)
        elif action == 4:
            store.add_outbox(
                f"entry-{number}",
                thread_id=chosen,
                in_reply_to="",
                channel_type=None,
                body="on its way",
                public=None,
            )
    return results


def everything(store: Store) -> dict[str, list[tuple]]:
    tables = ("threads", "read_marks", "triage", "contents", "contents_text")
    rows = {
        table: store._db.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
        for table in tables
    }
    # Channels are created in the order threads are derived, a set's: their rowids never were
    # the same from one run to the next.
    rows["channels"] = store._db.execute("SELECT * FROM channels ORDER BY id").fetchall()
    rows["thread_authors"] = store._db.execute(
        "SELECT * FROM thread_authors ORDER BY author_identity_id, thread_id"
    ).fetchall()
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_threads_extended_from_their_rows_are_the_threads_derived_in_full(
    seed_records: list[dict], scenario: int
) -> None:
    """Every store table after any sequence of merges is what the full derivation alone (the
    one merging had before) makes of the same sequence, and so is every merge's result."""
    shortcut = Store.open(":memory:", clock=lambda: 1_800_000_000.0)
    results = merge_scenario(shortcut, seed_records, random.Random(scenario))
    reference = Store.open(":memory:", clock=lambda: 1_800_000_000.0)
    with patch.object(merging, "extend_thread", lambda *args: None):
        expected = merge_scenario(reference, seed_records, random.Random(scenario))
    try:
        assert results == expected
        assert everything(shortcut) == everything(reference)
        # Who wrote in which thread is what the contents say, after edits and moves too.
        authors = shortcut._db.execute(
            "SELECT author_identity_id, thread_id FROM thread_authors ORDER BY 1, 2"
        ).fetchall()
        assert (
            authors
            == shortcut._db.execute(
                "SELECT DISTINCT author_identity_id, thread_id FROM contents"
                " WHERE author_identity_id IS NOT NULL ORDER BY 1, 2"
            ).fetchall()
        )
    finally:
        shortcut.close()
        reference.close()


def test_contents_merged_in_time_order_extend_their_threads_without_reading_them(
    seed_records: list[dict],
) -> None:
    """The shortcut is the common case: sync merging newer contents derives no thread in full."""
    store = Store.open(":memory:")
    try:
        with patch.object(Store, "_derive_thread") as derive_in_full:
            for start in range(0, len(seed_records), 100):
                page = seed_records[start : start + 100]
                store.merge_contents(Content.from_json(r) for r in page)
        derive_in_full.assert_not_called()
        assert store.thread_count(ThreadFilter()) == len({r["threadId"] for r in seed_records})
    finally:
        store.close()


def migrated_from(store: Store, older: str) -> Store:
    """``store`` put back to an older schema by the script ``older``, closed, and opened again:
    migrated to this version's."""
    store._db.executescript(older)
    path = store._path
    store.close()
    assert path is not None
    store = Store.open(path)
    assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    return store


def test_a_store_of_schema_8_migrates_its_authors_into_thread_authors(
    tmp_path: Path, seed_records: list[dict]
) -> None:
    """Schema 8 had an index on contents by author and two columns nothing read; the
    migrations build the pairs from the contents, drop the index and the columns, and the
    customer panel answers as before."""
    path = tmp_path / "v8.sqlite3"
    store = Store.open(path)
    store.merge_contents(Content.from_json(r) for r in seed_records)
    author = seed_records[0]["authorIdentityId"]
    before = store.threads_of_identities([author], 50)
    store = migrated_from(
        store,
        "BEGIN; DROP TABLE thread_authors;"
        " CREATE INDEX contents_author ON contents (author_identity_id);"
        " ALTER TABLE contents ADD COLUMN in_reply_to TEXT;"
        " ALTER TABLE contents ADD COLUMN status TEXT;"
        " UPDATE contents SET status = 'New';"
        " PRAGMA user_version = 8; COMMIT;",
    )
    try:
        pairs = store._db.execute("SELECT * FROM thread_authors ORDER BY 1, 2").fetchall()
        assert (
            pairs
            == store._db.execute(
                "SELECT DISTINCT author_identity_id, thread_id FROM contents"
                " WHERE author_identity_id IS NOT NULL ORDER BY 1, 2"
            ).fetchall()
        )
        assert (
            store._db.execute(
                "SELECT 1 FROM sqlite_schema WHERE name = 'contents_author'"
            ).fetchone()
            is None
        )
        assert before and store.threads_of_identities([author], 50) == before
        columns = {row[1] for row in store._db.execute("PRAGMA table_info(contents)")}
        assert not columns & {"in_reply_to", "status"}
        assert store.content(seed_records[0]["id"]).raw == seed_records[0]
    finally:
        store.close()


def test_the_text_index_rebuilt_without_column_sizes_finds_what_it_found(
    tmp_path: Path, seed_records: list[dict]
) -> None:
    """Migration 11 builds the trigram index again without its column sizes: every search
    answers as it did, and the index keeps its merge setting."""
    path = tmp_path / "v10.sqlite3"
    store = Store.open(path)
    store.merge_contents(Content.from_json(r) for r in seed_records)
    words = ["order", "Bestellung", "de", "ship", "🙂", "xyzzy", seed_records[5]["body"][:12]]
    before = {word: store.search_threads(word) for word in words}
    store = migrated_from(
        store,
        "BEGIN; DROP TABLE contents_text;"
        " CREATE VIRTUAL TABLE contents_text USING fts5(body, title, tokenize = 'trigram');"
        " INSERT INTO contents_text (contents_text, rank) VALUES ('automerge', 8);"
        " INSERT INTO contents_text (rowid, body, title)"
        "  SELECT rowid, json_extract(raw_json(raw), '$.body'),"
        "  json_extract(raw_json(raw), '$.title') FROM contents;"
        " PRAGMA user_version = 10; COMMIT;",
    )
    try:
        assert {word: store.search_threads(word) for word in words} == before
        assert any(before.values())
        names = {row[0] for row in store._db.execute("SELECT name FROM sqlite_schema")}
        assert "contents_text_docsize" not in names and "contents_text_new" not in names
        config = dict(store._db.execute("SELECT k, v FROM contents_text_config"))
        assert config["automerge"] == 8
    finally:
        store.close()


def test_a_forked_child_merges_with_a_packing_thread_of_its_own(
    tmp_path: Path, seed_records: list[dict]
) -> None:
    """The packing thread does not survive a fork; the child's first page starts another
    instead of waiting on the parent's forever."""
    store = Store.open(tmp_path / "parent.sqlite3")
    store.merge_contents(Content.from_json(r) for r in seed_records[:100])
    store.close()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        code = 1
        try:
            forked = Store.open(tmp_path / "child.sqlite3")
            forked.merge_contents(Content.from_json(r) for r in seed_records[:100])
            code = 0 if forked.content_count() == 100 else 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(child, 9)
    pytest.fail("the child's merge never finished")


def test_pages_merged_where_few_parameters_may_be_bound_store_what_they_store_at_once(
    seed_records: list[dict],
) -> None:
    """A page of new contents writes its text, authors and threads in statements of many rows;
    where SQLite allows fewer bound parameters than a page needs, it writes them in several,
    and every table ends as it does when one statement holds them all."""
    at_once = Store.open(":memory:", clock=lambda: 1_800_000_000.0)
    in_parts = Store.open(":memory:", clock=lambda: 1_800_000_000.0)
    # The fewest the store asks for (a chunk of ids): 166 texts a statement, for pages of 200.
    in_parts._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, merging.CHUNK)
    try:
        for store in (at_once, in_parts):
            for start in range(0, len(seed_records), 200):
                page = seed_records[start : start + 200]
                result = store.merge_contents(Content.from_json(r) for r in page)
                assert result.new_content_ids == tuple(r["id"] for r in page)
        assert everything(in_parts) == everything(at_once)
        assert in_parts.search_threads("order") == at_once.search_threads("order")
    finally:
        at_once.close()
        in_parts.close()
