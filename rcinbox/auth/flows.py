"""The two ways to log in (API.md section 9): JWT bearer, and authorization code with PKCE.

The browser login listens once on ``http://127.0.0.1:PORT/callback`` (the app must have exactly
that redirect URI registered on RingCentral; the emulator accepts any loopback one), shows the
authorize URL, and takes whichever comes first: the browser's redirect to the listener, or the
address the browser ended on (or just the code) pasted by the user, which is how it works over
SSH where the browser runs on another machine. ``state`` is random and checked on both paths; the
PKCE verifier (S256) never leaves this process except to the token endpoint.

No printing here: the caller shows the URL and the problems through callbacks, so the CLI and
the TUI share these flows. Never log or show a token, the client secret or the JWT credential.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from rcinbox.api.auth import OAuthSession, authorize_url, make_pkce
from rcinbox.logins import StoredLogin

CALLBACK_PATH = "/callback"
LOOPBACK_HOST = "127.0.0.1"
# The authorization code itself lives about 60 s; the user may take longer to sign in.
DEFAULT_WAIT = 600.0
_REQUEST_TIMEOUT = 10.0
_CODE = re.compile(r"[A-Za-z0-9._~+/=-]{4,2048}")


class LoginAborted(Exception):
    """The browser login ended without a code: refused, timed out, or the wrong answer."""


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
        self.port = 0

    @property
    def redirect_uri(self) -> str:
        return f"http://{LOOPBACK_HOST}:{self.port}{CALLBACK_PATH}"

    async def start(self, port: int = 0) -> LoopbackListener:
        self._server = await asyncio.start_server(self._handle, LOOPBACK_HOST, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _REQUEST_TIMEOUT)
            status, page = self._answer(head.split(b"\r\n", 1)[0].decode("latin-1"))
            body = _page(page).encode("utf-8")
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
                "Content-Security-Policy: default-src 'none'\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await asyncio.wait_for(writer.drain(), _REQUEST_TIMEOUT)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    def _answer(self, request_line: str) -> tuple[str, str]:
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


def _page(text: str) -> str:
    words = html.escape(text)
    return f"<!doctype html><title>rcinbox</title><p>{words}</p>"


async def jwt_login(
    *,
    profile: str,
    server: str,
    client_id: str,
    client_secret: str,
    jwt: str,
    naming: str,
    http: httpx.AsyncClient,
) -> StoredLogin:
    """Log in with the JWT bearer grant; the login keeps the JWT to log in again unattended."""
    session = OAuthSession(server, client_id, client_secret, http=http, jwt=jwt)
    token = await session.login_jwt()
    return StoredLogin(
        profile=profile,
        server=server,
        client_id=client_id,
        token=token,
        method="jwt",
        naming=naming,
        client_secret=client_secret,
        jwt=jwt,
    )


async def browser_login(
    *,
    profile: str,
    server: str,
    client_id: str,
    client_secret: str | None,
    naming: str,
    http: httpx.AsyncClient,
    show_url: Callable[[str, str], None],
    open_browser: Callable[[str], object] | None = None,
    pasted: asyncio.Queue[str] | None = None,
    tell: Callable[[str], None] = lambda _message: None,
    port: int = 0,
    wait: float = DEFAULT_WAIT,
) -> StoredLogin:
    """Log in through a browser: authorization code with PKCE (S256) via a loopback redirect.

    ``show_url(url, redirect_uri)`` is called once the listener is up; ``pasted`` receives lines
    the user types (a redirect address or a code); ``tell`` hears why a pasted line was refused.
    Raises :class:`LoginAborted` (refused, timed out), :class:`CannotListen`, or the token
    endpoint's errors.
    """
    state = secrets.token_urlsafe(24)
    verifier, challenge = make_pkce()
    answers: asyncio.Queue[RedirectAnswer] = asyncio.Queue()
    try:
        listener = await LoopbackListener(state, answers).start(port)
    except OSError as error:
        raise CannotListen(f"cannot listen on {LOOPBACK_HOST}:{port} ({error.strerror})") from None
    reading = None
    try:
        url = authorize_url(server, client_id, listener.redirect_uri, state, challenge)
        show_url(url, listener.redirect_uri)
        if open_browser is not None:
            open_browser(url)
        if pasted is not None:
            reading = asyncio.ensure_future(_read_pasted(pasted, state, answers, tell))
        try:
            answer = await asyncio.wait_for(answers.get(), wait)
        except TimeoutError:
            raise LoginAborted(f"no login within {wait:.0f} s") from None
    finally:
        if reading is not None:
            reading.cancel()
        await listener.close()
    if answer.error or not answer.code:
        reason = answer.error or "no code"
        detail = f" ({answer.description})" if answer.description else ""
        raise LoginAborted(f"the login was refused: {reason}{detail}")
    session = OAuthSession(server, client_id, client_secret, http=http)
    token = await session.exchange_code(answer.code, listener.redirect_uri, verifier)
    return StoredLogin(
        profile=profile,
        server=server,
        client_id=client_id,
        token=token,
        method="browser",
        naming=naming,
        # A confidential app refreshes with its secret; a public (PKCE-only) one has none.
        client_secret=client_secret,
    )


async def _read_pasted(
    pasted: asyncio.Queue[str],
    state: str,
    answers: asyncio.Queue[RedirectAnswer],
    tell: Callable[[str], None],
) -> None:
    while True:
        answer = parse_pasted(await pasted.get(), state)
        if isinstance(answer, str):
            tell(answer)
        else:
            answers.put_nowait(answer)
            return


async def revoke(login: StoredLogin, http: httpx.AsyncClient) -> None:
    """End a stored login's session on the server; RingCentral advises ignoring revoke errors."""
    session = OAuthSession(
        login.server, login.client_id, login.client_secret, http=http, token=login.token
    )
    await session.revoke()


__all__ = [
    "CALLBACK_PATH",
    "CannotListen",
    "LoginAborted",
    "LoopbackListener",
    "RedirectAnswer",
    "browser_login",
    "jwt_login",
    "parse_pasted",
    "revoke",
]
