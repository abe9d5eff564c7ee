"""The webhook receiver with the emulator delivering to it over real loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from rcinbox.api import OAuthSession, SocialMessagingClient
from rcinbox.emulator import Emulator
from rcinbox.inbox.events import ContentsArrived, Event, EventBus, Subscription
from rcinbox.inbox.scheduler import RequestScheduler
from rcinbox.inbox.store import Store
from rcinbox.inbox.sync import Syncer
from rcinbox.inbox.webhooks import EVENT_FILTERS, WebhookReceiver

CLIENT_ID, CLIENT_SECRET, JWT = "rcinbox-demo", "rcinbox-demo-secret", "rcinbox-demo-jwt"
TOKEN = "verify-me-0123456789"
GET_ONE = "GET /contents/{id}"
IMPORTED = "/cx/social-messaging/v1/contents/Imported"


@dataclass
class Rig:
    emulator: Emulator
    store: Store
    client: SocialMessagingClient
    inbox: Subscription
    syncer: Syncer
    receiver: WebhookReceiver
    http: httpx.AsyncClient

    async def notify(self, envelope: Any, **headers: str) -> httpx.Response:
        """POST a notification to the receiver the way RingCentral would."""
        body = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode()
        return await self.http.post(self.receiver.address, content=body, headers=headers)

    def fetches(self) -> int:
        return self.emulator.stats.requests[GET_ONE]


@contextlib.asynccontextmanager
async def rig(
    emulator: Emulator, path: Path, *, start: bool = True, **options: Any
) -> AsyncIterator[Rig]:
    store = Store.open(path / "inbox.db")
    async with httpx.AsyncClient(timeout=10) as http:
        auth = OAuthSession(emulator.url, CLIENT_ID, CLIENT_SECRET, http=http, jwt=JWT)
        client = SocialMessagingClient(emulator.url, auth, http=http, backoff=0.01)
        scheduler = RequestScheduler(client.rate)
        events = EventBus()
        inbox = events.subscribe()
        syncer = Syncer(store=store, client=client, scheduler=scheduler, events=events)
        options.setdefault("verification_token", TOKEN)
        receiver = WebhookReceiver(
            syncer=syncer,
            client=client,
            scheduler=scheduler,
            events=events,
            listen=("127.0.0.1", 0),
            **options,
        )
        if start:
            await receiver.start()
        try:
            yield Rig(emulator, store, client, inbox, syncer, receiver, http)
        finally:
            await receiver.stop()
            await syncer.aclose()
            store.close()


def envelope(content_id: Any, event_uuid: Any = "1", event: str = IMPORTED) -> dict[str, Any]:
    return {
        "uuid": event_uuid,
        "event": event,
        "timestamp": "2024-04-26T17:05:12.611Z",
        "subscriptionId": "b20a1dcf-3b0d-43c8-9378-4942190e4bd1",
        "ownerId": "63317565004",
        "body": {"issuedAt": "2024-04-26T17:05:12.250Z", "resource": {"id": content_id}},
    }


async def arrival_of(inbox: Subscription, content_id: str) -> ContentsArrived:
    """Wait for the content's ContentsArrived (the timeout only stops a broken test hanging)."""
    async with asyncio.timeout(10):
        while True:
            event: Event = await inbox.get()
            if isinstance(event, ContentsArrived) and content_id in event.content_ids:
                return event


def seeded_ids(emulator: Emulator, count: int) -> list[str]:
    return [c["id"] for c in emulator.contents_where()[:count]]


# ------------------------------------------------------------------------------ end to end


async def test_emulator_delivers_a_new_customer_message_to_the_store(
    emulator: Emulator, tmp_path: Path, api: httpx.Client
) -> None:
    async with rig(emulator, tmp_path) as r:
        assert r.receiver.received == {"handshake": 1}  # the emulator checked us on create
        listed = api.get("/restapi/v1.0/subscription").json()["records"]
        assert [s["id"] for s in listed] == [r.receiver.subscription_id]
        assert listed[0]["deliveryMode"]["address"] == r.receiver.address
        assert sorted(listed[0]["eventFilters"]) == sorted(EVENT_FILTERS)
        assert r.syncer.poll_interval() == r.syncer.poll_idle * 2  # polling is the safety net

        written = emulator.add_inbound()
        arrived = await arrival_of(r.inbox, written["id"])
        assert arrived.incoming_ids == (written["id"],)
        assert r.store.has_content(written["id"])
        assert emulator.stats.webhooks["delivered"] == 1
        assert r.receiver.received["accepted"] == 1

        await r.receiver.stop()
        assert emulator.stats.requests["DELETE /subscription/{id}"] == 1
        assert api.get("/restapi/v1.0/subscription").json()["records"] == []
        assert r.syncer.poll_interval() == r.syncer.poll_idle


async def test_handshake_echoes_the_validation_token_in_a_tiny_answer(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with rig(emulator, tmp_path) as r:
        port = int(r.receiver.address.rstrip("/").rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nValidation-Token: hello-123\r\n"
            b"Content-Length: 0\r\n\r\n"
        )
        answer = await reader.read()
        writer.close()
        assert answer.startswith(b"HTTP/1.1 200 ")
        assert b"\r\nValidation-Token: hello-123\r\n" in answer
        assert len(answer) <= 1024


# ------------------------------------------------------------------------------ refusals


async def test_notification_with_a_wrong_verification_token_is_refused(
    emulator: Emulator, tmp_path: Path
) -> None:
    content_id = seeded_ids(emulator, 1)[0]
    async with rig(emulator, tmp_path) as r:
        wrong = await r.notify(envelope(content_id, "1"), **{"Verification-Token": "guess"})
        assert wrong.status_code == 403
        missing = await r.notify(envelope(content_id, "2"))
        assert missing.status_code == 403
        wrong_old_style = await r.notify(envelope(content_id, "3"), **{"Validation-Token": "x"})
        assert wrong_old_style.status_code == 403
        assert r.receiver.received["refused"] == 3

        # Either header name carries the token (the docs disagree on which one is sent).
        right = await r.notify(envelope(content_id, "4"), **{"Verification-Token": TOKEN})
        assert right.status_code == 200
        await arrival_of(r.inbox, content_id)
        assert r.fetches() == 1  # only the accepted one was fetched


async def test_a_repeated_uuid_is_acknowledged_and_ignored(
    emulator: Emulator, tmp_path: Path
) -> None:
    first, second = seeded_ids(emulator, 2)
    async with rig(emulator, tmp_path) as r:
        headers = {"Validation-Token": TOKEN}
        answers = [
            await r.notify(envelope(first, "2661273919712564939"), **headers),
            await r.notify(envelope(first, "2661273919712564939"), **headers),
            await r.notify(envelope(second, "2661273919712564940"), **headers),
        ]
        assert [a.status_code for a in answers] == [200, 200, 200]
        # Notifications are handled in arrival order: once the last is in, the others are done.
        await arrival_of(r.inbox, second)
        assert r.store.has_content(first)
        assert r.fetches() == 2
        assert r.receiver.received["duplicate"] == 1


async def test_a_body_over_64_kib_is_refused_unread(emulator: Emulator, tmp_path: Path) -> None:
    async with rig(emulator, tmp_path) as r:
        big = envelope(seeded_ids(emulator, 1)[0])
        big["padding"] = "x" * (70 * 1024)
        declared = await r.notify(big, **{"Validation-Token": TOKEN})
        assert declared.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(70):
                yield b"x" * 1024

        chunked = await r.http.post(
            r.receiver.address, content=chunks(), headers={"Validation-Token": TOKEN}
        )
        assert chunked.status_code == 413

        # A length far beyond the cap is refused from the headers alone.
        port = int(r.receiver.address.rstrip("/").rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n"
            + f"Validation-Token: {TOKEN}\r\n\r\n".encode()
            + b"{"
        )
        answer = await reader.read()
        writer.close()
        assert answer.startswith(b"HTTP/1.1 413 ")
        assert r.fetches() == 0
        assert "accepted" not in r.receiver.received


async def test_malformed_or_odd_notifications_never_crash_the_receiver(
    emulator: Emulator, tmp_path: Path
) -> None:
    content_id = seeded_ids(emulator, 1)[0]
    async with rig(emulator, tmp_path) as r:
        headers = {"Validation-Token": TOKEN}
        assert (await r.notify(b"{not json", **headers)).status_code == 400
        assert (await r.notify(b"[1, 2]", **headers)).status_code == 400
        assert (await r.notify(b"\xff\xfe", **headers)).status_code == 400
        odd = [
            {"uuid": "a", "event": IMPORTED, "body": None},
            {"uuid": "b", "event": IMPORTED, "body": {"resource": {"id": 12}}},
            {"uuid": "c", "event": IMPORTED, "body": {"resource": {"id": ""}}},
            {"uuid": "d", "event": None, "body": {"resource": {"id": content_id}}},
            envelope(content_id, "e", event="/restapi/v1.0/account/~/extension/~/presence"),
            envelope(content_id, ["not", "a", "uuid"]),
        ]
        for item in odd:
            assert (await r.notify(item, **headers)).status_code == 200
        assert (await r.http.get(r.receiver.address)).status_code == 405
        await arrival_of(r.inbox, content_id)  # only the last one names a content we can fetch
        assert r.fetches() == 1


# ------------------------------------------------------------------------------ subscription


class SleepTwice:
    """An injected sleep that lets two naps pass at once, then holds the third."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.third = asyncio.Event()

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if len(self.delays) >= 3:
            self.third.set()
            await asyncio.Event().wait()


async def test_subscription_is_renewed_before_it_expires(
    emulator: Emulator, tmp_path: Path
) -> None:
    sleep = SleepTwice()
    async with rig(emulator, tmp_path, expires_in=4, sleep=sleep) as r:
        renewing = asyncio.ensure_future(r.receiver.run())
        try:
            async with asyncio.timeout(10):
                await sleep.third.wait()
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
        assert emulator.stats.requests["POST /subscription/{id}/renew"] == 2
        assert all(0 < delay < 4 for delay in sleep.delays)


async def test_a_lost_subscription_is_created_again(
    emulator: Emulator, tmp_path: Path, api: httpx.Client
) -> None:
    sleep = SleepTwice()
    async with rig(emulator, tmp_path, expires_in=4, sleep=sleep) as r:
        lost = r.receiver.subscription_id
        api.delete(f"/restapi/v1.0/subscription/{lost}").raise_for_status()
        renewing = asyncio.ensure_future(r.receiver.run())
        try:
            async with asyncio.timeout(10):
                await sleep.third.wait()
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
        assert r.receiver.subscription_id not in (None, lost)
        assert r.receiver.received["handshake"] == 2
        written = emulator.add_inbound()
        await arrival_of(r.inbox, written["id"])


async def test_without_a_token_a_random_one_is_used_and_kept_out_of_the_repr(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with rig(emulator, tmp_path, verification_token=None) as r:
        token = r.receiver._token
        assert len(token) >= 24
        assert token not in repr(r.receiver)
        written = emulator.add_inbound()
        await arrival_of(r.inbox, written["id"])


async def test_a_failed_subscription_closes_the_listener(
    emulator: Emulator, tmp_path: Path
) -> None:
    # The emulator delivers only to loopback addresses, as a safety rule: creation fails.
    async with rig(emulator, tmp_path, start=False, url="http://example.com/hook") as r:
        try:
            await r.receiver.start()
        except Exception as exc:
            assert "SUB-521" in str(exc) or "loopback" in str(exc)
        else:
            raise AssertionError("the subscription should have been refused")
        assert r.receiver.subscription_id is None
        port = int(r.receiver.address.rstrip("/").rsplit(":", 1)[1])
        assert port == 0  # nothing is bound any more


async def test_stop_closes_the_listener_even_when_the_server_is_gone(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator(contents=50)
    async with rig(emulator, tmp_path) as r:
        address = r.receiver.address
        emulator.stop()
        await r.receiver.stop()  # the delete fails; that must not keep the port open
        assert r.receiver.subscription_id is None
        try:
            await r.http.post(address, content=b"{}")
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("the listener should be closed")
