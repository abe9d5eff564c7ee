"""A package's names, each loaded from its module when first used (PEP 562).

``rcinbox.api`` and ``rcinbox.config`` re-export what the rest of rcinbox uses, so each stays the
one name to import from; importing every module behind them up front would make each command
pay for what it never touches (the emulator needs only the channel table, ``--demo`` starts its
server before the settings code has loaded). A package sets its module-level ``__getattr__`` to
:func:`loader` of a table of name -> module.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def loader(package: str, modules: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``modules[name]`` is the submodule that
    defines ``name``; the value is kept in the package once loaded."""

    def load(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return load
