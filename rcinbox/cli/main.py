"""The ``rcinbox`` entry point: parse, run one command, turn a failure into its exit code.

Each command lives in its own module and is imported only when it runs (:data:`COMMANDS`), so
``demo-server`` and the headless commands never import Textual, and ``--demo`` starts its
emulator before the TUI's imports begin. A command returns its exit code or raises; whatever
it raises goes through the one map in :mod:`rcinbox.cli.errors`.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from rcinbox.api import waits
from rcinbox.cli import errors
from rcinbox.cli.parser import DEFAULT_WAIT_LIMIT, build_parser
from rcinbox.wiring import logs

log = logging.getLogger(__name__)
SAID = logs.SAID

# Command -> the module whose ``run(args) -> int`` carries it out. None: no command, the TUI.
COMMANDS: dict[str | None, str] = {
    None: "rcinbox.cli.tui",
    "contents": "rcinbox.cli.contents",
    "thread": "rcinbox.cli.contents",
    "identity": "rcinbox.cli.contents",
    "attachment": "rcinbox.cli.attachment",
    "export": "rcinbox.cli.export",
    "done": "rcinbox.cli.triage",
    "snooze": "rcinbox.cli.triage",
    "search": "rcinbox.cli.triage",
    "reply": "rcinbox.cli.replies",
    "start": "rcinbox.cli.replies",
    "outbox": "rcinbox.cli.replies",
    "sync": "rcinbox.cli.sync",
    "watch": "rcinbox.cli.sync",
    "login": "rcinbox.cli.accounts",
    "logout": "rcinbox.cli.accounts",
    "whoami": "rcinbox.cli.accounts",
    "config": "rcinbox.cli.config_cmd",
    "store": "rcinbox.cli.store_cmd",
    "demo-server": "rcinbox.cli.demo_server",
    "completion": "rcinbox.cli.completion",
    "web": "rcinbox.cli.web",
}


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up makes tens of thousands of objects that live as long as the process (modules,
    # classes, the app's widgets), and the collector's passes over them while they are made
    # are wasted: about a tenth of a launch. It is off while the command's module loads, and
    # for the TUI until its first frame is painted (InboxApp then freezes what exists and
    # turns it back on); a command that runs for hours (watch, demo-server) has it back first.
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    # The TUI owns the terminal: its log goes to the file only.
    headless = args.command is not None
    logs.setup(
        verbose=getattr(args, "verbose", 0) or 0,
        debug=bool(getattr(args, "debug", False)),
        terminal=headless,
        secrets=_secrets(args),
    )
    remove = waits.add_listener(_say_wait) if headless else None
    # The TUI waits as long as the server asks (it shows the wait and works from the store);
    # a script is better told at once that it would have to wait.
    waits.set_limit(getattr(args, "wait_limit", DEFAULT_WAIT_LIMIT) if headless else None)
    try:
        command = importlib.import_module(COMMANDS[args.command])
        if headless:
            gc.enable()
        return int(command.run(args))
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
        # For the log file: the failure as the user saw it (stderr has it already).
        log.error("%s failed (exit %d): %s", args.command or "rcinbox", code, line, extra=SAID)
        return code
    finally:
        if remove is not None:
            remove()
        waits.set_limit(None)
        logs.remove()


def _say_wait(wait: waits.Wait) -> None:
    """No silent wait: one line on stderr for each pause longer than a second."""
    print(f"rcinbox: {wait.line()}", file=sys.stderr, flush=True)


def _secrets(args: object) -> frozenset[str]:
    """The secrets this process was given, for the log's redaction filter."""
    given = {getattr(args, "client_secret", None), getattr(args, "jwt", None)}
    given |= {os.environ.get("RCINBOX_CLIENT_SECRET"), os.environ.get("RCINBOX_JWT")}
    return frozenset(value for value in given if isinstance(value, str) and value)


if __name__ == "__main__":
    raise SystemExit(main())
