"""An OAuth token and what came with it, read from a token answer or from a stored login.

Apart from :mod:`rcinbox.api.auth` (which renews tokens over HTTP) so that reading a stored login
loads no HTTP client: the TUI opens a returning user's store and paints it before httpx loads.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from rcinbox.api.errors import MalformedResponse

# RingCentral's documented lifetime, used when an answer leaves out expires_in.
_DEFAULT_ACCESS_TTL = 3600.0
# Bounds on what a token answer may say about lifetimes. Below the floor, a server's 0 or -5 would
# make every API call renew the token first; above the ceiling (a century), a 1e308 would
# overflow every date computed from it.
_MIN_ACCESS_TTL = 30.0
_MAX_LIFETIME = 100 * 365 * 86400.0


@dataclasses.dataclass(frozen=True)
class Token:
    """An access token and what came with it; times are epoch seconds."""

    access_token: str
    token_type: str = "bearer"
    expires_at: float = 0.0
    refresh_token: str | None = None
    refresh_expires_at: float | None = None
    owner_id: str | None = None
    scope: str | None = None
    endpoint_id: str | None = None
    # When it was issued: lets a short-lived token (a test server's 1 s) refresh proportionally.
    issued_at: float | None = None

    @classmethod
    def from_response(cls, data: Any, now: float) -> Token:
        """Build from the token endpoint's JSON (``expires_in`` relative to ``now``)."""
        if not isinstance(data, Mapping) or not nonempty(data.get("access_token")):
            raise MalformedResponse("The login server answered without an access token")
        expires_in = lifetime(seconds(data.get("expires_in")), _MIN_ACCESS_TTL)
        refresh_in = lifetime(seconds(data.get("refresh_token_expires_in")), 0.0)
        refresh_token = data.get("refresh_token")
        return cls(
            access_token=data["access_token"],
            token_type=opt_str(data.get("token_type")) or "bearer",
            expires_at=now + (expires_in if expires_in is not None else _DEFAULT_ACCESS_TTL),
            refresh_token=refresh_token if nonempty(refresh_token) else None,
            refresh_expires_at=None if refresh_in is None else now + refresh_in,
            owner_id=opt_str(data.get("owner_id")),
            scope=opt_str(data.get("scope")),
            endpoint_id=opt_str(data.get("endpoint_id")),
            issued_at=now,
        )

    def to_json(self) -> dict[str, Any]:
        """For storage on disk (the caller keeps the file private)."""
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_at": self.expires_at,
            "refresh_token": self.refresh_token,
            "refresh_expires_at": self.refresh_expires_at,
            "owner_id": self.owner_id,
            "scope": self.scope,
            "endpoint_id": self.endpoint_id,
            "issued_at": self.issued_at,
        }

    @classmethod
    def from_json(cls, data: Any) -> Token:
        """Read what ``to_json`` stored; MalformedResponse when it is unusable."""
        if not isinstance(data, Mapping) or not nonempty(data.get("access_token")):
            raise MalformedResponse("The stored login is unreadable")
        refresh_token = data.get("refresh_token")
        return cls(
            access_token=data["access_token"],
            token_type=opt_str(data.get("token_type")) or "bearer",
            expires_at=seconds(data.get("expires_at")) or 0.0,
            refresh_token=refresh_token if nonempty(refresh_token) else None,
            refresh_expires_at=seconds(data.get("refresh_expires_at")),
            owner_id=opt_str(data.get("owner_id")),
            scope=opt_str(data.get("scope")),
            endpoint_id=opt_str(data.get("endpoint_id")),
            issued_at=seconds(data.get("issued_at")),
        )

    def refresh_usable(self, now: float) -> bool:
        if self.refresh_token is None:
            return False
        return self.refresh_expires_at is None or self.refresh_expires_at > now

    def __repr__(self) -> str:
        refresh = "None" if self.refresh_token is None else "'<redacted>'"
        return (
            f"Token(access_token='<redacted>', token_type={self.token_type!r}, "
            f"expires_at={self.expires_at!r}, refresh_token={refresh}, "
            f"refresh_expires_at={self.refresh_expires_at!r}, owner_id={self.owner_id!r}, "
            f"scope={self.scope!r}, endpoint_id={self.endpoint_id!r})"
        )

    __str__ = __repr__


def nonempty(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def opt_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        return str(value)
    return None


def lifetime(seconds: float | None, floor: float) -> float | None:
    if seconds is None:
        return None
    return min(max(seconds, floor), _MAX_LIFETIME)


def seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
