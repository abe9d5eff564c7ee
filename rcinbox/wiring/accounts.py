"""Builds one account's pieces (HTTP client, OAuth, API client, store, engine) for any UI.

The TUI and the headless commands both get their :class:`~rcinbox.inbox.engine.Inbox` here, so
they share one way of logging in, one store location and one shutdown order (drafts written,
background work stopped, store closed, connections closed). Never imports Textual.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from rcinbox.api import OAuthSession, SocialMessagingClient, new_http_client
from rcinbox.config import (
    DEFAULT_PROFILE,
    AccountSettings,
    Config,
    ConfigError,
    Credentials,
    data_dir,
    selected_profile,
)
from rcinbox.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rcinbox.inbox.engine import EngineSettings, Inbox
from rcinbox.inbox.store import Store
from rcinbox.logins import LoginStore, StoredLogin, login_command


@dataclass(frozen=True)
class Account:
    """Who to log in as and where that account's local store lives.

    ``login`` is the profile's stored login when the account comes from ``rcinbox login``
    (its tokens are then renewed in, and shared through, the profile's token file).
    """

    credentials: Credentials
    store_path: Path
    demo: bool = False
    profile: str = DEFAULT_PROFILE
    login: StoredLogin | None = None


def resolve_account(
    *,
    server: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    jwt: str | None = None,
    naming: str | None = None,
    profile: str | None = None,
    config: Config | None = None,
) -> Account:
    """The account a command talks to: complete flags/``RCINBOX_*``/config credentials win,
    else the stored login of the profile, else ConfigError saying how to log in."""
    profile = selected_profile(profile)
    config = Config.load() if config is None else config
    settings = AccountSettings.gather(
        server=server,
        client_id=client_id,
        client_secret=client_secret,
        jwt=jwt,
        naming=naming,
        profile=config.profile(profile),
    )
    if not settings.missing():
        credentials = settings.credentials()
        return Account(credentials, store_path_for(credentials, profile), profile=profile)
    login = LoginStore(profile).load()
    if login is None:
        raise ConfigError(
            f"not logged in (profile {profile}): run `{login_command(profile)}`, or give "
            + ", ".join(settings.missing())
            + " (or RCINBOX_SERVER, RCINBOX_CLIENT_ID, RCINBOX_CLIENT_SECRET, RCINBOX_JWT),"
            " or try --demo"
        )
    for given, stored in ((settings.server, login.server), (settings.client_id, login.client_id)):
        if given is not None and given != stored:
            raise ConfigError(
                f"profile {profile} is logged in to {login.server} with client id"
                f" {login.client_id}, not {given}: log in again with `{login_command(profile)}`,"
                " or choose another --profile"
            )
    credentials = Credentials(
        login.server,
        login.client_id,
        login.client_secret,
        login.jwt,
        settings.naming or login.naming,
    )
    return Account(credentials, store_path_for(credentials, profile), profile=profile, login=login)


def store_path_for(credentials: Credentials, profile: str = "default") -> Path:
    """One database per profile and account: switching servers never mixes two inboxes."""
    key = hashlib.sha256(f"{credentials.server}\n{credentials.client_id}".encode()).hexdigest()
    return data_dir() / "profiles" / profile / f"inbox-{key[:12]}.sqlite3"


@contextlib.contextmanager
def demo_account(
    *, naming: str | None = None, inbound_every: float | None = None
) -> Iterator[Account]:
    """Start the emulator in this process on a free loopback port, with a throwaway data dir."""
    from rcinbox.cli import demo_now
    from rcinbox.emulator import Emulator, EmulatorConfig

    config = EmulatorConfig(now=demo_now(), inbound_every=inbound_every)
    with (
        tempfile.TemporaryDirectory(prefix="rcinbox-demo-") as scratch,
        Emulator(config).start() as emulator,
    ):
        credentials = Credentials(
            emulator.url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT, naming or "channel"
        )
        yield Account(credentials, Path(scratch) / "inbox.sqlite3", demo=True)


@contextlib.asynccontextmanager
async def api_client(
    credentials: Credentials, *, login: StoredLogin | None = None
) -> AsyncIterator[SocialMessagingClient]:
    """An API client logged in lazily with the account's JWT (the first request logs in), or
    on a stored login whose renewed tokens are saved back to its profile."""
    # Loading the CA bundle costs ~30 ms before the first paint; a plain-HTTP server (the
    # emulator on loopback) never uses it. HTTPS servers are always verified.
    plain_http = credentials.server.startswith("http://")
    async with new_http_client(**({"verify": False} if plain_http else {})) as http:
        if login is not None:
            auth: OAuthSession = LoginStore(login.profile).session(login, http=http)
        else:
            auth = OAuthSession(
                credentials.server,
                credentials.client_id,
                credentials.client_secret,
                http=http,
                jwt=credentials.jwt,
            )
        yield SocialMessagingClient(credentials.server, auth, http=http, naming=credentials.naming)


@contextlib.asynccontextmanager
async def open_inbox(
    account: Account, *, settings: EngineSettings | None = None
) -> AsyncIterator[Inbox]:
    """The account's engine, not yet started; closed in the right order on the way out."""
    async with api_client(account.credentials, login=account.login) as client:
        store = Store.open(account.store_path)
        auth = client.auth
        inbox = Inbox(
            store=store,
            client=client,
            owner_id=lambda: auth.token.owner_id if auth.token else None,
            settings=settings,
        )
        try:
            yield inbox
        finally:
            try:
                await inbox.close()
            finally:
                store.close()
