"""Profiles and accounts: which server and app a command talks to, and with which secrets.

Account settings come from command-line flags first, then ``RCINBOX_*`` environment variables,
then the profile in config.toml (:meth:`AccountSettings.gather`). The secrets (client secret, JWT
credential) are held only to hand to the OAuth session; they are never printed: reprs redact
them, and :func:`redacted` replaces them with ``***`` for display.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rcinbox.config.commands import secret_from_command
from rcinbox.config.env import account_from_env, profile_from_env
from rcinbox.config.errors import ConfigError
from rcinbox.config.schema import NAMINGS, ProfileConfig

DEFAULT_PROFILE = "default"

PRODUCTION_SERVER = "https://platform.ringcentral.com"
SANDBOX_SERVER = "https://platform.devtest.ringcentral.com"
SERVER_ALIASES = {"production": PRODUCTION_SERVER, "sandbox": SANDBOX_SERVER}

REDACTED = "***"

# A profile name becomes a directory name: no separators, no leading dot.
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def normalise_server(url: str) -> str:
    """Accept ``production``/``sandbox`` or a URL; reject anything that is not http(s)."""
    url = SERVER_ALIASES.get(url.strip().lower(), url.strip())
    if not url.startswith(("http://", "https://")) or not url.split("://", 1)[1]:
        raise ConfigError(f"server must be an http(s) URL or production/sandbox, not {url!r}")
    return url.rstrip("/")


def check_profile_name(name: str) -> str:
    """A profile name is also a directory name: letters, digits, ``.``, ``_``, ``-``."""
    if not _PROFILE_NAME.fullmatch(name):
        raise ConfigError(
            f"profile names use letters, digits, '.', '_' and '-' (at most 64), not {name!r}"
        )
    return name


def selected_profile(flag: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``--profile``, else ``RCINBOX_PROFILE``, else ``default``."""
    env = os.environ if environ is None else environ
    return check_profile_name(flag or profile_from_env(env) or DEFAULT_PROFILE)


def redacted(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every secret that is set replaced by ``***``."""
    return {k: (REDACTED if k in ("client_secret", "jwt") and v else v) for k, v in values.items()}


def without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class AccountSettings:
    """What the flags, ``RCINBOX_*`` variables and the profile's config say; any may be None."""

    server: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    jwt: str | None = field(default=None, repr=False)
    naming: str | None = None

    @classmethod
    def gather(
        cls,
        *,
        server: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        jwt: str | None = None,
        naming: str | None = None,
        profile: ProfileConfig | None = None,
        environ: Mapping[str, str] | None = None,
        run_commands: bool = True,
    ) -> AccountSettings:
        """Flags win over ``RCINBOX_*`` variables, which win over config.toml (where a
        ``client_secret_command`` or ``jwt_command`` runs only when nothing else gave it)."""
        env = account_from_env(os.environ if environ is None else environ)
        profile = profile or ProfileConfig()
        server = server or env["server"] or profile.server
        naming = naming or env["naming"] or profile.naming
        if naming is not None and naming not in NAMINGS:
            raise ConfigError(f"naming must be one of {', '.join(NAMINGS)}, not {naming!r}")
        client_secret = client_secret or env["client_secret"] or profile.client_secret
        if not client_secret and profile.client_secret_command and run_commands:
            client_secret = secret_from_command(
                profile.client_secret_command, "client_secret_command"
            )
        jwt = jwt or env["jwt"]
        if not jwt and profile.jwt_command and run_commands:
            jwt = secret_from_command(profile.jwt_command, "jwt_command")
        return cls(
            server=normalise_server(server) if server else None,
            client_id=client_id or env["client_id"] or profile.client_id,
            client_secret=client_secret,
            jwt=jwt,
            naming=naming,
        )

    def missing(self) -> list[str]:
        """The flags a JWT login still needs."""
        pieces = (
            ("--server", self.server),
            ("--client-id", self.client_id),
            ("--client-secret", self.client_secret),
            ("--jwt", self.jwt),
        )
        return [flag for flag, value in pieces if not value]

    def credentials(self) -> Credentials:
        """Complete JWT credentials, or ConfigError listing what is missing."""
        missing = self.missing()
        if missing:
            raise ConfigError(
                "no account: give "
                + ", ".join(missing)
                + " (or RCINBOX_SERVER, RCINBOX_CLIENT_ID, RCINBOX_CLIENT_SECRET, RCINBOX_JWT),"
                " or try --demo"
            )
        assert self.server and self.client_id
        return Credentials(
            self.server, self.client_id, self.client_secret, self.jwt, self.naming or "channel"
        )

    def public(self) -> dict[str, str]:
        """For display: the settings that are set, secrets replaced by ``***``."""
        return without_none(redacted(dataclasses.asdict(self)))


@dataclass(frozen=True)
class Credentials:
    """An account to log in to with the JWT bearer grant (or a stored login's pieces)."""

    server: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    jwt: str | None = field(default=None, repr=False)
    naming: str = "channel"
