"""The outbox against the emulator over loopback: exactly once through faults, the server's words
on failure, 429s, crash recovery, delivery states, and debounced drafts."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from outbox_helpers import Reply, Speed, enqueue_all, inbound, outbox_stack

from rcinbox.api import CreateContent
from rcinbox.emulator import Emulator, Faults, parse_faults
from rcinbox.emulator.contents import EXPORT_FAILURE
from rcinbox.inbox.events import (
    ContentsArrived,
    EventBus,
    LoginRequired,
    OutboxChanged,
    Subscription,
)
from rcinbox.inbox.outbox import Outbox
from rcinbox.inbox.store import Store

# Any answer the tests wait for comes in well under this; it only stops a broken test hanging.
HANG_GUARD = 10.0


def reply_to(content: dict, body: str) -> Reply:
    return Reply(content["threadId"], content["id"], content["channelType"], body)


def server_ids(emulator: Emulator) -> set[str]:
    return {content["id"] for content in emulator.contents_where()}


def states(subscription: Subscription, entry_id: str) -> list[str]:
    seen = []
    while (event := subscription.get_nowait()) is not None:
        if isinstance(event, OutboxChanged) and event.entry.id == entry_id:
            seen.append(event.entry.state)
    return seen


async def until_state(subscription: Subscription, entry_id: str, wanted: str) -> None:
    async with asyncio.timeout(HANG_GUARD):
        async for event in subscription:
            if isinstance(event, OutboxChanged) and (event.entry.id, event.entry.state) == (
                entry_id,
                wanted,
            ):
                return


async def test_hundred_replies_through_faults_reach_the_server_exactly_once(
    make_emulator: Callable, tmp_path: Path
) -> None:
    faults = parse_faults("drop_after_commit=0.3,error_rate=0.1,latency=20")
    emulator = make_emulator(faults=faults, rate_limit=100000)
    targets = inbound(emulator, 90)
    # Some bodies repeat across contents, and ten contents get the same reply twice: each of
    # those twins must still end up as its own content.
    replies = [
        reply_to(c, "Thanks!" if i % 3 == 0 else f"Reply {i}") for i, c in enumerate(targets)
    ]
    replies += [reply_to(c, replies[i].body) for i, c in enumerate(targets[:10])]
    before = server_ids(emulator)
    async with outbox_stack(emulator.url, tmp_path / "inbox.db") as stack:
        ids = enqueue_all(stack.outbox, replies)
        assert await stack.outbox.flush(timeout=60) == []
        rows = [stack.store.outbox_entry(entry_id) for entry_id in ids]
    new = server_ids(emulator) - before
    assert len(new) == 100
    assert all(row is not None and row.state in ("accepted", "delivered") for row in rows)
    assert {row.content_id for row in rows if row} == new
    for row in rows:
        assert row is not None and row.content_id is not None
        content = emulator.content(row.content_id)
        assert content is not None
        assert (content["inReplyToContentId"], content["body"]) == (row.in_reply_to, row.body)
    per_target = Counter((r.in_reply_to, r.body) for r in replies)
    on_server = Counter(
        (c["inReplyToContentId"], c["body"]) for c in map(emulator.content, new) if c
    )
    assert on_server == per_target
    # The faults really were exercised: answers were lost after the server had committed.
    assert emulator.stats.faults["drop_after_commit"] > 0
    assert emulator.stats.faults["error_rate"] > 0


async def test_identical_replies_whose_answers_were_lost_map_to_distinct_contents(
    make_emulator: Callable, tmp_path: Path
) -> None:
    emulator = make_emulator(faults=Faults(drop_after_commit=1.0))
    target = inbound(emulator, 1)[0]
    async with outbox_stack(emulator.url, tmp_path / "inbox.db") as stack:
        ids = enqueue_all(stack.outbox, [reply_to(target, "Thanks!")] * 2)
        assert await stack.outbox.flush(timeout=HANG_GUARD) == []
        rows = [stack.store.outbox_entry(entry_id) for entry_id in ids]
    on_server = emulator.contents_where(inReplyToContentId=target["id"], body="Thanks!")
    assert len(on_server) == 2
    assert emulator.stats.requests["POST /contents"] == 2
    assert sorted(row.content_id for row in rows if row) == sorted(c["id"] for c in on_server)


async def test_reply_too_long_fails_with_the_servers_words_and_can_be_discarded(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = inbound(emulator, 1, "Twitter")[0]
    async with outbox_stack(emulator.url, tmp_path / "inbox.db") as stack:
        [entry_id] = enqueue_all(stack.outbox, [reply_to(target, "x" * 281)])
        row = await stack.outbox.wait_accepted(entry_id, timeout=HANG_GUARD)
        assert row.state == "failed"
        assert row.error_code == "EDI-033"
        assert row.error_message is not None
        assert "maximum is 280 characters" in row.error_message
        assert row.content_id is None
        assert emulator.stats.requests["POST /contents"] == 1
        updates = stack.events.subscribe()
        stack.outbox.discard(entry_id)
        assert stack.store.outbox_entry(entry_id) is None
        event = updates.get_nowait()
        assert isinstance(event, OutboxChanged)
        assert (event.entry.id, event.entry.state) == (entry_id, "discarded")


async def test_rate_limited_reply_waits_retry_after_and_is_sent_once(
    make_emulator: Callable, tmp_path: Path, token_for: Callable
) -> None:
    # A penalty shorter than the Retry-After the server states (its minimum is 1 s), and time
    # running ten times faster for the client: the wait is honoured without slowing the test.
    emulator = make_emulator(rate_limit=3, rate_window=1.0, penalty=0.05)
    targets = inbound(emulator, 2)
    speed = Speed(10)
    async with outbox_stack(emulator.url, tmp_path / "inbox.db", speed=speed) as stack:
        token = await stack.auth.bearer()
        # Someone else spends the whole budget of our token behind the client's back.
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as other:
            for _ in range(3):
                answer = await other.get(f"{emulator.url}/cx/social-messaging/v1/contents")
                assert answer.status_code == 200
        updates = stack.events.subscribe()
        replies = [reply_to(t, f"Sorry for the wait {i}") for i, t in enumerate(targets)]
        ids = enqueue_all(stack.outbox, replies)
        assert await stack.outbox.flush(timeout=HANG_GUARD) == []
        refused = [
            event.entry
            for event in iter(updates.get_nowait, None)
            if isinstance(event, OutboxChanged)
            and (event.entry.state, event.entry.error_code) == ("queued", "CMN-301")
        ]
        rows = [stack.store.outbox_entry(entry_id) for entry_id in ids]
    assert emulator.stats.rate_limited == 1
    assert len(refused) == 1
    assert refused[0].state == "queued"
    assert refused[0].next_attempt_at is not None and refused[0].sent_at is not None
    assert refused[0].next_attempt_at - refused[0].sent_at >= 1.0
    assert all(row is not None and row.state == "accepted" and row.attempts == 1 for row in rows)
    for reply in replies:
        assert emulator.count_contents(inReplyToContentId=reply.in_reply_to, body=reply.body) == 1


async def _crashed_mid_send(stack, target: dict, body: str, *, reached: bool) -> str:
    """An entry as a SIGKILLed process leaves it: 'sending', its POST landed or not."""
    row = stack.store.add_outbox(
        "entry-1",
        thread_id=target["threadId"],
        in_reply_to=target["id"],
        channel_type=target["channelType"],
        body=body,
        public=None,
    )
    stack.store.update_outbox(row.id, state="sending", sent_at=time.time(), attempts=1)
    if reached:
        request = CreateContent(body=body, in_reply_to_content_id=target["id"])
        await stack.client.create_content(request)
    return row.id


@pytest.mark.parametrize("reached", [True, False])
async def test_reply_left_sending_by_a_crash_is_looked_for_before_any_resend(
    emulator: Emulator, tmp_path: Path, reached: bool
) -> None:
    target = inbound(emulator, 1)[0]
    async with outbox_stack(emulator.url, tmp_path / "inbox.db") as stack:
        entry_id = await _crashed_mid_send(stack, target, "On its way", reached=reached)
        posts_before = emulator.stats.requests["POST /contents"]
        updates = stack.events.subscribe()
        assert await stack.outbox.flush(timeout=HANG_GUARD) == []
        row = stack.store.outbox_entry(entry_id)
        seen = states(updates, entry_id)
    on_server = emulator.contents_where(inReplyToContentId=target["id"], body="On its way")
    assert len(on_server) == 1
    assert row is not None and row.content_id == on_server[0]["id"]
    assert seen[0] == "unknown"
    assert emulator.stats.requests["GET /contents"] >= 1
    # Found: accepted without a second POST. Absent: sent exactly once more.
    assert emulator.stats.requests["POST /contents"] - posts_before == (0 if reached else 1)
    resent = ["unknown", "queued", "sending", "accepted"]
    assert seen == (["unknown", "accepted"] if reached else resent)


async def test_crashed_twin_of_an_accepted_reply_is_sent_not_matched_to_its_twin(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = inbound(emulator, 1)[0]
    db = tmp_path / "inbox.db"
    async with outbox_stack(emulator.url, db) as stack:
        [first] = enqueue_all(stack.outbox, [reply_to(target, "Thanks!")])
        assert (await stack.outbox.wait_accepted(first, timeout=HANG_GUARD)).state == "accepted"
        # The same words to the same message again; the process dies before that POST leaves.
        second = await _crashed_mid_send(stack, target, "Thanks!", reached=False)
    async with outbox_stack(emulator.url, db) as stack:
        assert await stack.outbox.flush(timeout=HANG_GUARD) == []
        rows = [stack.store.outbox_entry(first), stack.store.outbox_entry(second)]
    on_server = emulator.contents_where(inReplyToContentId=target["id"], body="Thanks!")
    assert len(on_server) == 2
    assert sorted(row.content_id for row in rows if row) == sorted(c["id"] for c in on_server)


async def test_accepted_reply_becomes_delivered_when_the_channel_has_it(
    make_emulator: Callable, tmp_path: Path
) -> None:
    emulator = make_emulator(sync_delay=0.05)
    target = inbound(emulator, 1)[0]
    async with outbox_stack(emulator.url, tmp_path / "inbox.db") as stack:
        updates = stack.events.subscribe()
        worker = asyncio.ensure_future(stack.outbox.run())
        try:
            [entry_id] = enqueue_all(stack.outbox, [reply_to(target, "Delivered soon")])
            await until_state(updates, entry_id, "delivered")
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        row = stack.store.outbox_entry(entry_id)
        assert row is not None and row.content_id is not None
        stored = stack.store.content(row.content_id)
        thread = stack.store.thread(target["threadId"])
    assert stored is not None and stored.synchronization_status == "Success"
    assert thread is not None and thread.reply_state == "delivered"
    assert emulator.content(row.content_id)["synchronizationStatus"] == "Success"


async def test_failed_export_fails_the_entry_with_the_synchronization_error(
    make_emulator: Callable, tmp_path: Path
) -> None:
    emulator = make_emulator(sync_delay=0.05, faults=Faults(sync_fail=1.0))
    target = inbound(emulator, 1)[0]
    async with outbox_stack(emulator.url, tmp_path / "inbox.db") as stack:
        updates = stack.events.subscribe()
        worker = asyncio.ensure_future(stack.outbox.run())
        try:
            [entry_id] = enqueue_all(stack.outbox, [reply_to(target, "Will bounce")])
            await until_state(updates, entry_id, "failed")
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        row = stack.store.outbox_entry(entry_id)
    assert row is not None
    assert row.error_message == EXPORT_FAILURE
    assert row.content_id is not None


async def test_accepted_reply_is_merged_into_its_thread_and_announced(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = inbound(emulator, 1)[0]
    async with outbox_stack(emulator.url, tmp_path / "inbox.db") as stack:
        updates = stack.events.subscribe()
        [entry_id] = enqueue_all(stack.outbox, [reply_to(target, "In the thread")])
        row = await stack.outbox.wait_accepted(entry_id, timeout=HANG_GUARD)
        contents = stack.store.thread_contents(target["threadId"])
        arrived = [e for e in iter(updates.get_nowait, None) if isinstance(e, ContentsArrived)]
    assert row.state == "accepted"
    assert [c.id for c in contents] == [row.content_id]
    assert arrived and arrived[0].content_ids == (row.content_id,)


async def test_worker_stopped_mid_send_leaves_the_entry_unknown_then_it_is_sent_once(
    make_emulator: Callable, tmp_path: Path
) -> None:
    emulator = make_emulator(faults=Faults(latency_ms=150))
    target = inbound(emulator, 1)[0]
    db = tmp_path / "inbox.db"
    async with outbox_stack(emulator.url, db) as stack:
        await stack.auth.bearer()
        updates = stack.events.subscribe()
        worker = asyncio.ensure_future(stack.outbox.run())
        [entry_id] = enqueue_all(stack.outbox, [reply_to(target, "Interrupted")])
        await until_state(updates, entry_id, "sending")
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        row = stack.store.outbox_entry(entry_id)
        assert row is not None and row.state == "unknown"
    async with outbox_stack(emulator.url, db) as stack:
        assert await stack.outbox.flush(timeout=HANG_GUARD) == []
    assert emulator.count_contents(inReplyToContentId=target["id"], body="Interrupted") == 1


async def test_refused_login_keeps_the_reply_queued_and_asks_for_a_login(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = inbound(emulator, 1)[0]
    db = tmp_path / "inbox.db"
    async with outbox_stack(emulator.url, db, jwt="revoked-jwt") as stack:
        updates = stack.events.subscribe()
        [entry_id] = enqueue_all(stack.outbox, [reply_to(target, "After login")])
        with pytest.raises(TimeoutError):
            await stack.outbox.wait_accepted(entry_id, timeout=0.5)
        row = stack.store.outbox_entry(entry_id)
        events = list(iter(updates.get_nowait, None))
    assert row is not None and row.state == "queued" and row.attempts == 0
    assert any(isinstance(e, LoginRequired) for e in events)
    assert emulator.stats.requests["POST /contents"] == 0


async def test_unreachable_server_retries_with_backoff_then_fails_and_retry_requeues(
    tmp_path: Path,
) -> None:
    # A port nobody listens on: every connection is refused, so nothing was ever sent.
    async with outbox_stack(
        "http://127.0.0.1:9", tmp_path / "inbox.db", max_attempts=3, max_get_retries=0
    ) as stack:
        updates = stack.events.subscribe()
        [entry_id] = enqueue_all(
            stack.outbox, [Reply("thread", "a" * 24, "Messenger", "Anyone there?")]
        )
        row = await stack.outbox.wait_accepted(entry_id, timeout=HANG_GUARD)
        seen = states(updates, entry_id)
        assert row.state == "failed" and row.attempts == 3
        assert row.error_message and "connect" in row.error_message.lower()
        assert "unknown" not in seen
        assert seen.count("sending") == 3
        again = stack.outbox.retry(entry_id)
        assert (again.state, again.attempts, again.error_message) == ("queued", 0, None)


async def test_enqueue_is_committed_before_it_returns_and_replaces_the_draft(
    emulator: Emulator, tmp_path: Path
) -> None:
    target = inbound(emulator, 1)[0]
    db = tmp_path / "inbox.db"
    async with outbox_stack(emulator.url, db) as stack:
        stack.outbox.save_draft(target["threadId"], "Half a thought")
        await stack.outbox.flush_drafts()
        stack.outbox.save_draft(target["threadId"], "The whole thought")
        [entry_id] = enqueue_all(stack.outbox, [reply_to(target, "The whole thought")])
        other = Store.open(db)  # another connection sees only what was committed
        try:
            row = other.outbox_entry(entry_id)
            assert row is not None and row.state == "queued"
            assert other.draft(target["threadId"]) is None
        finally:
            other.close()
        assert stack.outbox.draft(target["threadId"]) is None
        await stack.outbox.flush_drafts()
        assert stack.store.draft(target["threadId"]) is None


class ManualTime:
    """A clock that moves only when told; sleepers wake when it passes their deadline."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        await self.settle()  # timers started since the last step begin their sleep first
        self.now += seconds
        for deadline, future in list(self._sleepers):
            if deadline <= self.now and not future.done():
                future.set_result(None)
        self._sleepers = [(d, f) for d, f in self._sleepers if not f.done()]
        await self.settle()

    @staticmethod
    async def settle() -> None:
        for _ in range(5):
            await asyncio.sleep(0)


class CountingStore(Store):
    draft_writes = 0

    def save_draft(self, *args, **kwargs) -> None:
        CountingStore.draft_writes += 1
        super().save_draft(*args, **kwargs)


async def test_draft_is_written_once_shortly_after_the_last_keystroke(tmp_path: Path) -> None:
    time_ = ManualTime()
    store = CountingStore.open(tmp_path / "inbox.db", clock=time_.clock)
    CountingStore.draft_writes = 0
    outbox = Outbox(
        store=store,
        client=None,  # type: ignore[arg-type]  # drafts never touch the network
        scheduler=None,  # type: ignore[arg-type]
        events=EventBus(),
        owner_id=lambda: None,
        clock=time_.clock,
        sleep=time_.sleep,
    )
    try:
        text = "Hello, we are looking into it"
        for end in range(1, len(text) + 1):
            outbox.save_draft("thread-1", text[:end], in_reply_to="c1", public=False)
            await time_.advance(0.1)  # a fast typist: ten keys a second
        assert CountingStore.draft_writes == 0
        assert store.draft("thread-1") is None
        shown = outbox.draft("thread-1")
        assert shown is not None and shown.body == text
        await time_.advance(0.3)
        assert CountingStore.draft_writes == 0
        await time_.advance(0.6)  # a second after the last keystroke
        assert CountingStore.draft_writes == 1
        stored = store.draft("thread-1")
        assert stored is not None
        assert (stored.body, stored.in_reply_to, stored.public) == (text, "c1", False)
        outbox.save_draft("thread-1", "")
        await time_.advance(1.0)
        assert store.draft("thread-1") is None
        assert outbox.draft("thread-1") is None
    finally:
        store.close()


async def test_second_process_queues_and_the_live_sender_sends_without_a_duplicate(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A headless `rcinbox reply` while the TUI runs: one sender per store, one POST."""
    target = inbound(emulator, 1)[0]
    db = tmp_path / "inbox.db"
    async with outbox_stack(emulator.url, db) as tui:
        worker = asyncio.ensure_future(tui.outbox.run())
        try:
            # The live process is the sender and has a reply of its own in flight.
            [own] = enqueue_all(tui.outbox, [reply_to(target, "From the TUI")])
            assert (await tui.outbox.wait_accepted(own, timeout=HANG_GUARD)).state == "accepted"
            async with outbox_stack(emulator.url, db) as headless:
                assert not headless.store.hold_sender_lock()
                [queued] = enqueue_all(headless.outbox, [reply_to(target, "From a script")])
                row = await headless.outbox.wait_accepted(queued, timeout=HANG_GUARD)
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
    assert row.state in ("accepted", "delivered")
    assert emulator.count_contents(body="From a script") == 1
    assert emulator.count_contents(body="From the TUI") == 1
