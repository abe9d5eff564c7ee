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

Why ``asyncio.start_server`` with a small HTTP/1.1 parser rather than ``http.server`` in a thread:
the store and the syncer live on the event loop's thread, so a threaded server would have to hand
every notification over anyway; on the loop the handshake is answered while the same loop awaits
the subscription request that triggered it; and size caps and timeouts are ours to enforce
before anything is read. One request per connection (``Connection: close``) keeps the parser small.

While the subscription stands, polling slows down (``Syncer.set_webhook_active``) but stays on.
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

from rcinbox.api.errors import InvalidGrant, MalformedResponse, NotFound, RCError
from rcinbox.api.models import Subscription
from rcinbox.inbox.events import EventBus, LoginRequired
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


class _Refused(Exception):
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
            due = retry_at if failures else self._renew_at
            if now < due:
                nap = min(due - now, MAX_NAP)
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
                    self._syncer.set_webhook_active(False)
                retry_at = now + min(RETRY_MAX, RETRY_FIRST * 2 ** (failures - 1))
            else:
                failures = 0
                # Planned from the same "now" the naps use, so a fast injected sleep never spins.
                self._renew_at = now + lifetime * RENEW_AFTER

    async def stop(self) -> None:
        """Delete the subscription (errors ignored) and close the listener."""
        self._syncer.set_webhook_active(False)
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
        self._syncer.set_webhook_active(True)
        return lifetime

    def _report(self, exc: BaseException, doing: str) -> None:
        if isinstance(exc, InvalidGrant):
            self._events.publish(LoginRequired(one_line(str(exc), 300)))
        if isinstance(exc, RCError):
            log.warning("%s failed: %s", doing, one_line(str(exc), 300))
        else:
            log.error("%s failed", doing, exc_info=exc)

    # ------------------------------------------------------------------ HTTP

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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
            headers = await _read_head(reader)
            length = _content_length(headers)
            expects_continue = "100-continue" in headers.get("expect", "").lower()
            if length is not None and length > MAX_BODY:
                # A sender waiting for "100 Continue" has not sent its body: nothing to drain.
                raise _Refused(413, linger=not expects_continue)
            if expects_continue:
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = await _read_body(reader, headers, length)
            status, extra = self._answer(headers, body)
        except _Refused as refusal:
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
        self._syncer.set_webhook_active(True)
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


async def _read_head(reader: asyncio.StreamReader) -> dict[str, str]:
    """The request's headers, names lowercased; only POST is served."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise _Refused(431, linger=True) from None
    lines = head[:-4].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _Refused(400)
    if parts[0] != "POST":
        raise _Refused(405)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or " " in name:
            raise _Refused(400)
        name = name.lower()
        value = value.strip()
        if name in headers and headers[name] != value:
            if name in ("content-length", "transfer-encoding"):
                raise _Refused(400)  # conflicting framing: a smuggling attempt or a broken client
            value = f"{headers[name]}, {value}"
        headers[name] = value
    return headers


def _content_length(headers: dict[str, str]) -> int | None:
    if "transfer-encoding" in headers:
        if "content-length" in headers:
            raise _Refused(400)
        if headers["transfer-encoding"].lower() != "chunked":
            raise _Refused(501)
        return None
    text = headers.get("content-length", "0")
    if not text.isdigit() or not text.isascii():
        raise _Refused(400)
    return int(text)


async def _read_body(
    reader: asyncio.StreamReader, headers: dict[str, str], length: int | None
) -> bytes:
    if length is not None:
        return await reader.readexactly(length)
    chunks: list[bytes] = []
    total = 0
    while True:
        line = await reader.readuntil(b"\r\n")
        size_text = line.split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise _Refused(400) from None
        if size < 0:
            raise _Refused(400)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers carry nothing we use
            return b"".join(chunks)
        total += size
        if total > MAX_BODY:
            raise _Refused(413, linger=True)
        chunks.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise _Refused(400)


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
