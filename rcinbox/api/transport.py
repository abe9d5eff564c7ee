"""One request with a total deadline and a cap on the answer's size, before and after inflating.

httpx's timeouts are per read: a server sending one byte a second never trips them, and httpx
inflates a gzip answer without limit (a 200 KB bomb is gigabytes). So every request of the
client and of the OAuth session goes through :func:`send`: the whole exchange (connecting,
headers, body) must end within ``deadline`` seconds, the body is read as it arrives and
refused past ``max_bytes`` on the wire, and it is inflated here, chunk by chunk, never past
``max_bytes`` either. Only the encodings inflated here are asked for.

This module never logs or raises with a header or body in the text.
"""

from __future__ import annotations

import asyncio
import zlib
from typing import Any

import httpx

from rcinbox.api.errors import MalformedResponse, TooLarge, header_value

# RingCentral's pages are at most 1000 records: a few megabytes. Configurable ([limits]).
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
# Connect, send, headers and the whole body: a minute is ten times what a real answer takes.
DEFAULT_DEADLINE = 60.0
ACCEPT_ENCODING = "gzip, deflate"


class DeadlinePassed(httpx.TimeoutException):
    """The exchange as a whole took longer than its deadline (each read may have been quick)."""


async def send(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    **options: Any,
) -> httpx.Response:
    """``http.request(method, url, **options)``, whole within ``deadline`` seconds and at most
    ``max_bytes`` long; the response returned is read and already inflated.

    Raises :class:`DeadlinePassed` (an ``httpx.TimeoutException``) or :class:`TooLarge`.
    """
    headers = dict(options.pop("headers", None) or {})
    headers["Accept-Encoding"] = ACCEPT_ENCODING
    request = http.build_request(method, url, headers=headers, **options)
    try:
        async with asyncio.timeout(deadline):
            response = await http.send(request, stream=True)
            try:
                body = await _read(response, max_bytes)
            finally:
                await response.aclose()
    except TimeoutError:
        raise DeadlinePassed(f"no complete answer within {deadline:g} s", request=request) from None
    plain_headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=plain_headers,
        content=body,
        request=request,
        extensions=response.extensions,
    )


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    if response.is_stream_consumed:
        # Read already, by an event hook or a test's transport: httpx holds it inflated.
        if len(response.content) > max_bytes:
            raise _too_large(response, max_bytes)
        return response.content
    encoding = (header_value(response.headers, "Content-Encoding") or "identity").strip().lower()
    declared = header_value(response.headers, "Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise _too_large(response, max_bytes)
    inflater = _Inflater(encoding, max_bytes, response)
    received = 0
    parts: list[bytes] = []
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > max_bytes:
            raise _too_large(response, max_bytes)
        parts.append(inflater.feed(chunk))
    parts.append(inflater.finish())
    return b"".join(parts)


class _Inflater:
    """gzip/deflate inflated with a bound on every step, or identity passed through."""

    def __init__(self, encoding: str, max_bytes: int, response: httpx.Response) -> None:
        self._max = max_bytes
        self._response = response
        self._total = 0
        if encoding in ("identity", ""):
            self._inflate: Any = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            # 47: zlib or gzip, told apart by the header; a raw deflate stream is tried below.
            self._inflate = zlib.decompressobj(47)
            self._raw_fallback = encoding == "deflate"
        else:
            raise MalformedResponse(
                "The server sent an answer in an encoding not asked for",
                status=response.status_code,
            )

    def feed(self, chunk: bytes) -> bytes:
        if self._inflate is None:
            self._total += len(chunk)
            return chunk
        out: list[bytes] = []
        data = chunk
        while data:
            piece = self._step(data)
            out.append(piece)
            data = self._inflate.unconsumed_tail
            if not piece and data:
                break
        return b"".join(out)

    def finish(self) -> bytes:
        if self._inflate is None:
            return b""
        try:
            rest = self._inflate.flush()
        except zlib.error as exc:
            raise self._unreadable() from exc
        self._count(len(rest))
        return rest

    def _step(self, data: bytes) -> bytes:
        room = self._max - self._total + 1
        try:
            piece = self._inflate.decompress(data, room)
        except zlib.error as exc:
            if self._raw_fallback and self._total == 0:
                self._raw_fallback = False
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._step(data)
            raise self._unreadable() from exc
        self._raw_fallback = False
        self._count(len(piece))
        return piece

    def _count(self, size: int) -> None:
        self._total += size
        if self._total > self._max:
            raise _too_large(self._response, self._max)

    def _unreadable(self) -> MalformedResponse:
        return MalformedResponse(
            "The server sent a compressed answer that cannot be inflated",
            status=self._response.status_code,
        )


def _too_large(response: httpx.Response, max_bytes: int) -> TooLarge:
    return TooLarge(
        f"The server sent an answer larger than {max_bytes // (1024 * 1024)} MiB"
        " (the [limits] response_mib setting)",
        status=response.status_code,
        request_id=header_value(response.headers, "RCRequestId"),
    )
