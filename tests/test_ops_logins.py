"""Cached logins for credentials from the environment, announced waits, and the log file."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import stat
import time
from collections.abc import Callable
from pathlib import Path

from rcinbox.api.client import new_http_client
from rcinbox.auth.cache import CachedSession, TokenCache
from rcinbox.cli.errors import ExitCode
from rcinbox.config import Credentials, log_dir
from rcinbox.emulator import Emulator
from tests.cli_helpers import JWT, SECRET, run, use

TOKEN_GRANTS = ("urn:ietf:params:oauth:grant-type:jwt-bearer", "refresh_token")


def token_requests(emulator: Emulator) -> int:
    return emulator.stats.requests.get("POST /oauth/token", 0)


def test_ten_commands_log_in_once(emulator: Emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    for _ in range(10):
        code, _, err = run(capsys, "contents", "--limit", "1")
        assert code == 0, err
    assert token_requests(emulator) == 1
    assert sum(emulator.stats.grants.values()) == 1


def test_the_token_cache_is_private_and_holds_no_secret(emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    assert run(capsys, "contents", "--limit", "1")[0] == 0
    cache = TokenCache(Credentials(emulator.url, "rcinbox-demo", SECRET, JWT))
    assert cache.path.exists()
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.directory.stat().st_mode) == 0o700
    text = cache.path.read_text()
    assert JWT not in text and SECRET not in text
    assert json.loads(text)["jwt"] is None
    # Another JWT is another cache: its process logs in for itself.
    other = TokenCache(Credentials(emulator.url, "rcinbox-demo", SECRET, "another-jwt"))
    assert other.path != cache.path and not other.path.exists()


def test_a_cache_that_is_unreadable_is_replaced(emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    cache = TokenCache(Credentials(emulator.url, "rcinbox-demo", SECRET, JWT))
    cache.directory.mkdir(parents=True, mode=0o700)
    cache.path.write_text("{not json")
    cache.path.chmod(0o600)
    code, _, err = run(capsys, "contents", "--limit", "1")
    assert code == 0, err
    assert cache.load_token() is not None


def test_a_refused_cached_token_is_renewed_with_its_refresh_token(
    emulator, capsys, monkeypatch
) -> None:
    use(monkeypatch, emulator.url)
    assert run(capsys, "contents", "--limit", "1")[0] == 0
    cache = TokenCache(Credentials(emulator.url, "rcinbox-demo", SECRET, JWT))
    held = cache.load_token()
    assert held is not None
    cache.save_token(dataclasses.replace(held, access_token="no-longer-valid"))
    code, _, err = run(capsys, "contents", "--limit", "1")
    assert code == 0, err
    renewed = cache.load_token()
    assert renewed is not None and renewed.access_token not in (
        "no-longer-valid",
        held.access_token,
    )
    assert emulator.stats.grants["refresh_token"] == 1


def test_the_login_limit_wait_is_said_once(
    make_emulator: Callable[..., Emulator], capsys, monkeypatch, token_for
) -> None:
    emulator = make_emulator(auth_rate_limit=1, rate_window=2.0, penalty=2.0)
    token_for(emulator)  # spends the Auth group's one request of this window
    use(monkeypatch, emulator.url)
    code, _, err = run(capsys, "contents", "--limit", "1")
    assert code == 0, err
    waits = [line for line in err.splitlines() if "waiting" in line]
    assert waits == ["rcinbox: waiting 2 s: RingCentral's login limit (5 a minute)"]


def all_logs() -> str:
    return "".join(
        path.read_text(errors="replace") for path in Path(log_dir()).glob("rcinbox.log*")
    )


def test_the_log_has_each_request_and_no_secret(emulator: Emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    reply_text = "a private reply no log may hold"
    _, out, _ = run(capsys, "contents", "--json", "--limit", "1", "--direction", "incoming")
    customer = json.loads(out)["records"][0]
    assert run(capsys, "--debug", "reply", customer["id"], reply_text)[0] == 0
    assert run(capsys, "-v", "sync")[0] == 0
    code, _, err = run(capsys, "--debug", "thread", "no-such-thread")
    assert run(capsys, "--debug", "identity", "no-such-identity")[0] == ExitCode.NOT_FOUND
    cache = TokenCache(Credentials(emulator.url, "rcinbox-demo", SECRET, JWT))
    token = cache.load_token()
    assert token is not None and token.refresh_token
    logs = all_logs()
    assert "GET /cx/social-messaging/v1/contents -> 200" in logs
    assert "POST /cx/social-messaging/v1/contents -> 201" in logs
    assert "-> 404" in logs and "RCRequestId " in logs
    assert "ERROR rcinbox.cli.main: thread failed (exit 66): " in logs
    for secret in (SECRET, JWT, token.access_token, token.refresh_token, reply_text):
        assert secret not in logs
    assert code == ExitCode.NOT_FOUND, err


async def test_sessions_renewing_at_once_spend_one_refresh_token_once(emulator: Emulator) -> None:
    credentials = Credentials(emulator.url, "rcinbox-demo", SECRET, JWT)
    cache = TokenCache(credentials)
    async with new_http_client() as http:
        first = CachedSession(cache, http=http)
        await first.bearer()
    held = cache.load_token()
    assert held is not None
    # Expired for everyone at once. Each session stands for a process: its own HTTP client and
    # its own descriptor on the lock file (flock locks those apart even within one process).
    expired = dataclasses.replace(held, expires_at=time.time() - 10, issued_at=time.time() - 3600)
    cache.save_token(expired)
    clients = [new_http_client() for _ in range(4)]
    try:
        sessions = [CachedSession(TokenCache(credentials), http=client) for client in clients]
        tokens = await asyncio.gather(*(session.bearer() for session in sessions))
    finally:
        for client in clients:
            await client.aclose()
    assert len(set(tokens)) == 1 and tokens[0] != held.access_token
    grants = emulator.stats.grants
    # A refresh token spent twice is refused, and the loser would log in with the JWT again.
    assert grants["refresh_token"] == 1
    assert grants["urn:ietf:params:oauth:grant-type:jwt-bearer"] == 1


def test_the_tui_logs_only_to_the_file(capsys) -> None:
    import logging

    from rcinbox.wiring import logs

    logs.setup(terminal=False, secrets=frozenset({"a-secret-value"}))
    try:
        logging.getLogger("rcinbox.inbox.sync").warning("sync failed: with a-secret-value")
        logging.getLogger("rcinbox.tui").error("something for the file")
    finally:
        logs.remove()
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    text = all_logs()
    assert "sync failed: with ***" in text and "something for the file" in text
    assert "a-secret-value" not in text
    assert stat.S_IMODE((Path(log_dir()) / "rcinbox.log").stat().st_mode) == 0o600
