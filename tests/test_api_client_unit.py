"""The client, OAuth session and rate budget against scripted answers (httpx.MockTransport).

These cover the byte-exact odd answers a real server rarely gives on demand: truncated JSON,
dropped connections at exact moments, 429s with and without Retry-After. Time is fake: every
wait is recorded by an injected sleep that advances an injected clock, so nothing really waits.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import urllib.parse
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from rcinbox.api.auth import OAuthSession, Token, authorize_url, make_pkce
from rcinbox.api.client import SocialMessagingClient
from rcinbox.api.errors import (
    InvalidGrant,
    MalformedResponse,
    NotFound,
    OAuthError,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
)
from rcinbox.api.models import CreateContent, Direction
from rcinbox.api.ratelimit import RateBudget

SERVER = "https://platform.example.test"
CONTENTS = "/cx/social-messaging/v1/contents"
IDENTITIES = "/cx/social-messaging/v1/identities"
TOKEN = "/restapi/oauth/token"
CLIENT_SECRET = "client-secret-XYZZY"
JWT = "jwt-credential-PLUGH"

Answer = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """A clock that only moves when someone sleeps; every sleep is recorded."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        # Concurrent sleepers overlap, as on a real clock: time moves to the latest wake-up.
        self.sleeps.append(seconds)
        wake = self.now + seconds
        await asyncio.sleep(0)
        self.now = max(self.now, wake)


def reply(
    status: int = 200,
    payload: Any = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        if content is not None:
            return httpx.Response(status, content=content, headers=headers)
        return httpx.Response(status, json=payload, headers=headers)

    return answer


def fail(exc_type: type[httpx.TransportError], message: str = "") -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return answer


def token_answer(access: str, refresh: str, expires_in: int = 3600) -> Answer:
    return reply(
        200,
        {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": expires_in,
            "refresh_token": refresh,
            "refresh_token_expires_in": 604800,
            "scope": "SocialMessaging",
            "owner_id": "63317565004",
        },
    )


def page(*ids: str, next_token: str | None = None) -> dict[str, Any]:
    paging: dict[str, Any] = {"perPage": len(ids)}
    if next_token:
        paging["nextPageToken"] = next_token
    return {"records": [{"id": i, "status": "New"} for i in ids], "paging": paging}


def form_of(request: httpx.Request) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(request.content.decode()))


@dataclass
class Script:
    """Answers per (method, path) in order; the last answer repeats. Records every request."""

    routes: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    gate: asyncio.Event | None = None

    def on(self, method: str, path: str, *answers: Answer) -> None:
        self.routes[(method, path)] = list(answers)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if (r.method, r.url.path) == (method, path)]

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        answers = self.routes[(request.method, request.url.path)]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer(request)


@dataclass
class Rig:
    script: Script
    time: FakeTime
    http: httpx.AsyncClient
    tokens: list[Token]

    def session(self, token: Token | None = None, **options: Any) -> OAuthSession:
        options.setdefault("jwt", None)
        return OAuthSession(
            SERVER,
            "client-id",
            options.pop("client_secret", CLIENT_SECRET),
            http=self.http,
            token=token,
            on_token=self.tokens.append,
            clock=self.time.clock,
            sleep=self.time.sleep,
            **options,
        )

    def fresh_token(self, access: str = "access-1", ttl: float = 3600) -> Token:
        return Token(
            access_token=access,
            expires_at=self.time.now + ttl,
            refresh_token="refresh-1",
            refresh_expires_at=self.time.now + 604800,
            issued_at=self.time.now,
        )

    def client(self, **options: Any) -> SocialMessagingClient:
        auth = options.pop("auth", None) or self.session(self.fresh_token())
        options.setdefault("rate", RateBudget(clock=self.time.clock, sleep=self.time.sleep))
        return SocialMessagingClient(SERVER, auth, http=self.http, sleep=self.time.sleep, **options)


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    script = Script()
    async with httpx.AsyncClient(transport=httpx.MockTransport(script)) as http:
        yield Rig(script, FakeTime(), http, [])


# ------------------------------------------------------------------------------ rate limits


async def test_429_waits_retry_after_then_retries_exactly_once(rig: Rig) -> None:
    rig.script.on(
        "GET",
        CONTENTS,
        reply(429, {"errors": [{"errorCode": "CMN-301"}]}, headers={"Retry-After": "7"}),
        reply(200, page("a")),
    )
    result = await rig.client().list_contents()
    assert [c.id for c in result.records] == ["a"]
    assert len(rig.script.sent("GET", CONTENTS)) == 2
    assert rig.time.sleeps == [7.0]


async def test_429_without_retry_after_waits_the_full_penalty(rig: Rig) -> None:
    rig.script.on("GET", CONTENTS, reply(429, content=b""), reply(200, page("a")))
    await rig.client().list_contents()
    assert len(rig.time.sleeps) == 1 and rig.time.sleeps[0] >= 30


async def test_repeated_429_sends_one_request_per_penalty_then_gives_up(rig: Rig) -> None:
    rig.script.on("GET", CONTENTS, reply(429, content=b"", headers={"Retry-After": "5"}))
    with pytest.raises(RateLimited):
        await rig.client(max_get_retries=2).list_contents()
    assert len(rig.script.sent("GET", CONTENTS)) == 3
    assert rig.time.sleeps == [5.0, 5.0]


async def test_post_429_is_raised_not_resent_and_blocks_the_next_request(rig: Rig) -> None:
    rig.script.on("POST", CONTENTS, reply(429, content=b"", headers={"Retry-After": "12"}))
    rig.script.on("GET", CONTENTS, reply(200, page("a")))
    client = rig.client()
    with pytest.raises(RateLimited) as refused:
        await client.create_content(CreateContent(body="hi", in_reply_to_content_id="c1"))
    assert refused.value.retry_after == 12.0
    assert len(rig.script.sent("POST", CONTENTS)) == 1
    assert client.rate.snapshot().blocked_for == 12.0
    await client.list_contents()
    assert rig.time.sleeps == [12.0]


async def test_remaining_zero_waits_for_the_window_before_the_next_request(rig: Rig) -> None:
    spent = {
        "X-Rate-Limit-Group": "light",
        "X-Rate-Limit-Limit": "50",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Window": "60",
    }
    rig.script.on("GET", CONTENTS, reply(200, page("a"), headers=spent))
    client = rig.client()
    await client.list_contents()
    state = client.rate.snapshot()
    assert (state.group, state.limit, state.remaining, state.window) == ("light", 50, 0, 60.0)
    await client.list_contents()
    assert rig.time.sleeps == [60.0]


async def test_concurrent_requests_never_spend_more_than_remaining() -> None:
    time = FakeTime()
    budget = RateBudget(clock=time.clock, sleep=time.sleep)
    budget.observe(
        {"X-Rate-Limit-Remaining": "3", "X-Rate-Limit-Limit": "3", "X-Rate-Limit-Window": "10"},
        200,
    )
    granted_at: list[float] = []

    async def one() -> None:
        await budget.wait_turn()
        granted_at.append(time.now)

    await asyncio.gather(*(one() for _ in range(7)))
    start = granted_at[0]
    assert sorted(granted_at) == [start] * 3 + [start + 10] * 3 + [start + 20]


async def test_block_only_ever_grows_and_service_unavailable_retry_after_blocks() -> None:
    time = FakeTime()
    budget = RateBudget(clock=time.clock, sleep=time.sleep)
    budget.block_for(30)
    budget.block_for(5)
    assert budget.snapshot().blocked_for == 30
    budget.observe({"Retry-After": "45"}, 503)
    assert budget.snapshot().blocked_for == 45
    await budget.wait_turn()
    assert time.sleeps == [45.0]
    assert budget.snapshot().blocked_until is None


async def test_fresh_answer_releases_a_waiter_before_the_window_ends() -> None:
    time = FakeTime()
    budget = RateBudget(clock=time.clock, sleep=lambda seconds: asyncio.Event().wait())
    budget.observe({"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Window": "60"}, 200)
    waiter = asyncio.ensure_future(budget.wait_turn())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    budget.observe({"X-Rate-Limit-Remaining": "4", "X-Rate-Limit-Window": "60"}, 200)
    await asyncio.wait_for(waiter, 1)


async def test_an_answer_during_a_penalty_does_not_lift_it() -> None:
    time = FakeTime()
    budget = RateBudget(clock=time.clock, sleep=time.sleep)
    budget.observe({"Retry-After": "60"}, 429)
    budget.observe({"X-Rate-Limit-Remaining": "40"}, 200)
    assert budget.snapshot().blocked_for == 60
    await budget.wait_turn()
    assert time.sleeps == [60.0]


# ------------------------------------------------------------------------------ retries


async def test_server_errors_on_get_are_retried_with_growing_backoff(rig: Rig) -> None:
    rig.script.on(
        "GET", CONTENTS, reply(503, content=b"busy"), reply(500, content=b""), reply(200, page("a"))
    )
    result = await rig.client(backoff=1.0).list_contents()
    assert result.records[0].id == "a"
    assert len(rig.script.sent("GET", CONTENTS)) == 3
    first, second = rig.time.sleeps
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0


async def test_get_gives_up_after_max_retries_with_the_last_error(rig: Rig) -> None:
    rig.script.on("GET", CONTENTS, reply(502, content=b"<html>Bad Gateway</html>"))
    with pytest.raises(ServerError) as failure:
        await rig.client(max_get_retries=3).list_contents()
    assert len(rig.script.sent("GET", CONTENTS)) == 4
    assert "HTTP 502" in str(failure.value)


async def test_truncated_json_is_retried_then_reported_as_malformed(rig: Rig) -> None:
    truncated = reply(200, content=b'{"records": [{"id": "a", "bo', headers={"RCRequestId": "r7"})
    rig.script.on("GET", CONTENTS, truncated)
    with pytest.raises(MalformedResponse) as failure:
        await rig.client(max_get_retries=2).list_contents()
    assert len(rig.script.sent("GET", CONTENTS)) == 3
    assert failure.value.status == 200 and failure.value.request_id == "r7"
    assert "\n" not in str(failure.value)


async def test_truncated_json_once_then_good_answer_succeeds(rig: Rig) -> None:
    rig.script.on("GET", CONTENTS, reply(200, content=b'{"recor'), reply(200, page("a", "b")))
    result = await rig.client().list_contents()
    assert [c.id for c in result.records] == ["a", "b"]


@pytest.mark.parametrize(
    "lost",
    [
        fail(httpx.RemoteProtocolError, "Server disconnected without sending a response."),
        fail(httpx.ReadTimeout),
        fail(httpx.ReadError, "connection reset"),
        fail(httpx.WriteTimeout),
    ],
)
async def test_post_is_never_resent_once_it_may_have_arrived(rig: Rig, lost: Answer) -> None:
    rig.script.on("POST", CONTENTS, lost, reply(201, {"id": "dup"}))
    with pytest.raises(TransportError) as failure:
        await rig.client().create_content(CreateContent(body="once", in_reply_to_content_id="c"))
    assert failure.value.request_sent
    assert len(rig.script.sent("POST", CONTENTS)) == 1
    assert rig.time.sleeps == []


async def test_post_is_retried_when_the_connection_was_never_made(rig: Rig) -> None:
    rig.script.on("POST", CONTENTS, fail(httpx.ConnectError, "refused"), reply(201, {"id": "new"}))
    created = await rig.client().create_content(CreateContent(body="x", channel_id="ch"))
    assert created.id == "new"
    assert len(rig.script.sent("POST", CONTENTS)) == 2


async def test_post_server_error_is_raised_not_resent(rig: Rig) -> None:
    rig.script.on("POST", CONTENTS, reply(500, content=b""), reply(201, {"id": "dup"}))
    with pytest.raises(ServerError):
        await rig.client().create_content(CreateContent(body="x", in_reply_to_content_id="c"))
    assert len(rig.script.sent("POST", CONTENTS)) == 1


async def test_created_content_with_unreadable_body_is_reported_not_resent(rig: Rig) -> None:
    rig.script.on("POST", CONTENTS, reply(201, content=b'{"id": "66a1'))
    with pytest.raises(MalformedResponse) as failure:
        await rig.client().create_content(CreateContent(body="x", in_reply_to_content_id="c"))
    assert failure.value.status == 201
    assert len(rig.script.sent("POST", CONTENTS)) == 1


async def test_unreachable_server_on_get_ends_in_connect_error_after_retries(rig: Rig) -> None:
    rig.script.on("GET", CONTENTS, fail(httpx.ConnectError, "[Errno 111] Connection refused"))
    with pytest.raises(TransportError) as failure:
        await rig.client(max_get_retries=2).list_contents()
    assert not failure.value.request_sent
    assert len(rig.script.sent("GET", CONTENTS)) == 3
    assert "Connection refused" in str(failure.value)


# ------------------------------------------------------------------------------ request shape


async def test_content_filters_use_channel_generation_names(rig: Rig) -> None:
    rig.script.on("GET", CONTENTS, reply(200, page()))
    await rig.client().list_contents(
        channel_ids=["c1", "c2"],
        thread_ids=["t1"],
        author_identity_ids=["i1"],
        author_identity_group_ids=["g1"],
        intervention_ids=["v1"],
        text=["order", "late"],
        status=["New", "Replied"],
        direction=Direction.INCOMING,
        order_by="-lastModifiedTime",
        per_page=50,
        page_token="tok",
    )
    params = rig.script.requests[0].url.params.multi_items()
    assert params == [
        ("channelIds", "c1"),
        ("channelIds", "c2"),
        ("threadIds", "t1"),
        ("authorIdentityIds", "i1"),
        ("authorIdentityGroupIds", "g1"),
        ("interventionIds", "v1"),
        ("text", "order"),
        ("text", "late"),
        ("status", "New"),
        ("status", "Replied"),
        ("contentDirection", "Incoming"),
        ("orderBy", "-lastModifiedTime"),
        ("perPage", "50"),
        ("pageToken", "tok"),
    ]


async def test_content_filters_use_source_generation_names(rig: Rig) -> None:
    rig.script.on("GET", CONTENTS, reply(200, page()))
    await rig.client(naming="source").list_contents(
        channel_ids=["c1"],
        thread_ids=["t1"],
        author_identity_ids=["i1"],
        author_identity_group_ids=["g1"],
        intervention_ids=["v1"],
        text="order",
        status="New",
    )
    params = rig.script.requests[0].url.params.multi_items()
    assert params == [
        ("source", "c1"),
        ("thread", "t1"),
        ("identity", "i1"),
        ("identityGroup", "g1"),
        ("intervention", "v1"),
        ("text", "order"),
        ("status", "New"),
    ]


@pytest.mark.parametrize(
    ("naming", "channel_key"), [("channel", "channelId"), ("source", "sourceId")]
)
async def test_identity_filters_per_generation_with_comma_joined_groups(
    rig: Rig, naming: str, channel_key: str
) -> None:
    rig.script.on("GET", IDENTITIES, reply(200, {"records": [], "paging": {"perPage": 100}}))
    await rig.client(naming=naming).list_identities(
        channel_id="ch", identity_group_ids=["g1", "g2"], identity_type="Agent", user_id="u"
    )
    params = rig.script.requests[0].url.params.multi_items()
    assert params == [
        (channel_key, "ch"),
        ("identityGroupIds", "g1,g2"),
        ("identityType", "Agent"),
        ("userId", "u"),
    ]


@pytest.mark.parametrize(
    ("naming", "channel_key"), [("channel", "channelId"), ("source", "sourceId")]
)
async def test_create_body_and_headers(rig: Rig, naming: str, channel_key: str) -> None:
    rig.script.on("POST", CONTENTS, reply(201, {"id": "n", "status": "UserInitiated"}))
    created = await rig.client(naming=naming).create_content(
        CreateContent(body="Hello", channel_id="ch", public=False)
    )
    assert not created.is_incoming
    request = rig.script.requests[0]
    assert json.loads(request.content) == {"body": "Hello", channel_key: "ch", "public": False}
    assert request.headers["Authorization"] == "Bearer access-1"
    assert request.headers["User-Agent"].startswith("rcinbox/")
    assert request.headers["Content-Type"] == "application/json"


async def test_ids_are_one_escaped_path_segment(rig: Rig) -> None:
    rig.script.on("GET", f"{CONTENTS}/a/b", reply(200, {"id": "wrong"}))
    rig.script.on("GET", f"{CONTENTS}/a%2Fb", reply(200, {"id": "a/b"}))
    client = rig.client()
    await client.get_content("a/b")
    assert rig.script.requests[0].url.raw_path == b"/cx/social-messaging/v1/contents/a%2Fb"
    for bad in ("", " ", ".", ".."):
        with pytest.raises(NotFound):
            await client.get_identity(bad)
    assert len(rig.script.requests) == 1


async def test_paging_follows_next_tokens_and_resends_the_filters(rig: Rig) -> None:
    rig.script.on(
        "GET",
        CONTENTS,
        reply(200, page("a", "b", next_token="p2")),
        reply(200, page("c", next_token="p3")),
        reply(200, page("d")),
    )
    pages = [p async for p in rig.client().iter_content_pages(channel_ids=["ch"], per_page=2)]
    assert [[c.id for c in p.records] for p in pages] == [["a", "b"], ["c"], ["d"]]
    sent = [r.url.params for r in rig.script.requests]
    assert [p.get("pageToken") for p in sent] == [None, "p2", "p3"]
    assert all(p.get_list("channelIds") == ["ch"] and p.get("perPage") == "2" for p in sent)


async def test_paging_stops_at_max_pages(rig: Rig) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        after = int(request.url.params.get("pageToken", "0")) + 1
        return httpx.Response(200, json=page(f"c{after}", next_token=str(after)))

    rig.script.on("GET", CONTENTS, endless)
    pages = [p async for p in rig.client().iter_content_pages(max_pages=3)]
    assert [p.records[0].id for p in pages] == ["c1", "c2", "c3"]
    assert len(rig.script.requests) == 3


async def test_paging_stops_when_the_server_repeats_a_token(rig: Rig) -> None:
    rig.script.on("GET", CONTENTS, reply(200, page("a", next_token="same")))
    assert len([p async for p in rig.client().iter_content_pages()]) == 2
    assert len(rig.script.requests) == 2


async def test_identity_pages_are_followed(rig: Rig) -> None:
    rig.script.on(
        "GET",
        IDENTITIES,
        reply(200, {"records": [{"id": "i1"}], "paging": {"perPage": 1, "nextPageToken": "n"}}),
        reply(200, {"records": [{"id": "i2"}], "paging": {"perPage": 1}}),
    )
    pages = [p async for p in rig.client().iter_identity_pages(per_page=1)]
    assert [p.records[0].id for p in pages] == ["i1", "i2"]


async def test_subscription_lifecycle_requests(rig: Rig) -> None:
    subscription = {
        "id": "sub-1",
        "eventFilters": ["/cx/social-messaging/v1/contents/Imported"],
        "deliveryMode": {"transportType": "WebHook", "address": "https://hook.example/x"},
        "status": "Active",
    }
    rig.script.on("POST", "/restapi/v1.0/subscription", reply(200, subscription))
    rig.script.on("POST", "/restapi/v1.0/subscription/sub-1/renew", reply(200, subscription))
    rig.script.on("GET", "/restapi/v1.0/subscription", reply(200, {"records": [subscription]}))
    rig.script.on("DELETE", "/restapi/v1.0/subscription/sub-1", reply(204, content=b""))
    client = rig.client()
    created = await client.create_subscription(
        ["/cx/social-messaging/v1/contents/Imported"],
        "https://hook.example/x",
        verification_token="v",
        expires_in=604800,
    )
    assert created.address == "https://hook.example/x"
    assert json.loads(rig.script.requests[0].content) == {
        "eventFilters": ["/cx/social-messaging/v1/contents/Imported"],
        "deliveryMode": {
            "transportType": "WebHook",
            "address": "https://hook.example/x",
            "verificationToken": "v",
        },
        "expiresIn": 604800,
    }
    assert (await client.renew_subscription("sub-1")).id == "sub-1"
    assert [s.id for s in await client.list_subscriptions()] == ["sub-1"]
    assert await client.delete_subscription("sub-1") is None


# ------------------------------------------------------------------------------ auth


async def test_expired_token_answer_renews_once_and_resends_even_a_post(rig: Rig) -> None:
    expired = reply(401, {"errors": [{"errorCode": "OAU-128", "message": "Token expired"}]})

    def by_token(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer access-1":
            return expired(request)
        return httpx.Response(201, json={"id": "created"})

    rig.script.on("POST", CONTENTS, by_token)
    rig.script.on("POST", TOKEN, token_answer("access-2", "refresh-2"))
    created = await rig.client().create_content(CreateContent(body="x", channel_id="c"))
    assert created.id == "created"
    assert len(rig.script.sent("POST", CONTENTS)) == 2
    assert len(rig.script.sent("POST", TOKEN)) == 1
    assert form_of(rig.script.sent("POST", TOKEN)[0])["refresh_token"] == "refresh-1"


async def test_second_401_is_raised_as_unauthorized(rig: Rig) -> None:
    rig.script.on("GET", CONTENTS, reply(401, {"errors": [{"errorCode": "OAU-129"}]}))
    rig.script.on("POST", TOKEN, token_answer("access-2", "refresh-2"))
    with pytest.raises(Unauthorized) as failure:
        await rig.client().list_contents()
    assert len(rig.script.sent("GET", CONTENTS)) == 2
    assert failure.value.code == "OAU-129"


async def test_twenty_concurrent_callers_across_expiry_cause_one_refresh(rig: Rig) -> None:
    rig.script.on("POST", TOKEN, token_answer("access-2", "refresh-2"))
    session = rig.session(rig.fresh_token(ttl=3600))
    rig.time.now += 3600
    rig.script.gate = asyncio.Event()
    callers = [asyncio.ensure_future(session.bearer()) for _ in range(20)]
    await asyncio.sleep(0.01)
    rig.script.gate.set()
    tokens = await asyncio.gather(*callers)
    assert tokens == ["access-2"] * 20
    assert len(rig.script.sent("POST", TOKEN)) == 1
    assert [t.refresh_token for t in rig.tokens] == ["refresh-2"]


async def test_refresh_happens_before_expiry_within_the_margin(rig: Rig) -> None:
    rig.script.on("POST", TOKEN, token_answer("access-2", "refresh-2"))
    session = rig.session(rig.fresh_token(ttl=3600), refresh_margin=60)
    rig.time.now += 3530
    assert await session.bearer() == "access-1"
    rig.time.now += 20
    assert await session.bearer() == "access-2"


async def test_rotated_refresh_token_is_the_one_used_next(rig: Rig) -> None:
    rig.script.on(
        "POST",
        TOKEN,
        token_answer("access-2", "refresh-2"),
        token_answer("access-3", "refresh-3"),
    )
    session = rig.session(rig.fresh_token())
    await session.refresh()
    await session.refresh()
    sent = [form_of(r)["refresh_token"] for r in rig.script.sent("POST", TOKEN)]
    assert sent == ["refresh-1", "refresh-2"]
    assert session.token is not None and session.token.refresh_token == "refresh-3"


async def test_invalid_grant_on_refresh_falls_back_to_the_jwt(rig: Rig) -> None:
    rig.script.on(
        "POST",
        TOKEN,
        reply(400, {"error": "invalid_grant", "error_description": "Token is revoked"}),
        token_answer("access-jwt", "refresh-jwt"),
    )
    session = rig.session(rig.fresh_token(ttl=-1), jwt=JWT)
    assert await session.bearer() == "access-jwt"
    grants = [form_of(r)["grant_type"] for r in rig.script.sent("POST", TOKEN)]
    assert grants == ["refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert form_of(rig.script.sent("POST", TOKEN)[1])["assertion"] == JWT


async def test_invalid_grant_without_jwt_asks_to_log_in_again(rig: Rig) -> None:
    rig.script.on(
        "POST", TOKEN, reply(400, {"error": "invalid_grant", "error_description": "expired"})
    )
    session = rig.session(rig.fresh_token(ttl=-1))
    with pytest.raises(InvalidGrant) as failure:
        await session.bearer()
    assert "log in again" in str(failure.value)
    assert len(rig.script.sent("POST", TOKEN)) == 1


async def test_no_token_and_no_jwt_is_invalid_grant_without_a_request(rig: Rig) -> None:
    with pytest.raises(InvalidGrant) as failure:
        await rig.session().bearer()
    assert "HTTP" not in str(failure.value)
    assert rig.script.requests == []


async def test_unauthorized_for_an_already_replaced_token_does_not_refresh(rig: Rig) -> None:
    session = rig.session(rig.fresh_token(access="access-2"))
    await session.on_unauthorized("access-1")
    assert rig.script.requests == []


async def test_jwt_login_uses_basic_client_auth(rig: Rig) -> None:
    rig.script.on("POST", TOKEN, token_answer("access-1", "refresh-1"))
    token = await rig.session().login_jwt(JWT)
    request = rig.script.requests[0]
    expected = base64.b64encode(f"client-id:{CLIENT_SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == {
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "assertion": JWT,
    }
    assert token.owner_id == "63317565004"
    assert token.expires_at == rig.time.now + 3600


async def test_code_exchange_without_secret_sends_client_id_and_verifier(rig: Rig) -> None:
    rig.script.on("POST", TOKEN, token_answer("access-1", "refresh-1"))
    verifier, _ = make_pkce()
    await rig.session(client_secret=None).exchange_code(
        "the-code", "http://localhost:8765/callback", verifier
    )
    request = rig.script.requests[0]
    assert "Authorization" not in request.headers
    assert form_of(request) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "http://localhost:8765/callback",
        "code_verifier": verifier,
        "client_id": "client-id",
    }


def test_pkce_challenge_is_the_s256_of_the_verifier_and_goes_in_the_login_url() -> None:
    verifier, challenge = make_pkce()
    assert 43 <= len(verifier) <= 128
    digest = hashlib.sha256(verifier.encode()).digest()
    assert challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    url = authorize_url(SERVER, "client-id", "http://localhost:1/cb", "st", challenge)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith(f"{SERVER}/restapi/oauth/authorize?")
    assert query == {
        "response_type": "code",
        "client_id": "client-id",
        "redirect_uri": "http://localhost:1/cb",
        "state": "st",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


async def test_token_endpoint_429_honours_retry_after_and_400_is_never_retried(rig: Rig) -> None:
    rig.script.on(
        "POST",
        TOKEN,
        reply(429, content=b"", headers={"Retry-After": "20"}),
        token_answer("access-1", "refresh-1"),
    )
    await rig.session().login_jwt(JWT)
    assert rig.time.sleeps == [20.0]
    rig.script.on("POST", TOKEN, reply(400, {"error": "invalid_request"}))
    with pytest.raises(OAuthError):
        await rig.session().login_jwt(JWT)
    assert len(rig.script.sent("POST", TOKEN)) == 3


async def test_revoke_ignores_errors_and_forgets_the_token(rig: Rig) -> None:
    rig.script.on("POST", "/restapi/oauth/revoke", fail(httpx.ConnectError, "down"))
    session = rig.session(rig.fresh_token())
    await session.revoke()
    assert session.token is None
    assert form_of(rig.script.requests[0]) == {"token": "refresh-1"}


async def test_secrets_never_appear_in_reprs_or_errors(rig: Rig) -> None:
    secrets = [CLIENT_SECRET, JWT, "access-1", "refresh-1"]
    token = rig.fresh_token()
    session = rig.session(token, jwt=JWT)
    texts = [repr(token), str(token), repr(session)]
    rig.script.on(
        "POST",
        TOKEN,
        reply(401, {"error": "invalid_client", "error_description": "Bad client credentials"}),
    )
    with pytest.raises(OAuthError) as refused:
        await session.login_jwt()
    texts.append(str(refused.value))
    rig.script.on("POST", TOKEN, fail(httpx.ReadTimeout))
    with pytest.raises(TransportError) as lost:
        await session.refresh()
    texts.append(str(lost.value))
    rig.script.on("POST", TOKEN, reply(200, content=b"{not json"))
    with pytest.raises(MalformedResponse) as garbled:
        await session.login_jwt()
    texts.append(str(garbled.value))
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_token_storage_round_trip_keeps_every_field() -> None:
    token = Token(
        access_token="a",
        token_type="bearer",
        expires_at=10.0,
        refresh_token="r",
        refresh_expires_at=20.0,
        owner_id="o",
        scope="SocialMessaging",
        endpoint_id="e",
        issued_at=5.0,
    )
    assert Token.from_json(json.loads(json.dumps(token.to_json()))) == token
    with pytest.raises(MalformedResponse):
        Token.from_json({"refresh_token": "r"})


# ------------------------------------------------------------------------------ retry observers


async def test_retry_observers_hear_of_each_retried_failure_until_they_stop(rig: Rig) -> None:
    heard_from_start: list[str] = []
    heard_later: list[str] = []
    client = rig.client(on_retry=lambda error: heard_from_start.append(type(error).__name__))
    stop = client.observe_retries(lambda error: heard_later.append(type(error).__name__))
    rig.script.on(
        "GET", CONTENTS, reply(503, content=b"busy"), reply(500, content=b""), reply(200, page("a"))
    )
    await client.list_contents()
    assert heard_from_start == heard_later == ["ServerError", "ServerError"]
    stop()
    rig.script.on("GET", CONTENTS, reply(503, content=b"busy"), reply(200, page("a")))
    await client.list_contents()
    assert heard_from_start == ["ServerError"] * 3
    assert heard_later == ["ServerError"] * 2
