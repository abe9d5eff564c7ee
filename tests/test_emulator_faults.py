"""Fault injection, robustness and scale of the emulator."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable

import httpx
import pytest

from rcinbox.emulator import Emulator, EmulatorConfig, Faults, parse_faults
from rcinbox.emulator.contents import ContentsApi

CONTENTS = "/cx/social-messaging/v1/contents"


def first_incoming(emulator: Emulator, channel_type: str = "WhatsApp") -> dict:
    return emulator.contents_where(channelType=channel_type, contentDirection="Incoming")[-1]


# ------------------------------------------------------------------------------ parse_faults


def test_parse_faults_reads_every_kind() -> None:
    faults = parse_faults(
        " latency=20, error_rate=0.1,drop_after_commit=0.3,malformed=0.05,sync_fail=1 "
    )
    assert faults == Faults(
        latency_ms=20, error_rate=0.1, drop_after_commit=0.3, malformed=0.05, sync_fail=1
    )
    assert parse_faults("") == Faults()
    assert parse_faults(faults.describe()) == faults


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("jitter=3", "unknown fault 'jitter'; known: latency, error_rate, drop_after_commit, "
                     "malformed, sync_fail"),
        ("error_rate=1.5", "error_rate must be between 0 and 1"),
        ("malformed=-0.1", "malformed must be between 0 and 1"),
        ("latency=-5", "latency must be a finite number of milliseconds >= 0"),
        ("latency=fast", "latency must be a number, got 'fast'"),
        ("sync_fail", "fault 'sync_fail' needs a value, e.g. sync_fail=0.1"),
        ("malformed=nan", "malformed must be a number"),
        ("latency=1,latency=2", "fault 'latency' is given twice"),
    ],
)  # fmt: skip
def test_parse_faults_explains_bad_input_in_one_line(spec: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_faults(spec)
    assert str(refused.value) == message


def test_configuration_is_checked() -> None:
    with pytest.raises(ValueError, match="naming"):
        Emulator(EmulatorConfig(naming="sources"))
    with pytest.raises(ValueError, match="between 0 and 1"):
        Faults(error_rate=2)
    assert "secret" not in repr(EmulatorConfig())


# ------------------------------------------------------------------------------ each fault


def test_latency_is_added_to_every_answer(make_emulator: Callable, api_for: Callable) -> None:
    emulator = make_emulator(faults=Faults(latency_ms=30))
    client = api_for(emulator)
    assert client.get(CONTENTS, params={"perPage": 2}).status_code == 200
    assert client.get("/nowhere").status_code == 404
    assert emulator.stats.faults["latency"] == 3  # token, list, unknown path


def test_error_rate_answers_503_before_doing_anything(make_emulator: Callable) -> None:
    emulator = make_emulator(faults=Faults(error_rate=1.0))
    response = httpx.post(
        f"{emulator.url}/restapi/oauth/token",
        auth=("rcinbox-demo", "rcinbox-demo-secret"),
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": "rcinbox-demo-jwt",
        },
    )
    assert response.status_code == 503
    assert response.json()["errorCode"] == "CMN-201"
    assert response.json()["errors"][0]["errorCode"] == "CMN-201"
    assert response.headers["RCRequestId"]
    assert emulator.stats.grants == {}
    assert emulator.stats.faults["error_rate"] == 1
    created = httpx.post(f"{emulator.url}{CONTENTS}", json={"body": "never stored"})
    assert created.status_code == 503
    assert emulator.count_contents(body="never stored") == 0


def test_faults_are_reproducible_for_a_seed(make_emulator: Callable) -> None:
    def statuses(emulator: Emulator) -> list[int]:
        with httpx.Client(base_url=emulator.url) as client:
            return [client.get(CONTENTS).status_code for _ in range(30)]

    first = statuses(make_emulator(seed=7, faults=Faults(error_rate=0.5)))
    second = statuses(make_emulator(seed=7, faults=Faults(error_rate=0.5)))
    assert first == second
    assert set(first) == {401, 503}


def test_dropped_connection_after_commit_keeps_the_content(
    make_emulator: Callable, api_for: Callable
) -> None:
    emulator = make_emulator(faults=Faults(drop_after_commit=1.0))
    client = api_for(emulator)
    target = first_incoming(emulator)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(CONTENTS, json={"inReplyToContentId": target["id"], "body": "Sent once"})
    assert emulator.count_contents(body="Sent once") == 1
    assert emulator.stats.faults["drop_after_commit"] == 1
    assert emulator.stats.requests["POST /contents"] == 1
    refused = client.post(CONTENTS, json={"inReplyToContentId": target["id"]})
    assert refused.status_code == 400  # only a committed content loses its answer
    assert client.get(CONTENTS, params={"perPage": 1}).status_code == 200


def test_malformed_answers_are_truncated_json(make_emulator: Callable, api_for: Callable) -> None:
    emulator = make_emulator(faults=Faults(malformed=1.0))
    client = api_for(emulator)  # the token answer (a POST) is intact
    for path in (CONTENTS, "/cx/social-messaging/v1/identities"):
        response = client.get(path, params={"perPage": 5})
        assert response.status_code == 200
        assert len(response.content) == int(response.headers["Content-Length"])
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
    assert emulator.stats.faults["malformed"] == 2


def test_sync_fail_ends_the_export_failed(make_emulator: Callable, api_for: Callable) -> None:
    emulator = make_emulator(faults=Faults(sync_fail=1.0), sync_delay=0.02)
    client = api_for(emulator)
    target = first_incoming(emulator)
    created = client.post(CONTENTS, json={"inReplyToContentId": target["id"], "body": "x"}).json()
    deadline = time.monotonic() + 2
    while emulator.content(created["id"])["synchronizationStatus"] == "Pending":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    failed = client.get(f"{CONTENTS}/{created['id']}").json()
    assert failed["synchronizationStatus"] == "Failed"
    assert failed["synchronizationError"]
    assert failed["published"] is False
    assert emulator.stats.faults["sync_fail"] == 1


# ------------------------------------------------------------------------------ robustness


def test_an_exception_in_a_handler_is_a_500_and_the_server_lives_on(
    emulator: Emulator, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: ContentsApi, request: object) -> None:
        raise RuntimeError("boom")

    with monkeypatch.context() as patched:
        patched.setattr(ContentsApi, "list_contents", explode)
        broken = api.get(CONTENTS)
    assert broken.status_code == 500
    assert broken.json()["errors"][0]["errorCode"] == "CMN-500"
    assert "boom" not in broken.text
    assert api.get(CONTENTS).status_code == 200


def test_oversized_bodies_are_refused_unread(api: httpx.Client) -> None:
    huge = b'{"body": "' + b"x" * (1024 * 1024) + b'"}'
    response = api.post(CONTENTS, content=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert api.get(CONTENTS, params={"perPage": 1}).status_code == 200


def test_chunked_request_bodies_are_read(emulator: Emulator, api: httpx.Client) -> None:
    target = first_incoming(emulator)
    payload = json.dumps({"inReplyToContentId": target["id"], "body": "chunky"}).encode()
    response = api.post(
        CONTENTS,
        content=iter([payload[:10], payload[10:]]),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 201 and response.json()["body"] == "chunky"


def test_unknown_paths_and_methods(api: httpx.Client) -> None:
    assert api.get("/restapi/v1.0/account/~").status_code == 404
    wrong = api.delete(CONTENTS)
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, POST"
    assert api.get(f"{CONTENTS}/").status_code == 200


def test_garbage_on_the_wire_never_prints_or_kills_the_server(
    emulator: Emulator, api: httpx.Client, capfd: pytest.CaptureFixture[str]
) -> None:
    host, port = emulator.url.removeprefix("http://").split(":")
    for garbage in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"GET\r\n\r\n"):
        with socket.create_connection((host, int(port))) as raw:
            raw.sendall(garbage)
            raw.recv(1024)
    with socket.create_connection((host, int(port))) as raw:
        raw.sendall(
            b"POST /cx/social-messaging/v1/contents HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"
        )
    assert api.get(CONTENTS, params={"perPage": 1}).status_code == 200
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_stop_is_idempotent_and_ends_kept_alive_connections(make_emulator: Callable) -> None:
    emulator = make_emulator()
    with httpx.Client(base_url=emulator.url) as client:
        assert client.get(CONTENTS).status_code == 401
        emulator.stop()
        emulator.stop()
        with pytest.raises(httpx.TransportError):
            client.get(CONTENTS)


def test_emulator_works_as_a_context_manager() -> None:
    with Emulator(EmulatorConfig(contents=50)) as emulator:
        assert httpx.get(f"{emulator.url}{CONTENTS}").status_code == 401
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{emulator.url}{CONTENTS}")


# ------------------------------------------------------------------------------ simulated customers


def test_simulated_customers_write_on_their_own(make_emulator: Callable) -> None:
    emulator = make_emulator(inbound_every=0.02)
    before = emulator.count_contents()
    deadline = time.monotonic() + 2
    while emulator.count_contents() < before + 5:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    newest = emulator.contents_where()[-5:]
    for content in newest:
        assert content["status"] == "New"
        assert content["createdFrom"] == "Synchronizer"
        assert content["creatorId"] is None
        assert content["contentDirection"] == "Incoming"
        assert emulator.identity(content["authorIdentityId"]) is not None


def test_add_inbound_writes_in_a_thread_or_starts_one(emulator: Emulator) -> None:
    thread = emulator.contents_where(contentDirection="Incoming")[-1]
    follow_up = emulator.add_inbound(thread["threadId"])
    assert follow_up["threadId"] == thread["threadId"]
    assert follow_up["channelId"] == thread["channelId"]
    assert follow_up["authorIdentityId"] == thread["authorIdentityId"]
    assert follow_up["firstInThread"] is False
    fresh = emulator.add_inbound()
    assert fresh["firstInThread"] is True
    assert fresh["threadId"] not in {c["threadId"] for c in emulator.contents_where()[:-1]}
    assert fresh["creationTime"] >= follow_up["creationTime"] >= thread["creationTime"]
    with pytest.raises(KeyError):
        emulator.add_inbound("0123456789abcdef01234567")


# ------------------------------------------------------------------------------ scale


def test_one_hundred_thousand_contents_serve_filtered_pages(
    make_emulator: Callable, api_for: Callable
) -> None:
    emulator = make_emulator(contents=100_000, rate_limit=1000)
    client = api_for(emulator)
    newest = client.get(CONTENTS, params={"perPage": 1}).json()["records"][0]
    channel = newest["channelId"]
    expected = emulator.count_contents(channelId=channel)
    seen: list[str] = []
    params: dict[str, object] = {"channelIds": channel, "perPage": 1000}
    while True:
        body = client.get(CONTENTS, params=params).json()
        assert {r["channelId"] for r in body["records"]} <= {channel}
        seen.extend(r["id"] for r in body["records"])
        if "nextPageToken" not in body["paging"]:
            break
        params["pageToken"] = body["paging"]["nextPageToken"]
    assert len(seen) == len(set(seen)) == expected > 1000
    assert seen[0] == newest["id"]
