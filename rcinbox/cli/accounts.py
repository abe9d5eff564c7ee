"""``rcinbox login``, ``logout`` and ``whoami``: the terminal side of :mod:`rcinbox.auth`.

``login`` takes the JWT way when a JWT credential is given (``--jwt``, ``RCINBOX_JWT``) and the
browser way (PKCE through a loopback redirect) otherwise. The server is RingCentral's
production one unless ``--server``, ``RCINBOX_SERVER`` or the profile's config says otherwise.
Missing pieces (client id, secret, JWT) are asked for on a terminal, without echo; with no
terminal the command names what is missing and stops. Messages for the user go to stderr so
that stdout stays clean for ``--json``. ``whoami`` for a profile that is not logged in exits 67,
like a command whose login expired.

Never print a token, the client secret or the JWT credential: ``whoami`` shows the server,
profile, owner and expiry times only. Never imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import sys
import webbrowser
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from rcinbox.api import RCError, new_http_client
from rcinbox.auth import flows
from rcinbox.auth.keyring_store import for_profile
from rcinbox.auth.loopback import CannotListen
from rcinbox.auth.store import StoredLogin, login_command
from rcinbox.cli import aio
from rcinbox.cli.errors import CommandError, ExitCode, exit_code
from rcinbox.cli.output import iso_utc, print_fields, print_json, say, when
from rcinbox.cli.parser import LOGIN_ASK
from rcinbox.config import PRODUCTION_SERVER, AccountSettings, Config, selected_profile


def run(args: argparse.Namespace) -> int:
    if args.command == "login":
        return aio.run(_login(args))
    if args.command == "logout":
        return aio.run(_logout(args))
    return _whoami(args)


# ---------------------------------------------------------------------------------- login


async def _login(args: argparse.Namespace) -> int:
    profile = selected_profile(getattr(args, "profile", None))
    config = Config.load()
    jwt_flag = getattr(args, "jwt", None)
    settings = AccountSettings.gather(
        server=getattr(args, "server", None),
        client_id=getattr(args, "client_id", None),
        client_secret=getattr(args, "client_secret", None),
        jwt=None if jwt_flag == LOGIN_ASK else jwt_flag,
        naming=getattr(args, "naming", None),
        profile=config.profile(profile),
    )
    with_jwt = jwt_flag == LOGIN_ASK or bool(settings.jwt)
    server, client_id, client_secret, jwt = _complete(settings, with_jwt=with_jwt)
    naming = settings.naming or "channel"
    try:
        async with new_http_client() as http:
            if jwt is not None:
                assert client_secret is not None
                login = await flows.jwt_login(
                    profile=profile,
                    server=server,
                    client_id=client_id,
                    client_secret=client_secret,
                    jwt=jwt,
                    naming=naming,
                    http=http,
                )
            else:
                port = getattr(args, "redirect_port", None)
                if port is None:
                    port = config.profile(profile).redirect_port or 0
                with _pasted_lines() as pasted:
                    login = await flows.browser_login(
                        profile=profile,
                        server=server,
                        client_id=client_id,
                        client_secret=client_secret,
                        naming=naming,
                        http=http,
                        show_url=_show_url,
                        open_browser=_open_browser if _use_browser(args) else None,
                        pasted=pasted,
                        tell=lambda problem: say(f"rcinbox: {problem}; try again"),
                        port=port,
                    )
            try:
                await flows.keep(login, http)
            except OSError as error:
                # Saving the login (disk full, no permission): say where, never what.
                raise CommandError(
                    f"cannot write {error.filename or 'the login'}: {error.strerror}",
                    exit_code(error) or ExitCode.ERROR,
                ) from None
    except CannotListen as error:
        raise CommandError(f"{error}; choose another --redirect-port", exit_code(error)) from None
    except RCError as error:
        raise CommandError(f"login failed: {error}", exit_code(error)) from None
    if getattr(args, "json", False):
        print_json(_describe(login))
    else:
        token = login.token
        valid = f"token valid until {when(token.expires_at, seconds=True)}"
        if token.refresh_expires_at is not None:
            valid += f", renewable until {when(token.refresh_expires_at, seconds=True)}"
        print(
            f"Logged in to {login.server} as owner {token.owner_id or 'unknown'}"
            f" (profile {profile}); {valid}"
        )
    return ExitCode.OK


def _complete(
    settings: AccountSettings, *, with_jwt: bool
) -> tuple[str, str, str | None, str | None]:
    """Server (production unless told), client id, client secret, JWT: asked for on a
    terminal, else named as missing."""
    needed = [("--client-id", "RCINBOX_CLIENT_ID", settings.client_id)]
    if with_jwt:
        needed.append(("--client-secret", "RCINBOX_CLIENT_SECRET", settings.client_secret))
        needed.append(("--jwt", "RCINBOX_JWT", settings.jwt))
    missing = [(flag, env) for flag, env, value in needed if not value]
    if missing and not sys.stdin.isatty():
        flags = ", ".join(flag for flag, _ in missing)
        names = ", ".join(env for _, env in missing)
        way = "a JWT login" if with_jwt else "a browser login"
        raise CommandError(
            f"{way} needs {flags} (or {names}); no terminal to ask on", ExitCode.CONFIG
        )
    server = settings.server or PRODUCTION_SERVER
    client_id = settings.client_id or _required(_ask("Client id: "), "client id")
    secret = settings.client_secret
    jwt = None
    if with_jwt:
        secret = secret or _required(_ask("Client secret: "), "client secret")
        jwt = settings.jwt or _required(_ask("JWT credential: "), "JWT credential")
    return server, client_id, secret, jwt


def _ask(prompt: str) -> str:
    """Ask on the terminal without echo (getpass)."""
    try:
        return getpass.getpass(prompt, stream=sys.stderr).strip()
    except EOFError:
        return ""


def _required(value: str, what: str) -> str:
    if not value:
        raise CommandError(f"a {what} is needed to log in", ExitCode.USAGE)
    return value


def _show_url(url: str, redirect_uri: str) -> None:
    say("Open this address in a browser to log in:")
    say(f"  {url}")
    say(
        f"rcinbox is waiting for the browser to come back to {redirect_uri}."
        " If the browser runs on another machine (SSH), paste the address it ends on"
        " (or just the code) here and press Enter."
    )


def use_browser(chosen: bool | None, environ: Mapping[str, str] | None = None) -> bool:
    """Open a browser unless told not to, over SSH, or on a Unix without a display."""
    if chosen is not None:
        return bool(chosen)
    env = os.environ if environ is None else environ
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    # Without a display, webbrowser would start a text browser inside this terminal.
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _use_browser(args: argparse.Namespace) -> bool:
    return use_browser(getattr(args, "browser", None))


def _open_browser(url: str) -> None:
    with contextlib.suppress(webbrowser.Error, OSError):
        webbrowser.open(url)


@contextlib.contextmanager
def _pasted_lines() -> Iterator[asyncio.Queue[str] | None]:
    """Lines typed on stdin while the login waits, read without blocking the event loop."""
    loop = asyncio.get_running_loop()
    try:
        handle = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        yield None
        return
    lines: asyncio.Queue[str] = asyncio.Queue()
    buffer = bytearray()

    def readable() -> None:
        try:
            chunk = os.read(handle, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            loop.remove_reader(handle)
            if buffer:
                lines.put_nowait(buffer.decode("utf-8", "replace"))
                buffer.clear()
            return
        buffer.extend(chunk)
        while b"\n" in buffer:
            line, _, rest = bytes(buffer).partition(b"\n")
            buffer[:] = rest
            lines.put_nowait(line.decode("utf-8", "replace"))

    try:
        # Regular files and /dev/null cannot be watched: then only the browser can answer.
        loop.add_reader(handle, readable)
    except (OSError, ValueError, NotImplementedError):
        yield None
        return
    try:
        yield lines
    finally:
        loop.remove_reader(handle)


# ---------------------------------------------------------------------------------- logout, whoami


async def _logout(args: argparse.Namespace) -> int:
    profile = selected_profile(getattr(args, "profile", None))
    async with new_http_client() as http:
        login, removed = await flows.log_out(profile, http)
    if login is not None:
        print(f"Logged out of {login.server} (profile {profile})")
    elif removed:
        print(f"Removed the unreadable login of profile {profile}")
    else:
        print(f"Profile {profile} was not logged in")
    return ExitCode.OK


def _whoami(args: argparse.Namespace) -> int:
    profile = selected_profile(getattr(args, "profile", None))
    login = for_profile(profile).load()
    if login is None:
        raise CommandError(
            f"not logged in (profile {profile}): run `{login_command(profile)}`", ExitCode.LOGIN
        )
    if args.json:
        print_json(_describe(login))
        return ExitCode.OK
    token = login.token
    rows = (
        ("Server", login.server),
        ("Profile", login.profile),
        ("Owner id", token.owner_id or "unknown"),
        ("Client id", login.client_id),
        ("Login", "JWT credential" if login.method == "jwt" else "browser (PKCE)"),
        ("Access token", _validity(token.expires_at)),
        ("Refresh token", _validity(token.refresh_expires_at)),
    )
    print_fields(rows, width=15)
    return ExitCode.OK


def _describe(login: StoredLogin) -> dict[str, Any]:
    token = login.token
    return {
        "server": login.server,
        "profile": login.profile,
        "ownerId": token.owner_id,
        "clientId": login.client_id,
        "method": login.method,
        "naming": login.naming,
        "accessTokenExpiresAt": iso_utc(token.expires_at),
        "refreshTokenExpiresAt": iso_utc(token.refresh_expires_at),
    }


def _validity(moment: float | None) -> str:
    if moment is None:
        return "expiry unknown"
    passed = " (expired)" if moment <= datetime.now(UTC).timestamp() else ""
    return f"valid until {when(moment, seconds=True)}{passed}"
