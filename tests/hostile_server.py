"""A hostile API server on loopback, one scenario at a time, for the hardening tests.

The token endpoint answers like RingCentral's (unless a scenario says otherwise); every other
request is answered by the scenario: slowly, hugely, gzip-bombed, with absurd headers, with bad
JSON, or with endless pages. Standard library only; each connection has its own thread, and a
client that goes away ends the scenario's writing (a broken pipe is expected, not an error).
"""

from __future__ import annotations

import http.server
import json
import socketserver
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

TOKEN_PATH = "/restapi/oauth/token"

Handler = http.server.BaseHTTPRequestHandler
Scenario = Callable[[Handler], None]

GOOD_TOKEN: dict[str, Any] = {
    "access_token": "hostile-access",
    "token_type": "bearer",
    "expires_in": 3600,
    "refresh_token": "hostile-refresh",
    "refresh_token_expires_in": 604800,
    "owner_id": "1",
}


class HostileServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, scenario: Scenario, token: Scenario | None = None) -> None:
        self.scenario = scenario
        self.token = token or json_answer(GOOD_TOKEN)
        self.requests: list[tuple[str, str]] = []
        self.headers_seen: list[dict[str, str]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up on a hostile answer is the point of most scenarios, not an error.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count(self, path_start: str) -> int:
        with self.lock:
            return sum(1 for _, path in self.requests if path.startswith(path_start))


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with self.server.lock:
            self.server.requests.append((self.command, self.path))
            self.server.headers_seen.append(dict(self.headers.items()))
        answer = self.server.token if self.path.startswith(TOKEN_PATH) else self.server.scenario
        with suppress(BrokenPipeError, ConnectionResetError):
            answer(self)
            self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = _any


@contextmanager
def hostile(scenario: Scenario, token: Scenario | None = None) -> Iterator[HostileServer]:
    server = HostileServer(scenario, token)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------------- scenarios


def raw_answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> Scenario:
    def answer(handler: Handler) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def json_answer(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Scenario:
    return raw_answer(
        status,
        json.dumps(data).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


def page(records: list[dict[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    paging: dict[str, Any] = {"perPage": 100}
    if next_token:
        paging["nextPageToken"] = next_token
    return {"records": records, "paging": paging}


def slow_body(seconds_per_byte: float = 0.5, length: int = 1000) -> Scenario:
    """Headers at once, then a byte every ``seconds_per_byte``: no single read ever times out."""

    def answer(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(length))
        handler.end_headers()
        for _ in range(length):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(seconds_per_byte)

    return answer


def slow_headers(seconds_per_byte: float = 0.5) -> Scenario:
    def answer(handler: Handler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(10_000):
            handler.wfile.write(b"X")
            handler.wfile.flush()
            time.sleep(seconds_per_byte)

    return answer


def huge_body(megabytes: int = 100, *, chunked: bool = False) -> Scenario:
    """A JSON page whose one body is ``megabytes`` long, streamed (never held whole here);
    ``chunked``: without a Content-Length, so only reading tells how big it is."""
    head = b'{"records":[{"id":"huge","threadId":"t","body":"'
    tail = b'"}],"paging":{}}'
    chunk = b"a" * (1024 * 1024)

    def answer(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            size = len(head) + megabytes * len(chunk) + len(tail)
            handler.send_header("Content-Length", str(size))
        handler.end_headers()
        for piece in (head, *([chunk] * megabytes), tail):
            if chunked:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                handler.wfile.write(piece)
        if chunked:
            handler.wfile.write(b"0\r\n\r\n")

    return answer


def gzip_bomb(inflated_megabytes: int = 1024) -> Scenario:
    """A gzip answer a few hundred KB long that inflates to ``inflated_megabytes``, without a
    Content-Length (chunked), so only inflating tells how big it is."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"0" * (1024 * 1024)
    parts = [compressor.compress(b'{"records":[{"id":"bomb","body":"')]
    parts += [compressor.compress(zeros) for _ in range(inflated_megabytes)]
    parts.append(compressor.flush())
    bomb = b"".join(parts)

    def answer(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(bomb)))
        handler.end_headers()
        handler.wfile.write(bomb)

    answer.compressed_size = len(bomb)  # type: ignore[attr-defined]
    return answer


def endless_pages() -> Scenario:
    """Every page offers a next page with a token never seen before."""
    counter = iter(range(10**9))

    def answer(handler: Handler) -> None:
        if "/identities" in handler.path:
            json_answer({"errorCode": "CMN-102", "message": "no"}, status=404)(handler)
            return
        n = next(counter)
        record = {
            "id": f"c{n}",
            "threadId": "T",
            "body": f"page {n}",
            "creationTime": "2025-01-01T00:00:00Z",
        }
        json_answer(page([record], next_token=f"token-{n}"))(handler)

    return answer
