"""config.toml as text and as data: read with tomllib (errors name the line), written with tomli-w.

tomli-w cannot keep comments, so a file is written only when the user changes a setting through
the app, and then from the file's own content with just that change.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from rcinbox.config.errors import ConfigError
from rcinbox.config.paths import write_private

_DECODE_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_DECODE_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def read_text(path: Path) -> str | None:
    """The file's text, or None when it does not exist; ConfigError when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None


def parse(path: Path, text: str) -> dict[str, Any]:
    """TOML to data; a syntax error is a ConfigError naming the line and column."""
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


def dumps(data: dict[str, Any]) -> str:
    import tomli_w  # only when writing or showing: reading needs none of it

    return tomli_w.dumps(data)


def write(path: Path, data: dict[str, Any]) -> None:
    """Replace the file with ``data`` as TOML, atomically and private (0600)."""
    write_private(path, dumps(data).encode("utf-8"))
