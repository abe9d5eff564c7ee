"""Durable first: `rcinbox reply` writes the outbox entry before any request; flush's exit code."""

from __future__ import annotations

import json
import socket

import pytest

from rcinbox.api.channels import channel_info
from rcinbox.cli.errors import ExitCode
from rcinbox.emulator import Emulator, EmulatorConfig
from tests.cli_helpers import run, use


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def failures(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("rcinbox: waiting")]


@pytest.fixture
def port() -> int:
    return free_port()


def start(port: int) -> Emulator:
    return Emulator(EmulatorConfig(port=port)).start()


def newest_inbound(emulator: Emulator, channel: str | None = None) -> dict:
    fields = {"contentDirection": "Incoming"}
    if channel is not None:
        fields["channelType"] = channel
    return emulator.contents_where(**fields)[-1]


def test_a_reply_with_the_server_down_is_queued_and_flush_sends_it_once(
    port: int, capsys, monkeypatch
) -> None:
    emulator = start(port)
    customer = newest_inbound(emulator)
    emulator.stop()
    use(monkeypatch, f"http://127.0.0.1:{port}")
    code, _, err = run(capsys, "reply", customer["id"], "Written while offline")
    assert code == ExitCode.TEMPFAIL, err
    lines = failures(err)
    assert len(lines) == 1 and "stays queued" in lines[0]
    code, out, _ = run(capsys, "outbox", "--json")
    entries = json.loads(out)["entries"]
    assert [(e["body"], e["state"]) for e in entries] == [("Written while offline", "queued")]

    emulator = start(port)
    try:
        code, out, err = run(capsys, "outbox", "flush")
        assert code == ExitCode.OK, err
        assert emulator.count_contents(body="Written while offline") == 1
        code, _, err = run(capsys, "outbox", "flush")
        assert code == ExitCode.OK, err
        assert emulator.count_contents(body="Written while offline") == 1
        created = emulator.contents_where(body="Written while offline")
        assert created[0]["inReplyToContentId"] == customer["id"]
    finally:
        emulator.stop()


def test_the_channel_rules_apply_before_the_post(port: int, capsys, monkeypatch) -> None:
    emulator = start(port)
    try:
        tweet = newest_inbound(emulator, "Twitter")
        use(monkeypatch, emulator.url)
        too_long = "x" * (channel_info("Twitter").max_body + 1)
        code, _, err = run(capsys, "reply", tweet["id"], too_long)
        assert code == ExitCode.DATAERR, err
        assert emulator.stats.requests.get("POST /contents", 0) == 0
        code, out, _ = run(capsys, "outbox", "--json")
        assert json.loads(out)["entries"] == []
    finally:
        emulator.stop()


def test_flush_exits_non_zero_when_a_reply_failed(port: int, capsys, monkeypatch) -> None:
    use(monkeypatch, f"http://127.0.0.1:{port}")
    code, _, err = run(capsys, "reply", "no-such-content", "To nobody")
    assert code == ExitCode.TEMPFAIL, err
    emulator = start(port)
    try:
        code, out, err = run(capsys, "outbox", "flush")
        assert code == ExitCode.DATAERR, (out, err)
        assert "1 failed" in out
        code, out, _ = run(capsys, "outbox", "--json")
        assert [e["state"] for e in json.loads(out)["entries"]] == ["failed"]
        assert emulator.stats.requests.get("POST /contents", 0) == 0
    finally:
        emulator.stop()
