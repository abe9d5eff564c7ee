"""The token store: one token file per profile, private on disk, shared by every rcinbox process.

``data_dir()/profiles/<profile>/token.json`` holds the server, the client id, the naming
generation, the tokens (``Token.to_json``) and the secrets needed to keep the login alive without
the user: the JWT credential for a JWT login, and the client secret when the login used one (a
confidential app cannot refresh without it). The file is 0600 in a 0700 directory and is replaced
atomically (:func:`rcinbox.config.paths.write_private`); looser permissions found on reading are
repaired, and a file owned by another user or reached through a symbolic link is refused.

Refresh tokens rotate: :class:`~rcinbox.auth.session.StoredSession` saves each new token the
moment it arrives. When several rcinbox processes use one profile (the TUI and a script),
whichever renews first wins and the others adopt its token from the file instead of spending a
refresh token that is already used; renewals are serialised across processes with a lock file.
This module only reads and writes the file, so that reading a login loads no HTTP client.

Never print, log or put in an exception a token, the client secret or the JWT credential.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import stat
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rcinbox.api.errors import MalformedResponse
from rcinbox.api.tokens import Token
from rcinbox.config import (
    DEFAULT_PROFILE,
    NAMINGS,
    ConfigError,
    check_profile_name,
    data_dir,
    make_private_dir,
    normalise_server,
    write_private,
)

try:
    import fcntl
except ImportError:  # Windows: renewals are not serialised across processes there.
    fcntl = None  # type: ignore[assignment]


log = logging.getLogger(__name__)

TOKEN_FILE = "token.json"
LOCK_FILE = "token.lock"
FORMAT_VERSION = 1
METHODS = ("jwt", "browser")
# A token file is a few hundred bytes; anything far larger is not ours.
_MAX_FILE = 1 << 20
# About the size of a saved login (tokens are long): what the probe before a renewal writes.
_PROBE_BYTES = 4096
# Another process renewing holds the lock for one token request at most (30 s timeout).
_LOCK_WAIT = 45.0
_LOCK_POLL = 0.05


def login_command(profile: str) -> str:
    """The command that logs this profile in again."""
    return "rcinbox login" if profile == DEFAULT_PROFILE else f"rcinbox login --profile {profile}"


@dataclass(frozen=True)
class StoredLogin:
    """What one profile's token file holds. ``method`` is ``jwt`` or ``browser`` (PKCE)."""

    profile: str
    server: str
    client_id: str
    token: Token
    method: str
    naming: str = "channel"
    client_secret: str | None = field(default=None, repr=False)
    jwt: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "server": self.server,
            "client_id": self.client_id,
            "naming": self.naming,
            "method": self.method,
            "token": self.token.to_json(),
            "client_secret": self.client_secret,
            "jwt": self.jwt,
        }

    @classmethod
    def from_json(cls, profile: str, data: Any) -> StoredLogin:
        """Read what :meth:`to_json` wrote; ValueError names the first thing wrong."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError("written by another version of rcinbox")
        server, client_id = data.get("server"), data.get("client_id")
        if not isinstance(server, str) or not isinstance(client_id, str) or not client_id:
            raise ValueError("no server or client id")
        method = data.get("method")
        naming = data.get("naming")
        if method not in METHODS or naming not in NAMINGS:
            raise ValueError("unknown login method or naming")
        try:
            token = Token.from_json(data.get("token"))
            server = normalise_server(server)
        except (MalformedResponse, ConfigError) as error:
            raise ValueError(str(error)) from None
        return cls(
            profile=profile,
            server=server,
            client_id=client_id,
            token=token,
            method=method,
            naming=naming,
            client_secret=_opt_secret(data.get("client_secret")),
            jwt=_opt_secret(data.get("jwt")),
        )


class LoginStore:
    """The token file of one profile."""

    def __init__(self, profile: str = DEFAULT_PROFILE, *, base: Path | None = None) -> None:
        self.profile = check_profile_name(profile)
        self.directory = (data_dir() if base is None else base) / "profiles" / self.profile
        self.path = self.directory / TOKEN_FILE

    def __repr__(self) -> str:
        return f"LoginStore(profile={self.profile!r}, path={str(self.path)!r})"

    def load(self) -> StoredLogin | None:
        """The stored login, or None when this profile is not logged in."""
        # Not following a link, and not blocking: a FIFO put where the file belongs would hang
        # the read forever. Only a regular file, checked on the open descriptor, is read.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            if stat.S_ISLNK(os.lstat(self.directory).st_mode):
                raise self._unreadable(f"{self.directory} is a symbolic link")
            handle = os.open(self.path, flags)
        except (FileNotFoundError, NotADirectoryError):
            # No login here (a data directory that is a file is reported where it is created).
            return None
        except OSError as error:
            raise ConfigError(
                f"cannot read the stored login {self.path} ({error.strerror});"
                f" log in again: `{login_command(self.profile)}`"
            ) from None
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            os.close(handle)
            raise self._unreadable("not a regular file")
        with os.fdopen(handle, "rb") as file:
            self._check_private(status, self.path, 0o600, file.fileno())
            self._check_private(os.stat(self.directory), self.directory, 0o700)
            content = file.read(_MAX_FILE + 1)
        if len(content) > _MAX_FILE:
            raise self._unreadable("too large")
        try:
            data = json.loads(content)
        except (ValueError, RecursionError):
            raise self._unreadable("not JSON") from None
        try:
            return StoredLogin.from_json(self.profile, data)
        except ValueError as error:
            raise self._unreadable(str(error)) from None

    def save(self, login: StoredLogin) -> None:
        """Write the login atomically, 0600, in a private 0700 directory."""
        self._ensure_directory()
        data = json.dumps(login.to_json(), indent=2).encode("utf-8")
        write_private(self.path, data)

    def delete(self) -> bool:
        """Forget the stored login; False when there was none."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            return False
        return True

    @contextlib.asynccontextmanager
    async def renewal_lock(self) -> AsyncIterator[None]:
        """Hold the profile's renewal lock (across processes) while refreshing a token."""
        if fcntl is None:
            yield
            return
        self._ensure_directory()
        handle = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        locked = False
        try:
            deadline = time.monotonic() + _LOCK_WAIT
            while not locked:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    locked = True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        # A process stuck while holding it must not stop this one for good.
                        log.info("renewal lock of profile %s still held; going on", self.profile)
                        break
                    await asyncio.sleep(_LOCK_POLL)
            yield
        finally:
            if locked:
                fcntl.flock(handle, fcntl.LOCK_UN)
            os.close(handle)

    def _unreadable(self, reason: str) -> ConfigError:
        return ConfigError(
            f"the stored login {self.path} is unreadable ({reason});"
            f" log in again: `{login_command(self.profile)}`"
        )

    def check_writable(self) -> None:
        """Raise OSError or ConfigError unless a renewed login could be saved here now.

        A refresh token is single-use: spending it and then failing to save its successor
        (a full disk, a read-only directory) locks the next process out. A small file written,
        flushed and removed beside the token file is the best check short of the save itself.
        """
        self._ensure_directory()
        probe = self.path.with_name(f".{TOKEN_FILE}.probe")
        handle = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(handle, b" " * _PROBE_BYTES)
            os.fsync(handle)
        finally:
            os.close(handle)
            with contextlib.suppress(OSError):
                os.unlink(probe)

    def _ensure_directory(self) -> None:
        make_private_dir(self.directory)
        # The inbox database may have created it with the usual modes: made private quietly.
        self._check_private(os.stat(self.directory), self.directory, 0o700, warn=False)

    @staticmethod
    def _check_private(
        status: os.stat_result,
        path: Path,
        mode: int,
        handle: int | None = None,
        *,
        warn: bool = True,
    ) -> None:
        if os.name != "posix":
            return
        if status.st_uid != os.getuid():
            raise ConfigError(f"{path} belongs to another user; rcinbox will not use it")
        loose = stat.S_IMODE(status.st_mode) & 0o077
        if not loose:
            return
        if handle is None:
            os.chmod(path, mode)
        else:
            os.fchmod(handle, mode)
        if warn:
            log.warning("%s was open to other users; it is now private (%o)", path, mode)


def newer_token(stored: Token, held: Token | None) -> bool:
    """Whether a token read from a file is newer than the one this process holds."""
    if held is None:
        return True
    if stored.access_token == held.access_token:
        return False
    return (stored.issued_at or 0.0) >= (held.issued_at or 0.0)


def _opt_secret(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
