"""The headless commands as a script sees them: stdout, one-line stderr, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable

import pytest

from rcinbox.cli.errors import ExitCode
from rcinbox.cli.main import main
from rcinbox.emulator import Emulator, Faults

SECRET = "rcinbox-demo-secret"
JWT = "rcinbox-demo-jwt"


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Emulator:
    monkeypatch.setenv("RCINBOX_SERVER", emulator.url)
    monkeypatch.setenv("RCINBOX_CLIENT_ID", "rcinbox-demo")
    monkeypatch.setenv("RCINBOX_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("RCINBOX_JWT", JWT)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("COLUMNS", "120")
    return emulator


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_contents_json_uses_the_api_field_names(account: Emulator, capsys) -> None:
    code, out, err = run(capsys, "contents", "--json", "--limit", "250")
    assert code == 0, err
    data = json.loads(out)
    assert len(data["records"]) == 250
    assert len({r["id"] for r in data["records"]}) == 250
    assert {"channelId", "channelType", "threadId", "bodyFormatted"} <= set(data["records"][0])
    assert "nextPageToken" in data["paging"]


def test_contents_filters_reach_the_server(account: Emulator, capsys) -> None:
    _, out, _ = run(capsys, "contents", "--json", "--limit", "1")
    thread_id = json.loads(out)["records"][0]["threadId"]
    code, out, _ = run(capsys, "contents", "--json", "--thread", thread_id, "--all")
    assert code == 0
    records = json.loads(out)["records"]
    assert records and {r["threadId"] for r in records} == {thread_id}
    code, out, _ = run(capsys, "contents", "--json", "--direction", "incoming", "--status", "New")
    assert code == 0
    assert {r["status"] for r in json.loads(out)["records"]} == {"New"}


def test_contents_table_is_readable_and_inert(account: Emulator, capsys) -> None:
    code, out, err = run(capsys, "contents", "--all")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("WHEN")
    assert len(lines) == 2001
    # Hostile bodies are in the seed: none of their escape bytes may reach the terminal.
    assert "\x1b" not in out and "\u202e" not in out and "\x9b" not in out
    assert max(len(line) for line in lines) <= 140


def test_contents_table_columns_hold_wide_scripts(account: Emulator, capsys) -> None:
    from rich.cells import cell_len

    code, out, err = run(capsys, "contents", "--all")
    assert code == 0, err
    lines = out.splitlines()
    # The seed writes in a dozen scripts (CJK, Devanagari, Arabic, emoji): measured in terminal
    # cells, no line is wider than the terminal (COLUMNS=120), so no column spills.
    assert any(cell_len(line) != len(line) for line in lines), "no wide text in the table"
    assert max(cell_len(line) for line in lines) <= 120


def test_thread_shows_the_conversation_with_names(account: Emulator, capsys) -> None:
    _, out, _ = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    newest = json.loads(out)["records"][0]
    code, out, err = run(capsys, "thread", newest["threadId"])
    assert code == 0, err
    assert out.startswith(f"Thread {newest['threadId']}")
    assert "(customer)" in out
    code, out, _ = run(capsys, "thread", newest["threadId"], "--json")
    records = json.loads(out)["records"]
    times = [r["creationTime"] for r in records]
    assert times == sorted(times)


def test_reply_prints_the_new_content_id(account: Emulator, capsys) -> None:
    _, out, _ = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    customer = json.loads(out)["records"][0]
    code, out, err = run(capsys, "reply", customer["id"], "We are on it!")
    assert code == 0, err
    new_id = out.strip()
    created = account.content(new_id)
    assert created is not None
    assert created["inReplyToContentId"] == customer["id"]
    assert created["body"] == "We are on it!"


def test_reply_reads_standard_input(account: Emulator, capsys, monkeypatch) -> None:
    import io

    _, out, _ = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    customer = json.loads(out)["records"][0]
    monkeypatch.setattr(sys, "stdin", io.StringIO("line one\nline two\n"))
    code, out, err = run(capsys, "reply", customer["id"], "-", "--json")
    assert code == 0, err
    assert json.loads(out)["body"] == "line one\nline two\n"


def test_reply_too_long_for_the_channel_is_refused_before_sending(
    account: Emulator, capsys
) -> None:
    _, out, _ = run(capsys, "contents", "--json", "--all")
    tweet = next(
        r
        for r in json.loads(out)["records"]
        if r["channelType"] == "Twitter" and r["status"] == "New"
    )
    account.stats.reset()
    code, _, err = run(capsys, "reply", tweet["id"], "x" * 300)
    assert code == ExitCode.DATAERR
    assert err.count("\n") == 1 and "280" in err
    assert account.stats.requests.get("POST /contents", 0) == 0


def test_identity_shows_a_name(account: Emulator, capsys) -> None:
    _, out, _ = run(capsys, "contents", "--json", "--limit", "1")
    author = json.loads(out)["records"][0]["authorIdentityId"]
    code, out, err = run(capsys, "identity", author)
    assert code == 0, err
    assert out.startswith("Name:")
    code, out, _ = run(capsys, "identity", author, "--json")
    assert json.loads(out)["id"] == author


@pytest.mark.parametrize(
    ("argv", "exit_code", "words"),
    [
        (["identity", "0123456789abcdef01234567"], ExitCode.NOT_FOUND, "EDI-029"),
        (["thread", "0123456789abcdef01234567"], ExitCode.NOT_FOUND, "no thread"),
        (["reply", "0123456789abcdef01234567", "hi"], ExitCode.NOT_FOUND, "EDI-029"),
        (["contents", "--per-page", "0"], ExitCode.USAGE, "--per-page"),
    ],
)
def test_errors_are_one_line_with_a_meaningful_exit_code(
    account: Emulator, capsys, argv: list[str], exit_code: int, words: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == exit_code
    assert out == ""
    assert err.startswith("rcinbox: ") and err.count("\n") == 1
    assert words in err
    assert "Traceback" not in err


def test_wrong_secret_is_a_login_failure_without_the_secret(account, capsys, monkeypatch) -> None:
    monkeypatch.setenv("RCINBOX_CLIENT_SECRET", "wrong-secret-value")
    code, _, err = run(capsys, "contents")
    assert code == ExitCode.NOPERM
    assert err.count("\n") == 1
    assert "wrong-secret-value" not in err and JWT not in err


def test_missing_account_says_how_to_log_in(capsys, monkeypatch) -> None:
    for name in ("RCINBOX_SERVER", "RCINBOX_CLIENT_ID", "RCINBOX_CLIENT_SECRET", "RCINBOX_JWT"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "contents")
    assert code == ExitCode.CONFIG
    assert "--demo" in err and "RCINBOX_SERVER" in err


def test_unreachable_server_is_unavailable(account, capsys, monkeypatch) -> None:
    monkeypatch.setenv("RCINBOX_SERVER", "http://127.0.0.1:9")
    for command in ("contents", "sync"):
        code, _, err = run(capsys, command)
        assert code == ExitCode.UNAVAILABLE
        # One line for the failure; the retries' pauses longer than a second are each said.
        failures = [line for line in err.splitlines() if not line.startswith("rcinbox: waiting")]
        assert len(failures) == 1, err
        assert failures[0].startswith("rcinbox: Could not reach")


# error_rate=1 also refuses the login, which the client retries for seconds; the e2e tests cover it.
@pytest.mark.parametrize("faults", ["malformed=1", "latency=10,malformed=1"])
def test_faulty_server_ends_in_one_clear_line(
    make_emulator: Callable, capsys, monkeypatch, faults: str
) -> None:
    from rcinbox.emulator import parse_faults

    emulator = make_emulator(faults=parse_faults(faults))
    monkeypatch.setenv("RCINBOX_SERVER", emulator.url)
    monkeypatch.setenv("RCINBOX_CLIENT_ID", "rcinbox-demo")
    monkeypatch.setenv("RCINBOX_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("RCINBOX_JWT", JWT)
    code, _, err = run(capsys, "contents")
    assert code in (ExitCode.PROTOCOL, ExitCode.UNAVAILABLE)
    failures = [line for line in err.splitlines() if not line.startswith("rcinbox: waiting")]
    assert len(failures) == 1 and "Traceback" not in err


def test_reply_whose_answer_is_lost_is_reconciled_not_resent(
    make_emulator, capsys, monkeypatch, tmp_path
) -> None:
    emulator = make_emulator(faults=Faults(drop_after_commit=1.0))
    monkeypatch.setenv("RCINBOX_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RCINBOX_SERVER", emulator.url)
    monkeypatch.setenv("RCINBOX_CLIENT_ID", "rcinbox-demo")
    monkeypatch.setenv("RCINBOX_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("RCINBOX_JWT", JWT)
    _, out, _ = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    customer = json.loads(out)["records"][0]
    code, out, err = run(capsys, "reply", customer["id"], "maybe sent")
    assert code == 0, err
    assert emulator.count_contents(body="maybe sent") == 1
    assert emulator.content(out.strip())["body"] == "maybe sent"


def test_demo_flag_needs_no_account(capsys, monkeypatch) -> None:
    for name in ("RCINBOX_SERVER", "RCINBOX_CLIENT_ID", "RCINBOX_CLIENT_SECRET", "RCINBOX_JWT"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = run(capsys, "contents", "--demo", "--json", "--limit", "3")
    assert code == 0, err
    assert len(json.loads(out)["records"]) == 3


def test_demo_server_prints_its_address_first_and_stops_on_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rcinbox", "demo-server", "--port", "0", "--contents", "300"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("listening on http://127.0.0.1:")
        url = first.split()[-1]
        result = subprocess.run(
            [sys.executable, "-m", "rcinbox", "contents", "--json", "--limit", "2"],
            capture_output=True,
            text=True,
            timeout=60,
            env={
                **env,
                "RCINBOX_SERVER": url,
                "RCINBOX_CLIENT_ID": "rcinbox-demo",
                "RCINBOX_CLIENT_SECRET": SECRET,
                "RCINBOX_JWT": JWT,
            },
        )
        assert result.returncode == 0, result.stderr
        assert len(json.loads(result.stdout)["records"]) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_demo_server_rejects_a_bad_fault_spec() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rcinbox", "demo-server", "--faults", "gremlins=1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.USAGE
    assert "gremlins" in result.stderr and "Traceback" not in result.stderr


def test_reading_commands_leave_no_store_behind(account, capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("RCINBOX_DATA_DIR", str(tmp_path))
    _, out, _ = run(capsys, "contents", "--json", "--limit", "1")
    newest = json.loads(out)["records"][0]
    assert run(capsys, "thread", newest["threadId"])[0] == 0
    assert run(capsys, "identity", newest["authorIdentityId"])[0] == 0
    assert list(tmp_path.rglob("*.sqlite3")) == []
    assert run(capsys, "sync")[0] == 0  # the store is the engine commands' to keep
    assert len(list(tmp_path.rglob("*.sqlite3"))) == 1


def test_the_collector_is_off_while_a_command_loads_and_on_while_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Start-up runs with the cyclic collector off (it only slows the imports); a command that
    runs for hours (watch, demo-server) must not run without it."""
    import gc

    import rcinbox.cli.config_cmd as command

    seen: list[bool] = []
    monkeypatch.setattr(command, "run", lambda args: seen.append(gc.isenabled()) or 0)
    assert main(["config", "path"]) == 0
    assert seen == [True]
    assert gc.isenabled()
