"""The browser login's way back: a one-login HTTP listener on 127.0.0.1, and pasted answers.

The authorization server redirects the browser to ``http://127.0.0.1:PORT/callback`` (the app
must have exactly that redirect URI registered on RingCentral; the emulator accepts any loopback
one). Over SSH the browser runs on another machine and its redirect goes nowhere, so the user
pastes the address it ended on (or just the code) instead: :func:`parse_pasted` reads it with
the same checks. ``state`` must match on both paths; anything else is refused and the listener
keeps waiting for the real answer. Pages are fixed text, HTML-escaped, and never echo a code.
Requests are parsed by h11 within limits: a 16 KiB head, 10 s, 16 connections at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import h11

CALLBACK_PATH = "/callback"
LOOPBACK_HOST = "127.0.0.1"
_REQUEST_TIMEOUT = 10.0
_MAX_HEAD = 16 * 1024
_MAX_CONNECTIONS = 16
_CODE = re.compile(r"[A-Za-z0-9._~+/=-]{4,2048}")


class CannotListen(Exception):
    """The loopback port for the redirect is taken or not allowed."""


@dataclass(frozen=True)
class RedirectAnswer:
    """What the authorization server sent back: a code, or an error."""

    code: str | None = None
    error: str | None = None
    description: str | None = None

    def __repr__(self) -> str:
        return f"RedirectAnswer(code={'<set>' if self.code else None}, error={self.error!r})"


def parse_pasted(text: str, state: str) -> RedirectAnswer | str:
    """A pasted redirect address or bare code; a string is the problem to tell the user."""
    text = text.strip()
    if not text:
        return "paste the address your browser ended on, or just the code"
    if "=" in text or "://" in text or "?" in text:
        query = urlsplit(text).query if "?" in text or "://" in text else text
        return _answer(parse_qs(query), state)
    if _CODE.fullmatch(text):
        return RedirectAnswer(code=text)
    return "that is neither an address nor a code"


def _answer(params: dict[str, list[str]], state: str) -> RedirectAnswer | str:
    def first(name: str) -> str | None:
        values = params.get(name)
        return values[0] if values else None

    if first("state") != state:
        return "that answer belongs to another login attempt (its state does not match)"
    error = first("error")
    if error:
        return RedirectAnswer(
            error=error[:200], description=(first("error_description") or "")[:300]
        )
    code = first("code")
    if code and _CODE.fullmatch(code):
        return RedirectAnswer(code=code)
    return "there is no code in that address"


class LoopbackListener:
    """A one-login HTTP listener on 127.0.0.1 for the authorization server's redirect."""

    def __init__(self, state: str, answers: asyncio.Queue[RedirectAnswer]) -> None:
        self._state = state
        self._answers = answers
        self._server: asyncio.Server | None = None
        self._open = 0
        self.port = 0

    @property
    def redirect_uri(self) -> str:
        return f"http://{LOOPBACK_HOST}:{self.port}{CALLBACK_PATH}"

    async def start(self, port: int = 0) -> LoopbackListener:
        """Listen on ``port`` (0: any free one); :class:`CannotListen` when that fails."""
        try:
            self._server = await asyncio.start_server(self._handle, LOOPBACK_HOST, port)
        except OSError as error:
            raise CannotListen(
                f"cannot listen on {LOOPBACK_HOST}:{port} ({error.strerror})"
            ) from None
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._open >= _MAX_CONNECTIONS:
            writer.close()  # a flood: refused, not queued
            return
        self._open += 1
        try:
            async with asyncio.timeout(_REQUEST_TIMEOUT):
                status, page = await self._serve(reader)
                body = _page(page).encode("utf-8")
                head = (
                    f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
                    "Content-Security-Policy: default-src 'none'\r\nConnection: close\r\n\r\n"
                )
                writer.write(head.encode() + body)
                await writer.drain()
        except (TimeoutError, ConnectionError, OSError):
            pass
        finally:
            self._open -= 1
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader) -> tuple[str, str]:
        """Read one request with h11; the status line and page to answer it with."""
        request = await read_request_head(reader)
        if request is None:
            return "400 Bad Request", "That is not a request rcinbox understands."
        if request.method != b"GET":
            return "405 Method Not Allowed", "Nothing here."
        return self._reply(f"GET {request.target.decode('ascii', 'replace')} HTTP/1.1")

    def _reply(self, request_line: str) -> tuple[str, str]:
        method, _, rest = request_line.partition(" ")
        target = rest.rpartition(" ")[0]
        parts = urlsplit(target)
        if method != "GET" or parts.path != CALLBACK_PATH:
            return "404 Not Found", "Nothing here."
        answer = _answer(parse_qs(parts.query), self._state)
        if isinstance(answer, str):
            # Not ours (a stale tab, another program): keep waiting for the real one.
            return "400 Bad Request", f"rcinbox did not accept this: {answer}."
        self._answers.put_nowait(answer)
        if answer.error:
            return "200 OK", "The login was refused. You can close this tab."
        return "200 OK", "rcinbox is logging you in. You can close this tab."


async def read_request_head(reader: asyncio.StreamReader) -> h11.Request | None:
    """The request line and headers, parsed by h11 (at most :data:`_MAX_HEAD` bytes); None for
    anything malformed or too large. A body, if any, is never read: the redirect has none."""
    connection = h11.Connection(h11.SERVER, max_incomplete_event_size=_MAX_HEAD)
    while True:
        try:
            event = connection.next_event()
        except h11.RemoteProtocolError:
            return None
        if isinstance(event, h11.Request):
            size = len(event.target) + sum(len(n) + len(v) + 4 for n, v in event.headers)
            return event if size <= _MAX_HEAD else None
        if event is not h11.NEED_DATA:
            return None
        data = await reader.read(_MAX_HEAD)
        if not data:
            return None
        try:
            connection.receive_data(data)
        except h11.RemoteProtocolError:
            return None


def _page(text: str) -> str:
    words = html.escape(text)
    return f"<!doctype html><title>rcinbox</title><p>{words}</p>"
