"""A faithful RingCentral Social Messaging server for loopback demos and tests.

Standard library only, and imported lazily: ``import rcinbox.emulator`` loads nothing until one of
the names below is used, so the CLI pays for the emulator only when it runs one.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import EmulatorConfig
    from .faults import Faults, parse_faults
    from .server import Emulator
    from .stats import EmulatorStats

__all__ = ["Emulator", "EmulatorConfig", "EmulatorStats", "Faults", "parse_faults"]

_HOMES = {
    "Emulator": ".server",
    "EmulatorConfig": ".config",
    "EmulatorStats": ".stats",
    "Faults": ".faults",
    "parse_faults": ".faults",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name], __name__), name)
    globals()[name] = value
    return value
