"""Nothing outside rcinbox/inbox reaches into the engine's parts: it asks the Inbox facade.

The parts (store, syncer, outbox, client, scheduler, events bus) are attributes of ``Inbox``;
the CLI and the wiring must not read them, so the facade stays the one surface to keep stable.
(The TUI still subscribes through ``inbox.events``; it moves to the facade with its event
messages.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import rcinbox

PARTS = {"store", "syncer", "outbox", "client", "scheduler", "events", "identities"}
CHECKED = ("cli", "wiring")


def reached_parts(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in PARTS
            and isinstance(node.value, ast.Name)
            and node.value.id == "inbox"
        ):
            found.append(f"line {node.lineno}: inbox.{node.attr}")
    return found


def test_the_cli_and_the_wiring_use_only_the_facade() -> None:
    root = Path(rcinbox.__file__).parent
    offenders = [
        f"{path.relative_to(root)} {where}"
        for package in CHECKED
        for path in sorted((root / package).rglob("*.py"))
        for where in reached_parts(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_sees_a_reach_through() -> None:
    assert reached_parts("async def f(inbox):\n    await inbox.syncer.sync_newest()\n") == [
        "line 2: inbox.syncer"
    ]
