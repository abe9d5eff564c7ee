"""Where rcinbox keeps its files, and which account a command talks to.

Credentials come from command-line flags first, then ``RCINBOX_*`` environment variables. The
secrets (client secret, JWT credential) are held here only to hand to the OAuth session; they are
never printed: ``repr`` redacts them. This module never imports Textual: headless commands load it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "rcinbox"

PRODUCTION_SERVER = "https://platform.ringcentral.com"
SANDBOX_SERVER = "https://platform.devtest.ringcentral.com"
SERVER_ALIASES = {"production": PRODUCTION_SERVER, "sandbox": SANDBOX_SERVER}

NAMINGS = ("channel", "source")


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


def data_dir() -> Path:
    """The per-user data directory (``RCINBOX_DATA_DIR`` overrides it)."""
    override = os.environ.get("RCINBOX_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The per-user config directory (``RCINBOX_CONFIG_DIR`` overrides it)."""
    override = os.environ.get("RCINBOX_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def normalise_server(url: str) -> str:
    """Accept ``production``/``sandbox`` or a URL; reject anything that is not http(s)."""
    url = SERVER_ALIASES.get(url.strip().lower(), url.strip())
    if not url.startswith(("http://", "https://")) or not url.split("://", 1)[1]:
        raise ConfigError(f"server must be an http(s) URL or production/sandbox, not {url!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class Credentials:
    """An account to log in to with the JWT bearer grant."""

    server: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    jwt: str | None = field(default=None, repr=False)
    naming: str = "channel"

    @classmethod
    def resolve(
        cls,
        *,
        server: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        jwt: str | None = None,
        naming: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Credentials:
        """Flags win over ``RCINBOX_*`` variables; missing pieces raise ConfigError."""
        env = os.environ if environ is None else environ
        server = server or env.get("RCINBOX_SERVER")
        client_id = client_id or env.get("RCINBOX_CLIENT_ID")
        client_secret = client_secret or env.get("RCINBOX_CLIENT_SECRET")
        jwt = jwt or env.get("RCINBOX_JWT")
        naming = naming or env.get("RCINBOX_NAMING") or "channel"
        missing = [
            flag
            for flag, value in (
                ("--server", server),
                ("--client-id", client_id),
                ("--client-secret", client_secret),
                ("--jwt", jwt),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                "no account: give "
                + ", ".join(missing)
                + " (or RCINBOX_SERVER, RCINBOX_CLIENT_ID, RCINBOX_CLIENT_SECRET, RCINBOX_JWT),"
                " or try --demo"
            )
        if naming not in NAMINGS:
            raise ConfigError(f"naming must be one of {', '.join(NAMINGS)}, not {naming!r}")
        assert server and client_id
        return cls(normalise_server(server), client_id, client_secret, jwt, naming)
