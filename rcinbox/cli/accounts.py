"""``rcinbox login``, ``logout``, ``whoami`` and ``config``: the account commands.

``login`` takes the JWT way when a JWT credential is given (``--jwt``, ``RCINBOX_JWT``) and the
browser way (PKCE through a loopback redirect) otherwise. The server is RingCentral's
production one unless ``--server``, ``RCINBOX_SERVER`` or the profile's config says otherwise.
Missing pieces (client id, secret, JWT) are asked for on a terminal, without echo; with no
terminal the command names what is missing and stops. Messages for the user go to stderr so
that stdout stays clean for ``--json``. Failures are one line and a sysexits code; ``whoami``
for a profile that is not logged in exits with :data:`rcinbox.cli.EXIT_LOGIN` (67), like a
command whose login expired.

Never print a token, the client secret or the JWT credential: ``whoami`` shows the server,
profile, owner and expiry times only, and ``config show`` replaces secrets with ``***``.
Never imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import os
import sys
import webbrowser
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from rcinbox import cli
from rcinbox.api import (
    APIError,
    MalformedResponse,
    RateLimited,
    RCError,
    TransportError,
    new_http_client,
)
from rcinbox.config import (
    PRODUCTION_SERVER,
    AccountSettings,
    Config,
    ConfigError,
    config_path,
    selected_profile,
)
from rcinbox.login_flows import CannotListen, LoginAborted, browser_login, jwt_login, revoke
from rcinbox.logins import LoginStore, StoredLogin, login_command

# Revoking is a courtesy to the server: never let an unreachable one hold up the user.
_REVOKE_WAIT = 10.0


class AccountCommandError(Exception):
    """One line for stderr and the exit code it maps to."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run(args: argparse.Namespace) -> int:
    try:
        if args.command == "config":
            return _config(args)
        if args.command == "login":
            return asyncio.run(_login(args))
        if args.command == "logout":
            return asyncio.run(_logout(args))
        return _whoami(args)
    except AccountCommandError as error:
        message, code = str(error), error.exit_code
    except ConfigError as error:
        message, code = str(error), cli.EXIT_CONFIG
    except LoginAborted as error:
        message, code = f"login failed: {error}", cli.EXIT_NOPERM
    except CannotListen as error:
        message, code = f"{error}; choose another --redirect-port", cli.EXIT_UNAVAILABLE
    except OSError as error:
        # Saving the login (disk full, no permission): say where, never what.
        message = f"cannot write {error.filename or 'the login'}: {error.strerror}"
        code = cli.EXIT_ERROR
    except RCError as error:
        message, code = f"login failed: {error}", _exit_code(error)
    print(f"rcinbox: {message}", file=sys.stderr)
    return code


def _exit_code(error: RCError) -> int:
    if isinstance(error, RateLimited):
        return cli.EXIT_TEMPFAIL
    if isinstance(error, APIError):
        return cli.EXIT_UNAVAILABLE if error.status >= 500 else cli.EXIT_NOPERM
    if isinstance(error, MalformedResponse):
        return cli.EXIT_PROTOCOL
    if isinstance(error, TransportError):
        return cli.EXIT_UNAVAILABLE
    return cli.EXIT_ERROR


# ---------------------------------------------------------------------------------- login


async def _login(args: argparse.Namespace) -> int:
    profile = selected_profile(getattr(args, "profile", None))
    config = Config.load()
    jwt_flag = getattr(args, "jwt", None)
    settings = AccountSettings.gather(
        server=getattr(args, "server", None),
        client_id=getattr(args, "client_id", None),
        client_secret=getattr(args, "client_secret", None),
        jwt=None if jwt_flag == cli.LOGIN_ASK else jwt_flag,
        naming=getattr(args, "naming", None),
        profile=config.profile(profile),
    )
    with_jwt = jwt_flag == cli.LOGIN_ASK or bool(settings.jwt)
    pieces = _complete(settings, with_jwt=with_jwt)
    server, client_id, client_secret, jwt = pieces
    naming = settings.naming or "channel"
    async with new_http_client() as http:
        if jwt is not None:
            assert client_secret is not None
            login = await jwt_login(
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
                login = await browser_login(
                    profile=profile,
                    server=server,
                    client_id=client_id,
                    client_secret=client_secret,
                    naming=naming,
                    http=http,
                    show_url=_show_url,
                    open_browser=_open_browser if _use_browser(args) else None,
                    pasted=pasted,
                    tell=lambda problem: _say(f"rcinbox: {problem}; try again"),
                    port=port,
                )
        store = LoginStore(profile)
        previous = None
        with contextlib.suppress(ConfigError):
            previous = store.load()
        store.save(login)
        if previous is not None:
            # Sessions per user and app are limited (usually 5): end the one this replaces.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(revoke(previous, http), _REVOKE_WAIT)
    if getattr(args, "json", False):
        _print_json(_describe(login))
    else:
        token = login.token
        valid = f"token valid until {_when(token.expires_at)}"
        if token.refresh_expires_at is not None:
            valid += f", renewable until {_when(token.refresh_expires_at)}"
        print(
            f"Logged in to {login.server} as owner {token.owner_id or 'unknown'}"
            f" (profile {profile}); {valid}"
        )
    return cli.EXIT_OK


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
        raise AccountCommandError(
            f"{way} needs {flags} (or {names}); no terminal to ask on", cli.EXIT_CONFIG
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
        raise AccountCommandError(f"a {what} is needed to log in", cli.EXIT_USAGE)
    return value


def _show_url(url: str, redirect_uri: str) -> None:
    _say("Open this address in a browser to log in:")
    _say(f"  {url}")
    _say(
        f"rcinbox is waiting for the browser to come back to {redirect_uri}."
        " If the browser runs on another machine (SSH), paste the address it ends on"
        " (or just the code) here and press Enter."
    )


def _use_browser(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> bool:
    """Open a browser unless told not to, over SSH, or on a Unix without a display."""
    chosen = getattr(args, "browser", None)
    if chosen is not None:
        return bool(chosen)
    env = os.environ if environ is None else environ
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    # Without a display, webbrowser would start a text browser inside this terminal.
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


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
    store = LoginStore(selected_profile(getattr(args, "profile", None)))
    try:
        login = store.load()
    except ConfigError:
        login = None  # unreadable: nothing to revoke, but it still goes
    if login is not None:
        async with new_http_client() as http:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(revoke(login, http), _REVOKE_WAIT)
    removed = store.delete()
    if login is not None:
        print(f"Logged out of {login.server} (profile {store.profile})")
    elif removed:
        print(f"Removed the unreadable login of profile {store.profile}")
    else:
        print(f"Profile {store.profile} was not logged in")
    return cli.EXIT_OK


def _whoami(args: argparse.Namespace) -> int:
    profile = selected_profile(getattr(args, "profile", None))
    login = LoginStore(profile).load()
    if login is None:
        raise AccountCommandError(
            f"not logged in (profile {profile}): run `{login_command(profile)}`", cli.EXIT_LOGIN
        )
    info = _describe(login)
    if args.json:
        _print_json(info)
        return cli.EXIT_OK
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
    for label, value in rows:
        print(f"{label + ':':<15}{value}")
    return cli.EXIT_OK


def _describe(login: StoredLogin) -> dict[str, Any]:
    token = login.token
    return {
        "server": login.server,
        "profile": login.profile,
        "ownerId": token.owner_id,
        "clientId": login.client_id,
        "method": login.method,
        "naming": login.naming,
        "accessTokenExpiresAt": _iso(token.expires_at),
        "refreshTokenExpiresAt": _iso(token.refresh_expires_at),
    }


def _validity(moment: float | None) -> str:
    if moment is None:
        return "expiry unknown"
    passed = " (expired)" if moment <= datetime.now(UTC).timestamp() else ""
    return f"valid until {_when(moment)}{passed}"


def _when(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------- config


def _config(args: argparse.Namespace) -> int:
    if args.action == "path":
        print(config_path())
        return cli.EXIT_OK
    profile = selected_profile(getattr(args, "profile", None))
    config = Config.load()
    data = config.to_dict()
    account = AccountSettings.gather(profile=config.profile(profile)).public()
    if account:
        data["profiles"][profile] = {**data["profiles"].get(profile, {}), **account}
    data = {"profile": profile, **data}
    if args.json:
        _print_json(data)
        return cli.EXIT_OK
    import tomli_w

    exists = "" if config.path.exists() else " (the file does not exist: defaults)"
    print(f"# rcinbox settings in effect: {config.path}{exists}, then RCINBOX_* variables.")
    print("# Secrets are shown as ***.")
    print(tomli_w.dumps(data), end="")
    return cli.EXIT_OK


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
