"""Fault injection for the emulator: which faults are on, and a reproducible dice to roll them.

Faults exist so the client's failure handling can be exercised against real HTTP: slow answers,
transient 503s, a connection lost after the server committed a POST, truncated JSON and failed
exports. Every roll comes from one ``random.Random`` seeded from the emulator seed, so a run with
the same seed and the same request sequence injects the same faults. This module never touches
the network itself; the server decides where each fault applies.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass

# Spec key -> dataclass field. The spec says "latency" (milliseconds); the field says its unit.
_SPEC_KEYS = {
    "latency": "latency_ms",
    "error_rate": "error_rate",
    "drop_after_commit": "drop_after_commit",
    "malformed": "malformed",
    "sync_fail": "sync_fail",
}


@dataclass
class Faults:
    """Which faults to inject: ``latency_ms`` on every answer, the others as probabilities."""

    latency_ms: float = 0
    error_rate: float = 0
    drop_after_commit: float = 0
    malformed: float = 0
    sync_fail: float = 0

    def __post_init__(self) -> None:
        for spec_key, name in _SPEC_KEYS.items():
            _check(spec_key, getattr(self, name))

    def describe(self) -> str:
        """The faults that are on, in the syntax ``parse_faults`` reads (empty when none)."""
        return ",".join(
            f"{key}={getattr(self, name):g}"
            for key, name in _SPEC_KEYS.items()
            if getattr(self, name)
        )


def _check(key: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{key} must be a number")
    if key == "latency":
        if not 0 <= value < math.inf:
            raise ValueError("latency must be a finite number of milliseconds >= 0")
    elif not 0 <= value <= 1:
        raise ValueError(f"{key} must be between 0 and 1")


def parse_faults(spec: str) -> Faults:
    """Read ``"latency=20,error_rate=0.1,..."``; raise ValueError with a one-line reason."""
    values: dict[str, float] = {}
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        key, sep, text = (part.strip() for part in item.partition("="))
        if key not in _SPEC_KEYS:
            raise ValueError(f"unknown fault {key!r}; known: {', '.join(_SPEC_KEYS)}")
        if not sep or not text:
            raise ValueError(f"fault {key!r} needs a value, e.g. {key}=0.1")
        if _SPEC_KEYS[key] in values:
            raise ValueError(f"fault {key!r} is given twice")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{key} must be a number, got {text!r}") from None
        _check(key, value)
        values[_SPEC_KEYS[key]] = value
    return Faults(**values)


class FaultDice:
    """Thread-safe, seeded decisions about whether a fault fires on this occasion."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self._rng = random.Random(f"faults:{seed}")
        self._lock = threading.Lock()

    def roll(self, kind: str) -> bool:
        """True when the probabilistic fault ``kind`` (a spec key) fires now."""
        probability = getattr(self.faults, _SPEC_KEYS[kind])
        if probability <= 0:
            return False
        with self._lock:
            return self._rng.random() < probability

    def cut(self, length: int) -> int:
        """Where to truncate a body of ``length`` bytes so it is no longer valid JSON."""
        if length <= 1:
            return 0
        with self._lock:
            return self._rng.randrange(1, length)
