"""Reply snippets: the agent's own texts, one ``NAME.txt`` file each in ``<config dir>/snippets/``.

A snippet may hold placeholders that are filled for the conversation it goes into:
``{first_name}`` and ``{name}`` (the customer's), ``{agent_name}`` (the logged-in agent's, as
that channel knows them) and ``{channel}`` (WhatsApp, Messenger...). A placeholder with no
value, or one of another name (``{order_number}``), stays in the text as it is: the composer
highlights it, and sending a reply that still holds one asks first (:data:`PLACEHOLDER` is that
one rule).

Files are read as the config file is: regular files only (never a FIFO that would block), at
most :data:`MAX_SNIPPET_BYTES` each, UTF-8; a file that cannot be used is named in a one-line
problem and the others still load. Never imports Textual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rcinbox.config.errors import ConfigError
from rcinbox.config.paths import read_regular
from rcinbox.text import visible

PLACEHOLDERS = ("first_name", "name", "agent_name", "channel")
# A placeholder: a lower-case name in braces. Any of them left in a reply is one not filled.
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
MAX_SNIPPET_BYTES = 64 * 1024
# More files than this in the directory are left out (a picker of thousands helps nobody).
MAX_SNIPPETS = 1000


@dataclass(frozen=True)
class Snippet:
    """One snippet: its file's name without ``.txt``, and its text."""

    name: str
    text: str


def load_snippets(directory: Path) -> tuple[list[Snippet], list[str]]:
    """The snippets in ``directory`` by name, and a line for each file that could not be used."""
    try:
        paths = sorted(p for p in directory.glob("*.txt") if not p.name.startswith("."))
    except OSError as error:
        return [], [f"{directory}: cannot list it ({error.strerror or error})"]
    snippets: list[Snippet] = []
    problems: list[str] = []
    for path in paths[:MAX_SNIPPETS]:
        try:
            data = read_regular(path, MAX_SNIPPET_BYTES)
        except ConfigError as error:
            problems.append(str(error))
            continue
        if data is None:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{path}: not UTF-8 text")
            continue
        # Editors end a file with a line break; a reply does not need it. Controls become
        # visible symbols: no escape sequence reaches the composer's screen, or a customer.
        snippets.append(Snippet(path.stem, visible(text.removesuffix("\n"))))
    if len(paths) > MAX_SNIPPETS:
        problems.append(f"{directory}: only the first {MAX_SNIPPETS} snippets are offered")
    return snippets, problems


def fill(text: str, values: Mapping[str, str | None]) -> str:
    """``text`` with each placeholder that has a value replaced by it (made one visible line:
    a customer's name is a stranger's text too); the others stay as they are."""

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        cleaned = " ".join(visible(found, multiline=False).split()) if found else ""
        return cleaned or match.group(0)

    return PLACEHOLDER.sub(value, text)


def unfilled(text: str) -> list[str]:
    """The placeholders still in ``text``, in order (``["{first_name}"]``)."""
    return [match.group(0) for match in PLACEHOLDER.finditer(text)]
