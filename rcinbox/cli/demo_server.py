"""``rcinbox demo-server``: the API emulator with demo data, served until interrupted.

Its first line on stdout is ``listening on http://HOST:PORT``, flushed, for the tools (and the
``--demo`` parent, :mod:`rcinbox.wiring.demo`) that wait for it. Imports only the emulator and,
for a ``--demo`` parent that asks for a warm start (``--warm-store``), the engine, which syncs
that store over HTTP from a thread (:mod:`rcinbox.wiring.warm`); never Textual.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from datetime import UTC, datetime

from rcinbox.cli.errors import CommandError, ExitCode


def run(args: argparse.Namespace) -> int:
    from rcinbox.emulator import Emulator, EmulatorConfig, parse_faults

    try:
        faults = parse_faults(args.faults)
    except ValueError as error:
        raise CommandError(f"--faults: {error}", ExitCode.USAGE) from None
    if args.contents < 1 or args.rate_limit < 1:
        raise CommandError("--contents and --rate-limit must be at least 1", ExitCode.USAGE)
    config = EmulatorConfig(
        host=args.host,
        port=args.port,
        seed=args.seed,
        contents=args.contents,
        naming=args.naming,
        faults=faults,
        rate_limit=args.rate_limit,
        inbound_every=args.inbound_every,
        now=demo_now(),
    )

    def announce(url: str) -> None:
        # First line on stdout, flushed: other tools wait for it.
        print(f"listening on {url}", flush=True)
        if args.warm_store:
            _warm_start(url, args.warm_store, args.warm_naming)

    try:
        if args.exit_with_stdin:
            # The --demo parent's child: say where to connect before building the data, so the
            # parent's start-up overlaps the build; its first requests wait for the build.
            emulator = Emulator(config).start(on_listening=announce)
        else:
            emulator = Emulator(config).start()
            announce(emulator.url)
    except OSError as error:
        raise CommandError(
            f"cannot listen on {args.host}:{args.port}: {error.strerror}", ExitCode.UNAVAILABLE
        ) from None
    stop = threading.Event()
    if args.exit_with_stdin:
        _stop_when_stdin_closes(stop)
    emulator.serve_until_signal(stop)
    return ExitCode.OK


def _warm_start(url: str, store: str, naming: str | None) -> None:
    """Sync the demo TUI's store from a thread of this process, which has a core of its own,
    while the parent loads; its outcome is the second line on stdout."""

    def warm() -> None:
        from rcinbox.wiring.warm import WARMED, warm_demo_store

        try:
            answer = warm_demo_store(url, store, naming)
        except Exception as error:
            # The parent waits for this line; without it its engine would never start.
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(f"{WARMED} {json.dumps(answer)}", flush=True)

    threading.Thread(target=warm, name="rcinbox-warm-start", daemon=True).start()


def _stop_when_stdin_closes(stop: threading.Event) -> None:
    # The raw descriptor, not sys.stdin: a thread blocked in the buffered reader holds its lock,
    # and an interpreter ending (on a signal, say) while it does aborts.
    def watch() -> None:
        while os.read(sys.stdin.fileno(), 4096):
            pass
        stop.set()

    threading.Thread(target=watch, name="rcinbox-parent-watch", daemon=True).start()


def demo_now() -> datetime:
    """The instant the demo's data leads up to: now, unless a test pins it."""
    pinned = os.environ.get("RCINBOX_DEMO_NOW")
    if pinned:
        return datetime.fromisoformat(pinned.replace("Z", "+00:00"))
    return datetime.now(UTC).replace(microsecond=0)
