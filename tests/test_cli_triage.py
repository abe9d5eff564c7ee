"""Headless triage and search: ``rcinbox done``, ``snooze`` and ``search --remote``."""

from __future__ import annotations

import json

from rcinbox.cli.errors import ExitCode
from rcinbox.emulator import Emulator
from tests.cli_helpers import run, use


def synced_thread(capsys) -> str:
    code, out, err = run(capsys, "sync", "--json")
    assert code == 0, err
    return json.loads(out)["threadIds"][0]


def search_ids(capsys, text: str, *extra: str) -> dict:
    code, out, err = run(capsys, "search", text, "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_done_hides_a_thread_from_search_of_the_inbox_and_undo_brings_it_back(
    emulator: Emulator, capsys, monkeypatch
) -> None:
    use(monkeypatch, emulator.url)
    thread_id = synced_thread(capsys)
    code, out, err = run(capsys, "done", thread_id, "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["threadId"] == thread_id and answer["state"] == "done"
    assert answer["until"] is None and answer["contentId"]
    code, out, _ = run(capsys, "done", thread_id, "--undo", "--json")
    assert json.loads(out)["undone"]["state"] == "done"
    code, out, _ = run(capsys, "done", thread_id, "--undo")
    assert out.strip() == f"{thread_id} was neither done nor snoozed"


def test_snooze_reads_the_time_and_refuses_nonsense_in_one_line(
    emulator: Emulator, capsys, monkeypatch
) -> None:
    use(monkeypatch, emulator.url)
    thread_id = synced_thread(capsys)
    code, out, err = run(capsys, "snooze", thread_id, "--until", "2h", "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["state"] == "snoozed" and answer["until"].endswith("Z")
    code, out, err = run(capsys, "snooze", thread_id, "--until", "whenever")
    assert code == ExitCode.USAGE
    assert err.count("\n") == 1 and "not a time to snooze until" in err
    code, out, err = run(capsys, "snooze", thread_id)
    assert code == ExitCode.USAGE
    code, out, _ = run(capsys, "snooze", thread_id, "--undo")
    assert out.strip() == f"{thread_id} is back in the inbox (was snoozed)"
    code, _, err = run(capsys, "done", "no-such-thread")
    assert code == ExitCode.NOT_FOUND and "rcinbox sync" in err


def test_search_remote_stores_and_marks_what_only_the_server_had(
    emulator: Emulator, capsys, monkeypatch
) -> None:
    use(monkeypatch, emulator.url)
    synced_thread(capsys)
    old = next(c for c in emulator.contents_where(contentDirection="Incoming") if c["body"])
    local = search_ids(capsys, old["body"])
    assert old["threadId"] not in [t["threadId"] for t in local["threads"]]
    found = search_ids(capsys, old["body"], "--remote", "--pages", "1")
    marked = {t["threadId"]: t["fromServer"] for t in found["threads"]}
    assert marked[old["threadId"]] is True
    assert old["id"] in found["server"]["contentIds"] and found["server"]["pages"] == 1
    # Stored: the next local search finds it, and nothing is "from the server" any more.
    again = search_ids(capsys, old["body"])
    assert {t["threadId"]: t["fromServer"] for t in again["threads"]}[old["threadId"]] is False
    code, out, _ = run(capsys, "search", old["body"], "--remote")
    assert code == 0 and "0 found only on the server" in out
