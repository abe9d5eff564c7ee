"""The effective settings: config.toml over the defaults, then ``RCINBOX_*`` overrides.

``config.toml`` (in the platformdirs config directory, or ``RCINBOX_CONFIG_DIR``) is read with
``tomllib`` into a typed :class:`Config`::

    [profiles.work]             # server, client_id, naming, redirect_port (and client_secret,
    server = "production"       # discouraged: then the file must be private, or we warn)
    client_id = "AbC123"
    [channels]
    "65d69849a330900007d1c6d7" = "Support WhatsApp"
    [ui]
    theme = "textual-dark"      # mouse = true, notifications = "bell" | "osc9" | "off",
    [keymap]                    # animations = false
    quit = "ctrl+q"
    [poll]
    active = 10                 # seconds between polls while the user is active, and idle
    idle = 60
    [sync]
    horizon_days = 14           # history fetched in the background: counts cover it whole
    [compose]
    undo_seconds = 5            # a sent reply waits this long, and can be taken back; 0 = off
    [limits]
    response_mib = 32           # the largest answer taken from a server, before and after gzip
    [webhook]
    listen = "127.0.0.1:8090"   # receive notifications here (--webhook-listen)
    url = "https://hooks.example.com/rc"  # the public address forwarding to it (--webhook-url)
    [whatsapp]                  # approved templates (the API cannot list them)
    templates = [{ name = "order_update", language = "en", params = 1, preview = "Hi {{1}}" }]

Keys rcinbox does not know are ignored, and kept: the app writes the file only when the user
changes a UI setting through it (:meth:`Config.save_ui_change`), and then it rewrites the file's
own content with just that change (tomli-w cannot keep comments, so those are lost then).

Adding a setting: its table's dataclass in :mod:`rcinbox.config.schema`, a field here, its
reading in :meth:`rcinbox.config.validate.Reader.fill`, and a line in :meth:`Config.to_dict`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rcinbox.config import toml
from rcinbox.config.env import ui_overrides
from rcinbox.config.errors import ConfigError
from rcinbox.config.paths import config_path
from rcinbox.config.profiles import redacted, without_none
from rcinbox.config.schema import (
    UI_KEYS,
    ComposeConfig,
    LimitsConfig,
    PollConfig,
    ProfileConfig,
    SyncConfig,
    UIConfig,
    WebhookConfig,
    WhatsAppConfig,
)
from rcinbox.config.validate import Reader, check_ui_value

log = logging.getLogger(__name__)


@dataclass
class Config:
    """The effective settings: config.toml over the defaults, then ``RCINBOX_*`` overrides."""

    path: Path
    profiles: dict[str, ProfileConfig] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    ui: UIConfig = field(default_factory=UIConfig)
    keymap: dict[str, str] = field(default_factory=dict)
    poll: PollConfig = field(default_factory=PollConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    compose: ComposeConfig = field(default_factory=ComposeConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    whatsapp: WhatsAppConfig = field(default_factory=WhatsAppConfig)
    # Problems worth telling the user that do not stop rcinbox (already logged as warnings).
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Config:
        """Read config.toml (a missing file means the defaults); ConfigError names the line."""
        path = config_path() if path is None else path
        env = os.environ if environ is None else environ
        text = toml.read_text(path)
        config = cls(path=path)
        if text is not None:
            Reader(path, text).fill(config, toml.parse(path, text))
            if any(p.client_secret for p in config.profiles.values()):
                config._warn_if_shared()
        config.ui = ui_overrides(config.ui, env)
        return config

    def profile(self, name: str) -> ProfileConfig:
        """The ``[profiles.NAME]`` settings (all None when the file has no such table)."""
        return self.profiles.get(name, ProfileConfig())

    def save_ui_change(self, key: str, value: Any) -> None:
        """Write one ``[ui]`` setting the user changed, keeping everything else in the file.

        The file is read again (it may have changed since it was loaded), only ``ui.KEY`` is set
        in its own content, and the result replaces it atomically, 0600. A file that cannot be
        read is left alone (ConfigError): rewriting it would lose what the user wrote.
        """
        if key not in UI_KEYS:
            raise ConfigError(f"there is no UI setting {key!r} (known: {', '.join(UI_KEYS)})")
        new_ui = dataclasses.replace(self.ui, **{key: check_ui_value(key, value)})
        text = toml.read_text(self.path)
        raw = toml.parse(self.path, text) if text is not None else {}
        table = raw.setdefault("ui", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{self.path}: ui must be a table to save {key!r} in it")
        table[key] = value
        toml.write(self.path, raw)
        self.ui = new_ui

    def to_dict(self) -> dict[str, Any]:
        """The effective settings as TOML-ready data, secrets replaced by ``***``."""
        profiles = {
            name: without_none(redacted(dataclasses.asdict(profile)))
            for name, profile in self.profiles.items()
        }
        return {
            "profiles": profiles,
            "channels": dict(self.channels),
            "ui": dataclasses.asdict(self.ui),
            "keymap": dict(self.keymap),
            "poll": dataclasses.asdict(self.poll),
            "sync": dataclasses.asdict(self.sync),
            "compose": dataclasses.asdict(self.compose),
            "limits": dataclasses.asdict(self.limits),
            "webhook": without_none(dataclasses.asdict(self.webhook)),
            "whatsapp": {"templates": [dataclasses.asdict(t) for t in self.whatsapp.templates]},
        }

    def _warn_if_shared(self) -> None:
        try:
            mode = self.path.stat().st_mode
        except OSError:
            return
        if os.name == "posix" and mode & 0o077:
            message = (
                f"{self.path} holds a client secret and other users may read it:"
                f" chmod 600 {self.path}"
            )
            self.warnings.append(message)
            log.warning("%s", message)
