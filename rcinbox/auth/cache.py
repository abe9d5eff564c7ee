"""Cached logins for credentials given each time (flags, ``RCINBOX_*``, config.toml).

RingCentral allows 5 token requests a minute per app. A script that runs ``rcinbox contents``
with credentials from the environment would log in on every run and stall on the sixth; so the
tokens such a login gets are kept exactly like a stored login's (:mod:`rcinbox.auth.store`: a
0600 file in the 0700 data directory, written atomically, renewals under a cross-process lock)
and the next process reuses them.

The file lives in ``data_dir()/cache/<key>/`` where the key is a SHA-256 of the server, the
client id and a SHA-256 of the JWT: another JWT (another user, or a rotated credential) gets
another cache, and the file never holds the JWT or the client secret, which keep coming from
where they came from. An unreadable cache is ignored and replaced: the JWT can always log in
again.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from rcinbox.api.auth import OAuthSession, Token
from rcinbox.auth.store import LoginStore, StoredLogin, newer_token
from rcinbox.config import DEFAULT_PROFILE, ConfigError, Credentials, data_dir

log = logging.getLogger(__name__)

CACHE_DIR = "cache"


def cache_key(credentials: Credentials) -> str:
    """The cache's name: server, client id and the JWT's hash, hashed again."""
    jwt_hash = hashlib.sha256((credentials.jwt or "").encode()).hexdigest()
    material = f"{credentials.server}\n{credentials.client_id}\n{jwt_hash}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


class TokenCache(LoginStore):
    """The token file of one set of credentials (a :class:`LoginStore` in another directory)."""

    def __init__(self, credentials: Credentials, *, base: Path | None = None) -> None:
        super().__init__(DEFAULT_PROFILE, base=base)
        self.credentials = credentials
        self.directory = (data_dir() if base is None else base) / CACHE_DIR / cache_key(credentials)
        self.path = self.directory / "token.json"

    def __repr__(self) -> str:
        return f"TokenCache(server={self.credentials.server!r}, path={str(self.path)!r})"

    def load_token(self) -> Token | None:
        """The cached token, or None (none yet, or unreadable: logging in again fixes it)."""
        try:
            login = self.load()
        except ConfigError as error:
            log.warning("ignoring the cached login: %s", error)
            return None
        if login is None or (login.server, login.client_id) != (
            self.credentials.server,
            self.credentials.client_id,
        ):
            return None
        return login.token

    def save_token(self, token: Token) -> None:
        """Keep ``token`` for the next process; the secrets are never written here."""
        login = StoredLogin(
            profile=self.profile,
            server=self.credentials.server,
            client_id=self.credentials.client_id,
            token=token,
            method="jwt",
            naming=self.credentials.naming,
        )
        try:
            self.save(login)
        except (OSError, ConfigError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            log.warning("could not cache the login: %s", reason)


class CachedSession(OAuthSession):
    """An :class:`OAuthSession` on JWT credentials whose tokens live in a :class:`TokenCache`.

    Every renewal runs under the cache's lock and reads the file first: a token another process
    got meanwhile is adopted, so ten commands in a minute log in once, and a single-use refresh
    token is never spent twice.
    """

    def __init__(self, cache: TokenCache, **options: Any) -> None:
        credentials = cache.credentials
        super().__init__(
            credentials.server,
            credentials.client_id,
            credentials.client_secret,
            jwt=credentials.jwt,
            token=cache.load_token(),
            on_token=cache.save_token,
            **options,
        )
        self._cache = cache

    def __repr__(self) -> str:
        return f"CachedSession(server={self._cache.credentials.server!r})"

    async def _renew(self) -> Token:
        async with self._cache.renewal_lock():
            stored = self._cache.load_token()
            if stored is not None and newer_token(stored, self.token):
                self._token = stored
                if not self._expiring(stored):
                    return stored
            return await super()._renew()

    async def revoke(self) -> None:
        await super().revoke()
        self._cache.delete()
