"""Where rcinbox keeps its files, what config.toml says, and which account a command talks to.

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

Keys rcinbox does not know are ignored, and kept: the app writes the file only when the user
changes a UI setting through it (:meth:`Config.save_ui_change`), and then it rewrites the file's
own content with just that change (tomli-w cannot keep comments, so those are lost then). A value
of the wrong type is a :class:`ConfigError` naming the file and line, never a traceback.

Account settings come from command-line flags first, then ``RCINBOX_*`` environment variables,
then the profile in config.toml (:class:`AccountSettings`). The secrets (client secret, JWT
credential) are held only to hand to the OAuth session; they are never printed: reprs redact them.
This module never imports Textual: headless commands load it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

log = logging.getLogger(__name__)

APP_NAME = "rcinbox"
CONFIG_FILE = "config.toml"
DEFAULT_PROFILE = "default"

PRODUCTION_SERVER = "https://platform.ringcentral.com"
SANDBOX_SERVER = "https://platform.devtest.ringcentral.com"
SERVER_ALIASES = {"production": PRODUCTION_SERVER, "sandbox": SANDBOX_SERVER}

NAMINGS = ("channel", "source")
NOTIFICATIONS = ("bell", "osc9", "off")
DEFAULT_THEME = "textual-dark"
REDACTED = "***"

# A profile name becomes a directory name: no separators, no leading dot.
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


def data_dir() -> Path:
    """The per-user data directory (``RCINBOX_DATA_DIR`` overrides it)."""
    override = os.environ.get("RCINBOX_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The per-user config directory (``RCINBOX_CONFIG_DIR`` overrides it)."""
    override = os.environ.get("RCINBOX_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    """Where config.toml is (it need not exist)."""
    return config_dir() / CONFIG_FILE


def normalise_server(url: str) -> str:
    """Accept ``production``/``sandbox`` or a URL; reject anything that is not http(s)."""
    url = SERVER_ALIASES.get(url.strip().lower(), url.strip())
    if not url.startswith(("http://", "https://")) or not url.split("://", 1)[1]:
        raise ConfigError(f"server must be an http(s) URL or production/sandbox, not {url!r}")
    return url.rstrip("/")


def check_profile_name(name: str) -> str:
    """A profile name is also a directory name: letters, digits, ``.``, ``_``, ``-``."""
    if not _PROFILE_NAME.fullmatch(name):
        raise ConfigError(
            f"profile names use letters, digits, '.', '_' and '-' (at most 64), not {name!r}"
        )
    return name


def selected_profile(flag: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``--profile``, else ``RCINBOX_PROFILE``, else ``default``."""
    env = os.environ if environ is None else environ
    return check_profile_name(flag or env.get("RCINBOX_PROFILE") or DEFAULT_PROFILE)


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data``, readable by the owner only (0600).

    The bytes go to a temporary file in the same directory, are flushed to disk, then renamed
    over the old file: a crash leaves the old file or the new one, never half of either.
    """
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates the file 0600 whatever the umask: the secret is never briefly public.
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    # The rename itself is durable only once the directory is flushed (POSIX; not on Windows).
    with contextlib.suppress(OSError):
        directory_handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_handle)
        finally:
            os.close(directory_handle)


# ---------------------------------------------------------------------------------- config.toml


@dataclass(frozen=True)
class ProfileConfig:
    """One ``[profiles.NAME]`` table; anything left out is None."""

    server: str | None = None
    client_id: str | None = None
    naming: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    # The port of the loopback redirect registered with the app (http://127.0.0.1:PORT/callback).
    redirect_port: int | None = None


@dataclass(frozen=True)
class UIConfig:
    theme: str = DEFAULT_THEME
    mouse: bool = True
    notifications: str = "bell"
    animations: bool = False


@dataclass(frozen=True)
class PollConfig:
    """Seconds between polls of the newest contents, while the user is active and when idle."""

    active: float = 10.0
    idle: float = 60.0


UI_KEYS = tuple(f.name for f in dataclasses.fields(UIConfig))


@dataclass
class Config:
    """The effective settings: config.toml over the defaults, then ``RCINBOX_*`` overrides."""

    path: Path
    profiles: dict[str, ProfileConfig] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    ui: UIConfig = field(default_factory=UIConfig)
    keymap: dict[str, str] = field(default_factory=dict)
    poll: PollConfig = field(default_factory=PollConfig)
    # Problems worth telling the user that do not stop rcinbox (already logged as warnings).
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Config:
        """Read config.toml (a missing file means the defaults); ConfigError names the line."""
        path = config_path() if path is None else path
        env = os.environ if environ is None else environ
        text = _read_text(path)
        config = cls(path=path)
        if text is not None:
            _Reader(path, text).fill(config, _parse(path, text))
            if any(p.client_secret for p in config.profiles.values()):
                config._warn_if_shared()
        config.ui = _ui_overrides(config.ui, env)
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
        new_ui = dataclasses.replace(self.ui, **{key: _check_ui_value(key, value)})
        import tomli_w

        text = _read_text(self.path)
        raw = _parse(self.path, text) if text is not None else {}
        table = raw.setdefault("ui", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{self.path}: ui must be a table to save {key!r} in it")
        table[key] = value
        write_private(self.path, tomli_w.dumps(raw).encode("utf-8"))
        self.ui = new_ui

    def to_dict(self) -> dict[str, Any]:
        """The effective settings as TOML-ready data, secrets replaced by ``***``."""
        profiles = {
            name: _without_none(_redacted(dataclasses.asdict(profile)))
            for name, profile in self.profiles.items()
        }
        return {
            "profiles": profiles,
            "channels": dict(self.channels),
            "ui": dataclasses.asdict(self.ui),
            "keymap": dict(self.keymap),
            "poll": dataclasses.asdict(self.poll),
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


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None


_DECODE_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_DECODE_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Python 3.11's TOMLDecodeError has no lineno attribute: the position is in the message.
        message = str(error)
        found = _DECODE_AT.search(message)
        if found:
            line, column = int(found.group(1)), int(found.group(2))
            reason = message[: found.start()]
            raise ConfigError(f"{path} line {line}, column {column}: {reason}") from None
        last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
        reason = _DECODE_AT_END.sub("", message)
        raise ConfigError(f"{path} line {max(last_line, 1)} (end of file): {reason}") from None


def _ui_overrides(ui: UIConfig, env: Mapping[str, str]) -> UIConfig:
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


def _check_ui_value(key: str, value: Any) -> Any:
    if key in ("mouse", "animations"):
        if not isinstance(value, bool):
            raise ConfigError(f"ui.{key} must be true or false")
    elif key == "notifications":
        if value not in NOTIFICATIONS:
            raise ConfigError(f"ui.notifications must be one of {', '.join(NOTIFICATIONS)}")
    elif not isinstance(value, str) or not value:
        raise ConfigError(f"ui.{key} must be a non-empty string")
    return value


def _redacted(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (REDACTED if _is_secret(k) and v else v) for k, v in values.items()}


def _is_secret(key: str) -> bool:
    return key in ("client_secret", "jwt")


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class _Reader:
    """Checks the parsed TOML against the typed config; errors name the line they come from."""

    def __init__(self, path: Path, text: str) -> None:
        self._path = path
        self._lines = text.splitlines()

    def fill(self, config: Config, raw: dict[str, Any]) -> None:
        config.profiles = {
            name: self._profile(name, table)
            for name, table in self._table((), "profiles", raw).items()
        }
        config.channels = self._strings(("channels",), self._table((), "channels", raw))
        config.keymap = self._strings(("keymap",), self._table((), "keymap", raw))
        ui = self._table((), "ui", raw)
        defaults = UIConfig()
        config.ui = UIConfig(
            theme=self._string(("ui",), "theme", ui, defaults.theme),
            mouse=self._bool(("ui",), "mouse", ui, defaults.mouse),
            notifications=self._choice(
                ("ui",), "notifications", ui, NOTIFICATIONS, defaults.notifications
            ),
            animations=self._bool(("ui",), "animations", ui, defaults.animations),
        )
        poll = self._table((), "poll", raw)
        config.poll = PollConfig(
            active=self._seconds(("poll",), "active", poll, PollConfig.active),
            idle=self._seconds(("poll",), "idle", poll, PollConfig.idle),
        )

    def _profile(self, name: str, table: Any) -> ProfileConfig:
        where = ("profiles", name)
        if not isinstance(table, dict):
            self._fail(("profiles",), name, f"profiles.{name} must be a table")
        try:
            check_profile_name(name)
        except ConfigError as error:
            self._fail(("profiles",), name, str(error))
        server = self._string(where, "server", table, None)
        if server is not None:
            try:
                server = normalise_server(server)
            except ConfigError as error:
                self._fail(where, "server", str(error))
        port = table.get("redirect_port")
        if port is not None and (
            isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535
        ):
            self._fail(where, "redirect_port", "redirect_port must be a port number (0-65535)")
        return ProfileConfig(
            server=server,
            client_id=self._string(where, "client_id", table, None),
            naming=self._choice(where, "naming", table, NAMINGS, None),
            client_secret=self._string(where, "client_secret", table, None),
            redirect_port=port,
        )

    def _table(self, where: tuple[str, ...], key: str, raw: dict[str, Any]) -> dict[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            self._fail(where, key, f"{_dotted((*where, key))} must be a table")
        return value

    def _strings(self, where: tuple[str, ...], table: dict[str, Any]) -> dict[str, str]:
        for key, value in table.items():
            if not isinstance(value, str):
                self._fail(where, key, f"{_dotted((*where, key))} must be a string")
        return dict(table)

    def _string(self, where: tuple[str, ...], key: str, table: dict[str, Any], default: Any):
        value = table.get(key, default)
        if value is not default and (not isinstance(value, str) or not value.strip()):
            self._fail(where, key, f"{_dotted((*where, key))} must be a non-empty string")
        return value

    def _bool(self, where: tuple[str, ...], key: str, table: dict[str, Any], default: bool):
        value = table.get(key, default)
        if not isinstance(value, bool):
            self._fail(where, key, f"{_dotted((*where, key))} must be true or false")
        return value

    def _choice(
        self,
        where: tuple[str, ...],
        key: str,
        table: dict[str, Any],
        choices: tuple[str, ...],
        default: str | None,
    ) -> Any:
        value = table.get(key, default)
        if value is not default and value not in choices:
            self._fail(
                where,
                key,
                f"{_dotted((*where, key))} must be one of {', '.join(choices)}, not {value!r}",
            )
        return value

    def _seconds(
        self, where: tuple[str, ...], key: str, table: dict[str, Any], default: float
    ) -> float:
        value = table.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            self._fail(where, key, f"{_dotted((*where, key))} must be a positive number of seconds")
        return float(value)

    def _fail(self, where: tuple[str, ...], key: str, problem: str) -> NoReturn:
        line = self._line_of(where, key)
        place = f"{self._path} line {line}" if line else str(self._path)
        raise ConfigError(f"{place}: {problem}")

    def _line_of(self, where: tuple[str, ...], key: str) -> int | None:
        """The line that sets ``key`` in table ``where`` (a best effort over TOML's forms)."""
        quoted = re.escape(key)
        assignment = re.compile(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*=""")
        current: tuple[str, ...] = ()
        for number, line in enumerate(self._lines, 1):
            header = _TABLE_HEADER.match(line)
            if header:
                current = _split_dotted(header.group(1))
                if current == (*where, key):
                    return number
            elif current == where and assignment.match(line):
                return number
        # Dotted keys (ui.theme = 1) or inline tables (ui = {theme = 1}): the first mention.
        mention = re.compile(rf"""(?:^|[\s.{{,])(?:{quoted}|"{quoted}"|'{quoted}')\s*=""")
        for number, line in enumerate(self._lines, 1):
            if mention.search(line):
                return number
        return None


_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")


def _split_dotted(name: str) -> tuple[str, ...]:
    parts: list[str] = []
    for match in re.finditer(r'\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[^.\s]+)\s*(?:\.|$)', name):
        part = match.group(1)
        parts.append(part[1:-1] if part[:1] in "\"'" else part)
    return tuple(parts)


def _dotted(parts: tuple[str, ...]) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in parts)


# ---------------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class AccountSettings:
    """What the flags, ``RCINBOX_*`` variables and the profile's config say; any may be None."""

    server: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    jwt: str | None = field(default=None, repr=False)
    naming: str | None = None

    @classmethod
    def gather(
        cls,
        *,
        server: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        jwt: str | None = None,
        naming: str | None = None,
        profile: ProfileConfig | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> AccountSettings:
        """Flags win over ``RCINBOX_*`` variables, which win over config.toml."""
        env = os.environ if environ is None else environ
        profile = profile or ProfileConfig()
        server = server or env.get("RCINBOX_SERVER") or profile.server
        naming = naming or env.get("RCINBOX_NAMING") or profile.naming
        if naming is not None and naming not in NAMINGS:
            raise ConfigError(f"naming must be one of {', '.join(NAMINGS)}, not {naming!r}")
        return cls(
            server=normalise_server(server) if server else None,
            client_id=client_id or env.get("RCINBOX_CLIENT_ID") or profile.client_id,
            client_secret=(
                client_secret or env.get("RCINBOX_CLIENT_SECRET") or profile.client_secret
            ),
            jwt=jwt or env.get("RCINBOX_JWT"),
            naming=naming,
        )

    def missing(self) -> list[str]:
        """The flags a JWT login still needs."""
        pieces = (
            ("--server", self.server),
            ("--client-id", self.client_id),
            ("--client-secret", self.client_secret),
            ("--jwt", self.jwt),
        )
        return [flag for flag, value in pieces if not value]

    def credentials(self) -> Credentials:
        """Complete JWT credentials, or ConfigError listing what is missing."""
        missing = self.missing()
        if missing:
            raise ConfigError(
                "no account: give "
                + ", ".join(missing)
                + " (or RCINBOX_SERVER, RCINBOX_CLIENT_ID, RCINBOX_CLIENT_SECRET, RCINBOX_JWT),"
                " or try --demo"
            )
        assert self.server and self.client_id
        return Credentials(
            self.server, self.client_id, self.client_secret, self.jwt, self.naming or "channel"
        )

    def public(self) -> dict[str, str]:
        """For display: the settings that are set, secrets replaced by ``***``."""
        return _without_none(_redacted(dataclasses.asdict(self)))


@dataclass(frozen=True)
class Credentials:
    """An account to log in to with the JWT bearer grant (or a stored login's pieces)."""

    server: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    jwt: str | None = field(default=None, repr=False)
    naming: str = "channel"
