"""The local store on its own: derived threads, unread, windows, search, migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rcinbox.api.models import Content
from rcinbox.emulator.seed import generate
from rcinbox.inbox.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError, ThreadFilter
from rcinbox.inbox.types import UNKNOWN_CHANNEL


@pytest.fixture(scope="module")
def seed_contents() -> list[Content]:
    return [Content.from_json(c) for c in generate(contents=2000).contents]


@pytest.fixture
def store(tmp_path: Path, seed_contents: list[Content]) -> Store:
    store = Store.open(tmp_path / "inbox.sqlite3")
    store.merge_contents(seed_contents)
    yield store
    store.close()


def message(cid: str, thread: str, when: str, *, incoming: bool, body: str = "hi") -> Content:
    return Content.from_json(
        {
            "id": cid,
            "threadId": thread,
            "channelId": "c1",
            "channelType": "WhatsApp",
            "creationTime": when,
            "contentDirection": "Incoming" if incoming else "Outgoing",
            "body": body,
            "authorIdentityId": "customer" if incoming else "agent",
        }
    )


def test_every_thread_is_derived_once_with_its_newest_content(
    store: Store, seed_contents: list[Content]
) -> None:
    threads = {c.thread_id for c in seed_contents}
    assert store.thread_count(ThreadFilter()) == len(threads)
    window = store.threads_window(ThreadFilter(), 0, len(threads))
    assert len({row.id for row in window}) == len(threads)
    times = [row.latest_at for row in window]
    assert times == sorted(times, reverse=True)
    newest = max(seed_contents, key=lambda c: (c.creation_time, c.id))
    assert window[0].latest_content_id == newest.id


def test_windows_tile_the_list_without_gap_or_overlap(store: Store) -> None:
    total = store.thread_count(ThreadFilter())
    tiled = [
        row.id
        for offset in range(0, total, 37)
        for row in store.threads_window(ThreadFilter(), offset, 37)
    ]
    assert tiled == [row.id for row in store.threads_window(ThreadFilter(), 0, total)]
    for index in (0, 5, total - 1):
        assert store.thread_position(ThreadFilter(), tiled[index]) == index


def test_channel_counts_follow_threads_and_read_marks(store: Store) -> None:
    channels = store.channels()
    assert sum(c.thread_count for c in channels) == store.thread_count(ThreadFilter())
    unread_before = store.thread_count(ThreadFilter(unread_only=True))
    assert sum(c.unread_count for c in channels) == unread_before
    first_unread = store.next_unread(ThreadFilter(), None)
    assert first_unread is not None
    assert store.mark_read(first_unread)
    assert store.thread_count(ThreadFilter(unread_only=True)) == unread_before - 1
    assert sum(c.unread_count for c in store.channels()) == unread_before - 1
    assert store.mark_unread(first_unread)
    assert store.thread_count(ThreadFilter(unread_only=True)) == unread_before


def test_a_thread_is_unread_until_read_or_answered(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    store.merge_contents([message("a", "t", "2026-01-01T10:00:00Z", incoming=True)])
    assert store.thread("t").unread
    store.mark_read("t")
    assert not store.thread("t").unread
    store.merge_contents([message("b", "t", "2026-01-01T10:05:00Z", incoming=True)])
    assert store.thread("t").unread, "a newer customer message makes it unread again"
    store.merge_contents([message("c", "t", "2026-01-01T10:06:00Z", incoming=False)])
    assert not store.thread("t").unread, "our answer after it counts as read"


def test_remerging_known_contents_changes_nothing(store: Store, seed_contents) -> None:
    result = store.merge_contents(seed_contents[-100:])
    assert result.new_content_ids == ()
    assert result.changed_thread_ids == ()


@pytest.mark.parametrize(
    ("query", "expected_in_body"),
    [("refund", "refund"), ("REFUND", "refund"), ("[@click=app.quit]", "[@click=app.quit]")],
)
def test_search_finds_substrings_case_insensitively(store, query, expected_in_body) -> None:
    ids = store.search_threads(query)
    assert ids
    for thread_id in ids[:5]:
        bodies = " ".join(
            (c.body + " " + (c.title or "")).lower() for c in store.thread_contents(thread_id)
        )
        name = (store.thread(thread_id).customer_name or "").lower()
        assert expected_in_body.lower() in bodies or expected_in_body.lower() in name


def test_search_treats_wildcards_and_quotes_as_text(store: Store) -> None:
    assert store.search_threads('"') == []
    assert store.search_threads("%%%") == []
    assert store.search_threads("_") == []


def test_short_and_cjk_queries_still_search_text(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    store.merge_contents(
        [message("a", "t1", "2026-01-01T10:00:00Z", incoming=True, body="我的订单在哪里")]
    )
    assert store.search_threads("订单") == ["t1"]
    assert store.search_threads("订单在") == ["t1"]


def test_a_version_one_store_is_migrated_and_indexed(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    db.execute(
        "INSERT INTO contents (id, thread_id, created, incoming, preview, raw)"
        " VALUES ('x', 't', 0, 1, 'p', '{\"body\": \"where is my parcel\"}')"
    )
    db.close()
    store = Store.open(path)
    assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rowid = store._db.execute(
        'SELECT rowid FROM contents_text WHERE contents_text MATCH \'"par" AND "cel"\''
    ).fetchone()
    assert rowid is not None


def test_a_store_from_a_newer_rcinbox_is_refused_with_words(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer rcinbox"):
        Store.open(path)


def test_drafts_and_outbox_rows_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store.open(path)
    store.merge_contents([message("a", "t", "2026-01-01T10:00:00Z", incoming=True)])
    store.save_draft("t", "half a thought", in_reply_to="a", public=False)
    store.add_outbox(
        "e1",
        thread_id="t",
        in_reply_to="a",
        channel_type="WhatsApp",
        body="queued reply",
        public=False,
        delete_draft=False,
    )
    store.close()
    again = Store.open(path)
    assert again.draft("t").body == "half a thought"
    assert again.draft("t").public is False
    assert [e.body for e in again.outbox(["queued"])] == ["queued reply"]
    assert again.thread("t").reply_state == "queued"


def test_a_version_four_store_with_channelless_threads_lists_them_after_migrating(
    tmp_path: Path,
) -> None:
    """Contents without a channelId used to make threads no channel counted: stored, never
    listed. Migrating files them under the unknown channel, counts included."""
    path = tmp_path / "v4.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for number in range(4):
        step = f"{MIGRATIONS[number]}; PRAGMA user_version = {number + 1}"
        db.executescript(f"BEGIN; {step}; COMMIT;")
    for cid, channel in (("a", None), ("b", "c1")):
        db.execute(
            "INSERT INTO contents (id, thread_id, channel_id, created, incoming, preview, raw)"
            " VALUES (?, ?, ?, 0, 1, 'p', '{}')",
            (cid, f"t-{cid}", channel),
        )
        db.execute(
            "INSERT INTO threads (id, channel_id, latest_at, latest_content_id, latest_incoming,"
            " preview, content_count, unread) VALUES (?, ?, 0, ?, 1, 'p', 1, 1)",
            (f"t-{cid}", channel, cid),
        )
    assert db.execute("SELECT SUM(thread_count) FROM channels").fetchone()[0] == 1
    db.close()
    store = Store.open(path)
    try:
        assert store.thread_count(ThreadFilter()) == 2
        assert store.thread_count(ThreadFilter(unread_only=True)) == 2
        assert {(c.id, c.thread_count, c.unread_count) for c in store.channels()} == {
            (UNKNOWN_CHANNEL, 1, 1),
            ("c1", 1, 1),
        }
        assert [r.id for r in store.threads_window(ThreadFilter(UNKNOWN_CHANNEL), 0, 9)] == ["t-a"]
    finally:
        store.close()


def test_contents_without_a_channel_are_listed_under_the_unknown_channel(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    try:
        lost = Content.from_json(
            {"id": "x", "threadId": "tx", "body": "no channel", "contentDirection": "Incoming"}
        )
        store.merge_contents([lost, message("a", "t", "2026-01-01T10:00:00Z", incoming=True)])
        assert store.thread_count(ThreadFilter()) == 2
        assert store.thread_count(ThreadFilter(UNKNOWN_CHANNEL)) == 1
        assert store.thread_count(ThreadFilter("c1")) == 1
        (row,) = store.threads_window(ThreadFilter(UNKNOWN_CHANNEL), 0, 10)
        assert row.id == "tx" and row.channel_id == UNKNOWN_CHANNEL
        assert ThreadFilter(UNKNOWN_CHANNEL).admits(row)
        assert not ThreadFilter("c1").admits(row)
        assert ThreadFilter(UNKNOWN_CHANNEL).cursor_key == "all"
    finally:
        store.close()
