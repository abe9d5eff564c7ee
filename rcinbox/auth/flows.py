"""The two ways to log in, JWT bearer and authorization code with PKCE, and logging out.

RingCentral's OAuth guide (developers.ringcentral.com, "Authentication") describes both grants;
the emulator implements them the same way. The browser login listens once on the loopback
(:mod:`rcinbox.auth.loopback`), shows the authorize URL, and takes whichever comes first: the
browser's redirect to the listener, or the address the browser ended on (or just the code)
pasted by the user, which is how it works over SSH where the browser runs on another machine.
``state`` is random and checked on both paths; the PKCE verifier (S256) never leaves this process
except to the token endpoint.

The token endpoint refusing what we gave (a wrong JWT, secret or code: any 4xx but 429) is a
:class:`LoginRefused`, not the :class:`~rcinbox.api.errors.InvalidGrant` a stored login raises
when it has expired: the user's answer differs (check the credentials, not "log in again").

No printing here: the caller shows the URL and the problems through callbacks (today only the
``rcinbox login`` command). Never log or show a token, the client secret or the JWT credential.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from rcinbox.api.auth import OAuthSession, Token, authorize_url, make_pkce
from rcinbox.api.errors import APIError, RateLimited
from rcinbox.auth.keyring_store import for_profile
from rcinbox.auth.loopback import LoopbackListener, RedirectAnswer, parse_pasted
from rcinbox.auth.store import StoredLogin
from rcinbox.config import ConfigError

# The authorization code itself lives about 60 s; the user may take longer to sign in.
DEFAULT_WAIT = 600.0
# Revoking is a courtesy to the server: never let an unreachable one hold up the user.
REVOKE_WAIT = 10.0

T = TypeVar("T")


class LoginFailed(Exception):
    """A login did not happen; ``str()`` says why in one line."""


class LoginAborted(LoginFailed):
    """The browser login ended without a code: refused, timed out, or the wrong answer."""


class LoginRefused(LoginFailed):
    """The token endpoint refused the credentials or the code we gave it."""


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
    token = await _refusal_is_login_refused(session.login_jwt)
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
    Raises :class:`LoginAborted` (refused, timed out), :class:`LoginRefused`,
    :class:`~rcinbox.auth.loopback.CannotListen`, or the token endpoint's other errors.
    """
    state = secrets.token_urlsafe(24)
    verifier, challenge = make_pkce()
    answers: asyncio.Queue[RedirectAnswer] = asyncio.Queue()
    listener = await LoopbackListener(state, answers).start(port)
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
    code = answer.code
    token = await _refusal_is_login_refused(
        lambda: session.exchange_code(code, listener.redirect_uri, verifier)
    )
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


async def _refusal_is_login_refused(request: Callable[[], Awaitable[Token]]) -> Token:
    try:
        return await request()
    except RateLimited:
        raise
    except APIError as error:
        if 400 <= error.status < 500:
            raise LoginRefused(str(error)) from error
        raise


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


async def keep(login: StoredLogin, http: httpx.AsyncClient, *, wait: float = REVOKE_WAIT) -> None:
    """Store a new login for its profile and end the session it replaces.

    Sessions per user and app are limited (usually 5), so the replaced one is revoked; an
    unreadable old token file is simply replaced. OSError when the file cannot be written.
    """
    store = for_profile(login.profile)
    previous = None
    with contextlib.suppress(ConfigError):
        previous = store.load()
    store.save(login)
    if previous is not None:
        await _within(revoke(previous, http), wait)


async def log_out(
    profile: str, http: httpx.AsyncClient, *, wait: float = REVOKE_WAIT
) -> tuple[StoredLogin | None, bool]:
    """Revoke the profile's session on the server and delete its token file.

    Returns the login that was stored (None when there was none, or it was unreadable) and
    whether a file was deleted.
    """
    store = for_profile(profile)
    try:
        login = store.load()
    except ConfigError:
        login = None  # unreadable: nothing to revoke, but it still goes
    if login is not None:
        await _within(revoke(login, http), wait)
    return login, store.delete()


async def _within(work: Awaitable[T], wait: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(work, wait)


__all__ = [
    "DEFAULT_WAIT",
    "LoginAborted",
    "LoginFailed",
    "LoginRefused",
    "browser_login",
    "jwt_login",
    "keep",
    "log_out",
    "revoke",
]
