"""The emulator's clock: seed time that keeps running.

Seed data is anchored at a fixed instant so demos and snapshots are reproducible. If new contents
were stamped with the wall clock they could land before the seeded ones (or years after), and the
newest-first list would be wrong. So emulated time starts at the anchor and advances with the
monotonic clock. Expiry of tokens, codes and subscriptions uses the monotonic clock directly.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Emulated UTC time: ``anchor`` plus the real time elapsed since construction."""

    def __init__(self, anchor: datetime) -> None:
        if anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=UTC)
        self._anchor = anchor.astimezone(UTC)
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self._anchor + timedelta(seconds=time.monotonic() - self._started)


def iso_seconds(moment: datetime) -> str:
    """``2024-02-22T00:41:45Z``: the precision the API uses for content and identity times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(moment: datetime) -> str:
    """``2024-04-26T17:05:12.611Z``: the precision of notification timestamps."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch(text: str) -> float:
    """Seconds since the epoch for an API timestamp; the sort value kept in page tokens."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
