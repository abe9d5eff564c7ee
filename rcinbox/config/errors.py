"""The one exception the config package raises: a setting that is missing or wrong."""

from __future__ import annotations


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""
