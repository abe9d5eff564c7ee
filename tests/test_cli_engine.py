"""Headless commands on the engine: reply through the outbox, outbox, sync, watch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from rcinbox.cli.errors import ExitCode
from rcinbox.emulator import Emulator, Faults
from tests.cli_helpers import JWT, SECRET, run, use


def newest_inbound(capsys) -> dict:
    _, out, _ = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    return json.loads(out)["records"][0]


def test_sync_fills_the_store_then_finds_nothing_new(emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    code, out, err = run(capsys, "sync", "--json")
    assert code == 0, err
    first = json.loads(out)
    assert len(first["newContentIds"]) == 100
    code, out, _ = run(capsys, "sync", "--json")
    assert json.loads(out)["newContentIds"] == []
    emulator.add_inbound()
    code, out, _ = run(capsys, "sync")
    assert out.startswith("1 new contents")


def test_reply_that_times_out_stays_queued_and_flush_sends_it(
    make_emulator: Callable, capsys, monkeypatch
) -> None:
    emulator = make_emulator(faults=Faults(latency_ms=1500))
    use(monkeypatch, emulator.url)
    customer = newest_inbound(capsys)
    code, _, err = run(capsys, "reply", customer["id"], "Sent once, later", "--timeout", "0.5")
    assert code == ExitCode.TEMPFAIL
    assert "stays queued" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "outbox", "--json")
    entries = json.loads(out)["entries"]
    assert [e["body"] for e in entries] == ["Sent once, later"]
    emulator.config.faults.latency_ms = 0
    code, out, err = run(capsys, "outbox", "flush")
    assert code == 0, err
    assert emulator.count_contents(body="Sent once, later") == 1
    code, out, _ = run(capsys, "outbox")
    assert out.startswith("The outbox is empty")


def test_reply_json_prints_the_created_content(emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    customer = newest_inbound(capsys)
    code, out, err = run(capsys, "reply", customer["id"], "ok", "--json")
    assert code == 0, err
    created = json.loads(out)
    assert created["body"] == "ok"
    assert created["inReplyToContentId"] == customer["id"]
    assert created["contentDirection"] == "Outgoing"


def test_watch_prints_new_contents_as_ndjson(emulator: Emulator, tmp_path) -> None:
    env = {
        **os.environ,
        "RCINBOX_SERVER": emulator.url,
        "RCINBOX_CLIENT_ID": "rcinbox-demo",
        "RCINBOX_CLIENT_SECRET": SECRET,
        "RCINBOX_JWT": JWT,
        "RCINBOX_DATA_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    watcher = subprocess.Popen(
        [sys.executable, "-m", "rcinbox", "watch", "--interval", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        # The first sync is the baseline; wait for it before customers write.
        deadline = time.monotonic() + 20
        while emulator.stats.requests.get("GET /contents", 0) < 1:
            assert time.monotonic() < deadline, "watch never synced"
            time.sleep(0.05)
        time.sleep(0.3)
        written = [emulator.add_inbound()["id"] for _ in range(3)]
        lines = [json.loads(watcher.stdout.readline()) for _ in written]
    finally:
        watcher.send_signal(signal.SIGTERM)
        code = watcher.wait(timeout=20)
    assert sorted(line["id"] for line in lines) == sorted(written)
    assert all(line["contentDirection"] == "Incoming" for line in lines)
    assert code == 0, watcher.stderr.read()
