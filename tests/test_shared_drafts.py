"""A reply queued by one process removes only the draft it was written from (issue 13, item 1).

The TUI keeps a draft per thread in the shared store; a headless ``rcinbox reply`` (or another
engine) queueing a different text in that thread must leave the draft alone, and queueing the
draft's own text removes it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from engine_helpers import engine

from rcinbox.config.paths import data_dir
from rcinbox.emulator import Emulator
from rcinbox.inbox.engine import Inbox
from rcinbox.inbox.types import ThreadFilter
from tests.cli_helpers import run, use

DRAFT = "Half-written in the TUI: let me check the order and"


async def _thread_with_a_customer(inbox: Inbox) -> str:
    await inbox.sync_now()
    for thread in inbox.threads(ThreadFilter(), 0, 100):
        if inbox.reply_target(thread.id).possible:
            return thread.id
    raise AssertionError("no thread a reply can answer")


async def test_another_engine_queueing_other_text_leaves_the_draft(
    emulator: Emulator, tmp_path: Path
) -> None:
    db = tmp_path / "inbox.db"
    async with engine(emulator.url, db) as tui, engine(emulator.url, db) as other:
        thread_id = await _thread_with_a_customer(tui)
        tui.save_draft(thread_id, DRAFT)
        await tui.outbox.flush_drafts()
        other.send(thread_id, "Sent from a script: your order has shipped.")
        assert tui.draft(thread_id) is not None
        assert tui.draft(thread_id).body == DRAFT
        # The draft's own text queued (from either process): the draft is gone.
        other.send(thread_id, DRAFT)
        assert tui.draft(thread_id) is None
        assert other.store.draft(thread_id) is None


async def test_a_pending_draft_of_the_sender_is_compared_not_the_older_stored_one(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator.url, tmp_path / "inbox.db") as inbox:
        thread_id = await _thread_with_a_customer(inbox)
        inbox.save_draft(thread_id, "Half")
        await inbox.outbox.flush_drafts()
        inbox.save_draft(thread_id, "Half a thought, then the whole")  # not yet on disk
        inbox.send(thread_id, "Half a thought, then the whole")
        assert inbox.draft(thread_id) is None
        await inbox.outbox.flush_drafts()
        assert inbox.store.draft(thread_id) is None


def _store_file() -> Path:
    [path] = (data_dir() / "profiles").glob("*/inbox-*.sqlite3")
    return path


def _save_draft(path: Path, url: str, thread_id: str, text: str) -> None:
    async def save() -> None:
        async with engine(url, path) as tui:
            tui.save_draft(thread_id, text)

    asyncio.run(save())


def _draft(path: Path, url: str, thread_id: str) -> str | None:
    async def read() -> str | None:
        async with engine(url, path) as inbox:
            row = inbox.draft(thread_id)
            return row.body if row else None

    return asyncio.run(read())


def test_a_headless_reply_keeps_the_tuis_draft_of_other_text(
    emulator: Emulator, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, emulator.url)
    code, out, err = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    assert code == 0, err
    customer = json.loads(out)["records"][0]
    code, _, err = run(capsys, "sync")
    assert code == 0, err
    path, thread_id = _store_file(), customer["threadId"]
    _save_draft(path, emulator.url, thread_id, DRAFT)

    code, out, err = run(capsys, "reply", customer["id"], "Shipped today, tracking to follow.")
    assert code == 0, err
    assert emulator.count_contents(body="Shipped today, tracking to follow.") == 1
    assert _draft(path, emulator.url, thread_id) == DRAFT

    code, out, err = run(capsys, "reply", customer["id"], DRAFT)
    assert code == 0, err
    assert _draft(path, emulator.url, thread_id) is None
