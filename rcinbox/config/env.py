"""The ``RCINBOX_*`` environment variables that override config.toml.

Every variable rcinbox reads for its settings is read here, so this is the list of them:
``RCINBOX_PROFILE``, the account's ``RCINBOX_SERVER``, ``RCINBOX_CLIENT_ID``,
``RCINBOX_CLIENT_SECRET``, ``RCINBOX_JWT``, ``RCINBOX_NAMING``, and the UI's ``RCINBOX_THEME``
and ``RCINBOX_NOTIFICATIONS``. (``RCINBOX_DATA_DIR`` and ``RCINBOX_CONFIG_DIR`` move the files
themselves: :mod:`rcinbox.config.paths`.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from rcinbox.config.errors import ConfigError
from rcinbox.config.schema import NOTIFICATIONS, UIConfig

ACCOUNT_VARIABLES = {
    "server": "RCINBOX_SERVER",
    "client_id": "RCINBOX_CLIENT_ID",
    "client_secret": "RCINBOX_CLIENT_SECRET",
    "jwt": "RCINBOX_JWT",
    "naming": "RCINBOX_NAMING",
}


def profile_from_env(env: Mapping[str, str]) -> str | None:
    return env.get("RCINBOX_PROFILE") or None


def account_from_env(env: Mapping[str, str]) -> dict[str, str | None]:
    """The account settings the environment gives (empty variables count as not given)."""
    return {key: env.get(name) or None for key, name in ACCOUNT_VARIABLES.items()}


def ui_overrides(ui: UIConfig, env: Mapping[str, str]) -> UIConfig:
    theme = env.get("RCINBOX_THEME")
    if theme:
        ui = dataclasses.replace(ui, theme=theme)
    notifications = env.get("RCINBOX_NOTIFICATIONS")
    if notifications:
        if notifications not in NOTIFICATIONS:
            raise ConfigError(
                f"RCINBOX_NOTIFICATIONS must be one of {', '.join(NOTIFICATIONS)},"
                f" not {notifications!r}"
            )
        ui = dataclasses.replace(ui, notifications=notifications)
    return ui
