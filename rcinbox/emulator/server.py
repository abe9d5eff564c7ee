"""The emulator's HTTP server, request routing and the ``Emulator`` object tests and the CLI use.

``Emulator(config).start()`` generates the seed data, builds the state and serves it on loopback
with ``ThreadingHTTPServer`` (HTTP/1.1, so clients keep connections alive). Every answer, in this
order: optional latency; the error_rate fault (503 before anything else happens); route lookup;
the bearer check; the rate budget of the route's group (``X-Rate-Limit-*`` headers on every
answer, 429 + ``Retry-After`` beyond it); the endpoint; then the malformed fault (truncated JSON
on successful GETs) or the drop_after_commit fault (a created content is kept but the connection
closes with no answer). Every answer carries an ``RCRequestId``.

The server never prints: request logging is off and handler errors become 500 answers. Request
bodies over 1 MiB are refused with 413 before they are read.
"""

from __future__ import annotations

import copy
import gc
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import errors
from .clock import Clock, epoch
from .config import EmulatorConfig
from .contents import ContentsApi
from .faults import FaultDice
from .files import FILES_RATE_LIMIT, AttachmentFiles
from .identities import IdentitiesApi
from .oauth import OAuthServer, Session
from .protocol import Request, Response, error_response
from .ratelimit import Budget, Decision, RateLimiter
from .scheduler import Scheduler
from .state import State
from .stats import EmulatorStats
from .subscriptions import Subscriptions
from .webhooks import Dispatcher

MAX_BODY = 1024 * 1024
SOCIAL = "/cx/social-messaging/v1"
SUBSCRIPTION = "/restapi/v1.0/subscription"

Endpoint = Callable[[Request, Session | None, str | None], Response]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    key: str  # the name stats count requests under
    group: str  # rate-limit group: light, medium or auth
    endpoint: Endpoint
    authenticated: bool = True


def _route(
    method: str, path: str, key: str, group: str, endpoint: Endpoint, authenticated: bool = True
) -> Route:
    pattern = re.compile(re.escape(path).replace(r"\{id\}", "(?P<id>[^/]+)"))
    return Route(method, pattern, key, group, endpoint, authenticated)


class Emulator:
    """A running fake of the Social Messaging API, its OAuth and its webhook subscriptions."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.config.check()
        self.stats = EmulatorStats()
        self._lifecycle = threading.Lock()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._stopped = False

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "not started"
        return f"Emulator({where}, seed={self.config.seed}, contents={self.config.contents})"

    # ------------------------------------------------------------------ lifecycle

    def start(self, *, on_listening: Callable[[str], None] | None = None) -> Emulator:
        """Bind, generate the data, and serve in background threads. Returns self.

        ``on_listening(url)`` is called once the socket listens, before the data is built:
        a client may connect at once, and its requests wait in the backlog until serving
        starts (``rcinbox --demo`` uses this to overlap its own start-up with the build).
        """
        with self._lifecycle:
            if self._server is not None or self._stopped:
                raise RuntimeError("an Emulator starts once")
            server_class = _Server6 if ":" in self.config.host else _Server
            self._server = server_class((self.config.host, self.config.port), _Handler, self)
            if on_listening is not None:
                on_listening(self.url)
            self._build()
            self._subscriptions.base_url = self.url
            self._files.base_url = self.url
            self._scheduler.start()
            self._dispatcher.start()
            serving = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="emulator-http",
                daemon=True,
            )
            serving.start()
            self._threads.append(serving)
            if self.config.inbound_every is not None:
                self._customers.start(self._scheduler, self.config.inbound_every)
        return self

    def stop(self) -> None:
        """Stop serving, the simulated customers, export timers and webhook delivery."""
        with self._lifecycle:
            if self._stopped:
                return
            self._stopped = True
            server = self._server
        if server is None:
            return
        self._scheduler.stop()
        server.shutdown()
        server.server_close()
        server.close_connections()
        self._dispatcher.stop()
        for thread in self._threads:
            thread.join(timeout=5)

    def serve_until_signal(self, stop: threading.Event | None = None) -> None:
        """Block until SIGINT or SIGTERM (or ``stop`` is set), then stop (for the CLI; main
        thread only)."""
        stop = stop if stop is not None else threading.Event()
        previous = {
            number: signal.signal(number, lambda *_: stop.set())
            for number in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            while not stop.wait(0.2):
                pass
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            self.stop()

    def __enter__(self) -> Emulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    # ------------------------------------------------------------------ inspection and control

    @property
    def owner_id(self) -> str:
        """The RC extension id of the demo agent (the token owner)."""
        return self._state.owner_id

    def now(self) -> datetime:
        """The emulated time (the seed's anchor plus the time since the start)."""
        return self._state.clock.now()

    def add_inbound(self, thread_id: str | None = None) -> dict[str, Any]:
        """A simulated customer writes now (in a new thread when ``thread_id`` is None).

        Returns the content as the API presents it and sends the ``Imported`` notification.
        Raises KeyError for an unknown thread.
        """
        return _copy(self._customers.write(thread_id))

    def content(self, content_id: str) -> dict[str, Any] | None:
        """A content as the API presents it, or None."""
        with self._state.lock:
            found = self._state.contents.get(content_id)
        return _copy(self._contents.present(found)) if found is not None else None

    def identity(self, identity_id: str) -> dict[str, Any] | None:
        with self._state.lock:
            found = self._state.identities.get(identity_id)
        return _copy(found) if found is not None else None

    def expire_attachment_links(self) -> None:
        """Every attachment link handed out so far answers 403 from now on (as if its
        lifetime had passed); contents fetched from now on carry links that work."""
        self._files.expire_links()

    def serve_attachment_as(self, attachment_id: str, size: int) -> None:
        """Serve ``size`` bytes for this attachment whatever its declared size (a lying
        server, for tests)."""
        self._files.serve_as(attachment_id, size)

    def contents_where(self, **fields: Any) -> list[dict[str, Any]]:
        """Contents whose stored (``channel*``) fields equal all of ``fields``, oldest first."""
        with self._state.lock:
            everything = list(self._state.contents.values())
        found = [c for c in everything if all(c.get(k) == v for k, v in fields.items())]
        found.sort(key=lambda c: (epoch(c["creationTime"]), c["id"]))
        return [_copy(self._contents.present(c)) for c in found]

    def count_contents(self, **fields: Any) -> int:
        """How many contents have all of ``fields`` (e.g. ``body="..."``)."""
        with self._state.lock:
            return sum(
                1
                for c in self._state.contents.values()
                if all(c.get(k) == v for k, v in fields.items())
            )

    def reset_rate_limits(self) -> None:
        """Forget every request counted so far, as if each rate window had just ended: a test
        that shows the budget left (a snapshot) then sees the same figure whatever ran before."""
        self._limiter.reset()

    # ------------------------------------------------------------------ assembly

    def _build(self) -> None:
        # Generating and indexing 100,000 contents creates millions of small objects, none of
        # them cyclic; the collector would run full passes over them again and again.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._assemble()
        finally:
            if collecting:
                gc.enable()

    def _assemble(self) -> None:
        # Imported here, after the socket listens: the corpus and the generator take longer to
        # import than the rest of the emulator, and the --demo child announces its address first.
        from . import seed
        from .simulation import Customers

        config = self.config
        data = seed.generate(config.seed, config.contents, config.now)
        anchor = config.now or seed.DEFAULT_NOW
        if anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=UTC)
        # New contents and identities must sort after every seeded one: start the clock past
        # the newest seeded timestamp whatever anchor was asked for.
        stamps = [
            record[field]
            for records in (data.contents, data.identities)
            for record in records
            for field in ("creationTime", "lastModifiedTime")
        ]
        if stamps:
            newest = datetime.fromtimestamp(epoch(max(stamps)), UTC) + timedelta(seconds=1)
            anchor = max(anchor, newest)
        clock = Clock(anchor)
        self._state = State(
            data.owner_id, data.channels, data.identities, data.contents, clock, config.seed
        )
        self._dice = FaultDice(config.faults, config.seed)
        penalty = config.penalty if config.penalty is not None else config.rate_window
        self._limiter = RateLimiter(
            {
                "light": Budget(config.rate_limit, config.rate_window, penalty),
                "medium": Budget(config.medium_rate_limit, config.rate_window, penalty),
                "auth": Budget(config.auth_rate_limit, config.rate_window, penalty),
                "files": Budget(FILES_RATE_LIMIT, config.rate_window, penalty),
            }
        )
        self._oauth = OAuthServer(
            client_id=config.client_id,
            client_secret=config.client_secret,
            jwt=config.jwt,
            owner_id=data.owner_id,
            access_ttl=config.access_token_ttl,
            refresh_ttl=config.refresh_token_ttl,
            count_grant=self.stats.count_grant,
        )
        self._scheduler = Scheduler("emulator-timers")
        self._dispatcher = Dispatcher(self.stats.count_webhook)
        self._subscriptions = Subscriptions(clock, self._dispatcher, data.owner_id, config.seed)
        self._files = AttachmentFiles(
            data.contents, seed=config.seed, link_ttl=config.attachment_link_ttl
        )
        self._contents = ContentsApi(
            self._state,
            config.naming,
            self._scheduler,
            self._subscriptions.publish,
            self._dice,
            self.stats,
            config.sync_delay,
            sign=self._files.signed,
        )
        self._identities = IdentitiesApi(self._state)
        self._customers = Customers(
            self._state, self._contents, self._subscriptions.publish, config.seed, data.voices
        )
        contents, identities, files = self._contents, self._identities, self._files
        oauth, subscriptions = self._oauth, self._subscriptions
        self._routes = [
            _route("GET", f"{SOCIAL}/contents", "GET /contents", "light",
                   lambda r, s, i: contents.list_contents(r)),
            _route("POST", f"{SOCIAL}/contents", "POST /contents", "light",
                   lambda r, s, i: contents.create(r, s)),
            _route("GET", f"{SOCIAL}/contents/{{id}}", "GET /contents/{id}", "light",
                   lambda r, s, i: contents.read(r, i)),
            _route("GET", f"{SOCIAL}/identities", "GET /identities", "light",
                   lambda r, s, i: identities.list_identities(r)),
            _route("GET", f"{SOCIAL}/identities/{{id}}", "GET /identities/{id}", "light",
                   lambda r, s, i: identities.read(r, i)),
            # The tenant's file host: a signed link is the credential, no bearer token.
            _route("GET", "/files/attachments/{id}", "GET /files/attachments/{id}", "files",
                   lambda r, s, i: files.download(r, i), authenticated=False),
            _route("POST", "/restapi/oauth/token", "POST /oauth/token", "auth",
                   lambda r, s, i: oauth.token(r), authenticated=False),
            _route("POST", "/restapi/oauth/revoke", "POST /oauth/revoke", "auth",
                   lambda r, s, i: oauth.revoke(r), authenticated=False),
            _route("GET", "/restapi/oauth/authorize", "GET /oauth/authorize", "auth",
                   lambda r, s, i: oauth.authorize(r), authenticated=False),
            _route("POST", SUBSCRIPTION, "POST /subscription", "medium",
                   lambda r, s, i: subscriptions.create(r)),
            _route("GET", SUBSCRIPTION, "GET /subscription", "medium",
                   lambda r, s, i: subscriptions.list_all(r)),
            _route("GET", f"{SUBSCRIPTION}/{{id}}", "GET /subscription/{id}", "medium",
                   lambda r, s, i: subscriptions.read(r, i)),
            _route("PUT", f"{SUBSCRIPTION}/{{id}}", "PUT /subscription/{id}", "medium",
                   lambda r, s, i: subscriptions.update(r, i)),
            _route("DELETE", f"{SUBSCRIPTION}/{{id}}", "DELETE /subscription/{id}", "medium",
                   lambda r, s, i: subscriptions.delete(r, i)),
            _route("POST", f"{SUBSCRIPTION}/{{id}}/renew", "POST /subscription/{id}/renew",
                   "medium", lambda r, s, i: subscriptions.renew(r, i)),
        ]  # fmt: skip

    # ------------------------------------------------------------------ answering

    def _match(
        self, method: str, path: str
    ) -> tuple[Route | None, str | None, errors.ApiError | None]:
        path = path.rstrip("/") or "/"
        allowed = []
        for route in self._routes:
            match = route.pattern.fullmatch(path)
            if match is None:
                continue
            if route.method == method:
                path_id = match.groupdict().get("id")
                return route, unquote(path_id) if path_id is not None else None, None
            allowed.append(route)
        if allowed:
            error = errors.platform(
                405,
                "CMN-405",
                f"Method {method} is not allowed here",
                headers={"Allow": ", ".join(r.method for r in allowed)},
            )
            return allowed[0], None, error
        return None, None, errors.platform(404, "CMN-102", "Resource not found")

    def _answer(self, request: Request) -> Response:
        route, path_id, problem = self._match(request.method, request.path)
        key = route.key if route is not None and problem is None else "UNKNOWN"
        self.stats.count_request(key)
        latency = self.config.faults.latency_ms
        if latency > 0:
            self.stats.count_fault("latency")
            time.sleep(latency / 1000)
        group = route.group if route is not None else "light"
        rate_key = self._rate_key(group, request)
        decision: Decision | None = None
        try:
            if self._dice.roll("error_rate"):
                self.stats.count_fault("error_rate")
                raise errors.platform(503, "CMN-201", "Service Temporary Unavailable")
            if problem is not None or route is None:
                raise problem or errors.internal_error()
            session = self._oauth.authenticate(request) if route.authenticated else None
            decision = self._limiter.take(group, rate_key)
            if not decision.allowed:
                self.stats.count_rate_limited()
                raise errors.platform(429, "CMN-301", "Request rate exceeded")
            response = route.endpoint(request, session, path_id)
        except errors.ApiError as error:
            response = error_response(error)
        except Exception:
            response = error_response(errors.internal_error())
        if decision is None:
            decision = self._limiter.peek(group, rate_key)
        self._spoil(request, key, response)
        response.headers.update(decision.headers())
        response.headers["RCRequestId"] = str(uuid.uuid4())
        return response

    def _rate_key(self, group: str, request: Request) -> str:
        if group == "auth":
            return self._oauth.client_key(request)
        header = request.header("Authorization") or ""
        return header.strip().partition(" ")[2].strip() or "anonymous"

    def _spoil(self, request: Request, key: str, response: Response) -> None:
        """Apply the faults that act on a finished answer."""
        if request.method == "GET" and response.status == 200 and response.body:
            if self._dice.roll("malformed"):
                self.stats.count_fault("malformed")
                response.body = response.body[: self._dice.cut(len(response.body))]
        elif (
            key == "POST /contents"
            and response.status == 201
            and self._dice.roll("drop_after_commit")
        ):
            self.stats.count_fault("drop_after_commit")
            response.drop = True


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    """A copy callers may change without touching the emulator's state."""
    return copy.deepcopy(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], emulator: Emulator
    ) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections so their threads exit now rather than at client close."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                continue

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished mid-request is not worth a traceback on stderr."""


class _Server6(_Server):
    address_family = socket.AF_INET6


class _BodyTooLarge(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK, adding ~40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    server_version = "rcinbox-emulator"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the emulator never writes to stdout or stderr on its own."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except _BodyTooLarge:
            error = errors.platform(413, "CMN-413", "Request entity too large (limit 1 MiB)")
            self._send(error_response(error), close=True)
            return
        except ValueError:
            self._send(error_response(errors.edi(400, "EDI-030", "Invalid format")), close=True)
            return
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
        )
        try:
            response = self.server.emulator._answer(request)
        except Exception:
            response = error_response(errors.internal_error())
        if response.drop:
            self.close_connection = True
            return
        self._send(response)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunks()
        length_text = self.headers.get("Content-Length")
        if not length_text:
            return b""
        length = int(length_text)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_BODY:
            raise _BodyTooLarge
        return self.rfile.read(length)

    def _read_chunks(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"x", 16)
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise _BodyTooLarge
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _send(self, response: Response, *, close: bool = False) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204 and response.stream is None:
            self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if response.stream is not None:
            for chunk in response.stream:
                self.wfile.write(chunk)
        elif response.status != 204:
            self.wfile.write(response.body)
