"""The ``rcinbox`` entry point: parse, run one command, turn a failure into its exit code.

Each command lives in its own module and is imported only when it runs (:data:`COMMANDS`), so
``demo-server`` and the headless commands never import Textual, and ``--demo`` starts its
emulator before the TUI's imports begin. A command returns its exit code or raises; whatever
it raises goes through the one map in :mod:`rcinbox.cli.errors`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from rcinbox.cli import errors
from rcinbox.cli.parser import build_parser

# Command -> the module whose ``run(args) -> int`` carries it out. None: no command, the TUI.
COMMANDS: dict[str | None, str] = {
    None: "rcinbox.cli.tui",
    "contents": "rcinbox.cli.contents",
    "thread": "rcinbox.cli.contents",
    "identity": "rcinbox.cli.contents",
    "reply": "rcinbox.cli.replies",
    "outbox": "rcinbox.cli.replies",
    "sync": "rcinbox.cli.sync",
    "watch": "rcinbox.cli.sync",
    "login": "rcinbox.cli.accounts",
    "logout": "rcinbox.cli.accounts",
    "whoami": "rcinbox.cli.accounts",
    "config": "rcinbox.cli.config_cmd",
    "demo-server": "rcinbox.cli.demo_server",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(importlib.import_module(COMMANDS[args.command]).run(args))
    except KeyboardInterrupt:
        return errors.INTERRUPTED
    except BrokenPipeError:
        # A reader such as `head` went away; say nothing more.
        sys.stderr.close()
        return errors.ExitCode.OK
    except Exception as error:
        code = errors.exit_code(error)
        if code is None:
            raise
        line = errors.message(error, profile=getattr(args, "profile", None))
        print(f"rcinbox: {line}", file=sys.stderr)
        return code


if __name__ == "__main__":
    raise SystemExit(main())
