"""A process killed with SIGKILL loses neither a reply nor a draft, and duplicates no reply.

The child processes run ``tests/outbox_helpers.py``; the emulator runs in this process, so the
test can stop it right after it committed a reply and kill the sender before the answer leaves.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from outbox_helpers import Reply, inbound, outbox_stack

from rcinbox.emulator import parse_faults
from rcinbox.inbox.store import Store

HELPER = Path(__file__).with_name("outbox_helpers.py")
# Every step below answers in well under this; it only stops a broken test from hanging.
HANG_GUARD = 30.0
# The sender is killed while waiting for the answer to this POST, which the server has stored.
KILL_AT = 12


async def start_child(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(HELPER), *args, stdout=asyncio.subprocess.PIPE
    )


async def read_line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    async with asyncio.timeout(HANG_GUARD):
        return (await process.stdout.readline()).decode().strip()


async def test_sigkilled_sender_and_a_later_run_leave_each_reply_once(
    make_emulator: Callable, tmp_path: Path
) -> None:
    faults = parse_faults("drop_after_commit=0.3,error_rate=0.1,latency=20")
    emulator = make_emulator(faults=faults, rate_limit=100000)
    targets = inbound(emulator, 90)
    replies = [
        Reply(c["threadId"], c["id"], c["channelType"], "Thanks!" if i % 3 else f"Reply {i}")
        for i, c in enumerate(targets)
    ]
    replies += replies[:10]  # ten contents get the same reply twice
    replies_file = tmp_path / "replies.json"
    replies_file.write_text(json.dumps([asdict(r) for r in replies]))
    db = tmp_path / "inbox.db"
    before = {c["id"] for c in emulator.contents_where()}

    # Hold the answer to the KILL_AT-th stored reply until the sender is dead.
    stored_then_killed: dict[str, Any] = {}
    committed, release = threading.Event(), threading.Event()
    create = emulator._contents.create
    created = 0

    def create_then_hold(request: Any, session: Any) -> Any:
        nonlocal created
        response = create(request, session)
        if response.status == 201:
            created += 1
            if created == KILL_AT:
                stored_then_killed.update(json.loads(response.body))
                committed.set()
                release.wait(HANG_GUARD)
        return response

    emulator._contents.create = create_then_hold
    sender = await start_child("send", emulator.url, str(db), str(replies_file))
    try:
        assert await read_line(sender) == "queued"
        assert await asyncio.to_thread(committed.wait, HANG_GUARD)
        sender.send_signal(signal.SIGKILL)
        assert await sender.wait() == -signal.SIGKILL
    finally:
        if sender.returncode is None:
            sender.kill()
            await sender.wait()
        release.set()

    store = Store.open(db)
    try:
        left = Counter(row.state for row in store.outbox())
        in_flight = store.outbox(["sending"])
    finally:
        store.close()
    assert sum(left.values()) == 100
    assert len(in_flight) == 1
    assert left["accepted"] > 0
    assert left["queued"] > 0

    async with outbox_stack(emulator.url, db) as stack:
        assert await stack.outbox.flush(timeout=HANG_GUARD) == []
        rows = stack.store.outbox()
    new = {c["id"] for c in emulator.contents_where()} - before
    assert len(new) == 100
    assert {row.content_id for row in rows} == new
    # The reply stored just before the kill was found again, not sent a second time.
    resumed = next(row for row in rows if row.id == in_flight[0].id)
    assert resumed.content_id == stored_then_killed["id"]
    on_server = Counter(
        (c["inReplyToContentId"], c["body"]) for c in map(emulator.content, new) if c
    )
    assert on_server == Counter((r.in_reply_to, r.body) for r in replies)


async def test_draft_survives_sigkill_of_the_process_editing_it(tmp_path: Path) -> None:
    db = tmp_path / "inbox.db"
    editor = await start_child("draft", str(db), "thread-7", "We're on it")
    try:
        assert await read_line(editor) == "ready"
        editor.send_signal(signal.SIGKILL)
        assert await editor.wait() == -signal.SIGKILL
    finally:
        if editor.returncode is None:
            editor.kill()
            await editor.wait()
    store = Store.open(db)
    try:
        draft = store.draft("thread-7")
    finally:
        store.close()
    assert draft is not None and draft.body == "We're on it"
