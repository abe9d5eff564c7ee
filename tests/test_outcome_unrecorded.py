"""A full disk never duplicates a reply (issue 13, item 2).

A reply is sent only once its entry is durably ``sending``; when the store then refuses to
record the server's answer (``database or disk is full``), the entry is left to be looked for
on the server before any resend. ``rcinbox reply`` says so in one line and exits 75; running
it again finds the reply on the server and sends nothing; the TUI shows a one-line notice.

The store's failure is injected on the outcome writes (every ``update_outbox`` after the entry
is ``sending``); everything else is the real thing: the CLI, the engine, the emulator over
loopback HTTP.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tui_harness import make_app, pin_time_zone, settle, until, warm_store

from rcinbox.cli.errors import ExitCode
from rcinbox.emulator import Emulator, EmulatorConfig
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import ReplyState
from tests.cli_helpers import run, use

TEXT = "Your refund went out this morning; it shows within three days."


class FullDisk:
    """Store.update_outbox failing as a full disk would, for the writes ``failing`` picks."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
        self.failures = 0
        original = Store.update_outbox
        full = self

        def update_outbox(store: Store, entry_id: str, **fields: Any) -> Any:
            state = fields.get("state")
            if failing == "every outcome" and state != ReplyState.SENDING:
                refuse = True
            else:
                refuse = state == ReplyState.ACCEPTED
            if refuse:
                full.failures += 1
                raise sqlite3.OperationalError("database or disk is full")
            return original(store, entry_id, **fields)

        monkeypatch.setattr(Store, "update_outbox", update_outbox)


def notices(app: Any, words: str) -> list[str]:
    return [str(n.message) for n in app._notifications if words in str(n.message)]


def posts(emulator: Emulator) -> int:
    return emulator.stats.requests.get("POST /contents", 0)


@pytest.mark.parametrize("failing", ["every outcome", "only the accepted state"])
def test_a_reply_whose_outcome_cannot_be_recorded_is_sent_once(
    emulator: Emulator,
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
) -> None:
    use(monkeypatch, emulator.url)
    code, out, err = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    assert code == 0, err
    customer = json.loads(out)["records"][0]
    code, _, err = run(capsys, "sync")
    assert code == 0, err
    before = posts(emulator)

    with monkeypatch.context() as patch:
        disk = FullDisk(patch, failing)
        code, out, err = run(capsys, "reply", customer["id"], TEXT)
    assert disk.failures >= 1
    assert code == ExitCode.TEMPFAIL, err
    assert out == ""
    assert err.startswith("rcinbox: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert "database or disk is full" in err and "before any resend" in err
    assert posts(emulator) == before + 1
    code, out, _ = run(capsys, "outbox", "--json")
    [entry] = json.loads(out)["entries"]
    assert entry["state"] in ("sending", "unknown")

    # The same command again: the reply is found on the server, nothing more is sent.
    code, out, err = run(capsys, "reply", customer["id"], TEXT)
    assert code == ExitCode.OK, err
    assert posts(emulator) == before + 1
    assert emulator.count_contents(body=TEXT) == 1
    [created] = emulator.contents_where(body=TEXT)
    assert out.strip() == created["id"]
    code, out, _ = run(capsys, "outbox")
    assert out.startswith("The outbox is empty")


def test_outbox_flush_settles_an_unrecorded_reply_without_sending_it_again(
    emulator: Emulator, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, emulator.url)
    code, out, err = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    customer = json.loads(out)["records"][0]
    run(capsys, "sync")
    before = posts(emulator)
    with monkeypatch.context() as patch:
        FullDisk(patch, "every outcome")
        code, _, err = run(capsys, "reply", customer["id"], TEXT)
    assert code == ExitCode.TEMPFAIL, err
    code, out, err = run(capsys, "outbox", "flush")
    assert code == ExitCode.OK, (out, err)
    assert posts(emulator) == before + 1
    assert emulator.count_contents(body=TEXT) == 1


@pytest.fixture
def tui_server(tmp_path: Path) -> Iterator[tuple[Emulator, Path]]:
    pin_time_zone()
    emulator = Emulator(EmulatorConfig(auth_rate_limit=1000)).start()
    try:
        yield emulator, warm_store(emulator, tmp_path / "inbox.sqlite3")
    finally:
        emulator.stop()


async def test_the_tui_says_in_one_line_that_a_reply_could_not_be_recorded(
    tui_server: tuple[Emulator, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, store = tui_server
    app = make_app(emulator, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = posts(emulator)
        with monkeypatch.context() as patch:
            FullDisk(patch, "every outcome")
            await pilot.press("n", "r", *"Refund sent", "ctrl+s")
            await until(pilot, lambda: posts(emulator) == before + 1)
            await until(pilot, lambda: bool(notices(app, "could not record")))
        [notice] = notices(app, "could not record")
        assert "\n" not in notice
        assert app.is_running and app.return_code is None
        # The disk has room again: the reply is found on the server, not sent a second time.
        await until(
            pilot,
            lambda: bool(app.inbox.outbox_entries((ReplyState.ACCEPTED, ReplyState.DELIVERED))),
            timeout=60,
        )
        assert posts(emulator) == before + 1
        assert emulator.count_contents(body="Refund sent") == 1


async def test_the_tui_keeps_the_text_when_the_store_cannot_queue_it(
    tui_server: tuple[Emulator, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, store = tui_server
    app = make_app(emulator, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = posts(emulator)

        def full(*args: Any, **kwargs: Any) -> Any:
            raise sqlite3.OperationalError("database or disk is full")

        with monkeypatch.context() as patch:
            patch.setattr(Store, "add_outbox", full)
            await pilot.press("n", "r", *"Refund sent", "ctrl+s")
            await until(pilot, lambda: bool(notices(app, "could not be saved")))
        assert app.composer.text == "Refund sent"
        assert app.is_running and app.return_code is None
        assert app.inbox.outbox_entries() == []
        assert posts(emulator) == before


def test_nothing_is_sent_unless_its_entry_is_durably_sending(
    emulator: Emulator, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, emulator.url)
    code, out, err = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    customer = json.loads(out)["records"][0]
    run(capsys, "sync")
    before = posts(emulator)
    original = Store.update_outbox

    def update_outbox(store: Store, entry_id: str, **fields: Any) -> Any:
        if fields.get("state") == ReplyState.SENDING:
            raise sqlite3.OperationalError("database or disk is full")
        return original(store, entry_id, **fields)

    with monkeypatch.context() as patch:
        patch.setattr(Store, "update_outbox", update_outbox)
        code, out, err = run(capsys, "reply", customer["id"], TEXT)
    assert code == ExitCode.ERROR, err
    assert err.count("\n") == 1 and "database or disk is full" in err
    assert posts(emulator) == before
    code, out, _ = run(capsys, "outbox", "--json")
    assert [e["state"] for e in json.loads(out)["entries"]] == ["queued"]
    # With room on the disk again, the same reply is sent, once.
    code, out, err = run(capsys, "reply", customer["id"], TEXT)
    assert code == ExitCode.OK, err
    assert posts(emulator) == before + 1
