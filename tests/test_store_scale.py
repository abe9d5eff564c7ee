"""The store's growth work (issue: performance): packed raw JSON, keyset windows, the search
worker, the v4 → current migration, and ``rcinbox store info|vacuum``. No timing is asserted:
the benchmark (``python -m rcinbox.bench.store --contents N``) measures; these prove behaviour."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from rcinbox.api.models import Content
from rcinbox.emulator.seed import generate
from rcinbox.inbox.store import MIGRATIONS, SCHEMA_VERSION, Store, ThreadFilter, windows
from rcinbox.inbox.store import search as search_module
from rcinbox.inbox.store.packing import pack, pack_page, unpack
from rcinbox.inbox.store.search import SearchWorker, run_search
from rcinbox.inbox.types import ThreadOrder
from tests.cli_helpers import run, use


@pytest.fixture(scope="module")
def seed_records() -> list[dict]:
    return generate(contents=2000).contents


@pytest.fixture
def store(tmp_path: Path, seed_records: list[dict]) -> Store:
    store = Store.open(tmp_path / "inbox.sqlite3")
    store.merge_contents(Content.from_json(r) for r in seed_records)
    yield store
    store.close()


def offset_window(store: Store, where: ThreadFilter, offset: int, limit: int) -> list[str]:
    """The list's order read the old way, by OFFSET: the reference the keyset must match."""
    clause, params = where.where()
    rows = store._db.execute(
        f"SELECT id FROM threads {clause} ORDER BY latest_at DESC, id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    return [row[0] for row in rows]


def filters(store: Store) -> list[ThreadFilter]:
    largest = max(store.channels(), key=lambda c: c.thread_count)
    return [ThreadFilter(), ThreadFilter(unread_only=True), ThreadFilter(largest.id)]


def test_packed_raw_json_comes_back_byte_for_byte(seed_records: list[dict]) -> None:
    texts = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in seed_records[:300]]
    packed = [pack(text) for text in texts]
    assert [unpack(p) for p in packed] == texts
    assert sum(map(len, packed)) < sum(len(t.encode()) for t in texts) / 3
    assert (
        unpack('{"plain": "text from before packing"}') == '{"plain": "text from before packing"}'
    )


@pytest.mark.parametrize("count", [0, 1, 24, 25, 26, 300])
def test_a_page_packed_by_two_threads_is_each_text_packed_in_order(
    seed_records: list[dict], count: int
) -> None:
    texts = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in seed_records[:count]]
    assert pack_page(texts)() == [pack(text) for text in texts]


def test_the_store_keeps_the_raw_json_packed_and_returns_it_whole(
    store: Store, seed_records: list[dict]
) -> None:
    record = seed_records[-1]
    stored = store._db.execute("SELECT raw FROM contents WHERE id = ?", (record["id"],)).fetchone()
    assert isinstance(stored[0], bytes)
    assert store.content(record["id"]).raw == record


@pytest.mark.parametrize("step", [7, 64])
def test_keyset_windows_tile_the_list_like_offset_did(
    store: Store, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    monkeypatch.setattr(windows, "ANCHOR_STEP", step)
    for where in filters(store):
        count = store.thread_count(where)
        for offset in [*range(0, count + 5, 13), count - 50, count - 1, count]:
            got = [row.id for row in store.threads_window(where, max(offset, 0), 50)]
            assert got == offset_window(store, where, max(offset, 0), 50), (where, offset)


@pytest.mark.parametrize("step", [7, 64])
def test_wait_sort_windows_tile_the_list_like_offset_did(
    store: Store, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    """The triage view's wait sort is read from anchors of its whole key too."""
    monkeypatch.setattr(windows, "ANCHOR_STEP", step)
    largest = max(store.channels(), key=lambda c: c.thread_count)
    for where in (
        ThreadFilter(order=ThreadOrder.WAITING),
        ThreadFilter(needs_reply=True, order=ThreadOrder.WAITING),
        ThreadFilter(largest.id, order=ThreadOrder.WAITING),
    ):
        clause, params = where.where()
        count = store.thread_count(where)
        for offset in [*range(0, count + 5, 13), count - 50, count - 1, count]:
            offset = max(offset, 0)
            expected = [
                row[0]
                for row in store._db.execute(
                    f"SELECT id FROM threads {clause} ORDER BY {where.order_by()}"
                    " LIMIT 50 OFFSET ?",
                    (*params, offset),
                )
            ]
            got = [row.id for row in store.threads_window(where, offset, 50)]
            assert got == expected, (where, offset)


def test_reading_down_and_up_by_keyset_visits_every_thread_once(store: Store) -> None:
    for where in filters(store):
        down: list[str] = []
        after = None
        while chunk := store.threads_after(where, after, 40):
            down += [row.id for row in chunk]
            after = store.thread_key(chunk[-1].id)
        assert down == offset_window(store, where, 0, 10**6)
        up: list[str] = []
        before = store.thread_key(down[-1])
        while chunk := store.threads_before(where, before, 40):
            up = [row.id for row in chunk] + up
            before = store.thread_key(chunk[0].id)
        assert up == down[:-1]


def test_windows_follow_a_change_of_order(store: Store, monkeypatch) -> None:
    monkeypatch.setattr(windows, "ANCHOR_STEP", 16)
    where = ThreadFilter()
    store.threads_window(where, 100, 20)  # anchors read
    last = offset_window(store, where, store.thread_count(where) - 1, 1)[0]
    newest = store.thread(offset_window(store, where, 0, 1)[0])
    content = Content.from_json(
        {
            "id": "bump",
            "threadId": last,
            "body": "now the newest",
            "creationTime": "2099-01-01T00:00:00Z",
            "contentDirection": "Incoming",
            "channelId": newest.channel_id,
        }
    )
    store.merge_contents([content])
    assert [r.id for r in store.threads_window(where, 100, 20)] == offset_window(
        store, where, 100, 20
    )
    assert store.threads_window(where, 0, 1)[0].id == last


def test_search_worker_answers_like_the_store_and_within_its_limit(store: Store) -> None:
    path = store._path

    async def search() -> tuple[list[str], list[str]]:
        worker = SearchWorker(path)
        try:
            return (
                await worker.search("order", limit=500),
                await worker.search("order", limit=3),
            )
        finally:
            worker.close()

    everything, three = asyncio.run(search())
    assert everything and everything == store.search_threads("order")
    assert len(three) == 3
    assert set(three) <= set(everything)
    rows = store.threads_by_ids(three)
    assert [r.latest_at for r in rows] == sorted((r.latest_at for r in rows), reverse=True)


def test_a_cancelled_search_is_interrupted_and_the_worker_goes_on(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = search_module.run_search
    ended: list[str] = []

    def endless_for_forever(connection: sqlite3.Connection, text: str, limit: int) -> list[str]:
        if text != "forever":
            return real(connection, text, limit)
        try:
            # Counts without end: only Connection.interrupt() stops it.
            connection.execute(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)"
                " SELECT COUNT(*) FROM n"
            ).fetchall()
        finally:
            ended.append(text)
        return ["never"]

    monkeypatch.setattr(search_module, "run_search", endless_for_forever)

    async def scenario() -> list[str]:
        worker = SearchWorker(store._path)
        try:
            task = asyncio.ensure_future(worker.search("forever", limit=500))
            while not worker._connection:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The worker thread is free again: the endless query was interrupted.
            return await asyncio.wait_for(worker.search("order", limit=5), timeout=120)
        finally:
            worker.close()

    after = asyncio.run(scenario())
    assert ended == ["forever"]
    assert len(after) == 5


def test_a_newer_search_interrupts_the_one_in_flight(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = search_module.run_search

    def endless_for_forever(connection: sqlite3.Connection, text: str, limit: int) -> list[str]:
        if text == "forever":
            connection.execute(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)"
                " SELECT COUNT(*) FROM n"
            ).fetchall()
        return real(connection, text, limit)

    monkeypatch.setattr(search_module, "run_search", endless_for_forever)

    async def scenario() -> tuple[list[str], list[str]]:
        worker = SearchWorker(store._path)
        try:
            first = asyncio.ensure_future(worker.search("forever", limit=500))
            while not worker._connection:
                await asyncio.sleep(0.01)
            second = await asyncio.wait_for(worker.search("order", limit=5), timeout=120)
            return await first, second
        finally:
            worker.close()

    overtaken, newest = asyncio.run(scenario())
    assert overtaken == []
    assert len(newest) == 5


def test_the_facade_searches_in_a_worker_and_keeps_the_sync_search(tmp_path: Path) -> None:
    from rcinbox.inbox.engine import Inbox

    store = Store.open(tmp_path / "s.sqlite3")
    contents = [
        Content.from_json(
            {
                "id": f"c{n}",
                "threadId": f"t{n}",
                "channelId": "a" if n % 2 else "b",
                "body": f"where is my parcel {n}",
                "creationTime": f"2026-01-01T10:{n:02d}:00Z",
                "contentDirection": "Incoming",
            }
        )
        for n in range(10)
    ]
    store.merge_contents(contents)

    class Client:
        rate = None

        def observe_retries(self, observer: object) -> object:
            return lambda: None

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        inbox = Inbox(store=store, client=Client())
        return (
            await inbox.search_async("parcel"),
            await inbox.search_async("parcel", ThreadFilter("a"), limit=500),
            inbox.search("parcel", ThreadFilter("a")),
        )

    try:
        everything, in_a, sync_in_a = asyncio.run(scenario())
    finally:
        store.close()
    assert everything == [f"t{n}" for n in reversed(range(10))]
    assert in_a == sync_in_a == [f"t{n}" for n in reversed(range(10)) if n % 2]


def test_a_store_of_the_previous_schema_migrates_with_its_data_intact(
    tmp_path: Path, seed_records: list[dict]
) -> None:
    """A database as rcinbox wrote it before this change (schema 4: raw JSON as text, NULL
    channels, an index by creation time) opens, migrates, and reads the same."""
    path = tmp_path / "v4.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for number in range(4):
        db.executescript(
            f"BEGIN; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
        )
    records = seed_records[:200]
    for n, record in enumerate(records):
        raw = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        db.execute(
            "INSERT INTO contents (id, thread_id, channel_id, created, incoming, preview, raw)"
            " VALUES (?, ?, ?, ?, 1, 'p', ?)",
            (record["id"], record["threadId"], record.get("channelId"), n, raw),
        )
        db.execute(
            "INSERT INTO contents_text (rowid, body, title) VALUES (last_insert_rowid(), ?, ?)",
            (record.get("body"), record.get("title")),
        )
    db.close()
    store = Store.open(path)
    try:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        for record in records:
            assert store.content(record["id"]).raw == record
        raw_types = {row[0] for row in store._db.execute("SELECT typeof(raw) FROM contents")}
        assert raw_types == {"blob"}
        with_author = [r for r in records if r.get("inReplyToAuthorIdentityId")]
        stored = store._db.execute(
            "SELECT reply_to_author FROM contents WHERE id = ?", (with_author[0]["id"],)
        ).fetchone()[0]
        assert stored == with_author[0]["inReplyToAuthorIdentityId"]
        word = records[0]["body"].split()[0]
        assert records[0]["threadId"] in run_search(store._db, word, 500) or len(word) < 3
        # Merging what it holds again changes nothing: the packed form is recognised.
        again = [Content.from_json(r) for r in records]
        assert store.merge_contents(again).new_content_ids == ()
    finally:
        store.close()


def test_store_info_and_vacuum_report_the_file(emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    code, out, err = run(capsys, "store", "info")
    assert code == 66 and "rcinbox sync" in err
    assert run(capsys, "sync")[0] == 0
    code, out, err = run(capsys, "store", "info", "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["contents"] == 100 and info["threads"] > 0
    assert info["schema_version"] == SCHEMA_VERSION
    assert info["file_bytes"] > info["raw_bytes"] > 0
    assert any(o["name"] == "contents" for o in info["objects"])
    code, out, err = run(capsys, "store", "vacuum")
    assert code == 0, err
    assert out.startswith("Vacuumed: ") and "Contents:" in out
    code, out, _ = run(capsys, "store", "info", "--json")
    assert json.loads(out)["free_bytes"] == 0


@pytest.mark.parametrize("step", [5, 64])
def test_a_threads_position_counted_from_anchors_is_its_place_in_the_list(
    store: Store, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    monkeypatch.setattr(windows, "ANCHOR_STEP", step)
    for where in filters(store):
        order = offset_window(store, where, 0, 10**6)
        for position in [*range(0, len(order), 11), len(order) - 1]:
            assert store.thread_position(where, order[position]) == position
    assert store.thread_position(ThreadFilter(), "no-such-thread") is None
