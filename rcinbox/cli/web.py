"""``rcinbox web``: the same TUI in a browser, through textual-serve (the ``rcinbox[web]`` extra).

textual-serve runs a small aiohttp server: the page, and a websocket per browser tab that starts
``rcinbox`` (with this command's account options) as a child process and relays its screen and
keys. Each tab is its own rcinbox, on the same store, sharing the outbox like any two processes.

Whoever reaches the address sees and answers the inbox: there is no login page. So it listens on
127.0.0.1 unless ``--public`` is given, and then it says so in a warning. Secrets given as flags
reach the children through the environment, never their command lines (other users can read
those in ``ps``). Imports textual-serve (and with it rich) only here, when the command runs.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys

from rcinbox.cli.errors import CommandError, ExitCode
from rcinbox.cli.output import say

MISSING = "rcinbox web needs the web extra: pip install 'rcinbox[web]'"
WARNING = (
    "rcinbox: warning: serving on {host}:{port}, beyond this machine: anyone who can reach it"
    " sees and answers this inbox (there is no login page); put it behind a proxy with"
    " authentication, or use the default 127.0.0.1 over an SSH tunnel"
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def child_command(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    """The command each browser tab runs, and the variables that carry secrets to it."""
    argv = [sys.executable, "-m", "rcinbox"]
    environment: dict[str, str] = {}
    for flag, name in (
        ("--profile", "profile"),
        ("--server", "server"),
        ("--client-id", "client_id"),
        ("--naming", "naming"),
        ("--webhook-listen", "webhook_listen"),
        ("--webhook-url", "webhook_url"),
    ):
        value = getattr(args, name, None)
        if value:
            argv += [flag, value]
    for name, variable in (("client_secret", "RCINBOX_CLIENT_SECRET"), ("jwt", "RCINBOX_JWT")):
        value = getattr(args, name, None)
        if value:
            environment[variable] = value
    if getattr(args, "demo", False):
        argv.append("--demo")
    if getattr(args, "no_mouse", False):
        argv.append("--no-mouse")
    return shlex.join(argv), environment


def run(args: argparse.Namespace) -> int:
    if not is_loopback(args.host) and not args.public:
        raise CommandError(
            f"{args.host} is not a loopback address: anyone who reaches it sees the inbox;"
            " add --public if that is what you want",
            ExitCode.USAGE,
        )
    try:
        from textual_serve.server import Server
    except ImportError:
        raise CommandError(MISSING, ExitCode.CONFIG) from None
    if not is_loopback(args.host):
        say(WARNING.format(host=args.host, port=args.port))
    command, environment = child_command(args)
    os.environ.update(environment)
    host = f"[{args.host}]" if ":" in args.host else args.host
    server = Server(
        command,
        host=args.host,
        port=args.port,
        title="rcinbox",
        public_url=args.public_url or f"http://{host}:{args.port}",
    )
    server.serve(debug=bool(getattr(args, "debug", False)))
    return ExitCode.OK
