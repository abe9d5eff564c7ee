"""Issue 13: a hostile server never hangs, swamps, crashes or fools a headless command.

Each scenario runs the real ``rcinbox`` in a subprocess against :mod:`tests.hostile_server` on
loopback, with a short ``[limits] request_seconds``: it must end with its exit code and exactly
one ``rcinbox:`` line on stderr, never a traceback. The subprocess timeout is only a guard
against a hang (a hang is the bug); nothing here asserts how long anything took.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hostile_server import (
    GOOD_TOKEN,
    TOKEN_PATH,
    endless_pages,
    gzip_bomb,
    hostile,
    huge_body,
    json_answer,
    page,
    raw_answer,
    slow_body,
    slow_headers,
)

REPO = Path(__file__).resolve().parent.parent
HANG_GUARD = 120
CONTENTS = "/cx/social-messaging/v1/contents"


def run(
    server_url: str,
    *args: str,
    config: str = "",
    env: dict[str, str] | None = None,
    python_args: bool = False,
):
    config_dir = Path(os.environ["RCINBOX_CONFIG_DIR"])
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(
        "[limits]\nrequest_seconds = 2\n" + textwrap.dedent(config)
    )
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RCINBOX_SERVER": server_url,
        "RCINBOX_CLIENT_ID": "hostile-client",
        "RCINBOX_CLIENT_SECRET": "hostile-secret",
        "RCINBOX_JWT": "hostile-jwt",
        "COLUMNS": "120",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, *(args if python_args else ("-m", "rcinbox", *args))],
        env=environment,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        errors="replace",
    )


def one_line_failure(result: subprocess.CompletedProcess, code: int) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    failures = [line for line in lines if not line.startswith("rcinbox: waiting")]
    assert len(failures) == 1, result.stderr
    assert failures[0].startswith("rcinbox: ")
    assert result.returncode == code, result.stderr
    return failures[0]


@pytest.mark.parametrize(
    ("scenario", "code"),
    [
        pytest.param(slow_body(), 75, id="1-byte-per-half-second-body"),
        pytest.param(slow_headers(), 75, id="1-byte-per-half-second-headers"),
        pytest.param(raw_answer(200, b'{"records": [', {}), 76, id="truncated-json"),
        pytest.param(raw_answer(200, b"[" * 200_000, {}), 76, id="deeply-nested-json"),
        pytest.param(raw_answer(200, b"\x00\xff garbage", {}), 76, id="not-json"),
        pytest.param(
            raw_answer(200, b"not gzip at all", {"Content-Encoding": "gzip"}), 76, id="bad-gzip"
        ),
        pytest.param(
            raw_answer(200, b"{}", {"Content-Encoding": "br"}), 76, id="encoding-not-asked-for"
        ),
    ],
)
def test_a_slow_or_broken_answer_ends_in_one_line(scenario, code: int) -> None:
    with hostile(scenario) as server:
        result = run(server.url, "contents", "--limit", "5")
    line = one_line_failure(result, code)
    if code == 75:
        # A GET changed nothing on the server: no "may or may not have acted" for it.
        assert "may or may not" not in line
        assert "within 2 s" in line


def test_a_slow_token_endpoint_does_not_hang_the_login() -> None:
    with hostile(json_answer(page([])), token=slow_body()) as server:
        result = run(server.url, "contents", "--limit", "5")
    # The API request itself never left: "server unreachable or failing" (69).
    assert "did not answer" in one_line_failure(result, 69)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Retry-After": "1e12"}, id="429-retry-after-1e12"),
        pytest.param({}, id="429-without-retry-after"),
        pytest.param({"Retry-After": "soon"}, id="429-unusable-retry-after"),
    ],
)
def test_a_429_longer_than_the_wait_limit_exits_75_at_once(headers: dict[str, str]) -> None:
    body = {"errorCode": "CMN-301", "message": "Request rate exceeded"}
    with hostile(json_answer(body, status=429, headers=headers)) as server:
        result = run(server.url, "--wait-limit", "5", "contents", "--limit", "5")
        asked = server.count(CONTENTS)
    line = one_line_failure(result, 75)
    assert "wait limit" in line
    if headers.get("Retry-After") == "1e12":
        assert "1e+12" in line
    # One request, then the refusal: no four more tries a minute apart.
    assert asked == 1


def test_a_503_with_retry_after_1e12_exits_75_at_once() -> None:
    with hostile(json_answer({}, status=503, headers={"Retry-After": "1e12"})) as server:
        result = run(server.url, "contents", "--limit", "5")
    assert "wait limit" in one_line_failure(result, 75)


def test_a_spent_budget_with_a_window_of_1e12_exits_75_at_once() -> None:
    headers = {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Window": "1e12"}
    records = [{"id": "c1", "threadId": "T", "body": "hello"}]
    with hostile(json_answer(page(records, next_token="p2"), headers=headers)) as server:
        result = run(server.url, "contents", "--all")
    line = one_line_failure(result, 75)
    assert "1e+12" in line


@pytest.mark.parametrize("chunked", [False, True])
def test_a_100_mb_body_is_refused_past_the_cap(chunked: bool) -> None:
    with hostile(huge_body(100, chunked=chunked)) as server:
        result = run(server.url, "contents", "--limit", "5")
    assert "larger than 32 MiB" in one_line_failure(result, 76)


def test_a_gzip_bomb_is_refused_past_the_cap() -> None:
    with hostile(gzip_bomb(256)) as server:
        result = run(server.url, "contents", "--limit", "5")
    assert "larger than 32 MiB" in one_line_failure(result, 76)


def test_the_cap_is_a_setting() -> None:
    with hostile(huge_body(3)) as server:
        small = run(server.url, "contents", "--limit", "5", config="response_mib = 2\n")
        large = run(server.url, "contents", "--limit", "5", config="response_mib = 8\n")
    assert "larger than 2 MiB" in one_line_failure(small, 76)
    assert large.returncode == 0, large.stderr


def test_thread_stops_after_a_bounded_number_of_pages() -> None:
    with hostile(endless_pages()) as server:
        result = run(server.url, "thread", "T")
        pages = server.count(CONTENTS)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "--all" in result.stderr
    assert pages == 50


def test_out_of_range_dates_and_sizes_are_shown_not_crashed_on() -> None:
    records = [
        {
            "id": "early",
            "threadId": "T",
            "body": "from year one",
            "creationTime": "0001-01-01T00:00:00+01:00",
        },
        {
            "id": "late",
            "threadId": "T",
            "body": "from the end of time",
            "creationTime": "9999-12-31T23:59:59-01:00",
            "attachments": [{"id": "a", "filename": "big.bin", "size": 10**400}],
        },
    ]
    body = json.dumps(page(records)).encode()
    with hostile(raw_answer(200, body, {"Content-Type": "application/json"})) as server:
        table = run(server.url, "contents", "--limit", "5")
        thread = run(server.url, "thread", "T")
    for result in (table, thread):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert "from year one" in table.stdout and "end of time" in table.stdout
    assert "size unknown" in thread.stdout


def test_thread_shows_a_hostile_content_id_inertly() -> None:
    records = [{"id": "x\x1b]0;pwned\x07\u202eevil", "threadId": "T", "body": "hi"}]
    with hostile(json_answer(page(records))) as server:
        result = run(server.url, "thread", "T")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "⟨RLO⟩" in result.stdout


@pytest.mark.parametrize("expires_in", [0, -5, 1e-9])
def test_a_token_that_expires_at_once_is_not_renewed_before_every_call(expires_in) -> None:
    token = json_answer({**GOOD_TOKEN, "expires_in": expires_in})
    records = [
        {"id": f"c{n}", "threadId": "T", "body": "hi", "authorIdentityId": f"i{n}"}
        for n in range(5)
    ]

    def contents_then_identities(handler) -> None:
        if "/identities/" in handler.path:
            json_answer({"id": "i", "identityType": "customer"})(handler)
        else:
            json_answer(page(records))(handler)

    with hostile(contents_then_identities, token=token) as server:
        result = run(server.url, "thread", "T")
        token_requests = server.count(TOKEN_PATH)
        api_requests = server.count("/cx/")
    assert result.returncode == 0, result.stderr
    assert api_requests == 6
    assert token_requests == 1


def test_a_token_lifetime_of_1e308_is_bounded() -> None:
    token = json_answer({**GOOD_TOKEN, "expires_in": 1e308, "refresh_token_expires_in": 1e308})
    with hostile(json_answer(page([])), token=token) as server:
        result = run(server.url, "contents", "--limit", "5")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_a_server_url_with_user_info_is_refused_and_never_printed() -> None:
    with hostile(json_answer(page([]))) as server:
        address = server.url.replace("http://", "http://admin:hunter2@")
        contents = run(address, "contents", "--limit", "5")
        shown = run(address, "config", "show")
        reached = len(server.requests)
    for result in (contents, shown):
        line = one_line_failure(result, 78)
        assert "user name or password" in line
        assert "hunter2" not in result.stdout + result.stderr
    assert reached == 0


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("http://[::1", id="bad-ipv6"),
        pytest.param("http://[zz]:80", id="not-an-ip-in-brackets"),
        pytest.param("http://host\n.example", id="newline"),
        pytest.param("http://" + "a" * 65_000, id="65k-characters"),
        pytest.param("http://127.0.0.1:99999", id="port-99999"),
    ],
)
def test_an_unusable_server_url_is_one_line(server: str) -> None:
    result = run(server, "contents", "--limit", "5")
    line = one_line_failure(result, 78)
    assert len(line) < 200


def test_a_retried_failure_past_the_wait_limit_reports_the_failure_not_the_wait() -> None:
    with hostile(json_answer({}, status=500)) as server:
        result = run(server.url, "--wait-limit", "2", "contents", "--limit", "5")
    assert "500" in one_line_failure(result, 69)


# Runs rcinbox as its only child and prints that child's peak RSS (KiB on Linux).
_MEASURE = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run([sys.executable, '-m', 'rcinbox', *sys.argv[1:]],"
    " capture_output=True)\n"
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)
# A bare headless command peaks near 60 MB; the cap (32 MiB) may be held about twice over while
# it is read and joined. Far below the 935 MB and 1.86 GB these answers once cost.
RSS_BOUND_KIB = 250 * 1024


@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(huge_body(100), id="100-MB-body"),
        pytest.param(huge_body(100, chunked=True), id="100-MB-body-chunked"),
        pytest.param(gzip_bomb(1024), id="gzip-bomb"),
    ],
)
def test_peak_memory_stays_bounded(scenario, capsys) -> None:
    with hostile(scenario) as server:
        result = run(server.url, "-c", _MEASURE, "contents", "--limit", "5", python_args=True)
    code, peak = (int(n) for n in result.stdout.split())
    assert code == 76, result.stderr
    with capsys.disabled():
        print(f"\npeak RSS of `rcinbox contents` against it: {peak / 1024:.0f} MB")
    assert peak < RSS_BOUND_KIB


def test_every_directory_made_is_0700_under_umask_000() -> None:
    data = Path(os.environ["RCINBOX_DATA_DIR"])
    records = [{"id": "x", "threadId": "t", "channelId": "c", "body": "hi"}]
    previous = os.umask(0)
    try:
        with hostile(json_answer(page(records))) as server:
            result = run(server.url, "sync")
    finally:
        os.umask(previous)
    assert result.returncode == 0, result.stderr
    made = [data, *(p for p in data.rglob("*") if p.is_dir())]
    assert len(made) >= 4
    for directory in made:
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


@pytest.mark.parametrize("command", [("sync",), ("sync", "--history"), ("contents",)])
def test_a_failing_command_says_its_error_once(command: tuple[str, ...]) -> None:
    with hostile(raw_answer(200, b"{", {})) as server:
        result = run(server.url, *command)
    line = one_line_failure(result, 76)
    # The retries' wait lines say what failed in a word; the error itself is said once.
    assert result.stderr.count("truncated or not JSON") == 1
    assert line.endswith("(HTTP 200)")


@pytest.mark.parametrize("where", ["a-file", "/proc/rcinbox-data"])
def test_a_data_dir_that_cannot_be_one_is_one_line(where: str, tmp_path: Path) -> None:
    if where == "a-file":
        where = str(tmp_path / "a-file")
        Path(where).write_text("not a directory")
    with hostile(json_answer(page([]))) as server:
        result = run(server.url, "sync", env={"RCINBOX_DATA_DIR": where})
    assert result.returncode in (1, 78), result.stderr
    one_line_failure(result, result.returncode)


@pytest.mark.parametrize("command", [("contents", "--json"), ("thread", "t", "--json")])
def test_json_output_carries_a_lone_surrogate_exactly(command: tuple[str, ...]) -> None:
    body = (
        b'{"records":[{"id":"x\\ud83d","threadId":"t","channelId":"c","body":"half \\ud83d",'
        b'"creationTime":"2025-01-01T00:00:00Z"}],"paging":{}}'
    )
    with hostile(raw_answer(200, body, {"Content-Type": "application/json"})) as server:
        result = run(server.url, *command)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)["records"][0]
    assert record["body"] == "half \ud83d" and record["id"] == "x\ud83d"


def test_a_page_with_unstorable_records_stores_and_lists_every_record() -> None:
    """Issue 14, item 3: one lone surrogate, one NaN or one record without channelId used to
    roll back the page, fail `sync` or leave the list empty. Each record is kept, with only
    what cannot be represented replaced (U+FFFD, per field), and every thread is listed."""
    from rcinbox.inbox.store import Store, ThreadFilter
    from rcinbox.inbox.types import UNKNOWN_CHANNEL

    records = [
        {
            "id": f"c{n}",
            "threadId": f"t{n}",
            "channelId": "ch",
            "channelType": "WhatsApp",
            "body": f"message {n}",
            "creationTime": f"2025-01-01T00:{n:02d}:00Z",
        }
        for n in range(8)
    ]
    records[2]["body"] = "half \ud83d emoji"
    records[3]["rating"] = float("nan")
    records[3]["extra"] = {"big": float("inf"), "small": float("-inf")}
    del records[5]["channelId"]
    # json.dumps writes the surrogate as the escape a server would send, NaN and Infinity bare.
    body = json.dumps(page(records)).encode()
    assert b"\\ud83d" in body and b"NaN" in body
    with hostile(raw_answer(200, body, {"Content-Type": "application/json"})) as server:
        result = run(server.url, "sync")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "8 new contents in 8 threads" in result.stdout
    (path,) = Path(os.environ["RCINBOX_DATA_DIR"]).rglob("*.sqlite3")
    store = Store.open(path)
    try:
        assert store.content_count() == 8
        assert store.thread_count(ThreadFilter()) == 8
        listed = {row.id for row in store.threads_window(ThreadFilter(), 0, 50)}
        assert listed == {f"t{n}" for n in range(8)}
        assert store.content("c2").body == "half \ufffd emoji"
        assert store.content("c3").raw["rating"] == "NaN"
        assert store.content("c3").raw["extra"] == {"big": "Infinity", "small": "-Infinity"}
        unknown = [c for c in store.channels() if c.id == UNKNOWN_CHANNEL]
        assert [c.thread_count for c in unknown] == [1]
        only_unknown = store.threads_window(ThreadFilter(UNKNOWN_CHANNEL), 0, 50)
        assert [row.id for row in only_unknown] == ["t5"]
        assert store.search_threads("emoji") == ["t2"]
    finally:
        store.close()
