"""RingCentral OAuth for one account: JWT or browser (PKCE) login, refresh, revoke, bearer tokens.

The rules this follows come from RingCentral's auth guide: refresh *before* expiry from the stored
expiry time, refresh from one place only (refresh tokens rotate: each is single-use and its
successor must be kept), honour ``Retry-After`` on 429/503 from the token endpoint, never retry
a 400, and ignore revoke errors. ``bearer()`` is the only thing a request needs: any number of
concurrent callers share one token request (single flight).

Never put the access token, refresh token, client secret or JWT in a message, a log line or a
repr: errors are built from the server's error fields only, and ``Token``/``OAuthSession`` reprs
redact them. Transport failures are not retried here; the API client decides that.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import json
import secrets
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from rcinbox import __version__
from rcinbox.api.errors import (
    InvalidGrant,
    MalformedResponse,
    RateLimited,
    TransportError,
    error_from_response,
    header_value,
    retry_after_seconds,
)
from rcinbox.api.singleflight import SingleFlight
from rcinbox.api.tokens import Token as Token  # where it lived: importers kept
from rcinbox.api.transport import DEFAULT_DEADLINE, send
from rcinbox.api.waits import LOGIN_LIMIT, announce

TOKEN_PATH = "/restapi/oauth/token"
REVOKE_PATH = "/restapi/oauth/revoke"
AUTHORIZE_PATH = "/restapi/oauth/authorize"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

# The token endpoint sits in the "Auth" group (5 requests a minute): a few patient retries.
_TOKEN_RETRIES = 3
# A 503 without Retry-After: a short pause before asking again.
_UNAVAILABLE_WAIT = 5.0
_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def make_pkce() -> tuple[str, str]:
    """A fresh PKCE pair: (code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def authorize_url(
    server: str, client_id: str, redirect_uri: str, state: str, code_challenge: str
) -> str:
    """The browser login URL for the authorization-code flow with PKCE (S256)."""
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{server.rstrip('/')}{AUTHORIZE_PATH}?{query}"


class OAuthSession:
    """The token life cycle of one account; hand ``bearer()`` to every API request."""

    def __init__(
        self,
        server: str,
        client_id: str,
        client_secret: str | None,
        *,
        http: httpx.AsyncClient,
        jwt: str | None = None,
        token: Token | None = None,
        on_token: Callable[[Token], None] | None = None,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 60.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        unavailable_wait: float = _UNAVAILABLE_WAIT,
    ) -> None:
        self._server = server.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = http
        self._jwt = jwt
        self._token = token
        self._on_token = on_token
        self._clock = clock
        # The longest a token request may take in all (rcinbox.api.transport); set by wiring.
        self.deadline = DEFAULT_DEADLINE
        self._refresh_margin = refresh_margin
        self._sleep = sleep
        self._unavailable_wait = unavailable_wait
        # One token request at a time, whoever asks (refresh tokens are single-use), and never
        # cancelled by a caller that gives up: see rcinbox.api.singleflight.
        self._renewal: SingleFlight[Token] = SingleFlight()

    def __repr__(self) -> str:
        return (
            f"OAuthSession(server={self._server!r}, client_id={self._client_id!r}, "
            f"jwt={'set' if self._jwt else 'unset'}, token={self._token!r})"
        )

    @property
    def token(self) -> Token | None:
        return self._token

    async def login_jwt(self, jwt: str | None = None) -> Token:
        """Log in with a JWT credential (kept for logging in again when refresh fails)."""
        if jwt is not None:
            self._jwt = jwt
        if not self._jwt:
            raise _login_required("No JWT credential is configured")
        form = {"grant_type": JWT_GRANT, "assertion": self._jwt}
        return self._store(await self._token_request(form))

    async def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> Token:
        """Finish a browser login: trade the authorization code (with its PKCE verifier)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        return self._store(await self._token_request(form))

    async def refresh(self) -> Token:
        """Trade the refresh token for new tokens (joining a renewal already under way)."""
        return await self._renewal.run(self._refresh_grant)

    async def revoke(self) -> None:
        """End the session on the server; RingCentral advises ignoring any error here."""
        token, self._token = self._token, None
        if token is None:
            return
        form = {"token": token.refresh_token or token.access_token}
        headers, form = self._client_auth(form)
        try:
            await self._http.post(
                f"{self._server}{REVOKE_PATH}", data=form, headers=headers, timeout=_TIMEOUT
            )
        except httpx.HTTPError:
            return

    async def bearer(self) -> str:
        """A valid access token, renewed shortly before it expires."""
        token = self._token
        if token is not None and not self._expiring(token):
            return token.access_token
        return (await self._renewal.run(self._renew)).access_token

    async def on_unauthorized(self, failed_access_token: str) -> None:
        """The server refused ``failed_access_token`` (expired or corrupted): renew it once."""
        if self._renewal.running():
            # A renewal under way: its token is the one to try (joined, not started again).
            await self._renewal.run(self._renew)
            return
        if self._token is not None and self._token.access_token != failed_access_token:
            return
        await self._renewal.run(self._renew)

    def _expiring(self, token: Token) -> bool:
        margin = self._refresh_margin
        if token.issued_at is not None:
            margin = min(margin, max(0.0, token.expires_at - token.issued_at) / 10)
        return self._clock() >= token.expires_at - margin

    async def _renew(self) -> Token:
        token = self._token
        if token is not None and token.refresh_usable(self._clock()):
            try:
                return await self._refresh_grant()
            except InvalidGrant:
                if not self._jwt:
                    raise
        if self._jwt:
            return await self.login_jwt()
        raise _login_required("The login has expired")

    async def _refresh_grant(self) -> Token:
        token = self._token
        if token is None or token.refresh_token is None:
            raise _login_required("There is no refresh token")
        form = {"grant_type": "refresh_token", "refresh_token": token.refresh_token}
        fresh = await self._token_request(form)
        if fresh.refresh_token is None:
            # Some answers leave the refresh token out when it did not rotate: keep ours.
            fresh = dataclasses.replace(
                fresh,
                refresh_token=token.refresh_token,
                refresh_expires_at=token.refresh_expires_at,
            )
        return self._store(fresh)

    def _store(self, token: Token) -> Token:
        self._token = token
        if self._on_token is not None:
            self._on_token(token)
        return token

    def _client_auth(self, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        headers = {"User-Agent": f"rcinbox/{__version__}", "Accept": "application/json"}
        if self._client_secret:
            pair = f"{self._client_id}:{self._client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        else:
            form = {**form, "client_id": self._client_id}
        return headers, form

    async def _token_request(self, form: dict[str, str]) -> Token:
        headers, form = self._client_auth(form)
        url = f"{self._server}{TOKEN_PATH}"
        retries = 0
        while True:
            try:
                response = await send(
                    self._http,
                    "POST",
                    url,
                    data=form,
                    headers=headers,
                    timeout=_TIMEOUT,
                    deadline=self.deadline,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                raise TransportError(
                    f"Could not reach the login server ({type(exc).__name__})", request_sent=False
                ) from exc
            except httpx.HTTPError as exc:
                raise TransportError(
                    f"The login server did not answer ({type(exc).__name__})", request_sent=True
                ) from exc
            status = response.status_code
            if 200 <= status < 300:
                return Token.from_response(self._json(response), self._clock())
            error = error_from_response(status, response.content, response.headers)
            if status not in (429, 503) or retries >= _TOKEN_RETRIES:
                raise error
            retries += 1
            if isinstance(error, RateLimited):
                announce(error.retry_after, LOGIN_LIMIT)
                await self._sleep(error.retry_after)
            else:
                wait = retry_after_seconds(response.headers)
                wait = self._unavailable_wait if wait is None else wait
                announce(wait, "the login server is unavailable (503)")
                await self._sleep(wait)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError) as exc:
            raise MalformedResponse(
                "The login server sent an unreadable answer",
                status=response.status_code,
                request_id=header_value(response.headers, "RCRequestId"),
            ) from exc


def _login_required(reason: str) -> InvalidGrant:
    # Decided here, not by the server: status 0 keeps "HTTP ..." out of the message.
    return InvalidGrant(0, error="invalid_grant", error_description=reason)
