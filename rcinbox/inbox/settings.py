"""How the engine runs: its timings and which background work it starts (the config file and the
UIs choose). Never imports Textual."""

from __future__ import annotations

from dataclasses import dataclass

from rcinbox.inbox.backfill import DEFAULT_HORIZON_DAYS


@dataclass(frozen=True)
class EngineSettings:
    """How often to poll and how long names stay fresh; the config file can change each."""

    poll_active: float = 10.0
    poll_idle: float = 60.0
    idle_after: float = 120.0
    identity_ttl: float = 24 * 3600
    webhook_listen: tuple[str, int] | None = None
    webhook_url: str | None = None
    # Days of history back-filled in the background, so counts and search cover them whole.
    horizon_days: int = DEFAULT_HORIZON_DAYS
    # The verification token RingCentral must present (the wiring keeps one per account).
    webhook_token: str | None = None


@dataclass(frozen=True)
class BackgroundWork:
    """Which background work :meth:`Inbox.start` runs: polling (and webhooks), the outbox
    worker, name resolution, history back-fill. A UI that only reads (a benchmark, a snapshot)
    turns some off; the TUI, which shows counts, turns history on."""

    poll: bool = True
    send: bool = True
    names: bool = True
    history: bool = True
