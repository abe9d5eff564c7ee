"""The optional webhook receiver: RingCentral tells us about new contents, we fetch them by id.

It listens on ``listen`` (``--webhook-listen HOST:PORT``), subscribes ``url`` (``--webhook-url``,
else its own address) to the three social-messaging event filters, renews the subscription before
it expires, and deletes it on :meth:`WebhookReceiver.stop`. For each request (RingCentral's
webhook guide, "Webhook notifications", as the emulator implements it):

* the validation handshake (``Validation-Token`` header, empty body) gets the token echoed in a
  ``Validation-Token`` response header, 200, a two-byte body: well under the 1 KiB and 3 s limits;
* a notification must carry our verification token (``Verification-Token`` or, as the
  notifications guide shows it, ``Validation-Token``), else 403 and it is ignored;
* a body over 64 KiB gets 413 without being read (the ``Content-Length`` is checked first, and
  a chunked body is counted as it comes); malformed JSON gets 400;
* a ``uuid`` seen among the last 10,000 is acknowledged and ignored (delivery is at least once);
* everything else gets 200 at once and goes on a bounded queue; one worker then fetches each
  content by ``body.resource.id`` (the only part of the payload anyone confirmed) through the
  syncer, which merges it and announces it. Nothing in the payload is trusted beyond that id.

Why ``asyncio.start_server`` with h11 (the HTTP/1.1 parser httpx is built on) rather than
``http.server`` in a thread: the store and the syncer live on the event loop's thread, so a
threaded server would have to hand every notification over anyway; on the loop the handshake is
answered while the same loop awaits the subscription request that triggered it; and size caps
and timeouts are ours to enforce before anything is read. h11 does the framing (Content-Length,
chunked bodies, malformed or conflicting headers); one request per connection (``Connection:
close``) and at most :data:`MAX_CONNECTIONS` at once.

While the subscription stands, polling slows down (``Syncer.set_webhook_active``) but stays on.
When nothing arrives for :data:`HEALTH_INTERVAL` (a proxy that stopped forwarding, say), polling
takes over again until a notification does; each change is published as ``WebhookState``.
This module never logs the verification token and never imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import math
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import h11

from rcinbox.api.errors import InvalidGrant, MalformedResponse, NotFound, RCError
from rcinbox.api.models import Subscription
from rcinbox.inbox.events import EventBus, LoginRequired
from rcinbox.inbox.notices import WebhookState
from rcinbox.inbox.scheduler import Priority, RequestScheduler
from rcinbox.text import one_line

if TYPE_CHECKING:
    from rcinbox.api.client import SocialMessagingClient
    from rcinbox.inbox.sync import Syncer

log = logging.getLogger(__name__)

CONTENTS_EVENT = "/cx/social-messaging/v1/contents"
EVENT_FILTERS = tuple(
    f"{CONTENTS_EVENT}/{action}" for action in ("Imported", "Exported", "DiscussionInitiated")
)
MAX_BODY = 64 * 1024
MAX_HEAD = 16 * 1024  # request line and headers
REQUEST_TIMEOUT = 10.0  # a client slower than this (or silent) is cut off
SEEN_UUIDS = 10_000
QUEUE_SIZE = 1000  # notifications waiting for their fetch; beyond it polling catches up
MAX_TOKEN = 512
MAX_ID = 200
# After refusing a body we did not read, keep reading (and dropping) for a moment so the sender
# can finish writing and read our answer: closing with unread data would reset the connection.
LINGER_BYTES = 1024 * 1024
LINGER_SECONDS = 1.0
RENEW_AFTER = 0.75  # of the subscription's lifetime
RETRY_FIRST = 30.0
RETRY_MAX = 300.0
MAX_NAP = 3600.0  # re-read the wall clock at least hourly (a laptop may sleep for days)
STOP_TIMEOUT = 5.0
MAX_CONNECTIONS = 64  # beyond it a new connection is closed at once
# No notification for this long while subscribed: polling takes over (it also finds what a
# webhook would have said) until the next notification.
HEALTH_INTERVAL = 900.0


class Refused(Exception):
    """Answer with ``status`` (and stop reading the request)."""

    def __init__(self, status: int, *, linger: bool = False) -> None:
        super().__init__(status)
        self.status = status
        self.linger = linger


class WebhookReceiver:
    """Receives social-messaging notifications on a local port for one account."""

    def __init__(
        self,
        *,
        syncer: Syncer,
        client: SocialMessagingClient,
        scheduler: RequestScheduler,
        events: EventBus,
        listen: tuple[str, int],
        url: str | None = None,
        verification_token: str | None = None,
        expires_in: int = 86400 * 7,
        health_interval: float = HEALTH_INTERVAL,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self._syncer = syncer
        self._client = client
        self._scheduler = scheduler
        self._events = events
        self._listen = listen
        self._url = url
        self._token = verification_token or secrets.token_urlsafe(24)
        self._expires_in = max(1, int(expires_in))
        self._clock = clock
        self._sleep = sleep
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._worker: asyncio.Task[None] | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._subscription: Subscription | None = None
        self._renew_at = math.inf
        self._expires_at = -math.inf
        # Counters for a status view and for tests: what arrived and what came of it.
        self.received: dict[str, int] = {}
        self._health = max(1.0, health_interval)
        self._last_heard = -math.inf
        self._active = False

    def __repr__(self) -> str:
        return f"WebhookReceiver(address={self.address!r}, subscription={self.subscription_id!r})"

    @property
    def address(self) -> str:
        """``http://host:port/`` as bound (a listen port of 0 has picked a free one by now)."""
        host, port = self._listen
        if self._server is not None and self._server.sockets:
            host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    @property
    def subscription_id(self) -> str | None:
        return self._subscription.id if self._subscription is not None else None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen, then subscribe (the server's handshake reaches us while we wait)."""
        host, port = self._listen
        self._server = await asyncio.start_server(self._serve, host, port, limit=MAX_HEAD)
        self._worker = asyncio.ensure_future(self._work())
        try:
            await self._subscribe(Priority.VISIBLE)
        except BaseException:
            await self._close_listener()
            raise
        log.info("webhook subscription %s delivers to %s", self.subscription_id, self._target)

    async def run(self) -> None:
        """Renew the subscription before it expires (and subscribe again if it was lost)."""
        failures = 0
        served = -math.inf  # how far completed sleeps prove time has passed
        retry_at = -math.inf
        while True:
            now = max(self._clock(), served)
            self._check_health(now)
            due = retry_at if failures else self._renew_at
            if now < due:
                nap = min(due - now, MAX_NAP, self._health)
                await self._sleep(nap)
                served = now + nap
                continue
            try:
                lifetime = await self._renew()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                self._report(exc, "renewing the webhook subscription")
                if self._clock() >= self._expires_at:
                    self._set_active(False, "the webhook subscription expired; polling")
                retry_at = now + min(RETRY_MAX, RETRY_FIRST * 2 ** (failures - 1))
            else:
                failures = 0
                # Planned from the same "now" the naps use, so a fast injected sleep never spins.
                self._renew_at = now + lifetime * RENEW_AFTER

    async def stop(self) -> None:
        """Delete the subscription (errors ignored) and close the listener."""
        self._syncer.set_webhook_active(False)
        self._active = False
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await self._scheduler.run(
                        Priority.USER, lambda: self._client.delete_subscription(subscription.id)
                    )
            except Exception as exc:
                # Offline, or the HTTP client already closed: the subscription expires by itself.
                log.info("could not delete the webhook subscription: %s", one_line(str(exc), 300))
        await self._close_listener()

    async def _close_listener(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        server, self._server = self._server, None
        if server is not None:
            server.close()
            for writer in list(self._connections):
                writer.close()
            await server.wait_closed()

    # ------------------------------------------------------------------ the subscription

    @property
    def _target(self) -> str:
        return self._url or self.address

    async def _subscribe(self, priority: Priority) -> float:
        subscription = await self._scheduler.run(
            priority,
            lambda: self._client.create_subscription(
                EVENT_FILTERS,
                self._target,
                verification_token=self._token,
                expires_in=self._expires_in,
            ),
        )
        if not subscription.id:
            raise MalformedResponse("The server created a webhook subscription without an id")
        return self._took(subscription)

    async def _renew(self) -> float:
        """Renew (or re-create) the subscription; returns its lifetime in seconds."""
        if self._subscription is None:
            return await self._subscribe(Priority.BACKGROUND)
        subscription_id = self._subscription.id
        try:
            renewed = await self._scheduler.run(
                Priority.BACKGROUND, lambda: self._client.renew_subscription(subscription_id)
            )
        except NotFound:
            # Expired or deleted on the server (e.g. after days asleep): subscribe afresh.
            log.info("webhook subscription %s is gone; subscribing again", subscription_id)
            self._subscription = None
            return await self._subscribe(Priority.BACKGROUND)
        return self._took(renewed)

    def _took(self, subscription: Subscription) -> float:
        lifetime = float(subscription.expires_in or 0)
        if lifetime <= 0:
            lifetime = float(self._expires_in)
        now = self._clock()
        self._subscription = subscription
        self._renew_at = now + lifetime * RENEW_AFTER
        self._expires_at = now + lifetime
        if not self._active:
            self._last_heard = now
        self._set_active(True, f"webhooks on ({self._target})")
        return lifetime

    def _set_active(self, active: bool, detail: str) -> None:
        """Webhooks deliver, or polling takes over: tell the syncer and the UIs on a change."""
        self._syncer.set_webhook_active(active)
        if active != self._active:
            self._active = active
            log.info("%s", detail)
            self._events.publish(WebhookState(active, detail))

    def _check_health(self, now: float) -> None:
        if self._active and now - self._last_heard > self._health:
            silent = f"{self._health / 60:.0f} min" if self._health >= 60 else f"{self._health:g} s"
            self._set_active(False, f"no webhook for {silent}; polling")

    def _report(self, exc: BaseException, doing: str) -> None:
        if isinstance(exc, InvalidGrant):
            self._events.publish(LoginRequired(one_line(str(exc), 300)))
        if isinstance(exc, RCError):
            log.warning("%s failed: %s", doing, one_line(str(exc), 300))
        else:
            log.error("%s failed", doing, exc_info=exc)

    # ------------------------------------------------------------------ HTTP

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._connections) >= MAX_CONNECTIONS:
            # A flood must not exhaust file descriptors or memory: refuse, do not queue.
            writer.close()
            return
        self._connections.add(writer)
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                await self._exchange(reader, writer)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass  # the sender went away or stalled: nothing to answer
        except Exception:
            # Hostile or broken input must never take the receiver down.
            log.debug("webhook request failed", exc_info=True)
        finally:
            self._connections.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, extra = self._answer(*await read_request(reader, writer))
        except Refused as refusal:
            await _respond(writer, refusal.status)
            if refusal.linger:
                await _linger(reader, writer)
            return
        await _respond(writer, status, extra)

    def _answer(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        validation = headers.get("validation-token")
        verification = headers.get("verification-token")
        if not body and validation is not None and verification is None:
            self._count("handshake")
            if not _safe_token(validation):
                return 400, {}
            return 200, {"Validation-Token": validation}
        presented = [t for t in (verification, validation) if t is not None]
        if not any(hmac.compare_digest(t.encode(), self._token.encode()) for t in presented):
            self._count("refused")
            return 403, {}
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            self._count("malformed")
            return 400, {}
        if not isinstance(data, dict):
            self._count("malformed")
            return 400, {}
        self._last_heard = self._clock()
        self._set_active(True, "webhooks arriving again")
        event_uuid = data.get("uuid")
        if isinstance(event_uuid, str | int) and not isinstance(event_uuid, bool):
            key = str(event_uuid)
            if key in self._seen:
                self._count("duplicate")
                return 200, {}
            self._seen[key] = None
            if len(self._seen) > SEEN_UUIDS:
                self._seen.popitem(last=False)
        try:
            self._queue.put_nowait(data)
        except asyncio.QueueFull:
            self._count("dropped")  # polling, which is still on, will find the content
            return 200, {}
        self._count("accepted")
        return 200, {}

    def _count(self, outcome: str) -> None:
        self.received[outcome] = self.received.get(outcome, 0) + 1

    # ------------------------------------------------------------------ handling

    async def _work(self) -> None:
        """Fetch notified contents one at a time, in arrival order."""
        while True:
            data = await self._queue.get()
            content_id = _content_id(data)
            if content_id is None:
                continue
            try:
                await self._syncer.fetch_content(content_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._report(exc, "fetching a notified content")


def _content_id(data: dict[str, Any]) -> str | None:
    """``body.resource.id`` of a contents event; None for anything else or anything odd."""
    event = data.get("event")
    if not isinstance(event, str) or CONTENTS_EVENT not in event:
        return None
    body = data.get("body")
    resource = body.get("resource") if isinstance(body, dict) else None
    content_id = resource.get("id") if isinstance(resource, dict) else None
    if not isinstance(content_id, str) or not 0 < len(content_id.strip()) <= MAX_ID:
        return None
    return content_id.strip()


def _safe_token(value: str) -> bool:
    """Only printable ASCII is echoed back into a response header."""
    return 0 < len(value) <= MAX_TOKEN and all(" " <= ch <= "~" for ch in value)


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> tuple[dict[str, str], bytes]:
    """One POST's headers (names lowercased) and body, parsed by h11 within our limits.

    :class:`Refused` with the status to answer: 400 for anything h11 finds malformed (conflicting
    lengths, bad chunks...), 405 for another method, 413 for a body over :data:`MAX_BODY` (from
    its ``Content-Length`` before reading it, or counted as chunks arrive), 431 for a head over
    :data:`MAX_HEAD`.
    """
    connection = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
    request = await _next_event(connection, reader)
    if not isinstance(request, h11.Request):
        raise Refused(400)
    # h11 bounds a head that arrives in pieces; one that arrived whole is measured here.
    if len(request.target) + sum(len(n) + len(v) + 4 for n, v in request.headers) > MAX_HEAD:
        raise Refused(431, linger=True)
    if request.method != b"POST":
        raise Refused(405)
    headers: dict[str, str] = {}
    for name, value in request.headers:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1").strip()
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    length = headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        # A sender waiting for "100 Continue" has not sent its body: nothing to drain.
        raise Refused(413, linger=not connection.they_are_waiting_for_100_continue)
    if connection.they_are_waiting_for_100_continue:
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    chunks: list[bytes] = []
    total = 0
    while True:
        event = await _next_event(connection, reader)
        if isinstance(event, h11.Data):
            total += len(event.data)
            if total > MAX_BODY:
                raise Refused(413, linger=True)
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            return headers, b"".join(chunks)
        else:
            raise Refused(400)


async def _next_event(connection: h11.Connection, reader: asyncio.StreamReader) -> Any:
    """The next h11 event, reading as needed (the caller's timeout bounds the wait)."""
    while True:
        try:
            event = connection.next_event()
        except h11.RemoteProtocolError as error:
            status = error.error_status_hint
            raise Refused(status, linger=status == 431) from None
        if event is not h11.NEED_DATA:
            if event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("the sender closed the connection")
            return event
        data = await reader.read(64 * 1024)
        try:
            connection.receive_data(data)
        except h11.RemoteProtocolError:
            raise Refused(400) from None


async def _respond(
    writer: asyncio.StreamWriter, status: int, headers: dict[str, str] | None = None
) -> None:
    body = b"{}" if status == 200 else b""
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    if status == 405:
        lines.append("Allow: POST")
    if body:
        lines.append("Content-Type: application/json")
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    writer.write("\r\n".join(lines).encode("latin-1") + body)
    await writer.drain()


async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    if writer.can_write_eof():
        writer.write_eof()
    drained = 0
    with contextlib.suppress(TimeoutError, ConnectionError):
        async with asyncio.timeout(LINGER_SECONDS):
            while drained < LINGER_BYTES:
                chunk = await reader.read(64 * 1024)
                if not chunk:
                    return
                drained += len(chunk)
