"""A stored login's OAuth session: renewals saved to the profile's token file, serialised across
rcinbox processes. Apart from :mod:`rcinbox.auth.store` because it renews over HTTP: reading a
stored login (what a start needs) does not load the HTTP client."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from rcinbox.api.auth import OAuthSession
from rcinbox.api.errors import InvalidGrant, RCError
from rcinbox.api.tokens import Token
from rcinbox.auth.store import LoginStore, StoredLogin, newer_token
from rcinbox.config import ConfigError

log = logging.getLogger(__name__)


class StoredSession(OAuthSession):
    """An :class:`OAuthSession` whose token lives in a profile's token file.

    Every renewal runs under the profile's lock and first reads the file: a token another process
    already renewed is adopted instead of spending a refresh token that is used up (RingCentral
    also ends the old access token at once). A profile logged out elsewhere is not brought back.
    This overrides ``OAuthSession._renew``, the one place the base class renews from.
    """

    def __init__(self, store: LoginStore, login: StoredLogin, **options: Any) -> None:
        super().__init__(
            login.server,
            login.client_id,
            login.client_secret,
            jwt=login.jwt,
            token=login.token,
            on_token=self._persist,
            **options,
        )
        self._login_store = store
        self._login = login
        # Told (once per reason) when a renewed login cannot be saved, beside the log's warning:
        # a UI shows it, since the next start may have to log in again.
        self.on_not_saved: Callable[[str], None] | None = None
        self._not_saved: str | None = None

    def __repr__(self) -> str:
        return f"StoredSession(profile={self._login.profile!r}, server={self._login.server!r})"

    @property
    def login(self) -> StoredLogin:
        """The login as last saved (for showing the owner and expiry, never the tokens)."""
        return self._login

    async def _renew(self) -> Token:
        async with self._login_store.renewal_lock():
            try:
                stored = self._login_store.load()
            except ConfigError as error:
                raise _login_gone(str(error)) from None
            if stored is None:
                raise _login_gone(f"profile {self._login.profile} was logged out")
            if (stored.server, stored.client_id) != (self._login.server, self._login.client_id):
                raise _login_gone(f"profile {self._login.profile} now uses another account")
            if newer_token(stored.token, self.token):
                self._login = stored
                self._token = stored.token
                if not self._expiring(stored.token):
                    return stored.token
            try:
                self._login_store.check_writable()
            except (OSError, ConfigError) as error:
                current = self.token
                if current is not None and self._clock() < current.expires_at:
                    # Not expired yet, only due for renewal: use it while it lasts.
                    self._tell_not_saved(_cannot_save(self._login.profile, error))
                    return current
                raise LoginNotSaved(_cannot_save(self._login.profile, error)) from None
            return await super()._renew()

    def _persist(self, token: Token) -> None:
        self._login = dataclasses.replace(self._login, token=token)
        try:
            self._login_store.save(self._login)
        except (OSError, ConfigError) as error:
            # This process keeps working with the token it holds; the next one will ask to log in.
            reason = error.strerror if isinstance(error, OSError) else str(error)
            self._tell_not_saved(
                f"could not save the renewed login of profile {self._login.profile} ({reason});"
                " rcinbox goes on with it, but the next start may ask you to log in again"
            )
        else:
            self._not_saved = None

    def _tell_not_saved(self, message: str) -> None:
        log.warning("%s", message)
        if self.on_not_saved is not None and message != self._not_saved:
            self._not_saved = message
            self.on_not_saved(message)


class LoginNotSaved(RCError):
    """A renewal was not attempted: its result could not have been saved (exit code 1)."""


def _cannot_save(profile: str, error: OSError | ConfigError) -> str:
    reason = error.strerror if isinstance(error, OSError) else str(error)
    return (
        f"cannot save a renewed login for profile {profile} ({reason}); the stored login is"
        " kept unspent: free some space or fix the directory, then try again"
    )


def _login_gone(reason: str) -> InvalidGrant:
    # Decided here, not by a server: status 0 keeps "HTTP ..." out of the message.
    return InvalidGrant(0, error="invalid_grant", error_description=reason)
