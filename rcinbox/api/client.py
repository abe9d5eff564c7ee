"""The async client for the five Social Messaging operations and webhook subscriptions.

One instance per account, over one shared ``httpx.AsyncClient``. Every request goes through the
same path: wait for the rate budget, get a bearer token, send, report the answer's rate headers.

Retry rules (what may be sent twice, and what must never be):

* GET, PUT, DELETE and subscription renewals are safe to repeat: 5xx, connect failures, timeouts,
  dropped connections and unreadable (e.g. truncated) JSON are retried with exponential backoff
  and jitter, up to ``max_get_retries`` times, then the last error is raised. A 429 is retried
  after the budget's block has passed: exactly one request per block, because every request
  sent during a penalty restarts it.
* POST /contents (and subscription creation) is **never resent** once it may have reached the
  server. A connect failure (nothing left the machine) is retried; a timeout or dropped
  connection after sending raises ``TransportError(request_sent=True)``: the content may exist,
  and only the caller can look for it. A 429 raises ``RateLimited``: nothing was created, so the
  caller may send again after ``retry_after``. A 5xx raises ``ServerError``: outcome unknown.
* A 401 saying the token expired or is corrupted triggers one token renewal and one resend,
  for POST too: the server refused before doing anything.

Filter names depend on the naming generation (see ``models``); answers are read in both.
This module never logs or raises with a token, secret or JWT in the text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

import httpx

from rcinbox import __version__
from rcinbox.api.auth import OAuthSession
from rcinbox.api.errors import (
    APIError,
    ErrorDetail,
    MalformedResponse,
    NotFound,
    RateLimited,
    RCError,
    ServerError,
    TransportError,
    WaitTooLong,
    error_from_response,
    header_value,
)
from rcinbox.api.filters import CONTENT_FILTERS, IDENTITY_FILTERS, query
from rcinbox.api.models import (
    Content,
    CreateContent,
    Direction,
    Identity,
    Naming,
    Page,
    Subscription,
)
from rcinbox.api.observers import Observers
from rcinbox.api.ratelimit import RateBudget
from rcinbox.api.transport import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, send
from rcinbox.api.waits import announce
from rcinbox.text import one_line

API_PATH = "/cx/social-messaging/v1"
SUBSCRIPTION_PATH = "/restapi/v1.0/subscription"
USER_AGENT = f"rcinbox/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)

# 401 codes meaning "this token is no good any more" (a fresh one may work), as opposed to a
# missing header or a refused client. A 401 without any code is treated the same way.
_RENEW_ON = frozenset({"OAU-128", "OAU-129", "OAU-149", "AGW-402"})

T = TypeVar("T")
log = logging.getLogger(__name__)
# The request log: one line per answer, at INFO, in the log file.
request_log = logging.getLogger("rcinbox.requests")


def new_http_client(**options: Any) -> httpx.AsyncClient:
    """An AsyncClient with rcinbox's timeouts and User-Agent (share one per account); every
    answer it gets is logged (:func:`_log_response`)."""
    options.setdefault("timeout", DEFAULT_TIMEOUT)
    options.setdefault("headers", {"User-Agent": USER_AGENT})
    options.setdefault("event_hooks", {"request": [_mark_start], "response": [_log_response]})
    return httpx.AsyncClient(**options)


async def _mark_start(request: httpx.Request) -> None:
    request.extensions["rcinbox_started"] = time.monotonic()


async def _log_response(response: httpx.Response) -> None:
    """One line per request: method, path, status, duration, RingCentral's request id.

    The path only: a query may hold search words, a body or header may hold a token or a
    customer's text, and neither belongs in a log.
    """
    request = response.request
    started = request.extensions.get("rcinbox_started")
    took = (time.monotonic() - started) * 1000 if isinstance(started, float) else 0.0
    request_log.log(
        logging.WARNING if response.status_code >= 500 else logging.INFO,
        "%s %s -> %d in %.0f ms (RCRequestId %s)",
        request.method,
        request.url.path,
        response.status_code,
        took,
        header_value(response.headers, "RCRequestId") or "-",
    )


class SocialMessagingClient:
    """Contents, identities and webhook subscriptions of one RingCentral account."""

    def __init__(
        self,
        server: str,
        auth: OAuthSession,
        *,
        http: httpx.AsyncClient,
        naming: Naming = "channel",
        rate: RateBudget | None = None,
        max_get_retries: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        on_retry: Callable[[RCError], None] | None = None,
    ) -> None:
        self._server = server.rstrip("/")
        self._auth = auth
        self._http = http
        self._naming: Naming = "source" if naming == "source" else "channel"
        self._rate = rate if rate is not None else RateBudget(sleep=sleep)
        self._max_retries = max(0, max_get_retries)
        self._backoff = backoff
        self._sleep = sleep
        self._timeout = timeout
        # Every request whole within ``deadline`` seconds and no answer over ``max_bytes``
        # (rcinbox.api.transport): a slow or huge server cannot hang or swamp us.
        self._deadline = deadline
        self._max_bytes = max_bytes
        # Told of each failure that will be retried, so a UI can say "offline" at once rather
        # than after the last retry (observe_retries adds one later).
        self._retry_observers: Observers[RCError] = Observers()
        if on_retry is not None:
            self._retry_observers.add(on_retry)

    def observe_retries(self, observer: Callable[[RCError], None]) -> Callable[[], None]:
        """Tell ``observer`` of each failed attempt that will be retried, from now on; returns
        the function that stops telling it (the engine's, when it closes)."""
        return self._retry_observers.add(observer)

    @property
    def rate(self) -> RateBudget:
        return self._rate

    @property
    def auth(self) -> OAuthSession:
        return self._auth

    @property
    def naming(self) -> Naming:
        return self._naming

    # ------------------------------------------------------------------------------ contents

    async def list_contents(
        self,
        *,
        channel_ids: Iterable[str] | None = None,
        thread_ids: Iterable[str] | None = None,
        author_identity_ids: Iterable[str] | None = None,
        author_identity_group_ids: Iterable[str] | None = None,
        intervention_ids: Iterable[str] | None = None,
        text: str | Iterable[str] | None = None,
        status: str | Iterable[str] | None = None,
        direction: Direction | str | None = None,
        order_by: str | None = None,
        per_page: int | None = None,
        page_token: str | None = None,
    ) -> Page[Content]:
        """One page of contents, newest first unless ``order_by`` says otherwise.

        Filters are ANDed; several ``text`` values must all match.
        """
        params = query(
            CONTENT_FILTERS[self._naming],
            channel_ids=channel_ids,
            thread_ids=thread_ids,
            author_identity_ids=author_identity_ids,
            author_identity_group_ids=author_identity_group_ids,
            intervention_ids=intervention_ids,
            text=text,
            status=status,
            direction=direction,
            order_by=order_by,
            per_page=per_page,
            page_token=page_token,
        )
        return await self._call("GET", f"{API_PATH}/contents", params=params, parse=_content_page)

    async def iter_content_pages(
        self, *, max_pages: int | None = None, **filters: Any
    ) -> AsyncIterator[Page[Content]]:
        """Pages of ``list_contents(**filters)``, following ``nextPageToken`` to the end."""
        async for page in _follow(self.list_contents, filters, max_pages):
            yield page

    async def get_content(self, content_id: str) -> Content:
        path = f"{API_PATH}/contents/{_segment(content_id, 'content')}"
        return await self._call("GET", path, parse=Content.from_json)

    async def create_content(self, request: CreateContent) -> Content:
        """Reply or start a discussion. Sent at most once: see the module docstring."""
        return await self._call(
            "POST",
            f"{API_PATH}/contents",
            body=request.to_json(self._naming),
            parse=Content.from_json,
            resend_safe=False,
        )

    # ------------------------------------------------------------------------------ identities

    async def list_identities(
        self,
        *,
        channel_id: str | None = None,
        identity_group_ids: Iterable[str] | None = None,
        identity_type: str | None = None,
        user_id: str | None = None,
        uuid: str | None = None,
        order_by: str | None = None,
        per_page: int | None = None,
        page_token: str | None = None,
    ) -> Page[Identity]:
        params = query(
            IDENTITY_FILTERS[self._naming],
            channel_id=channel_id,
            identity_group_ids=identity_group_ids,
            identity_type=identity_type,
            user_id=user_id,
            uuid=uuid,
            order_by=order_by,
            per_page=per_page,
            page_token=page_token,
        )
        return await self._call(
            "GET", f"{API_PATH}/identities", params=params, parse=_identity_page
        )

    async def iter_identity_pages(
        self, *, max_pages: int | None = None, **filters: Any
    ) -> AsyncIterator[Page[Identity]]:
        """Pages of ``list_identities(**filters)``, following ``nextPageToken`` to the end."""
        async for page in _follow(self.list_identities, filters, max_pages):
            yield page

    async def get_identity(self, identity_id: str) -> Identity:
        path = f"{API_PATH}/identities/{_segment(identity_id, 'identity')}"
        return await self._call("GET", path, parse=Identity.from_json)

    # ------------------------------------------------------------------------------ webhooks

    async def create_subscription(
        self,
        event_filters: Iterable[str],
        address: str,
        *,
        verification_token: str | None = None,
        expires_in: int | None = None,
    ) -> Subscription:
        """Subscribe a WebHook address (sent at most once, like a reply)."""
        body = _subscription_body(event_filters, address, verification_token, expires_in)
        return await self._call(
            "POST", SUBSCRIPTION_PATH, body=body, parse=Subscription.from_json, resend_safe=False
        )

    async def get_subscription(self, subscription_id: str) -> Subscription:
        path = f"{SUBSCRIPTION_PATH}/{_segment(subscription_id, 'subscription')}"
        return await self._call("GET", path, parse=Subscription.from_json)

    async def list_subscriptions(self) -> tuple[Subscription, ...]:
        return await self._call("GET", SUBSCRIPTION_PATH, parse=_subscriptions)

    async def renew_subscription(self, subscription_id: str) -> Subscription:
        path = f"{SUBSCRIPTION_PATH}/{_segment(subscription_id, 'subscription')}/renew"
        return await self._call("POST", path, parse=Subscription.from_json)

    async def update_subscription(
        self,
        subscription_id: str,
        event_filters: Iterable[str],
        address: str,
        verification_token: str | None = None,
        expires_in: int | None = None,
    ) -> Subscription:
        """Replace filters and address (a PUT also renews the subscription)."""
        path = f"{SUBSCRIPTION_PATH}/{_segment(subscription_id, 'subscription')}"
        body = _subscription_body(event_filters, address, verification_token, expires_in)
        return await self._call("PUT", path, body=body, parse=Subscription.from_json)

    async def delete_subscription(self, subscription_id: str) -> None:
        path = f"{SUBSCRIPTION_PATH}/{_segment(subscription_id, 'subscription')}"
        await self._call("DELETE", path, parse=None)

    # ------------------------------------------------------------------------------ transport

    async def _call(
        self,
        method: str,
        path: str,
        *,
        parse: Callable[[Any], Any] | None,
        params: list[tuple[str, str]] | None = None,
        body: dict[str, Any] | None = None,
        resend_safe: bool = True,
    ) -> Any:
        retries = 0
        renewed = False
        while True:
            error: RCError
            await self._rate.wait_turn()
            try:
                token = await self._bearer()
                response = await self._transmit(method, path, params, body, token)
            except TransportError as exc:
                error = exc
                if not exc.request_sent:
                    self._rate.unsent()
            else:
                self._rate.observe(response.headers, response.status_code)
                if response.status_code == 401 and not renewed and _token_refused(response):
                    renewed = True
                    await _before_sending(self._auth.on_unauthorized(token))
                    continue
                try:
                    return _decode(response, parse)
                except (ServerError, RateLimited, MalformedResponse) as exc:
                    error = exc
            if retries >= self._max_retries or not _may_resend(error, resend_safe):
                raise error
            retries += 1
            log.debug("%s %s failed (%s); retry %d", method, path, error, retries)
            self._retry_observers.tell(error)
            if not isinstance(error, RateLimited):
                # A 429 needs no backoff of its own: the budget holds the next try until the
                # penalty has passed.
                pause = self._backoff * 2 ** (retries - 1) * random.uniform(0.5, 1.0)
                await self._back_off(pause, method, path, error)

    async def _back_off(self, pause: float, method: str, path: str, error: RCError) -> None:
        """Wait before a retry; when the process may not wait that long (--wait-limit), the
        failure that made us retry is the one to report, not the wait."""
        try:
            # What went wrong in a word: the whole error is said once, when the retries end.
            announce(pause, f"retrying {method} {path} after {_failure_kind(error)}")
        except WaitTooLong:
            raise error from None
        await self._sleep(pause)

    async def _bearer(self) -> str:
        """The access token for a request about to leave; if there is none (no login server,
        a refused login, cancelled), the request never leaves and its turn is given back."""
        try:
            return await _before_sending(self._auth.bearer())
        except TransportError:
            raise  # the caller gives the turn back with every unsent request
        except BaseException:
            self._rate.unsent()
            raise

    async def _transmit(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]] | None,
        body: dict[str, Any] | None,
        token: str,
    ) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        try:
            return await send(
                self._http,
                method,
                f"{self._server}{path}",
                params=params,
                json=body,
                headers=headers,
                timeout=self._timeout,
                deadline=self._deadline,
                max_bytes=self._max_bytes,
            )
        except (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.UnsupportedProtocol,
            httpx.InvalidURL,
        ) as exc:
            request_log.warning("%s %s -> no connection (%s)", method, path, _why(exc))
            raise TransportError(
                f"Could not connect to the server for {method} {path} ({_why(exc)})",
                request_sent=False,
            ) from exc
        except httpx.HTTPError as exc:
            request_log.warning("%s %s -> no answer (%s)", method, path, _why(exc))
            raise TransportError(_no_answer(method, path, exc), request_sent=True) from exc


async def _before_sending(step: Awaitable[T]) -> T:
    """Run an auth step; its network failure means our own request was never sent."""
    try:
        return await step
    except TransportError as exc:
        raise TransportError(str(exc), request_sent=False) from exc


async def _follow(
    fetch: Callable[..., Awaitable[Page[T]]], filters: dict[str, Any], max_pages: int | None
) -> AsyncIterator[Page[T]]:
    filters = dict(filters)
    token = filters.pop("page_token", None)
    seen: set[str] = set()
    fetched = 0
    while max_pages is None or fetched < max_pages:
        page = await fetch(**filters, page_token=token)
        fetched += 1
        yield page
        token = page.next_page_token
        # A server that hands back a token it gave before would loop us forever.
        if not token or token in seen:
            return
        seen.add(token)


def _segment(value: str, what: str) -> str:
    """An id as one path segment; ids that could change the path are refused before sending."""
    if not isinstance(value, str) or value.strip() in ("", ".", ".."):
        raise NotFound(0, (ErrorDetail(message=f"There is no {what} without an id."),))
    return urllib.parse.quote(value, safe="")


def _decode(response: httpx.Response, parse: Callable[[Any], Any] | None) -> Any:
    status = response.status_code
    if not 200 <= status < 300:
        raise error_from_response(status, response.content, response.headers)
    if parse is None:
        return None
    request_id = header_value(response.headers, "RCRequestId")
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError) as exc:
        raise MalformedResponse(
            "The server sent an unreadable answer (truncated or not JSON)",
            status=status,
            request_id=request_id,
        ) from exc
    try:
        return parse(data)
    except MalformedResponse as exc:
        raise MalformedResponse(str(exc), status=status, request_id=request_id) from exc


def _token_refused(response: httpx.Response) -> bool:
    code = error_from_response(response.status_code, response.content, response.headers).code
    return code is None or code in _RENEW_ON


def _may_resend(error: RCError, resend_safe: bool) -> bool:
    if isinstance(error, TransportError) and not error.request_sent:
        return True
    return resend_safe


def _failure_kind(error: RCError) -> str:
    if isinstance(error, APIError) and error.status:
        return f"HTTP {error.status}"
    if isinstance(error, MalformedResponse):
        return "an unreadable answer"
    if isinstance(error, TransportError):
        return "no answer" if error.request_sent else "no connection"
    return type(error).__name__


def _no_answer(method: str, path: str, exc: Exception) -> str:
    # Only a POST can have created something the caller must look for; a GET changed nothing.
    unknown = "; the server may or may not have acted on it" if method == "POST" else ""
    return f"No answer to {method} {path} ({_why(exc)}){unknown}"


def _why(exc: Exception) -> str:
    text = one_line(str(exc), 120)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _content_page(data: Any) -> Page[Content]:
    return Page.from_json(data, Content.from_json)


def _identity_page(data: Any) -> Page[Identity]:
    return Page.from_json(data, Identity.from_json)


def _subscriptions(data: Any) -> tuple[Subscription, ...]:
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise MalformedResponse("The server sent a subscription list without records")
    return tuple(Subscription.from_json(r) for r in records if isinstance(r, dict))


def _subscription_body(
    event_filters: Iterable[str],
    address: str,
    verification_token: str | None,
    expires_in: int | None,
) -> dict[str, Any]:
    delivery: dict[str, Any] = {"transportType": "WebHook", "address": address}
    if verification_token:
        delivery["verificationToken"] = verification_token
    body: dict[str, Any] = {"eventFilters": list(event_filters), "deliveryMode": delivery}
    if expires_in is not None:
        body["expiresIn"] = expires_in
    return body
