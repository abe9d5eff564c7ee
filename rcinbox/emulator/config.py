"""How an emulator instance behaves: address, data size, naming generation, limits and faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .faults import Faults

NAMINGS = ("channel", "source")

# The demo app and user the emulator accepts unless told otherwise; `rcinbox --demo` logs in
# with these (the one place they are written, beside the README's mention of them).
DEMO_CLIENT_ID = "rcinbox-demo"
DEMO_CLIENT_SECRET = "rcinbox-demo-secret"
DEMO_JWT = "rcinbox-demo-jwt"


@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0 = any free port
    seed: int = 1
    contents: int = 2000
    # Field names in answers: "channel" (channelId/channelType/channelUri, the last spec) or
    # "source" (sourceId/sourceType/sourceUri, the spec live until mid-2024).
    naming: str = "channel"
    faults: Faults = field(default_factory=Faults)
    rate_limit: int = 50  # Light group: requests per window per access token
    medium_rate_limit: int = 40  # Medium group (subscriptions)
    rate_window: float = 60.0  # seconds
    penalty: float | None = None  # seconds of 429 after exceeding; None = rate_window
    auth_rate_limit: int = 5  # Auth group (token, revoke, authorize) per window per client id
    inbound_every: float | None = None  # simulated customers write every ~N s; None = never
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 604800
    sync_delay: float = 0.5  # seconds until a created content's export is done
    attachment_link_ttl: float = 3600.0  # seconds an attachment's signed link works
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    jwt: str = DEMO_JWT
    now: datetime | None = None  # seed data anchor; None = the seed's fixed default

    def __repr__(self) -> str:
        # The client secret and the JWT credential stay out of logs and tracebacks.
        return (
            f"EmulatorConfig(host={self.host!r}, port={self.port}, seed={self.seed}, "
            f"contents={self.contents}, naming={self.naming!r}, faults={self.faults!r})"
        )

    def check(self) -> None:
        """Raise ValueError with a one-line reason for a setting the emulator cannot honour."""
        if self.naming not in NAMINGS:
            raise ValueError(f"naming must be one of {', '.join(NAMINGS)}, got {self.naming!r}")
        if self.contents < 0:
            raise ValueError("contents must be >= 0")
        for name in ("rate_limit", "medium_rate_limit", "auth_rate_limit"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.rate_window <= 0 or (self.penalty is not None and self.penalty <= 0):
            raise ValueError("rate_window and penalty must be > 0")
        if self.inbound_every is not None and self.inbound_every <= 0:
            raise ValueError("inbound_every must be > 0")
        if self.access_token_ttl < 1 or self.refresh_token_ttl < 1:
            raise ValueError("token lifetimes must be >= 1 second")
        if self.attachment_link_ttl <= 0:
            raise ValueError("attachment_link_ttl must be > 0")
        if self.sync_delay < 0:
            raise ValueError("sync_delay must be >= 0")
