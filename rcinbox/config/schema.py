"""What config.toml may say: one frozen dataclass per table, with its defaults.

A new setting starts here (a field with its default), is read and checked in
:mod:`rcinbox.config.validate`, and is carried by :class:`rcinbox.config.settings.Config`
(a field, and a line in ``Config.to_dict``). Nothing here reads a file or the environment.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

NAMINGS = ("channel", "source")
NOTIFICATIONS = ("bell", "osc9", "off")
DEFAULT_THEME = "textual-dark"


@dataclass(frozen=True)
class ProfileConfig:
    """One ``[profiles.NAME]`` table; anything left out is None."""

    server: str | None = None
    client_id: str | None = None
    naming: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    # The port of the loopback redirect registered with the app (http://127.0.0.1:PORT/callback).
    redirect_port: int | None = None
    # Commands that print a secret (pass, a keychain, a vault), run without a shell when the
    # flags and RCINBOX_* do not give it.
    client_secret_command: str | None = None
    jwt_command: str | None = None
    # "file" (the default) or "keyring": where the profile's tokens are kept.
    token_store: str | None = None


@dataclass(frozen=True)
class UIConfig:
    """The ``[ui]`` table."""

    theme: str = DEFAULT_THEME
    mouse: bool = True
    notifications: str = "bell"
    animations: bool = False


# Polling faster than once a second only spends the rate budget (and a server's patience).
MIN_POLL = 1.0


@dataclass(frozen=True)
class PollConfig:
    """Seconds between polls of the newest contents, while the user is active and when idle."""

    active: float = 10.0
    idle: float = 60.0


# History back-filled reaches back at most this far (ten years): beyond it is an archive.
MAX_DAYS = 3650


@dataclass(frozen=True)
class SyncConfig:
    """How many days of history are back-filled, so unread counts and search cover them."""

    horizon_days: int = 14


# An undo window longer than this is a scheduled send, which rcinbox does not offer.
MAX_UNDO_SECONDS = 600.0


@dataclass(frozen=True)
class ComposeConfig:
    """Seconds a sent reply waits in the outbox, and can be taken back (undo send); 0 = off."""

    undo_seconds: float = 5.0


# Bounds of [limits] response_mib: below 1 MiB a real page may not fit; above 1 GiB the cap
# protects nothing.
MIN_RESPONSE_MIB = 1
MAX_RESPONSE_MIB = 1024
MAX_REQUEST_SECONDS = 3600.0
# Bounds of [limits] attachment_mib: a file larger than 16 GiB is no chat attachment.
MAX_ATTACHMENT_MIB = 16 * 1024


@dataclass(frozen=True)
class LimitsConfig:
    """``[limits]``: the largest answer accepted from a server, in MiB, on the wire and once
    inflated (a larger one is refused, exit 76), and how long one request may take in all."""

    response_mib: int = 32
    # The longest one request may take in all: connecting, headers and the whole body.
    request_seconds: float = 60.0
    # The largest attachment downloaded (``o``, ``s``, ``rcinbox attachment``), in MiB.
    attachment_mib: int = 256


@dataclass(frozen=True)
class WebhookConfig:
    """``[webhook]``: where to receive RingCentral's notifications (None: poll only)."""

    # HOST:PORT to listen on (the host defaults to 127.0.0.1).
    listen: str | None = None
    # The public address RingCentral calls (a reverse proxy or tunnel forwarding to ``listen``).
    url: str | None = None


# A template with more parameters than this is a typo in config.toml, not a real template.
MAX_TEMPLATE_PARAMS = 50


@dataclass(frozen=True)
class TemplateConfig:
    """One approved WhatsApp template, as the user names it (the API cannot list them)."""

    name: str
    # The template's language code in WhatsApp Business Manager (``en``, ``fr``, ``en_US``).
    language: str
    # How many ``{{1}}``, ``{{2}}``... parameters its body has.
    params: int = 0
    # Its text with ``{{n}}`` where the parameters go, shown while filling them in.
    preview: str = ""


@dataclass(frozen=True)
class WhatsAppConfig:
    """``[whatsapp]``: the approved templates, as
    ``templates = [{ name = "...", language = "en", params = 2, preview = "..." }]``."""

    templates: tuple[TemplateConfig, ...] = ()


TOKEN_STORES = ("file", "keyring")

UI_KEYS = tuple(f.name for f in dataclasses.fields(UIConfig))
