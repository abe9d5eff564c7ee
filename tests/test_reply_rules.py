"""The reply rules live in the engine: ``Inbox.send`` refuses a reply that breaks one, with a
typed error and a one-line reason, before anything is queued; ``Inbox.reply_rules`` is what the
UIs read (the TUI's counter and public/private switch, the headless command's refusals)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from engine_helpers import engine
from outbox_helpers import inbound

from rcinbox.api.channels import CHANNELS, Visibility, channel_info
from rcinbox.cli.errors import ExitCode
from rcinbox.emulator import Emulator
from rcinbox.inbox.engine import EngineSettings, Inbox
from rcinbox.inbox.types import (
    ReplyRefused,
    ReplyRules,
    ReplyTooLong,
    ThreadFilter,
    ThreadRow,
    VisibilityRefused,
)
from tests.cli_helpers import run, use

QUIET = EngineSettings(poll_active=3600.0, poll_idle=3600.0)


@pytest.fixture
def emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    """Data anchored at the real time: the engine's clock (the wall clock) and the server's
    agree on which WhatsApp windows are open."""
    return make_emulator(now=datetime.now(UTC))


def answerable(inbox: Inbox, channel_type: str) -> ThreadRow:
    """A thread of the channel free text may answer now (WhatsApp's window open)."""
    return next(
        row
        for row in inbox.threads(ThreadFilter(), 0, 1000)
        if row.channel_type == channel_type
        and inbox.reply_target(row.id).possible
        and inbox.free_text_window(row.id).open
    )


# ------------------------------------------------------------------ the rules themselves


@pytest.mark.parametrize(
    ("visibility", "asked", "in_kind", "public"),
    [
        (Visibility.PRIVATE_ONLY, None, True, False),
        (Visibility.PRIVATE_ONLY, False, None, False),
        (Visibility.PUBLIC_ONLY, None, False, True),
        (Visibility.PUBLIC_ONLY, True, None, True),
        (Visibility.BOTH, None, False, False),  # in kind: a private message, a private answer
        (Visibility.BOTH, None, True, True),
        (Visibility.BOTH, None, None, True),
        (Visibility.BOTH, False, True, False),  # asked wins where the channel has both
        (Visibility.BOTH, True, False, True),
    ],
)
def test_public_or_private(
    visibility: Visibility, asked: bool | None, in_kind: bool | None, public: bool
) -> None:
    rules = ReplyRules("Somewhere", 10, visibility, in_kind=in_kind)
    assert rules.public(asked) is public
    assert rules.check("short", asked) is public


@pytest.mark.parametrize(
    ("visibility", "asked", "words"),
    [
        (Visibility.PRIVATE_ONLY, True, "this channel has only private replies"),
        (Visibility.PUBLIC_ONLY, False, "this channel has only public replies"),
    ],
)
def test_a_visibility_the_channel_lacks_is_refused(
    visibility: Visibility, asked: bool, words: str
) -> None:
    with pytest.raises(VisibilityRefused) as refused:
        ReplyRules("Somewhere", 10, visibility).check("short", asked)
    assert str(refused.value) == words
    assert isinstance(refused.value, ReplyRefused)


def test_length_then_refusal_in_words() -> None:
    rules = ReplyRules.of_channel("Twitter")
    assert (rules.channel, rules.max_length) == ("X (Twitter)", 280)
    assert not rules.too_long("x" * 280) and rules.too_long("x" * 281)
    with pytest.raises(ReplyTooLong) as refused:
        rules.check("x" * 281, None)
    assert (refused.value.length, refused.value.limit) == (281, 280)
    assert str(refused.value) == "the reply has 281 characters; X (Twitter) allows 280"
    blocked = ReplyRules.of_channel("Twitter", refusal="Nobody has answered this post yet.")
    assert not blocked.can_reply
    with pytest.raises(ReplyRefused, match="Nobody has answered"):
        blocked.check("ok", None)


def test_unknown_channels_get_the_permissive_default() -> None:
    rules = ReplyRules.of_channel("SomethingNew")
    assert rules.max_length == max(info.max_body for info in CHANNELS.values())
    assert rules.has_private_choice and rules.can_reply


# ------------------------------------------------------------------ enforced by Inbox.send


async def test_send_refuses_what_breaks_a_rule_and_queues_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator.url, tmp_path / "inbox.db", settings=QUIET) as inbox:
        await inbox.sync_now()
        tweet = answerable(inbox, "Twitter")
        rules = inbox.reply_rules(tweet.id)
        assert (rules.max_length, rules.visibility, rules.can_reply) == (
            280,
            Visibility.BOTH,
            True,
        )
        with pytest.raises(ReplyTooLong) as refused:
            inbox.send(tweet.id, "x" * 281)
        assert "\n" not in str(refused.value) and "280" in str(refused.value)

        whatsapp = answerable(inbox, "WhatsApp")
        assert inbox.reply_rules(whatsapp.id).visibility is Visibility.PRIVATE_ONLY
        with pytest.raises(VisibilityRefused, match="only private"):
            inbox.send(whatsapp.id, "Hello", public=True)
        assert inbox.outbox_entries() == []

        # Within the rules: public or private as the channel has it, else in kind.
        assert inbox.send(whatsapp.id, "Hello").public is False
        answered = inbox.reply_target(tweet.id).content
        assert answered is not None
        entry = inbox.send(tweet.id, "x" * 280)
        assert entry.public is (answered.public if answered.public is not None else True)
        assert inbox.send(tweet.id, "Private, please", public=False).public is False

        started = next(
            r for r in inbox.threads(ThreadFilter(), 0, 1000) if r.latest_inbound_id is None
        )
        blocked = inbox.reply_rules(started.id)
        assert not blocked.can_reply
        assert blocked.refusal == inbox.reply_target(started.id).refusal
    assert emulator.stats.requests.get("POST /contents", 0) == 0


async def test_a_held_reply_is_released_only_within_the_rules(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator.url, tmp_path / "inbox.db", settings=QUIET) as inbox:
        await inbox.sync_now()
        tweet = answerable(inbox, "Twitter")
        original = inbox.reply_target(tweet.id).content
        assert original is not None
        held = inbox.hold_reply(original.id, "x" * 281)
        with pytest.raises(ReplyTooLong):
            inbox.release_reply(held.id, original, public=None)
        assert [row.id for row in inbox.held_replies()] == [held.id]
        fine = inbox.hold_reply(original.id, "Thanks!")
        released = inbox.release_reply(fine.id, original, public=False)
        assert released.public is False and released.thread_id == tweet.id


def test_headless_reply_with_a_visibility_the_channel_lacks_exits_64(
    emulator: Emulator, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, emulator.url)
    message = inbound(emulator, 1, "WhatsApp")[0]
    run(capsys, "sync")
    code, out, err = run(capsys, "reply", message["id"], "Hello", "--public")
    assert code == ExitCode.USAGE
    assert err == "rcinbox: this channel has only private replies\n"
    code, out, _ = run(capsys, "outbox", "--json")
    assert json.loads(out)["entries"] == []
    assert emulator.stats.requests.get("POST /contents", 0) == 0
    assert channel_info("WhatsApp").visibility is Visibility.PRIVATE_ONLY
