"""Undo send in the outbox: a reply waits out its undo window before it leaves, a cancel gives
its text back as the draft and nothing reaches the server, a cancel racing the sender never both
takes it back and sends it, and a waiting reply survives a restart (and a store from before
undo send migrates). Headless ``reply`` waits only when ``--undo-seconds`` says so."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from outbox_helpers import Speed, outbox_stack

from rcinbox.cli.errors import ExitCode
from rcinbox.cli.main import main as rcinbox_main
from rcinbox.config import (
    MAX_UNDO_SECONDS,
    ComposeConfig,
    Config,
    ConfigError,
    Credentials,
    config_path,
)
from rcinbox.emulator import Emulator, Faults
from rcinbox.inbox.events import OutboxChanged, Subscription
from rcinbox.inbox.outbox import AlreadySent
from rcinbox.inbox.store import MIGRATIONS, SCHEMA_VERSION, DraftRow, Store
from rcinbox.wiring.accounts import store_path_for
from tests.cli_helpers import use

HANG_GUARD = 10.0


class Shifted(Speed):
    """Real time plus an offset the test moves: an undo window passes without waiting it out."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = 0.0

    def clock(self) -> float:
        return super().clock() + self.offset


def customer_message(emulator: Emulator, index: int = -1) -> dict:
    return emulator.contents_where(contentDirection="Incoming")[index]


def posts(emulator: Emulator) -> int:
    return emulator.stats.requests.get("POST /contents", 0)


def seen_states(subscription: Subscription, entry_id: str) -> list[str]:
    return [
        event.entry.state
        for event in iter(subscription.get_nowait, None)
        if isinstance(event, OutboxChanged) and event.entry.id == entry_id
    ]


async def stop(worker: asyncio.Future) -> None:
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)


async def test_a_reply_in_its_undo_window_is_not_sent_before_its_time(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = customer_message(emulator)
    speed = Shifted()
    async with outbox_stack(emulator.url, tmp_path / "inbox.db", speed=speed) as stack:
        worker = asyncio.ensure_future(stack.outbox.run())
        try:
            entry = stack.outbox.enqueue(
                thread_id=target["threadId"],
                in_reply_to=target["id"],
                channel_type=target["channelType"],
                body="Waits its turn",
                public=None,
                delay=30,
            )
            assert entry.not_before == pytest.approx(speed.clock() + 30, abs=1)
            # The worker, and a flush besides, look at it and leave it be.
            await asyncio.sleep(0.3)
            assert [e.id for e in await stack.outbox.flush(timeout=0.3)] == [entry.id]
            assert stack.store.outbox_entry(entry.id).state == "queued"
            assert posts(emulator) == 0
            speed.offset = 30.5
            row = await stack.outbox.wait_accepted(entry.id, timeout=HANG_GUARD)
        finally:
            await stop(worker)
    assert row.state == "accepted"
    assert row.sent_at is not None and row.sent_at >= entry.not_before
    assert emulator.count_contents(body="Waits its turn") == 1


async def test_cancel_gives_the_text_back_as_the_draft_and_nothing_reaches_the_server(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = customer_message(emulator)
    thread = target["threadId"]
    speed = Shifted()
    async with outbox_stack(emulator.url, tmp_path / "inbox.db", speed=speed) as stack:
        worker = asyncio.ensure_future(stack.outbox.run())
        try:
            entry = stack.outbox.enqueue(
                thread_id=thread,
                in_reply_to=target["id"],
                channel_type=target["channelType"],
                body="Your refund is on its way",
                public=False,
                delay=30,
            )
            # The agent has begun the next reply (a draft not yet on disk) when they undo.
            stack.outbox.save_draft(thread, "P.S. the tracking number")
            updates = stack.events.subscribe()
            draft = stack.outbox.cancel(entry.id)
            assert draft.body == "Your refund is on its way\n\nP.S. the tracking number"
            assert (draft.in_reply_to, draft.public) == (target["id"], False)
            assert stack.store.outbox_entry(entry.id) is None
            assert stack.store.draft(thread).body == draft.body  # committed with the delete
            assert seen_states(updates, entry.id) == ["discarded"]
            with pytest.raises(AlreadySent):
                stack.outbox.cancel(entry.id)
            speed.offset = 60
            assert await stack.outbox.flush(timeout=HANG_GUARD) == []
            # The debounced draft of "P.S." alone must not overwrite the one restored.
            await stack.outbox.flush_drafts()
            assert stack.store.draft(thread).body == draft.body
        finally:
            await stop(worker)
    assert posts(emulator) == 0
    assert emulator.count_contents(body="Your refund is on its way") == 0


async def test_a_cancel_after_the_reply_began_to_leave_says_already_sent(
    make_emulator: Callable, tmp_path: Path
) -> None:
    emulator = make_emulator(faults=Faults(latency_ms=300))
    target = customer_message(emulator)
    async with outbox_stack(emulator.url, tmp_path / "inbox.db") as stack:
        await stack.auth.bearer()
        updates = stack.events.subscribe()
        worker = asyncio.ensure_future(stack.outbox.run())
        try:
            entry = stack.outbox.enqueue(
                thread_id=target["threadId"],
                in_reply_to=target["id"],
                channel_type=target["channelType"],
                body="Already on its way",
                public=None,
                delay=0.1,
            )
            async with asyncio.timeout(HANG_GUARD):
                while "sending" not in seen_states(updates, entry.id):
                    await asyncio.sleep(0.01)
            with pytest.raises(AlreadySent):
                stack.outbox.cancel(entry.id)
            row = await stack.outbox.wait_accepted(entry.id, timeout=HANG_GUARD)
            assert stack.store.draft(target["threadId"]) is None
        finally:
            await stop(worker)
    assert row.state == "accepted"
    assert emulator.count_contents(body="Already on its way") == 1


async def test_cancels_racing_the_sender_never_both_take_back_and_send(
    make_emulator: Callable, tmp_path: Path
) -> None:
    """Another connection (as another process would) cancels each reply around the moment its
    window ends, while the sender takes it: each reply is taken back or sent once, never both."""
    emulator = make_emulator(rate_limit=100000)
    db = tmp_path / "inbox.db"
    targets = emulator.contents_where(contentDirection="Incoming")[-24:]
    async with outbox_stack(emulator.url, db) as stack:
        await stack.auth.bearer()
        worker = asyncio.ensure_future(stack.outbox.run())
        try:
            entries = [
                stack.outbox.enqueue(
                    thread_id=t["threadId"],
                    in_reply_to=t["id"],
                    channel_type=t["channelType"],
                    body=f"Race {i}",
                    public=None,
                    delay=0.3 + 0.06 * i,
                )
                for i, t in enumerate(targets)
            ]
            # The first few are cancelled well inside their window (the cancel must win), the
            # last few long after it (the sender has normally won), the rest around its end.
            offsets = [-0.15] * 4 + [random.uniform(-0.01, 0.01) for _ in range(16)] + [0.5] * 4

            def cancel_all() -> dict[str, bool]:
                other = Store.open(db)
                taken: dict[str, bool] = {}
                try:
                    for row, offset in zip(entries, offsets, strict=True):
                        assert row.not_before is not None
                        wait = row.not_before + offset - time.time()
                        if wait > 0:
                            time.sleep(wait)
                        draft = DraftRow(row.thread_id, row.body, row.in_reply_to, None, 0.0)
                        taken[row.id] = other.cancel_outbox(row.id, draft) is not None
                finally:
                    other.close()
                return taken

            taken = await asyncio.to_thread(cancel_all)
            assert await stack.outbox.flush(timeout=HANG_GUARD) == []
            rows = {row.id: stack.store.outbox_entry(row.id) for row in entries}
        finally:
            await stop(worker)
    for row in entries:
        on_server = emulator.count_contents(inReplyToContentId=row.in_reply_to, body=row.body)
        if taken[row.id]:
            assert on_server == 0 and rows[row.id] is None, row.body
        else:
            assert on_server == 1 and rows[row.id] is not None, row.body
            assert rows[row.id].state in ("accepted", "delivered")
    assert all(taken[row.id] for row in entries[:4])


async def test_a_waiting_reply_survives_a_restart_and_leaves_when_its_time_comes(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = customer_message(emulator)
    db = tmp_path / "inbox.db"
    speed = Shifted()
    async with outbox_stack(emulator.url, db, speed=speed) as stack:
        entry = stack.outbox.enqueue(
            thread_id=target["threadId"],
            in_reply_to=target["id"],
            channel_type=target["channelType"],
            body="After the restart",
            public=None,
            delay=30,
        )
    # The process stopped; a new one opens the same store before the window has ended.
    async with outbox_stack(emulator.url, db, speed=speed) as stack:
        row = stack.store.outbox_entry(entry.id)
        assert row is not None and (row.state, row.not_before) == ("queued", entry.not_before)
        assert [e.id for e in await stack.outbox.flush(timeout=0.3)] == [entry.id]
        assert posts(emulator) == 0
    # And once it has ended (while nothing ran), the next start sends it at once.
    speed.offset = 45
    async with outbox_stack(emulator.url, db, speed=speed) as stack:
        assert await stack.outbox.flush(timeout=HANG_GUARD) == []
        row = stack.store.outbox_entry(entry.id)
    assert row is not None and row.state == "accepted"
    assert emulator.count_contents(body="After the restart") == 1


async def test_a_store_from_before_undo_send_migrates_and_its_queue_still_leaves(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = customer_message(emulator)
    db = tmp_path / "old.db"
    old = sqlite3.connect(db, isolation_level=None)
    old.executescript(f"BEGIN; {MIGRATIONS[0]}; {MIGRATIONS[1]}; PRAGMA user_version = 2; COMMIT;")
    old.execute(
        "INSERT INTO outbox (id, thread_id, in_reply_to, channel_type, body, state,"
        " created_at, updated_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)",
        ("old-1", target["threadId"], target["id"], target["channelType"], "From before", 1, 1, 1),
    )
    old.close()
    async with outbox_stack(emulator.url, db) as stack:
        version = stack.store._db.execute("PRAGMA user_version").fetchone()[0]
        assert version == SCHEMA_VERSION
        row = stack.store.outbox_entry("old-1")
        assert row is not None and row.not_before is None
        assert await stack.outbox.flush(timeout=HANG_GUARD) == []
    assert emulator.count_contents(body="From before") == 1


# ---------------------------------------------------------------------------------- headless


def test_headless_reply_waits_only_when_asked(emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    target = customer_message(emulator)
    assert rcinbox_main(["reply", target["id"], "At once"]) == 0
    _, err = capsys.readouterr()
    assert "sending in" not in err
    assert rcinbox_main(["reply", target["id"], "A moment later", "--undo-seconds", "0.5"]) == 0
    _, err = capsys.readouterr()
    assert "sending in 0.5 s" in err
    credentials = Credentials(emulator.url, "rcinbox-demo", "rcinbox-demo-secret", "x")
    store = Store.open(store_path_for(credentials))
    try:
        rows = {row.body: row for row in store.outbox()}
    finally:
        store.close()
    assert rows["At once"].not_before is None
    later = rows["A moment later"]
    assert later.not_before == pytest.approx(later.created_at + 0.5, abs=0.1)
    assert later.sent_at is not None and later.sent_at >= later.not_before
    assert emulator.count_contents(body="A moment later") == 1
    assert emulator.count_contents(body="At once") == 1
    assert rcinbox_main(["reply", target["id"], "x", "--undo-seconds", "-1"]) == ExitCode.USAGE


def with_ctrl_c(command: list[str]) -> list[str]:
    """``python -m rcinbox ...`` with Python's own ctrl+c handling, whatever it inherited."""
    assert command[:3] == [sys.executable, "-m", "rcinbox"]
    start = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
        " sys.argv[0] = 'rcinbox'; runpy.run_module('rcinbox', run_name='__main__')"
    )
    return [sys.executable, "-c", start, *command[3:]]


def test_headless_reply_interrupted_in_its_window_is_taken_back(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = customer_message(emulator)
    env = {
        **os.environ,
        "RCINBOX_SERVER": emulator.url,
        "RCINBOX_CLIENT_ID": "rcinbox-demo",
        "RCINBOX_CLIENT_SECRET": "rcinbox-demo-secret",
        "RCINBOX_JWT": "rcinbox-demo-jwt",
        "RCINBOX_DATA_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "rcinbox", "reply", target["id"], "Never mind"]
    child = subprocess.Popen(
        # As a shell in the foreground starts it: a test run started in the background (`&`)
        # has ctrl+c ignored, and that would be inherited.
        [*with_ctrl_c(command), "--undo-seconds", "30"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert "sending in 30 s" in child.stderr.readline()
        child.send_signal(signal.SIGINT)
        code = child.wait(timeout=20)
        err = child.stderr.read()
    finally:
        child.kill()
    assert code == 130
    assert "taken back" in err
    listing = subprocess.run(
        [sys.executable, "-m", "rcinbox", "outbox", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert json.loads(listing.stdout)["entries"] == []
    assert emulator.count_contents(body="Never mind") == 0


# ---------------------------------------------------------------------------------- config


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_undo_seconds_defaults_to_five_and_zero_turns_it_off() -> None:
    assert Config.load(environ={}).compose == ComposeConfig(undo_seconds=5.0)
    write_config("[compose]\nundo_seconds = 0\n")
    assert Config.load(environ={}).compose.undo_seconds == 0.0
    write_config("[compose]\nundo_seconds = 12.5\n")
    config = Config.load(environ={})
    assert config.compose.undo_seconds == 12.5
    assert config.to_dict()["compose"] == {"undo_seconds": 12.5}


@pytest.mark.parametrize(
    "value", ["-1", "'5'", "true", "nan", "inf", f"{MAX_UNDO_SECONDS + 1:g}"], ids=str
)
def test_a_wrong_undo_seconds_names_its_line(value: str) -> None:
    path = write_config(f"[compose]\n\nundo_seconds = {value}\n")
    with pytest.raises(ConfigError) as failure:
        Config.load(environ={})
    assert str(failure.value).startswith(f"{path} line 3: compose.undo_seconds must be")
