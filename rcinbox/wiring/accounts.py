"""Options and config in, an :class:`Account` out: who to log in as and where its store lives.

The command line's account options (or none: the TUI's start) become an :class:`AccountOptions`;
:func:`account_for` turns them, with ``config.toml``, ``RCINBOX_*`` and the profile's stored
login, into the :class:`Account` every UI opens its inbox on (:mod:`rcinbox.wiring.inbox`).
With ``--demo`` the account is the demo server's (:mod:`rcinbox.wiring.demo`). Never imports
Textual.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rcinbox.config import (
    DEFAULT_PROFILE,
    AccountSettings,
    Config,
    ConfigError,
    Credentials,
    LimitsConfig,
    data_dir,
    selected_profile,
)
from rcinbox.wiring.demo import DemoServer

if TYPE_CHECKING:
    from rcinbox.auth.store import StoredLogin


@dataclass(frozen=True)
class AccountOptions:
    """What the command line says about the account; None where it says nothing."""

    server: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    jwt: str | None = None
    naming: str | None = None
    profile: str | None = None
    demo: bool = False

    def __repr__(self) -> str:
        # The secrets never reach a log or a traceback.
        return (
            f"AccountOptions(server={self.server!r}, client_id={self.client_id!r},"
            f" naming={self.naming!r}, profile={self.profile!r}, demo={self.demo})"
        )


MIB = 1024 * 1024


@dataclass(frozen=True)
class Account:
    """Who to log in as and where that account's local store lives.

    ``login`` is the profile's stored login when the account comes from ``rcinbox login``
    (its tokens are then renewed in, and shared through, the profile's token file). Otherwise
    ``cache_tokens`` says the credentials' tokens are kept in a token cache for the next process
    (:mod:`rcinbox.auth.cache`); the demo's server is gone with the process, so it has none.
    """

    credentials: Credentials
    store_path: Path
    demo: bool = False
    profile: str = DEFAULT_PROFILE
    login: StoredLogin | None = None
    cache_tokens: bool = False
    # The largest answer taken from the server ([limits] response_mib).
    max_response_bytes: int = LimitsConfig.response_mib * MIB
    # The longest one request may take in all ([limits] request_seconds).
    request_deadline: float = LimitsConfig.request_seconds
    # The largest attachment downloaded ([limits] attachment_mib).
    max_attachment_bytes: int = LimitsConfig.attachment_mib * MIB


@contextlib.contextmanager
def account_for(
    options: AccountOptions, *, config: Config | None = None, inbound_every: float | None = None
) -> Iterator[Account]:
    """The account the options name; with ``demo``, a demo server's, stopped on the way out."""
    if options.demo:
        with DemoServer(inbound_every=inbound_every) as server:
            yield demo_account(server, naming=options.naming)
        return
    yield resolve_account(
        server=options.server,
        client_id=options.client_id,
        client_secret=options.client_secret,
        jwt=options.jwt,
        naming=options.naming,
        profile=options.profile,
        config=config,
    )


def demo_account(server: DemoServer, *, naming: str | None = None) -> Account:
    """The account of a started demo server (waits until it listens; DemoError if it cannot)."""
    return Account(server.credentials(naming=naming), server.store_path, demo=True)


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
        return Account(
            credentials,
            store_path_for(credentials, profile),
            profile=profile,
            cache_tokens=True,
            **_limits(config),
        )
    # Only a stored login needs the token stores (and the OAuth code under them): credentials
    # given in full open the inbox without loading them.
    from rcinbox.auth.keyring_store import for_profile
    from rcinbox.auth.store import login_command

    login = for_profile(profile, token_store=config.profile(profile).token_store).load()
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
    return Account(
        credentials,
        store_path_for(credentials, profile),
        profile=profile,
        login=login,
        **_limits(config),
    )


def _limits(config: Config) -> dict[str, Any]:
    """The ``[limits]`` section as the Account's arguments, whichever way it logs in."""
    return {
        "max_response_bytes": config.limits.response_mib * MIB,
        "request_deadline": config.limits.request_seconds,
        "max_attachment_bytes": config.limits.attachment_mib * MIB,
    }


def store_path_for(credentials: Credentials, profile: str = DEFAULT_PROFILE) -> Path:
    """One database per profile and account: switching servers never mixes two inboxes."""
    key = hashlib.sha256(f"{credentials.server}\n{credentials.client_id}".encode()).hexdigest()
    return data_dir() / "profiles" / profile / f"inbox-{key[:12]}.sqlite3"
