"""Constants, ids and timestamps shared by the seed generator and the simulated customers."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, TypeVar

from ..corpus.business import CAPABILITIES, CHANNEL_URIS

T = TypeVar("T")

# The instant the data is anchored to unless the caller passes another ``now``.
DEFAULT_NOW = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)

TENANT_URL = "https://acme-demo.digital.ringcentral.com"

DAY = 86_400
# The newest thread's last message is a few minutes old, the oldest content about 90 days old.
MIN_AGE = 90
MAX_AGE = 90 * DAY
# Threads' last-activity ages are ``span * u ** RECENCY`` for uniform u: denser near now.
RECENCY = 2.2
# Of customer threads with two or more contents, the share that ends on an unanswered message;
# with the one-message threads (always unanswered) this leaves about a third of threads waiting.
UNANSWERED = 0.27
CONTENTS_PER_THREAD = 6


@dataclass
class SeedData:
    owner_id: str
    channels: list[dict]
    identities: list[dict]
    contents: list[dict]
    # Thread id -> how its customer writes (a ``writing.Voice``), for the simulated customers.
    voices: dict[str, Any] = field(default_factory=dict)


def object_id(rng: random.Random, seconds: int | None = None) -> str:
    """A 24-character lowercase hex id, shaped like the API's Mongo ObjectIds; with ``seconds``
    (the record's creation time), one: see :func:`stamped`."""
    drawn = f"{rng.getrandbits(96):024x}"
    return drawn if seconds is None else stamped(drawn, seconds)


def stamped(drawn: str, seconds: int) -> str:
    """The id ``drawn`` made a Mongo ObjectId created at ``seconds``: its first 4 bytes are the
    creation time, as the API's are, so ids grow with time (and land at the end of every index
    keyed by them, as real ones do). The other 8 bytes stay the drawn ones: the rng gives the
    same draws whatever the time is."""
    return f"{seconds & 0xFFFFFFFF:08x}{drawn[8:]}"


def isoformat(dt: datetime) -> str:
    """``2024-09-20T14:02:11Z``: UTC, seconds precision, ``Z`` suffix (naive means UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def channel_uri(channel_type: str) -> str | None:
    """The external URI the API reports for Acme's channel of this type (null for most)."""
    return CHANNEL_URIS.get(channel_type)


def capabilities_supported(channel_type: str) -> list[str]:
    """Structured-message types a reply on this channel type may use (a fresh list)."""
    return list(CAPABILITIES.get(channel_type, ()))


def fit(body: str, limit: int) -> str:
    return body if len(body) <= limit else body[: limit - 1] + "…"


@cache
def day_prefix(day: int) -> str:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)).strftime("%Y-%m-%dT")


class DayPrefixes(dict[int, str]):
    """``YYYY-MM-DDT`` by day number since the epoch, computed once per day."""

    def __missing__(self, day: int) -> str:
        self[day] = prefix = day_prefix(day)
        return prefix


class ClockSuffixes(dict[int, str]):
    """``HH:MM:SSZ`` by second of the day, each formatted once: 200k timestamps become
    lookups, and the demo's 2,000 pay for the seconds they use, not for all 86,400 (30 ms of
    ``rcinbox --demo``'s start when the table was built whole)."""

    def __missing__(self, second: int) -> str:
        self[second] = suffix = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
        return suffix


_SUFFIXES = ClockSuffixes()


def iso(ts: int) -> str:
    day, second = divmod(ts, DAY)
    return day_prefix(day) + _SUFFIXES[second]


def epoch(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return math.floor(dt.timestamp())


def pick(rng: random.Random, options: Sequence[T]) -> T:
    return options[int(rng.random() * len(options))]
