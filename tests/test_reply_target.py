"""What a reply answers, and the open thread's read state (issue 8, findings 4 and 6).

The engine's reply rule against the emulator's seeded threads: by default the newest customer
message, never one of ours; where no customer has written, no reply (with the channel's rule in
words) and nothing queued. And a thread the agent has open stays read while its customer writes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from engine_helpers import engine

from rcinbox.api.channels import channel_info
from rcinbox.emulator import Emulator
from rcinbox.inbox.engine import EngineSettings, Inbox
from rcinbox.inbox.replies import ReplyRefused, no_customer_message
from rcinbox.inbox.store import ThreadFilter, ThreadRow

QUIET = EngineSettings(poll_active=3600.0, poll_idle=3600.0)


def rows(inbox: Inbox) -> list[ThreadRow]:
    return inbox.threads(ThreadFilter(), 0, 1000)


async def test_by_default_a_reply_answers_the_newest_customer_message_never_ours(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator.url, tmp_path / "inbox.db", settings=QUIET) as inbox:
        await inbox.sync_now()
        # A conversation we spoke last in: its newest content is ours.
        thread = next(r for r in rows(inbox) if not r.latest_incoming and r.latest_inbound_id)
        await inbox.open_thread(thread.id)
        target = inbox.reply_target(thread.id)
        assert target.possible and not target.chosen
        assert target.content_id == thread.latest_inbound_id != thread.latest_content_id
        assert target.content is not None and target.content.is_incoming
        entry = inbox.send(thread.id, "Anything else?")
        assert entry.in_reply_to == thread.latest_inbound_id
        # Chosen: one of ours, in a conversation a customer has written in, is allowed.
        ours = thread.latest_content_id
        assert inbox.reply_target(thread.id, ours).content_id == ours
        assert inbox.send(thread.id, "To your own", in_reply_to=ours).in_reply_to == ours
        # A message of another conversation is never the target.
        other = next(r for r in rows(inbox) if r.id != thread.id and r.latest_inbound_id)
        with pytest.raises(ReplyRefused):
            inbox.send(thread.id, "Lost", in_reply_to=other.latest_inbound_id)


async def test_where_no_customer_has_written_nothing_is_sent_and_the_channels_rule_says_why(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator.url, tmp_path / "inbox.db", settings=QUIET) as inbox:
        await inbox.sync_now()
        started = [r for r in rows(inbox) if r.latest_inbound_id is None]
        assert {r.channel_type for r in started} >= {"Facebook", "Viber"}
        for thread in started:
            target = inbox.reply_target(thread.id, thread.latest_content_id)
            assert not target.possible and target.content is None
            assert target.refusal == no_customer_message(thread.channel_type)
            assert channel_info(thread.channel_type).label in target.refusal
            with pytest.raises(ReplyRefused) as refused:
                inbox.send(thread.id, "Hello?")
            assert str(refused.value) == target.refusal
            with pytest.raises(ReplyRefused):
                inbox.send(thread.id, "Hello?", in_reply_to=thread.latest_content_id)
        post = next(r for r in started if r.channel_type == "Facebook")
        assert "comment" in (inbox.reply_target(post.id).refusal or "")
        assert inbox.outbox_entries() == []
        await inbox.start(poll=False, names=False)
    assert emulator.stats.requests["POST /contents"] == 0


async def test_the_open_thread_stays_read_while_its_customer_writes(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator.url, tmp_path / "inbox.db", settings=QUIET) as inbox:
        await inbox.sync_now()
        looked_at, elsewhere = [r for r in rows(inbox) if r.customer_id][:2]
        inbox.viewing(looked_at.id)
        assert not inbox.thread(looked_at.id).unread
        for thread in (looked_at, elsewhere):
            emulator.add_inbound(thread.id)
        inbox.mark_read(elsewhere.id)
        await inbox.sync_now()
        assert not inbox.thread(looked_at.id).unread, "seen as it came"
        assert inbox.thread(elsewhere.id).unread, "no one was looking at this one"

        inbox.mark_unread(looked_at.id)  # the agent keeps it for later, though it is open
        emulator.add_inbound(looked_at.id)
        await inbox.sync_now()
        assert inbox.thread(looked_at.id).unread

        inbox.viewing(None)  # the agent went back to the list
        inbox.mark_read(looked_at.id)
        await asyncio.sleep(1.1)  # the API's times have whole seconds: a later one
        emulator.add_inbound(looked_at.id)
        await inbox.sync_now()
        assert inbox.thread(looked_at.id).unread
