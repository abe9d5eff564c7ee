"""Where rcinbox keeps its files, what config.toml says, and which account a command talks to.

Split by concern; this package re-exports what the rest of rcinbox uses, so ``rcinbox.config``
stays the one name to import from:

- :mod:`~rcinbox.config.paths`: the platformdirs data and config directories, private writes;
- :mod:`~rcinbox.config.toml`: reading (tomllib, errors with line numbers) and writing (tomli-w);
- :mod:`~rcinbox.config.schema`: the tables config.toml may hold, as dataclasses with defaults;
- :mod:`~rcinbox.config.validate`: checking the parsed file against the schema, line by line;
- :mod:`~rcinbox.config.env`: the ``RCINBOX_*`` variables that override the file;
- :mod:`~rcinbox.config.profiles`: profiles, servers and the account settings of a command;
- :mod:`~rcinbox.config.settings`: :class:`Config`, the effective settings, and the one write.

Never imports Textual (headless commands load it) and stays import-light: each name loads its
module when first used (:mod:`rcinbox.lazy`), so a command that needs a path or an error class
does not pay for the settings code (``--demo`` starts its server before that has loaded);
platformdirs and tomli-w load only when a path is asked for or a file written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcinbox import lazy

if TYPE_CHECKING:
    from rcinbox.config.errors import ConfigError
    from rcinbox.config.paths import (
        APP_NAME,
        CONFIG_FILE,
        cache_dir,
        config_dir,
        config_path,
        data_dir,
        downloads_dir,
        log_dir,
        log_path,
        make_private_dir,
        read_regular,
        write_private,
    )
    from rcinbox.config.profiles import (
        DEFAULT_PROFILE,
        PRODUCTION_SERVER,
        REDACTED,
        SANDBOX_SERVER,
        SERVER_ALIASES,
        AccountSettings,
        Credentials,
        check_profile_name,
        normalise_server,
        selected_profile,
    )
    from rcinbox.config.schema import (
        DEFAULT_THEME,
        MAX_DAYS,
        MAX_UNDO_SECONDS,
        NAMINGS,
        NOTIFICATIONS,
        UI_KEYS,
        ComposeConfig,
        LimitsConfig,
        PollConfig,
        ProfileConfig,
        SyncConfig,
        TemplateConfig,
        UIConfig,
        WebhookConfig,
        WhatsAppConfig,
    )
    from rcinbox.config.settings import Config
    from rcinbox.config.validate import parse_listen

# Every public name, by the module that defines it.
_LAZY: dict[str, str] = {
    "ConfigError": "errors",
    **dict.fromkeys(
        [
            "APP_NAME",
            "CONFIG_FILE",
            "cache_dir",
            "config_dir",
            "config_path",
            "data_dir",
            "downloads_dir",
            "log_dir",
            "log_path",
            "make_private_dir",
            "read_regular",
            "write_private",
        ],
        "paths",
    ),
    **dict.fromkeys(
        [
            "DEFAULT_PROFILE",
            "PRODUCTION_SERVER",
            "REDACTED",
            "SANDBOX_SERVER",
            "SERVER_ALIASES",
            "AccountSettings",
            "Credentials",
            "check_profile_name",
            "normalise_server",
            "selected_profile",
        ],
        "profiles",
    ),
    **dict.fromkeys(
        [
            "DEFAULT_THEME",
            "MAX_DAYS",
            "MAX_UNDO_SECONDS",
            "NAMINGS",
            "NOTIFICATIONS",
            "UI_KEYS",
            "ComposeConfig",
            "LimitsConfig",
            "PollConfig",
            "ProfileConfig",
            "SyncConfig",
            "TemplateConfig",
            "UIConfig",
            "WebhookConfig",
            "WhatsAppConfig",
        ],
        "schema",
    ),
    "Config": "settings",
    "parse_listen": "validate",
}

__all__ = [
    "APP_NAME",
    "CONFIG_FILE",
    "DEFAULT_PROFILE",
    "DEFAULT_THEME",
    "MAX_DAYS",
    "MAX_UNDO_SECONDS",
    "NAMINGS",
    "NOTIFICATIONS",
    "PRODUCTION_SERVER",
    "REDACTED",
    "SANDBOX_SERVER",
    "SERVER_ALIASES",
    "UI_KEYS",
    "AccountSettings",
    "ComposeConfig",
    "Config",
    "ConfigError",
    "Credentials",
    "LimitsConfig",
    "PollConfig",
    "ProfileConfig",
    "SyncConfig",
    "TemplateConfig",
    "UIConfig",
    "WebhookConfig",
    "WhatsAppConfig",
    "cache_dir",
    "check_profile_name",
    "config_dir",
    "config_path",
    "data_dir",
    "downloads_dir",
    "log_dir",
    "log_path",
    "make_private_dir",
    "normalise_server",
    "parse_listen",
    "read_regular",
    "selected_profile",
    "write_private",
]

__getattr__ = lazy.loader(__name__, _LAZY)
