"""Checks what config.toml says against the schema; every error names the file and the line.

A value of the wrong type is a :class:`ConfigError` naming the file and line, never a traceback.
Keys rcinbox does not know are ignored (and kept in the file). To read a new setting, add it to
:meth:`Reader.fill` with the checker for its type (``_string``, ``_bool``, ``_choice``, ...).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rcinbox.config.errors import ConfigError
from rcinbox.config.profiles import check_profile_name, normalise_server
from rcinbox.config.schema import (
    MAX_DAYS,
    MAX_REQUEST_SECONDS,
    MAX_RESPONSE_MIB,
    MAX_TEMPLATE_PARAMS,
    MAX_UNDO_SECONDS,
    MIN_POLL,
    MIN_RESPONSE_MIB,
    NAMINGS,
    NOTIFICATIONS,
    TOKEN_STORES,
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

if TYPE_CHECKING:
    from rcinbox.config.settings import Config

log = logging.getLogger(__name__)
_warned: set[str] = set()


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[::1]:PORT`` or ``PORT`` (host 127.0.0.1) -> (host, port)."""
    text = value.strip()
    host, colon, port_text = text.rpartition(":")
    if not colon:
        host, port_text = "", text
    host = host.strip("[]") or "127.0.0.1"
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ConfigError(f"webhook listen address must be HOST:PORT, not {value!r}")
    return host, int(port_text)


def check_ui_value(key: str, value: Any) -> Any:
    """A ``[ui]`` value the app is about to write, checked as the reader would."""
    if key in ("mouse", "animations"):
        if not isinstance(value, bool):
            raise ConfigError(f"ui.{key} must be true or false")
    elif key == "notifications":
        if value not in NOTIFICATIONS:
            raise ConfigError(f"ui.notifications must be one of {', '.join(NOTIFICATIONS)}")
    elif not isinstance(value, str) or not value:
        raise ConfigError(f"ui.{key} must be a non-empty string")
    return value


class Reader:
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
        for binding, keys in config.keymap.items():
            unknown = [key for key in keys.split(",") if not plausible_key(key)]
            if unknown:
                message = (
                    f"{self._path}: keymap.{binding} names no key a terminal sends"
                    f" ({', '.join(repr(k.strip()[:30]) for k in unknown)}); that binding"
                    " will never fire"
                )
                config.warnings.append(message)
                if message not in _warned:
                    # A process reads the config several times; the user hears it once.
                    _warned.add(message)
                    log.warning("%s", message)
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
            active=self._seconds(("poll",), "active", poll, PollConfig.active, least=MIN_POLL),
            idle=self._seconds(("poll",), "idle", poll, PollConfig.idle, least=MIN_POLL),
        )
        sync = self._table((), "sync", raw)
        config.sync = SyncConfig(
            horizon_days=self._days(("sync",), "horizon_days", sync, SyncConfig.horizon_days)
        )
        compose = self._table((), "compose", raw)
        config.compose = ComposeConfig(
            undo_seconds=self._seconds(
                ("compose",),
                "undo_seconds",
                compose,
                ComposeConfig.undo_seconds,
                zero=True,
                most=MAX_UNDO_SECONDS,
            )
        )
        limits = self._table((), "limits", raw)
        config.limits = LimitsConfig(
            response_mib=self._whole(
                ("limits",),
                "response_mib",
                limits,
                LimitsConfig.response_mib,
                MIN_RESPONSE_MIB,
                MAX_RESPONSE_MIB,
            ),
            request_seconds=self._seconds(
                ("limits",),
                "request_seconds",
                limits,
                LimitsConfig.request_seconds,
                least=1.0,
                most=MAX_REQUEST_SECONDS,
            ),
        )
        webhook = self._table((), "webhook", raw)
        listen = self._string(("webhook",), "listen", webhook, None)
        if listen is not None:
            try:
                parse_listen(listen)
            except ConfigError as error:
                self._fail(("webhook",), "listen", str(error))
        url = self._string(("webhook",), "url", webhook, None)
        if url is not None and not url.startswith(("http://", "https://")):
            self._fail(("webhook",), "url", "webhook.url must be an http(s) URL")
        config.webhook = WebhookConfig(listen=listen, url=url)
        whatsapp = self._table((), "whatsapp", raw)
        config.whatsapp = WhatsAppConfig(templates=self._templates(whatsapp))

    def _templates(self, table: dict[str, Any]) -> tuple[TemplateConfig, ...]:
        """``[whatsapp] templates``: the approved templates the user names (errors point at
        the ``templates`` line: TOML gives no line for an inline table's keys)."""
        listed = table.get("templates", [])

        def fail(problem: str) -> NoReturn:
            self._fail(("whatsapp",), "templates", problem)

        if not isinstance(listed, list) or not all(isinstance(t, dict) for t in listed):
            fail('whatsapp.templates must be a list of tables: [{ name = "...", language = "en" }]')
        templates: list[TemplateConfig] = []
        for entry in listed:
            name, language = entry.get("name"), entry.get("language")
            if not all(isinstance(v, str) and v.strip() for v in (name, language)):
                fail("each of whatsapp.templates needs a name and a language (non-empty text)")
            name, language = name.strip(), language.strip()
            params = entry.get("params", 0)
            if (
                isinstance(params, bool)
                or not isinstance(params, int)
                or not 0 <= params <= MAX_TEMPLATE_PARAMS
            ):
                fail(
                    f"whatsapp.templates {name!r}: params must be a whole number from 0 to"
                    f" {MAX_TEMPLATE_PARAMS}"
                )
            preview = entry.get("preview", "")
            if not isinstance(preview, str):
                fail(f"whatsapp.templates {name!r}: preview must be text")
            if any((t.name, t.language) == (name, language) for t in templates):
                fail(f"whatsapp.templates names {name!r} ({language}) twice")
            templates.append(TemplateConfig(name, language, params, preview))
        return tuple(templates)

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
            client_secret_command=self._string(where, "client_secret_command", table, None),
            jwt_command=self._string(where, "jwt_command", table, None),
            token_store=self._choice(where, "token_store", table, TOKEN_STORES, None),
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

    def _whole(
        self,
        where: tuple[str, ...],
        key: str,
        table: dict[str, Any],
        default: int,
        least: int,
        most: int,
    ) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
            self._fail(
                where,
                key,
                f"{_dotted((*where, key))} must be a whole number from {least} to {most}",
            )
        return int(value)

    def _seconds(
        self,
        where: tuple[str, ...],
        key: str,
        table: dict[str, Any],
        default: float,
        *,
        zero: bool = False,
        most: float = math.inf,
        least: float = 0.0,
    ) -> float:
        value = table.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
            or (value == 0 and not zero)
            or value > most
            or 0 < value < least
        ):
            wanted = "a number of seconds, 0 or more" if zero else "a positive number of seconds"
            if least:
                wanted = f"a positive number of seconds, at least {least:g}"
            if most != math.inf:
                wanted += f", at most {most:g}"
            self._fail(where, key, f"{_dotted((*where, key))} must be {wanted}")
        return float(value)

    def _days(self, where: tuple[str, ...], key: str, table: dict[str, Any], default: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
            self._fail(
                where,
                key,
                f"{_dotted((*where, key))} must be a whole number of days from 1 to {MAX_DAYS},"
                f" not {value!r}",
            )
        return value

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


# Key names Textual uses besides single characters and the Unicode names of characters.
_NAMED_KEYS = frozenset(
    [
        "escape",
        "enter",
        "return",
        "tab",
        "space",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "page_up",
        "page_down",
        "up",
        "down",
        "left",
        "right",
        "shift+tab",
        "backtab",
    ]
    + [f"f{n}" for n in range(1, 25)]
)
_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def plausible_key(key: str) -> bool:
    """Whether ``key`` (one of a binding's comma-separated keys) is one a terminal can send:
    modifiers, then a named key, one character, or a character's Unicode name
    (``question_mark``). Nonsense is only warned about, once, when the config is read."""
    parts = key.strip().lower().split("+")
    *modifiers, name = parts
    if not name or any(m not in _MODIFIERS for m in modifiers):
        return False
    if len(name) == 1 or name in _NAMED_KEYS:
        return True
    try:
        return len(unicodedata.lookup(name.replace("_", " "))) == 1
    except KeyError:
        return False


def _dotted(parts: tuple[str, ...]) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in parts)
