"""Stored logins in the OS keyring (the ``rcinbox[keyring]`` extra), the file as the fallback.

A profile with ``token_store = "keyring"`` keeps what its token file would hold (tokens and the
secrets that keep the login alive) in the keyring the ``keyring`` package finds: the macOS
Keychain, Windows Credential Locker, the Secret Service on Linux desktops. Where there is none
(the extra not installed, a server without a desktop session, a keyring that refuses), the
login stays in the usual private file: the file store is the default and always the fallback.
Renewals are still serialised with the profile's lock file, so processes never spend a refresh
token twice whichever store holds it.

:func:`for_profile` is the one way to open a profile's store. Never logs a secret.
"""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path
from typing import Any

from rcinbox.auth.store import LoginStore, StoredLogin
from rcinbox.config import Config, ConfigError

log = logging.getLogger(__name__)

SERVICE = "rcinbox"


def usable_keyring() -> Any | None:
    """The keyring backend to use, or None when there is no real one here."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return backend


class KeyringLoginStore(LoginStore):
    """A profile's login in the OS keyring; the token file when the keyring cannot be used."""

    def __init__(self, profile: str, *, backend: Any, base: Path | None = None) -> None:
        super().__init__(profile, base=base)
        self._backend = backend
        self._name = f"profile:{self.profile}"

    def __repr__(self) -> str:
        return (
            f"KeyringLoginStore(profile={self.profile!r}, backend={type(self._backend).__name__})"
        )

    def load(self) -> StoredLogin | None:
        try:
            text = self._backend.get_password(SERVICE, self._name)
        except Exception as error:
            log.warning("the keyring could not be read (%s); using the token file", _kind(error))
            return super().load()
        if text is None:
            # Logged in before the switch to the keyring: the file still has it.
            return super().load()
        try:
            return StoredLogin.from_json(self.profile, json.loads(text))
        except (ValueError, RecursionError) as error:
            raise ConfigError(
                f"the login of profile {self.profile} in the keyring is unreadable ({error});"
                " log in again"
            ) from None

    def save(self, login: StoredLogin) -> None:
        data = json.dumps(login.to_json())
        try:
            self._backend.set_password(SERVICE, self._name, data)
        except Exception as error:
            log.warning("the keyring refused the login (%s); keeping it in the file", _kind(error))
            super().save(login)
            return
        # One place for the tokens: a file left from before would go stale.
        super().delete()

    def delete(self) -> bool:
        removed = False
        with contextlib.suppress(Exception):
            if self._backend.get_password(SERVICE, self._name) is not None:
                self._backend.delete_password(SERVICE, self._name)
                removed = True
        return super().delete() or removed


def for_profile(profile: str, *, token_store: str | None = None) -> LoginStore:
    """The profile's login store: the keyring when its config asks and one exists, else the file.

    ``token_store`` as the profile's config says it; None reads it from config.toml.
    """
    if token_store is None:
        with contextlib.suppress(ConfigError):
            token_store = Config.load().profile(profile).token_store
    if token_store == "keyring":
        backend = usable_keyring()
        if backend is not None:
            return KeyringLoginStore(profile, backend=backend)
        log.info("no usable keyring here: profile %s keeps its login in the file", profile)
    return LoginStore(profile)


def _kind(error: BaseException) -> str:
    # The type only: a backend's message might quote what it was given.
    return type(error).__name__
