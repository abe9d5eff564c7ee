"""Shared fixtures: emulators on loopback (stopped after each test) and a way to get a token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from rcinbox.emulator import Emulator, EmulatorConfig

CLIENT = ("rcinbox-demo", "rcinbox-demo-secret")
JWT = "rcinbox-demo-jwt"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    """Start emulators with ``EmulatorConfig`` keyword arguments; all are stopped at teardown."""
    started: list[Emulator] = []

    def make(**options: object) -> Emulator:
        emulator = Emulator(EmulatorConfig(**options)).start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    """An emulator with the default configuration (seed 1, 2,000 contents)."""
    return make_emulator()


def fetch_token(emulator: Emulator) -> dict:
    """A token response from the JWT grant with the demo credentials (sync httpx)."""
    response = httpx.post(
        f"{emulator.url}/restapi/oauth/token",
        auth=CLIENT,
        data={"grant_type": JWT_GRANT, "assertion": JWT},
    )
    response.raise_for_status()
    return response.json()


@pytest.fixture
def token_for() -> Callable[[Emulator], dict]:
    """``token_for(emulator)`` gives a fresh token response for that emulator."""
    return fetch_token


@pytest.fixture
def api_for() -> Iterator[Callable[[Emulator], httpx.Client]]:
    """``api_for(emulator)``: a sync client with a bearer token, base URL = the emulator."""
    clients: list[httpx.Client] = []

    def connect(emulator: Emulator) -> httpx.Client:
        token = fetch_token(emulator)["access_token"]
        client = httpx.Client(
            base_url=emulator.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def api(emulator: Emulator, api_for: Callable[[Emulator], httpx.Client]) -> httpx.Client:
    """A sync client for the default emulator."""
    return api_for(emulator)


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After the whole run: no log file any test wrote holds the test secrets."""
    yield
    base = tmp_path_factory.getbasetemp()
    leaks = [
        str(path)
        for path in base.rglob("rcinbox.log*")
        if any(secret in path.read_text(errors="replace") for secret in (JWT, CLIENT[1]))
    ]
    assert not leaks, f"secrets in logs: {leaks}"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test reads or writes the user's real rcinbox data or config."""
    home = tmp_path_factory.mktemp("rcinbox-home")
    monkeypatch.setenv("RCINBOX_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("RCINBOX_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("RCINBOX_LOG_DIR", str(home / "log"))
    for name in ("RCINBOX_SERVER", "RCINBOX_CLIENT_ID", "RCINBOX_CLIENT_SECRET", "RCINBOX_JWT"):
        monkeypatch.delenv(name, raising=False)
    return home


# ------------------------------------------------------------------ the TUI's pilot tests

# Every app logs in once; the emulator's default allows five logins a minute per client.
TUI_LOGINS = 1000


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, Path]]:
    """One emulator and one warm store per test module, for the tests that change nothing on
    the server."""
    from tui_harness import pin_time_zone, warm_store

    pin_time_zone()
    emulator = Emulator(EmulatorConfig(auth_rate_limit=TUI_LOGINS)).start()
    yield emulator, warm_store(emulator, tmp_path_factory.mktemp("store") / "inbox.sqlite3")
    emulator.stop()


@pytest.fixture
def seeded(
    request: pytest.FixtureRequest, shared: tuple[Emulator, Path], tmp_path: Path
) -> Iterator[tuple[Emulator, Path]]:
    """The shared emulator with a fresh copy of the warm store; with ``@server(**EmulatorConfig
    fields)`` (tui_harness) an emulator of its own (the test writes to it or changes how it
    answers), and with ``@server(warm=False)`` an empty store. A test module may define its
    own ``seeded``."""
    from tui_harness import copy_store, warm_store

    if not hasattr(request, "param"):
        emulator, store = shared
        yield emulator, copy_store(store, tmp_path)
        return
    options = dict(request.param)
    warm = options.pop("warm", True)
    options.setdefault("auth_rate_limit", TUI_LOGINS)
    emulator = Emulator(EmulatorConfig(**options)).start()
    store = tmp_path / "inbox.sqlite3"
    yield emulator, warm_store(emulator, store) if warm else store
    emulator.stop()
