"""Fuzzing the two HTTP servers rcinbox runs: the webhook receiver and the login's listener.

Both parse with h11 within their limits; whatever bytes arrive, the parser answers with a
request or a refusal (a status to send), never an exception that would escape the server.
"""

from __future__ import annotations

import asyncio

import h11
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rcinbox.auth.loopback import read_request_head
from rcinbox.inbox.webhooks import MAX_BODY, Refused, read_request

REFUSALS = {400, 405, 413, 414, 431, 501}
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Sink:
    """Stands in for the StreamWriter: keeps what the parser writes (a 100 Continue)."""

    def __init__(self) -> None:
        self.written = b""

    def write(self, data: bytes) -> None:
        self.written += data


def reader_of(data: bytes) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    return reader


def parse_webhook(data: bytes):
    async def go():
        return await read_request(reader_of(data), Sink())  # type: ignore[arg-type]

    return asyncio.run(go())


def parse_login(data: bytes):
    async def go():
        return await read_request_head(reader_of(data))

    return asyncio.run(go())


@FUZZ
@given(st.binary(max_size=4096))
def test_any_bytes_get_a_request_or_a_refusal(data: bytes) -> None:
    try:
        headers, body = parse_webhook(data)
    except Refused as refusal:
        assert refusal.status in REFUSALS
    except ConnectionError:
        pass  # the bytes ended before a request did
    else:
        assert isinstance(headers, dict) and len(body) <= MAX_BODY


header_names = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,20}", fullmatch=True)
header_values = st.from_regex(r"[ -~]{0,40}", fullmatch=True).map(str.strip)


@FUZZ
@given(
    body=st.binary(max_size=3000),
    chunked=st.booleans(),
    chunk_size=st.integers(min_value=1, max_value=700),
    extra=st.lists(st.tuples(header_names, header_values), max_size=5),
)
def test_well_formed_posts_are_read_whole(
    body: bytes, chunked: bool, chunk_size: int, extra: list[tuple[str, str]]
) -> None:
    extra = [
        (name, value)
        for name, value in extra
        if name.lower() not in ("content-length", "transfer-encoding", "expect", "connection")
    ]
    head = "POST /rc-hook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in extra)
    if chunked:
        head += "Transfer-Encoding: chunked\r\n\r\n"
        framed = b"".join(
            b"%x\r\n%s\r\n" % (len(body[i : i + chunk_size]), body[i : i + chunk_size])
            for i in range(0, len(body), chunk_size)
        )
        data = head.encode() + framed + b"0\r\n\r\n"
    else:
        data = (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    headers, read = parse_webhook(data)
    assert read == body
    assert headers["host"] == "127.0.0.1"


@FUZZ
@given(size=st.integers(min_value=MAX_BODY + 1, max_value=10 * MAX_BODY), chunked=st.booleans())
def test_bodies_over_64_kib_are_refused(size: int, chunked: bool) -> None:
    if chunked:
        data = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        data += b"%x\r\n" % size + b"x" * size + b"\r\n0\r\n\r\n"
    else:
        data = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size
    try:
        parse_webhook(data)
    except Refused as refusal:
        assert refusal.status == 413
    else:
        raise AssertionError("a body over the cap was accepted")


def test_conflicting_framing_and_other_methods_are_refused() -> None:
    both = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
    for data, status in (
        (both, 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nHost: x\r\n" + b"X: " + b"y" * 20000 + b"\r\n\r\n", 431),
    ):
        try:
            parse_webhook(data)
        except Refused as refusal:
            assert refusal.status == status, data[:60]
        else:
            raise AssertionError(f"accepted: {data[:60]!r}")


@FUZZ
@given(st.binary(max_size=4096))
def test_the_login_listener_never_raises_on_any_bytes(data: bytes) -> None:
    request = parse_login(data)
    assert request is None or isinstance(request, h11.Request)


@FUZZ
@given(
    query=st.from_regex(r"[A-Za-z0-9=&%._~-]{0,200}", fullmatch=True),
    extra=st.lists(st.tuples(header_names, header_values), max_size=5),
)
def test_the_login_listener_reads_a_redirect(query: str, extra: list[tuple[str, str]]) -> None:
    head = f"GET /callback?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in extra if name.lower() != "host")
    request = parse_login((head + "\r\n").encode())
    assert request is not None and request.target == f"/callback?{query}".encode()
