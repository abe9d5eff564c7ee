"""`rcinbox login` both ways, stored tokens (private, atomic, rotating), logout, whoami, expiry.

Everything runs against the emulator on loopback; the tests play the browser with httpx.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rcinbox.api import InvalidGrant, OAuthSession, SocialMessagingClient, make_pkce
from rcinbox.api import authorize_url as build_authorize_url
from rcinbox.api.client import new_http_client
from rcinbox.auth.flows import browser_login, jwt_login
from rcinbox.auth.loopback import parse_pasted
from rcinbox.auth.session import StoredSession
from rcinbox.auth.store import LoginStore, StoredLogin
from rcinbox.cli.errors import ExitCode
from rcinbox.cli.main import main
from rcinbox.config import ConfigError, data_dir
from rcinbox.emulator import Emulator
from rcinbox.wiring.accounts import resolve_account

RCINBOX = (sys.executable, "-m", "rcinbox")
CLIENT_ID = "rcinbox-demo"
SECRET = "cs-9f2b7e51-not-for-eyes"
JWT = "jwt-4c1d88aa-not-for-eyes"


@pytest.fixture
def server(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator(contents=60, client_secret=SECRET, jwt=JWT, auth_rate_limit=1000)


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run in-process see an empty, non-terminal stdin and never open a browser."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "RCINBOX_PROFILE", "RCINBOX_NAMING"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def jwt_login_argv(emulator: Emulator, *extra: str) -> list[str]:
    return [
        "login",
        "--server",
        emulator.url,
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        SECRET,
        "--jwt",
        JWT,
        *extra,
    ]


def token_file(profile: str = "default"):
    return data_dir() / "profiles" / profile / "token.json"


def stored_json(profile: str = "default") -> dict:
    return json.loads(token_file(profile).read_text())


def refused(emulator: Emulator, refresh_token: str) -> bool:
    """True when the emulator no longer accepts this refresh token."""
    answer = httpx.post(
        f"{emulator.url}/restapi/oauth/token",
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
    )
    return answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


async def log_in_through_browser(emulator: Emulator, profile: str = "default") -> StoredLogin:
    """The PKCE flow in-process, the test playing the browser; stores and returns the login."""
    async with httpx.AsyncClient() as browser, new_http_client() as http:
        visits: list[asyncio.Future[httpx.Response]] = []

        def visit(url: str, redirect_uri: str) -> None:
            visits.append(asyncio.ensure_future(browser.get(url, follow_redirects=True)))

        login = await browser_login(
            profile=profile,
            server=emulator.url,
            client_id=CLIENT_ID,
            client_secret=None,
            naming="channel",
            http=http,
            show_url=visit,
            wait=10,
        )
        page = await visits[0]
    assert page.status_code == 200 and "close this tab" in page.text
    LoginStore(profile).save(login)
    return login


# ---------------------------------------------------------------------------------- JWT


def test_jwt_login_with_every_flag_runs_without_a_prompt(server: Emulator, capsys) -> None:
    code, out, err = run(capsys, *jwt_login_argv(server))
    assert code == 0, err
    assert out.startswith(f"Logged in to {server.url} as owner {server.owner_id} (profile default)")
    assert "token valid until" in out
    saved = stored_json()
    assert saved["method"] == "jwt" and saved["jwt"] == JWT and saved["client_secret"] == SECRET
    assert saved["token"]["owner_id"] == server.owner_id
    # No credentials anywhere but the stored login: commands still work.
    code, out, err = run(capsys, "contents", "--json", "--limit", "3")
    assert code == 0, err
    assert len(json.loads(out)["records"]) == 3


def test_token_file_is_0600_in_a_0700_directory(server: Emulator, capsys) -> None:
    usual = os.umask(0o022)  # what most systems use: the modes must not depend on it
    try:
        assert run(capsys, *jwt_login_argv(server))[0] == 0
    finally:
        os.umask(usual)
    path = token_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["token.json"]


def test_looser_permissions_are_repaired_on_reading(server: Emulator, capsys, caplog) -> None:
    assert run(capsys, *jwt_login_argv(server))[0] == 0
    path = token_file()
    path.chmod(0o644)
    path.parent.chmod(0o755)
    assert LoginStore().load() is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert any("now private" in r.getMessage() for r in caplog.records)


def test_a_token_file_reached_through_a_symlink_is_refused(server: Emulator, capsys) -> None:
    assert run(capsys, *jwt_login_argv(server))[0] == 0
    path = token_file()
    real = path.with_name("elsewhere.json")
    path.rename(real)
    path.symlink_to(real)
    with pytest.raises(ConfigError, match="cannot read the stored login"):
        LoginStore().load()


def test_an_unreadable_token_file_is_one_clear_line(server: Emulator, capsys) -> None:
    assert run(capsys, *jwt_login_argv(server))[0] == 0
    token_file().write_text('{"version": 1, "server": ')
    code, out, err = run(capsys, "contents")
    assert code == ExitCode.CONFIG
    assert out == "" and err.count("\n") == 1
    assert "unreadable" in err and "rcinbox login" in err


def test_jwt_login_without_a_terminal_names_what_is_missing(server: Emulator, capsys) -> None:
    code, out, err = run(capsys, "login", "--server", server.url, "--jwt", JWT)
    assert code == ExitCode.CONFIG
    assert out == "" and err.count("\n") == 1
    assert "--client-id, --client-secret" in err and "RCINBOX_CLIENT_SECRET" in err
    assert not token_file().exists()


def test_jwt_login_asks_for_missing_secrets_without_echo(
    server: Emulator, capsys, monkeypatch
) -> None:
    import getpass

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked: list[str] = []
    answers = {"Client id: ": CLIENT_ID, "Client secret: ": SECRET, "JWT credential: ": JWT}

    def hidden_input(prompt: str, stream=None) -> str:
        asked.append(prompt)
        return answers[prompt]

    monkeypatch.setattr(sys, "stdin", Terminal(""))
    monkeypatch.setattr(getpass, "getpass", hidden_input)
    code, out, err = run(capsys, "login", "--server", server.url, "--jwt")
    assert code == 0, err
    assert asked == ["Client id: ", "Client secret: ", "JWT credential: "]
    assert SECRET not in out + err and JWT not in out + err
    assert stored_json()["jwt"] == JWT


def test_a_wrong_jwt_is_a_login_failure_and_stores_nothing(server: Emulator, capsys) -> None:
    argv = jwt_login_argv(server)
    argv[argv.index(JWT)] = "jwt-that-is-wrong"
    code, _, err = run(capsys, *argv)
    assert code == ExitCode.NOPERM
    assert err.startswith("rcinbox: login failed") and err.count("\n") == 1
    assert "jwt-that-is-wrong" not in err
    assert not token_file().exists()


# ---------------------------------------------------------------------------------- browser (PKCE)


def login_process(emulator: Emulator, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.Popen(
        [
            *RCINBOX,
            "login",
            "--server",
            emulator.url,
            "--client-id",
            CLIENT_ID,
            "--no-browser",
            *extra,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
    )


def printed_url(process: subprocess.Popen) -> str:
    for line in process.stderr:
        if line.startswith("  http"):
            return line.strip()
    raise AssertionError("login printed no address")


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, out, err


def test_browser_login_through_the_loopback_redirect(server: Emulator) -> None:
    process = login_process(server)
    url = printed_url(process)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    assert query["redirect_uri"][0].endswith("/callback")
    page = httpx.get(url, follow_redirects=True)  # the browser: approve, then back to rcinbox
    assert page.status_code == 200 and "close this tab" in page.text
    code, out, err = finish(process)
    assert code == 0, err
    assert out.startswith(f"Logged in to {server.url} as owner {server.owner_id}")
    saved = stored_json()
    assert saved["method"] == "browser" and saved["jwt"] is None
    assert saved["client_secret"] is None


@pytest.mark.parametrize("paste", ["address", "code"])
def test_browser_login_over_ssh_takes_the_pasted_address_or_code(
    server: Emulator, paste: str
) -> None:
    process = login_process(server)
    url = printed_url(process)
    # The browser runs on another machine: its redirect to 127.0.0.1 goes nowhere, and the
    # user copies the address it ended on.
    location = httpx.get(url).headers["Location"]
    typed = location if paste == "address" else parse_qs(urlsplit(location).query)["code"][0]
    process.stdin.write(typed + "\n")
    process.stdin.flush()
    code, out, err = finish(process)
    assert code == 0, err
    assert out.startswith(f"Logged in to {server.url}")
    assert stored_json()["method"] == "browser"


def test_browser_login_opens_the_browser_when_there_is_a_display(
    server: Emulator, capsys, monkeypatch
) -> None:
    import threading
    import webbrowser

    opened: list[str] = []

    def fake_browser(url: str) -> bool:
        opened.append(url)
        threading.Thread(target=httpx.get, args=(url,), kwargs={"follow_redirects": True}).start()
        return True

    monkeypatch.setattr(webbrowser, "open", fake_browser)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    code, out, err = run(capsys, "login", "--server", server.url, "--client-id", CLIENT_ID)
    assert code == 0, err
    assert len(opened) == 1 and opened[0] in err  # the address is printed as well
    assert out.startswith(f"Logged in to {server.url}")


def test_no_browser_is_opened_over_ssh_or_without_a_display() -> None:
    from rcinbox.cli.accounts import use_browser

    display = {"DISPLAY": ":0"}
    assert use_browser(None, display)
    assert not use_browser(None, {**display, "SSH_CONNECTION": "1 2 3 4"})
    assert not use_browser(False, display)
    assert use_browser(True, {"SSH_CONNECTION": "1 2 3 4"})
    if sys.platform.startswith("linux"):
        assert not use_browser(None, {})


def test_a_taken_redirect_port_is_one_clear_line(server: Emulator, capsys) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, out, err = run(
            capsys,
            "login",
            "--server",
            server.url,
            "--client-id",
            CLIENT_ID,
            "--redirect-port",
            port,
        )
    assert code == ExitCode.UNAVAILABLE
    assert out == "" and err.count("\n") == 1 and f"127.0.0.1:{port}" in err


async def test_answers_for_another_login_attempt_are_refused(server: Emulator) -> None:
    pasted: asyncio.Queue[str] = asyncio.Queue()
    told: list[str] = []
    async with httpx.AsyncClient() as browser, new_http_client() as http:

        async def play(url: str) -> None:
            location = (await browser.get(url)).headers["Location"]
            listener = location.split("?")[0]
            forged = location.replace("state=", "state=forged")
            assert (await browser.get(forged)).status_code == 400  # the listener keeps waiting
            assert (await browser.get(listener + "?code=abcdef")).status_code == 400
            pasted.put_nowait(forged)
            pasted.put_nowait("not a code at all!")
            pasted.put_nowait(location)

        playing: list[asyncio.Future[None]] = []
        login = await browser_login(
            profile="default",
            server=server.url,
            client_id=CLIENT_ID,
            client_secret=None,
            naming="channel",
            http=http,
            show_url=lambda url, _: playing.append(asyncio.ensure_future(play(url))),
            pasted=pasted,
            tell=told.append,
            wait=10,
        )
        await playing[0]
    assert login.token.owner_id == server.owner_id
    assert len(told) == 2 and "another login attempt" in told[0]


def test_pasted_answers_are_parsed_strictly() -> None:
    state = "s1"
    answer = parse_pasted("http://127.0.0.1:5/callback?code=abc123&state=s1", state)
    assert not isinstance(answer, str) and answer.code == "abc123"
    assert parse_pasted("code=abc123&state=s1", state).code == "abc123"
    assert parse_pasted("  abc123  ", state).code == "abc123"
    refused_ = parse_pasted("http://127.0.0.1:5/callback?error=access_denied&state=s1", state)
    assert refused_.error == "access_denied" and refused_.code is None
    assert isinstance(parse_pasted("http://x/callback?code=abc&state=other", state), str)
    assert isinstance(parse_pasted("http://x/callback?state=s1", state), str)
    assert isinstance(parse_pasted("", state), str)
    assert isinstance(parse_pasted("\x1b[2J", state), str)


async def test_a_wrong_pkce_verifier_is_refused(server: Emulator) -> None:
    _, challenge = make_pkce()
    redirect_uri = "http://127.0.0.1:9/callback"
    url = build_authorize_url(server.url, CLIENT_ID, redirect_uri, "st", challenge)
    async with httpx.AsyncClient() as browser, new_http_client() as http:
        location = (await browser.get(url)).headers["Location"]
        code = parse_qs(urlsplit(location).query)["code"][0]
        session = OAuthSession(server.url, CLIENT_ID, None, http=http)
        wrong, _ = make_pkce()
        with pytest.raises(InvalidGrant) as failure:
            await session.exchange_code(code, redirect_uri, wrong)
    assert "OAU-150" in str(failure.value)
    assert session.token is None


# ---------------------------------------------------------------------------------- rotation


async def test_every_renewed_token_is_saved_and_the_old_refresh_token_dies(
    make_emulator: Callable[..., Emulator],
) -> None:
    emulator = make_emulator(
        contents=10, access_token_ttl=2, client_secret=SECRET, auth_rate_limit=1000
    )
    first = await log_in_through_browser(emulator)
    store = LoginStore()
    seen = [first.token.refresh_token]
    async with new_http_client() as http:
        session = StoredSession(store, store.load(), http=http)
        for _ in range(2):
            await session.refresh()
            on_disk = store.load().token
            assert on_disk == session.token
            seen.append(on_disk.refresh_token)
    assert len(set(seen)) == 3
    assert refused(emulator, seen[0]) and refused(emulator, seen[1])
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


async def test_a_token_another_process_renewed_is_adopted_not_renewed_again(
    server: Emulator,
) -> None:
    # A browser login has no JWT to fall back on: a second refresh would fail outright.
    await log_in_through_browser(server)
    store = LoginStore()
    async with new_http_client() as http_a, new_http_client() as http_b:
        tui = StoredSession(store, store.load(), http=http_a)
        script = StoredSession(store, store.load(), http=http_b)
        await script.refresh()  # RingCentral ends the TUI's access token at once
        refreshes = server.stats.grants["refresh_token"]
        client = SocialMessagingClient(server.url, tui, http=http_a)
        page = await client.list_contents(per_page=2)
    assert len(page.records) == 2
    assert server.stats.grants["refresh_token"] == refreshes
    assert tui.token == script.token


async def test_a_running_session_takes_up_a_new_login_after_revocation(server: Emulator) -> None:
    # What a re-login screen relies on: save the new login, and the running engine goes on.
    await log_in_through_browser(server)
    store = LoginStore()
    async with new_http_client() as http, httpx.AsyncClient() as browser:
        running = StoredSession(store, store.load(), http=http)
        client = SocialMessagingClient(server.url, running, http=http)
        await client.list_contents(per_page=1)
        await browser.post(
            f"{server.url}/restapi/oauth/revoke",
            data={"token": running.token.access_token, "client_id": CLIENT_ID},
        )
        fresh = await log_in_through_browser(server)
        page = await client.list_contents(per_page=1)
    assert len(page.records) == 1
    assert running.token == fresh.token


async def test_a_profile_logged_out_elsewhere_is_not_brought_back(server: Emulator) -> None:
    # A JWT login could log in again by itself: it must not, once the user logged out.
    async with new_http_client() as http:
        login = await jwt_login(
            profile="default",
            server=server.url,
            client_id=CLIENT_ID,
            client_secret=SECRET,
            jwt=JWT,
            naming="channel",
            http=http,
        )
        store = LoginStore()
        store.save(login)
        session = StoredSession(store, store.load(), http=http)
        store.delete()
        with pytest.raises(InvalidGrant, match="logged out"):
            await session.on_unauthorized(session.token.access_token)
    assert not store.path.exists()
    assert server.stats.grants["urn:ietf:params:oauth:grant-type:jwt-bearer"] == 1


# ---------------------------------------------------------------------------------- expiry


def test_an_expired_refresh_token_ends_a_command_with_the_login_exit_code(
    make_emulator: Callable[..., Emulator], capsys
) -> None:
    emulator = make_emulator(
        contents=10, access_token_ttl=1, refresh_token_ttl=1, auth_rate_limit=1000
    )
    asyncio.run(log_in_through_browser(emulator))
    time.sleep(1.2)  # both lifetimes lapse; nothing is asserted about time
    for argv in (["contents", "--json"], ["sync"]):
        code, out, err = run(capsys, *argv)
        assert code == ExitCode.LOGIN == 67
        assert out == ""
        assert err.startswith("rcinbox: login expired or revoked: run `rcinbox login`")
        assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv", [["contents"], ["sync"], ["identity", "0" * 24]])
def test_a_revoked_login_ends_a_command_with_the_login_exit_code(
    server: Emulator, capsys, argv: list[str]
) -> None:
    login = asyncio.run(log_in_through_browser(server))
    httpx.post(
        f"{server.url}/restapi/oauth/revoke",
        data={"token": login.token.refresh_token, "client_id": CLIENT_ID},
    )
    code, out, err = run(capsys, *argv)
    assert code == ExitCode.LOGIN
    assert out == ""
    assert err.count("\n") == 1 and "rcinbox login" in err and "OAU-211" in err


def test_a_jwt_login_logs_in_again_by_itself_when_revoked(server: Emulator, capsys) -> None:
    assert run(capsys, *jwt_login_argv(server))[0] == 0
    old = stored_json()["token"]
    httpx.post(
        f"{server.url}/restapi/oauth/revoke",
        auth=(CLIENT_ID, SECRET),
        data={"token": old["refresh_token"]},
    )
    code, out, err = run(capsys, "contents", "--json", "--limit", "1")
    assert code == 0, err
    assert len(json.loads(out)["records"]) == 1
    assert stored_json()["token"]["access_token"] != old["access_token"]


# ---------------------------------------------------------------------------------- logout, whoami


def test_logout_revokes_and_deletes_the_login(server: Emulator, capsys) -> None:
    assert run(capsys, *jwt_login_argv(server))[0] == 0
    refresh_token = stored_json()["token"]["refresh_token"]
    code, out, err = run(capsys, "logout")
    assert code == 0, err
    assert out == f"Logged out of {server.url} (profile default)\n"
    assert not token_file().exists()
    assert refused(server, refresh_token)
    code, out, err = run(capsys, "contents")
    assert code == ExitCode.CONFIG
    assert err.count("\n") == 1 and "not logged in (profile default)" in err
    assert run(capsys, "logout")[1] == "Profile default was not logged in\n"


def test_whoami_shows_server_profile_owner_and_expiry(server: Emulator, capsys) -> None:
    assert run(capsys, *jwt_login_argv(server), "--json")[0] == 0
    code, out, err = run(capsys, "whoami")
    assert code == 0, err
    assert f"Server:        {server.url}" in out
    assert "Profile:       default" in out
    assert f"Owner id:      {server.owner_id}" in out
    assert "Access token:  valid until" in out and "Refresh token: valid until" in out
    code, out, _ = run(capsys, "whoami", "--json")
    info = json.loads(out)
    assert info["ownerId"] == server.owner_id and info["method"] == "jwt"
    assert info["accessTokenExpiresAt"].endswith("Z")


def test_whoami_without_a_login_exits_with_the_login_code(capsys) -> None:
    code, out, err = run(capsys, "whoami", "--profile", "nobody")
    assert code == ExitCode.LOGIN
    assert out == ""
    assert err == "rcinbox: not logged in (profile nobody): run `rcinbox login --profile nobody`\n"


def test_profiles_keep_separate_logins(server: Emulator, capsys, monkeypatch) -> None:
    assert run(capsys, *jwt_login_argv(server, "--profile", "work"))[0] == 0
    assert token_file("work").exists() and not token_file().exists()
    assert run(capsys, "contents", "--limit", "1")[0] == ExitCode.CONFIG
    assert run(capsys, "contents", "--limit", "1", "--profile", "work")[0] == 0
    monkeypatch.setenv("RCINBOX_PROFILE", "work")
    assert run(capsys, "contents", "--limit", "1")[0] == 0
    assert json.loads(run(capsys, "whoami", "--json")[1])["profile"] == "work"


def test_a_stored_login_for_another_server_is_not_mixed_with_flags(
    server: Emulator, capsys
) -> None:
    assert run(capsys, *jwt_login_argv(server))[0] == 0
    with pytest.raises(ConfigError, match="is logged in to"):
        resolve_account(server="sandbox")
    account = resolve_account()
    assert account.login is not None and account.credentials.server == server.url


def test_a_new_login_ends_the_session_it_replaces(server: Emulator, capsys) -> None:
    assert run(capsys, *jwt_login_argv(server))[0] == 0
    first = stored_json()["token"]["refresh_token"]
    assert run(capsys, *jwt_login_argv(server))[0] == 0
    assert refused(server, first)
    assert not refused(server, stored_json()["token"]["refresh_token"])


# ---------------------------------------------------------------------------------- secrets


def test_secrets_never_appear_in_output_logs_or_errors(
    server: Emulator, capsys, caplog, monkeypatch
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("RCINBOX_CLIENT_SECRET", SECRET)  # config show sees it too
    seen_tokens: set[str] = set()
    texts: list[str] = []

    def step(*argv: str) -> int:
        code, out, err = run(capsys, *argv)
        texts.extend((out, err))
        if token_file().exists():
            token = stored_json()["token"]
            seen_tokens.update((token["access_token"], token["refresh_token"]))
        return code

    assert step(*jwt_login_argv(server, "--json")) == 0
    assert step("whoami", "--json") == 0
    assert step("whoami") == 0
    assert step("config", "show", "--json") == 0
    assert step("config", "show") == 0
    assert step("contents", "--json", "--limit", "2") == 0
    login = LoginStore().load()
    account = resolve_account()
    texts.extend((repr(login), repr(account), str(account.credentials), repr(login.token)))
    httpx.post(
        f"{server.url}/restapi/oauth/revoke",
        auth=(CLIENT_ID, SECRET),
        data={"token": login.token.refresh_token},
    )
    monkeypatch.delenv("RCINBOX_CLIENT_SECRET")
    assert step("contents", "--json") == 0  # the stored JWT logged in again
    assert step("login", "--server", server.url, "--client-id", CLIENT_ID, "--jwt", "bad") != 0
    assert step("logout") == 0
    assert step("contents") == ExitCode.CONFIG
    texts.extend(record.getMessage() for record in caplog.records)
    texts.extend(str(record.args) for record in caplog.records)
    everything = "\n".join(texts)
    assert len(seen_tokens) >= 4
    for secret in (SECRET, JWT, *seen_tokens):
        assert secret not in everything


# ---------------------------------------------------------------------------------- end to end


def test_login_then_contents_then_logout_against_a_demo_server_process() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("RCINBOX_") or k in ("RCINBOX_DATA_DIR", "RCINBOX_CONFIG_DIR")
    }
    env["PYTHONUNBUFFERED"] = "1"
    demo = subprocess.Popen(
        [*RCINBOX, "demo-server", "--port", "0", "--contents", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )

    def rcinbox_run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*RCINBOX, *argv],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            stdin=subprocess.DEVNULL,
        )

    try:
        url = demo.stdout.readline().split()[-1]
        login = rcinbox_run(
            "login",
            "--server",
            url,
            "--client-id",
            "rcinbox-demo",
            "--client-secret",
            "rcinbox-demo-secret",
            "--jwt",
            "rcinbox-demo-jwt",
        )
        assert login.returncode == 0, login.stderr
        assert login.stdout.startswith(f"Logged in to {url} as owner ")
        contents = rcinbox_run("contents", "--json", "--limit", "3")
        assert contents.returncode == 0, contents.stderr
        assert len(json.loads(contents.stdout)["records"]) == 3
        assert rcinbox_run("logout").returncode == 0
        after = rcinbox_run("contents", "--json")
        assert after.returncode == ExitCode.CONFIG
        assert after.stdout == ""
        assert after.stderr.count("\n") == 1
        assert after.stderr.startswith(
            "rcinbox: not logged in (profile default): run `rcinbox login`"
        )
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=10)


def test_account_modules_never_load_textual() -> None:
    modules = (
        "rcinbox.cli.accounts",
        "rcinbox.auth.store",
        "rcinbox.auth.flows",
        "rcinbox.auth.loopback",
        "rcinbox.notify",
    )
    probe = (
        f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
