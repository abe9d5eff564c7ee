"""Webhook subscriptions on the emulator: handshake, delivery, retries, management, expiry."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from rcinbox.emulator import Emulator

SUBSCRIPTION = "/restapi/v1.0/subscription"
PREFIX = "/cx/social-messaging/v1/contents/"
ALL_EVENTS = [PREFIX + "Imported", PREFIX + "Exported", PREFIX + "DiscussionInitiated"]


class Receiver:
    """A small webhook receiver: answers the handshake, records notifications."""

    def __init__(self, *, echo: bool = True, failures: int = 0) -> None:
        self.echo = echo
        self.failures = failures
        self.handshakes: list[dict[str, str]] = []
        self.events: queue.Queue[tuple[dict[str, str], dict]] = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if not body:
                    receiver.handshakes.append(headers)
                    self.send_response(200)
                    if receiver.echo:
                        self.send_header("Validation-Token", headers.get("validation-token", ""))
                elif receiver.failures > 0:
                    receiver.failures -= 1
                    receiver.events.put((headers, json.loads(body)))
                    self.send_response(500)
                else:
                    receiver.events.put((headers, json.loads(body)))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def next_event(self, timeout: float = 3) -> tuple[dict[str, str], dict]:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., Receiver]]:
    receivers: list[Receiver] = []

    def make(**options: object) -> Receiver:
        receiver = Receiver(**options)
        receivers.append(receiver)
        return receiver

    yield make
    for receiver in receivers:
        receiver.close()


@pytest.fixture
def emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator(rate_limit=100_000, medium_rate_limit=100_000, sync_delay=0.02)


@pytest.fixture
def client(emulator: Emulator, api_for: Callable) -> httpx.Client:
    return api_for(emulator)


def subscribe(
    client: httpx.Client,
    address: str,
    events: list[str] | None = None,
    **extra: object,
) -> httpx.Response:
    delivery = {"transportType": "WebHook", "address": address, "verificationToken": "hush"}
    body = {"eventFilters": events or ALL_EVENTS, "deliveryMode": delivery, **extra}
    return client.post(SUBSCRIPTION, json=body)


def error_code(response: httpx.Response) -> str:
    return response.json()["errors"][0]["errorCode"]


# ------------------------------------------------------------------------------ creating


def test_subscription_is_created_after_the_handshake(
    emulator: Emulator, client: httpx.Client, make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    response = subscribe(client, receiver.url, expiresIn=3600)
    assert response.status_code == 200, response.text
    info = response.json()
    assert len(info["id"]) == 36 and info["id"].count("-") == 4
    assert info["uri"] == f"{emulator.url}{SUBSCRIPTION}/{info['id']}"
    assert info["eventFilters"] == ALL_EVENTS
    assert info["status"] == "Active"
    assert 3590 <= info["expiresIn"] <= 3600
    assert info["expirationTime"].endswith("Z") and info["creationTime"].endswith("Z")
    assert info["deliveryMode"] == {
        "transportType": "WebHook",
        "address": receiver.url,
        "encryption": False,
    }
    assert response.headers["X-Rate-Limit-Group"] == "medium"
    assert len(receiver.handshakes) == 1
    assert receiver.handshakes[0]["validation-token"]
    assert receiver.handshakes[0]["user-agent"] == "RingCentral-Webhook/8.3"


def test_failed_handshake_is_sub_525(
    client: httpx.Client, make_receiver: Callable[..., Receiver]
) -> None:
    silent = make_receiver(echo=False)
    refused = subscribe(client, silent.url)
    assert refused.status_code == 400
    assert refused.json()["errors"][0] == {
        "errorCode": "SUB-525",
        "message": "WebHook server response is invalid",
    }
    closed = make_receiver()
    address = closed.url
    closed.close()
    assert error_code(subscribe(client, address)) == "SUB-525"
    assert client.get(SUBSCRIPTION).json()["records"] == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"address": "https://example.com/hook"}, "SUB-521"),
        ({"address": "http://10.0.0.8/hook"}, "SUB-521"),
        ({"address": "file:///etc/passwd"}, "SUB-521"),
        ({"transportType": "PubNub"}, "CMN-101"),
        ({"transportType": "WebSocket"}, "CMN-101"),
    ],
)
def test_delivery_mode_must_be_a_loopback_webhook(
    client: httpx.Client, make_receiver: Callable[..., Receiver], change: dict, code: str
) -> None:
    delivery = {"transportType": "WebHook", "address": make_receiver().url, **change}
    response = client.post(
        SUBSCRIPTION, json={"eventFilters": ALL_EVENTS, "deliveryMode": delivery}
    )
    assert response.status_code == 400 and error_code(response) == code


@pytest.mark.parametrize(
    "filters",
    [[], ["/restapi/v1.0/account/~/extension/~/message-store"], [PREFIX + "imported"], "Imported"],
)
def test_only_social_messaging_event_filters_are_accepted(
    client: httpx.Client, make_receiver: Callable[..., Receiver], filters: object
) -> None:
    delivery = {"transportType": "WebHook", "address": make_receiver().url}
    response = client.post(SUBSCRIPTION, json={"eventFilters": filters, "deliveryMode": delivery})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Invalid event filters"
    assert error_code(response) == "SUB-508"


def test_subscription_bodies_are_checked(client: httpx.Client) -> None:
    assert client.post(SUBSCRIPTION, content=b"{oops").status_code == 400
    assert error_code(client.post(SUBSCRIPTION, json={"eventFilters": ALL_EVENTS})) == "CMN-100"
    assert client.post(SUBSCRIPTION, json=[1]).status_code == 400


def test_subscriptions_need_a_bearer_token(emulator: Emulator) -> None:
    response = httpx.get(f"{emulator.url}{SUBSCRIPTION}")
    assert response.status_code == 401
    assert response.json()["errorCode"] == "AGW-401"


# ------------------------------------------------------------------------------ delivering


def test_imported_notification_reaches_the_receiver(
    emulator: Emulator, client: httpx.Client, make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    subscription = subscribe(client, receiver.url).json()
    written = emulator.add_inbound()
    headers, envelope = receiver.next_event()
    assert headers["user-agent"] == "RingCentral-Webhook/8.3"
    assert headers["validation-token"] == "hush"
    assert headers["content-type"].startswith("application/json")
    assert envelope["event"] == PREFIX + "Imported"
    assert envelope["subscriptionId"] == subscription["id"]
    assert envelope["ownerId"] == emulator.owner_id
    assert envelope["uuid"] and envelope["timestamp"].endswith("Z")
    assert envelope["body"]["issuedAt"].endswith("Z")
    resource = envelope["body"]["resource"]
    assert resource["id"] == written["id"]
    assert resource["channelId"] == written["channelId"]
    assert resource["status"] == "New" and resource["creatorId"] is None
    assert resource["hasAttachment"] is False


def test_reply_is_exported_and_new_discussion_initiated(
    emulator: Emulator, client: httpx.Client, make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    subscribe(client, receiver.url, events=[PREFIX + "Exported", PREFIX + "DiscussionInitiated"])
    emulator.add_inbound()  # not subscribed: must not arrive
    customer = emulator.contents_where(channelType="WhatsApp", contentDirection="Incoming")[-1]
    reply = client.post(
        "/cx/social-messaging/v1/contents",
        json={"inReplyToContentId": customer["id"], "body": "Done!"},
    ).json()
    _, exported = receiver.next_event()
    assert exported["event"] == PREFIX + "Exported"
    assert exported["body"]["resource"]["id"] == reply["id"]
    assert exported["body"]["resource"]["synchronizationStatus"] == "Success"
    twitter = emulator.contents_where(channelType="Twitter")[0]["channelId"]
    post = client.post(
        "/cx/social-messaging/v1/contents", json={"channelId": twitter, "body": "Hello X"}
    ).json()
    events = {receiver.next_event()[1]["event"] for _ in range(2)}
    assert events == {PREFIX + "Exported", PREFIX + "DiscussionInitiated"}
    assert receiver.events.empty()
    assert emulator.content(post["id"])["synchronizationStatus"] == "Success"


def test_failed_delivery_is_retried_with_the_same_uuid(
    emulator: Emulator, client: httpx.Client, make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver(failures=1)
    subscribe(client, receiver.url, events=[PREFIX + "Imported"])
    emulator.add_inbound()
    _, first = receiver.next_event()
    _, second = receiver.next_event()
    assert first == second
    assert emulator.stats.webhooks["retried"] == 1
    deadline = time.monotonic() + 2
    while emulator.stats.webhooks["delivered"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emulator.stats.webhooks["delivered"] == 1


def test_source_naming_reaches_notifications(
    make_emulator: Callable[..., Emulator],
    api_for: Callable,
    make_receiver: Callable[..., Receiver],
) -> None:
    emulator = make_emulator(naming="source")
    receiver = make_receiver()
    subscribe(api_for(emulator), receiver.url)
    written = emulator.add_inbound()
    resource = receiver.next_event()[1]["body"]["resource"]
    assert resource["sourceId"] == written["sourceId"] and "channelId" not in resource


# ------------------------------------------------------------------------------ managing


def test_list_read_update_renew_and_delete(
    emulator: Emulator, client: httpx.Client, make_receiver: Callable[..., Receiver]
) -> None:
    first, second = make_receiver(), make_receiver()
    created = subscribe(client, first.url, expiresIn=600).json()
    url = f"{SUBSCRIPTION}/{created['id']}"
    listed = client.get(SUBSCRIPTION).json()
    assert [s["id"] for s in listed["records"]] == [created["id"]]
    assert client.get(url).json()["id"] == created["id"]
    moved = client.put(
        url,
        json={
            "eventFilters": [PREFIX + "Imported"],
            "deliveryMode": {"transportType": "WebHook", "address": second.url},
            "expiresIn": 900,
        },
    )
    assert moved.status_code == 200
    assert moved.json()["eventFilters"] == [PREFIX + "Imported"]
    assert moved.json()["deliveryMode"]["address"] == second.url
    assert len(second.handshakes) == 1
    renewed = client.post(f"{url}/renew")
    assert renewed.status_code == 200 and renewed.json()["expiresIn"] >= 899
    emulator.add_inbound()
    assert second.next_event()[1]["event"] == PREFIX + "Imported"
    assert first.events.empty()
    assert client.delete(url).status_code == 204
    gone = client.get(url)
    assert gone.status_code == 404 and error_code(gone) == "CMN-102"
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}/renew").status_code == 404


def test_expired_subscription_stops_delivering(
    emulator: Emulator, client: httpx.Client, make_receiver: Callable[..., Receiver]
) -> None:
    short, lasting = make_receiver(), make_receiver()
    brief = subscribe(client, short.url, events=[PREFIX + "Imported"], expiresIn=1).json()
    subscribe(client, lasting.url, events=[PREFIX + "Imported"])
    time.sleep(1.05)
    emulator.add_inbound()
    lasting.next_event()  # the delivery thread has handled this event for every subscription
    assert short.events.empty()
    assert client.get(f"{SUBSCRIPTION}/{brief['id']}").status_code == 404
    assert len(client.get(SUBSCRIPTION).json()["records"]) == 1
