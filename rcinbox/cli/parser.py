"""The command line: every command, its options and its help; nothing runs here.

Commands are declared here and run elsewhere (:mod:`rcinbox.cli.main` imports a command's
module only when that command runs), so ``--help`` and ``demo-server`` load neither the engine
nor Textual. The account options stand before or after the command name alike.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rcinbox import __version__
from rcinbox.cli.errors import EXIT_CODES_HELP
from rcinbox.config.schema import MIN_POLL, NAMINGS

if TYPE_CHECKING:
    from rcinbox.config import Config
    from rcinbox.wiring.accounts import AccountOptions

# `login --jwt` without a value: ask for the JWT without echo.
LOGIN_ASK = "\0ask"

LOGIN_HELP = (
    """With a JWT credential (--jwt, RCINBOX_JWT) rcinbox logs in with it, unattended from then on.
Without one it logs in through a browser (authorization code with PKCE): it listens on
http://127.0.0.1:PORT/callback, which must be registered as a redirect URI of the app (give
the registered PORT with --redirect-port), prints the address to open and opens a browser when
it can. Over SSH, open the address anywhere, then paste here the address the browser ends on
(or just the code). Missing pieces are asked for on a terminal, without echo.

"""
    + EXIT_CODES_HELP
)


# How long a headless command waits in all for a server before giving up (exit 75).
DEFAULT_WAIT_LIMIT = 120.0


def account_options(args: argparse.Namespace) -> AccountOptions:
    """The account options the command line gave (those it did not are None)."""
    from rcinbox.wiring.accounts import AccountOptions

    return AccountOptions(
        server=getattr(args, "server", None),
        client_id=getattr(args, "client_id", None),
        client_secret=getattr(args, "client_secret", None),
        jwt=getattr(args, "jwt", None),
        naming=getattr(args, "naming", None),
        profile=getattr(args, "profile", None),
        demo=bool(getattr(args, "demo", False)),
    )


def webhook_settings(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    """``webhook_listen``/``webhook_url`` for EngineSettings: the flags, else ``[webhook]``.

    A URL alone listens on 127.0.0.1 at a free port (fit for a tunnel that is told the port
    later, or the emulator); a listen address alone subscribes its own loopback address.
    """
    from rcinbox.config import ConfigError, parse_listen

    listen = getattr(args, "webhook_listen", None) or config.webhook.listen
    url = getattr(args, "webhook_url", None) or config.webhook.url
    if listen is None and url is None:
        return {}
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"--webhook-url must be an http(s) URL, not {url!r}")
    return {
        "webhook_listen": parse_listen(listen) if listen else ("127.0.0.1", 0),
        "webhook_url": url,
    }


def _global_options() -> argparse.ArgumentParser:
    """Logging options every command takes, before or after its name."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("logging")
    sup = argparse.SUPPRESS
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=sup,
        help="print what rcinbox does (requests, waits) on stderr",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=sup,
        help="log everything, to stderr and to the log file (`rcinbox config path` shows it)",
    )
    parent.add_argument_group("waiting").add_argument(
        "--wait-limit",
        type=_wait_seconds,
        default=sup,
        metavar="SECONDS",
        help=(
            f"wait at most this long in all for the server (rate limits, Retry-After, retries);"
            f" a longer wait exits 75 at once (default {DEFAULT_WAIT_LIMIT:g}; not in the TUI)"
        ),
    )
    return parent


def _poll_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text[:40]!r}") from None
    if not MIN_POLL <= value < 1e9:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_POLL:g} second (and finite)")
    return value


def _wait_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text[:40]!r}") from None
    if not 0 <= value < 1e9:
        raise argparse.ArgumentTypeError("must be 0 or more seconds (and finite)")
    return value


def _webhook_options() -> argparse.ArgumentParser:
    """Webhooks, for the commands that follow the inbox: the TUI, ``watch`` and ``sync``."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("webhooks")
    sup = argparse.SUPPRESS
    group.add_argument(
        "--webhook-listen",
        default=sup,
        metavar="HOST:PORT",
        help="receive RingCentral's webhooks here (host defaults to 127.0.0.1; [webhook] listen)",
    )
    group.add_argument(
        "--webhook-url",
        default=sup,
        metavar="URL",
        help="the public address RingCentral calls, forwarded to --webhook-listen"
        " (a reverse proxy or tunnel; [webhook] url)",
    )
    return parent


def _account_options() -> argparse.ArgumentParser:
    """Options every command takes; SUPPRESS lets them stand before or after the command name."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("account")
    sup = argparse.SUPPRESS
    group.add_argument(
        "--profile",
        default=sup,
        metavar="NAME",
        help="account profile: stored login and [profiles.NAME] (env RCINBOX_PROFILE)",
    )
    group.add_argument("--server", default=sup, help="API server URL (env RCINBOX_SERVER)")
    group.add_argument("--client-id", default=sup, help="app client id (env RCINBOX_CLIENT_ID)")
    group.add_argument(
        "--client-secret", default=sup, help="app client secret (env RCINBOX_CLIENT_SECRET)"
    )
    group.add_argument("--jwt", default=sup, help="JWT credential (env RCINBOX_JWT)")
    group.add_argument(
        "--naming",
        choices=NAMINGS,
        default=sup,
        help="field names to send: channel* (current) or source* (2024 beta servers)",
    )
    group.add_argument(
        "--demo",
        action="store_true",
        default=sup,
        help="run against a built-in emulator with demo data (no account, no network)",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    logging_options = _global_options()
    account = _account_options()
    webhooks = _webhook_options()
    parser = argparse.ArgumentParser(
        prog="rcinbox",
        description="A terminal inbox for the RingCentral Social Messaging API.",
        parents=[account, logging_options, webhooks],
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rcinbox {__version__}")
    parser.add_argument(
        "--no-mouse", action="store_true", help="TUI: leave the mouse to the terminal"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, *, follows: bool = False) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=[account, logging_options, *([webhooks] if follows else [])],
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    contents = command("contents", "List contents (newest first), with the API's filters.")
    contents.add_argument("--channel", action="append", metavar="ID", help="channel id (repeat)")
    contents.add_argument("--thread", action="append", metavar="ID", help="thread id (repeat)")
    contents.add_argument("--author", action="append", metavar="ID", help="author identity id")
    contents.add_argument(
        "--author-group", action="append", metavar="ID", help="author identity group id"
    )
    contents.add_argument("--intervention", action="append", metavar="ID", help="intervention id")
    contents.add_argument(
        "--text", action="append", metavar="WORDS", help="text to search (repeat: all must match)"
    )
    contents.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        help="New, Assigned, Replied, UserReply, UserInitiated, Ignored (repeat: any)",
    )
    contents.add_argument("--direction", choices=("incoming", "outgoing"))
    contents.add_argument(
        "--order-by",
        choices=(
            "-creationTime",
            "+creationTime",
            "creationTime",
            "-lastModifiedTime",
            "+lastModifiedTime",
            "lastModifiedTime",
        ),
    )
    contents.add_argument("--per-page", type=int, metavar="N", help="page size asked (1-1000)")
    contents.add_argument("--page-token", metavar="TOKEN", help="start at this page")
    limit = contents.add_mutually_exclusive_group()
    limit.add_argument(
        "--limit", type=int, default=50, metavar="N", help="at most N contents (default 50)"
    )
    limit.add_argument("--all", action="store_true", help="follow every page")
    contents.add_argument("--json", action="store_true", help="JSON with the API's field names")

    thread = command("thread", "Show a whole conversation, oldest message first.")
    thread.add_argument("thread_id", metavar="THREAD_ID")
    thread.add_argument("--json", action="store_true", help="JSON with the API's field names")
    thread.add_argument(
        "--all",
        action="store_true",
        help="follow every page (by default at most 50 pages of 1000 messages are read)",
    )

    export = command(
        "export", "Write a conversation as Markdown, JSON or plain text (files are 0600)."
    )
    export.add_argument("thread_id", metavar="THREAD_ID")
    export.add_argument(
        "--format",
        choices=("md", "json", "txt"),
        help="md (the default), json (typed fields and the server's records) or txt;"
        " without it, the suffix of -o FILE decides",
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (0600) instead of standard output"
    )

    reply = command("reply", "Reply to a content, through the outbox (sent exactly once).")
    reply.add_argument("content_id", metavar="CONTENT_ID", help="the message you answer")
    reply.add_argument("text", metavar="TEXT", help="the reply; - reads it from standard input")
    visibility = reply.add_mutually_exclusive_group()
    visibility.add_argument(
        "--public", dest="public", action="store_true", default=None, help="reply publicly"
    )
    visibility.add_argument(
        "--private", dest="public", action="store_false", help="reply privately"
    )
    reply.add_argument("--json", action="store_true", help="print the created content as JSON")
    reply.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="wait this long for the server to accept it (default 60); then exit 75, still queued",
    )
    reply.add_argument(
        "--undo-seconds",
        type=float,
        default=0.0,
        metavar="N",
        help="hold the reply N seconds before it leaves; ctrl+c in that time takes it back",
    )

    start = command(
        "start",
        "Start a conversation on a channel, through the outbox (sent exactly once).",
    )
    start.add_argument("channel_id", metavar="CHANNEL_ID", help="the channel to write on")
    start.add_argument(
        "text", nargs="?", metavar="TEXT", help="the message; - reads it from standard input"
    )
    start.add_argument(
        "--to",
        action="append",
        metavar="ADDRESS",
        help="a phone number (+E.164) on WhatsApp or Viber, an address on Email (repeat)",
    )
    start.add_argument("--title", metavar="SUBJECT", help="the subject (Email)")
    start.add_argument(
        "--template", metavar="NAME", help="an approved WhatsApp template (instead of TEXT)"
    )
    start.add_argument(
        "--template-language",
        metavar="LANG",
        help="the template's language (e.g. en); config.toml's [whatsapp] templates may say it",
    )
    start.add_argument(
        "--param",
        action="append",
        metavar="VALUE",
        help="the template's next parameter ({{1}}, {{2}}...; repeat)",
    )
    start.add_argument("--json", action="store_true", help="print the created content as JSON")
    start.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="wait this long for the server to accept it (default 60); then exit 75, still queued",
    )

    outbox = command("outbox", "List replies not yet accepted or refused; `flush` sends them.")
    outbox.add_argument("action", nargs="?", choices=("list", "flush"), default="list")
    outbox.add_argument("--json", action="store_true", help="JSON output")
    outbox.add_argument(
        "--timeout", type=float, default=120.0, metavar="SECONDS", help="flush: give up after"
    )

    sync = command("sync", "Fetch the newest contents into the local store.", follows=True)
    sync.add_argument("--json", action="store_true", help="JSON output")
    sync.add_argument(
        "--history",
        action="store_true",
        help="also fetch older contents back to [sync] horizon_days (default 14)",
    )

    watch = command("watch", "Print new contents as NDJSON until interrupted.", follows=True)
    watch.add_argument(
        "--interval",
        type=_poll_seconds,
        default=10.0,
        metavar="SECONDS",
        help=f"poll interval (default 10, at least {MIN_POLL:g})",
    )

    done = command("done", "Mark a thread done: hidden until its customer writes again.")
    done.add_argument("thread_id", metavar="THREAD_ID")
    done.add_argument("--undo", action="store_true", help="bring the thread back")
    done.add_argument("--json", action="store_true", help="JSON output")

    snooze = command("snooze", "Snooze a thread: hidden until a time, then back as unread.")
    snooze.add_argument("thread_id", metavar="THREAD_ID")
    snooze.add_argument(
        "--until",
        metavar="WHEN",
        help='"1h", "30m", "2d", "tomorrow" (9:00), "monday" (9:00), "HH:MM" or'
        ' "YYYY-MM-DD HH:MM" (local time)',
    )
    snooze.add_argument("--undo", action="store_true", help="bring the thread back now")
    snooze.add_argument("--json", action="store_true", help="JSON output")

    search = command("search", "Find threads in the local store by name or text.")
    search.add_argument("text", metavar="TEXT")
    # Not --server: that option names the API server for every command.
    search.add_argument(
        "--remote",
        action="store_true",
        help="ask the server's text filter too and store what it finds",
    )
    search.add_argument(
        "--pages", type=int, default=3, metavar="N", help="--remote: at most N pages (default 3)"
    )
    search.add_argument("--json", action="store_true", help="JSON output")

    identity = command("identity", "Show an identity (a customer or an agent).")
    identity.add_argument("identity_id", metavar="ID")
    identity.add_argument("--json", action="store_true", help="JSON with the API's field names")

    attachment = command(
        "attachment",
        "Download an attachment of a message (to the downloads folder unless -o says where).",
    )
    attachment.add_argument("content_id", metavar="CONTENT_ID", help="the message")
    attachment.add_argument(
        "--index", type=int, default=1, metavar="N", help="which attachment (1, the first)"
    )
    attachment.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="a directory to save into, or the file to write (replaced if it exists)",
    )
    attachment.add_argument(
        "--json", action="store_true", help="print the path, size and content type as JSON"
    )

    store = command("store", "Show the local store's size and contents, or compact it.")
    store.add_argument(
        "action",
        choices=("info", "vacuum"),
        help="info: counts and sizes; vacuum: give free room back to the file system",
    )
    store.add_argument("--json", action="store_true", help="JSON output")

    # account commands
    sup = argparse.SUPPRESS
    profile_option = argparse.ArgumentParser(add_help=False)
    profile_option.add_argument(
        "--profile", default=sup, metavar="NAME", help="account profile (env RCINBOX_PROFILE)"
    )

    def account_command(name: str, help_text: str, epilog: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=[profile_option, logging_options],
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    login = account_command("login", "Log in and store the login for this profile.", LOGIN_HELP)
    login.add_argument(
        "--server",
        default=sup,
        metavar="URL",
        help="production (the default), sandbox or a URL (env RCINBOX_SERVER)",
    )
    login.add_argument("--client-id", default=sup, help="app client id (env RCINBOX_CLIENT_ID)")
    login.add_argument(
        "--client-secret", default=sup, help="app client secret (env RCINBOX_CLIENT_SECRET)"
    )
    login.add_argument(
        "--jwt",
        nargs="?",
        const=LOGIN_ASK,
        default=sup,
        metavar="JWT",
        help="log in with this JWT credential (env RCINBOX_JWT); alone: ask for it",
    )
    login.add_argument(
        "--naming",
        choices=NAMINGS,
        default=sup,
        help="field names to send: channel* (current) or source* (2024 beta servers)",
    )
    browser = login.add_mutually_exclusive_group()
    browser.add_argument(
        "--browser", dest="browser", action="store_true", default=None, help="open a browser"
    )
    browser.add_argument(
        "--no-browser",
        dest="browser",
        action="store_false",
        help="only print the address (the default over SSH or without a display)",
    )
    login.add_argument(
        "--redirect-port",
        type=int,
        metavar="N",
        help="listen for the browser on 127.0.0.1:N (default: a free port, or the profile's"
        " redirect_port); the app must have http://127.0.0.1:N/callback registered",
    )
    login.add_argument("--json", action="store_true", help="print who is logged in as JSON")

    account_command(
        "logout", "Revoke this profile's login on the server and delete it here.", EXIT_CODES_HELP
    )

    whoami = account_command(
        "whoami",
        "Show the profile's server, owner id and token expiry (never a token).",
        EXIT_CODES_HELP,
    )
    whoami.add_argument("--json", action="store_true", help="JSON output")

    config = account_command(
        "config",
        "Show where config.toml and the log file are, or the settings in effect.",
        EXIT_CODES_HELP,
    )
    config.add_argument(
        "action", choices=("path", "show"), help="path: the file; show: settings, secrets as ***"
    )
    config.add_argument("--json", action="store_true", help="show: JSON instead of TOML")

    web = commands.add_parser(
        "web",
        parents=[account, logging_options, webhooks],
        help="Serve the TUI to a browser (needs the rcinbox[web] extra).",
        description="Serve the same TUI in a browser through textual-serve: each tab runs"
        " rcinbox with these account options. Loopback only unless --public: whoever reaches"
        " the address sees and answers the inbox.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    web.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    web.add_argument(
        "--public",
        action="store_true",
        help="allow a non-loopback --host (anyone who reaches it sees the inbox)",
    )
    web.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, when a proxy serves it elsewhere (http://HOST:PORT)",
    )
    web.add_argument(
        "--no-mouse", action="store_true", help="leave the mouse to the browser's terminal"
    )

    completion = commands.add_parser(
        "completion",
        parents=[logging_options],
        help="Print a shell completion script (bash, zsh or fish).",
        description="Print a completion script generated from these commands and options:"
        ' eval "$(rcinbox completion bash)" in ~/.bashrc, or see the README for zsh and fish.',
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))

    server = commands.add_parser(
        "demo-server",
        parents=[logging_options],
        help="Serve the API emulator with demo data until interrupted.",
        description="Serve a faithful emulator of the Social Messaging API and OAuth on loopback.",
    )
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=0, help="0 picks a free port")
    server.add_argument("--seed", type=int, default=1)
    server.add_argument("--contents", type=int, default=2000, metavar="N")
    server.add_argument("--naming", choices=NAMINGS, default="channel")
    server.add_argument(
        "--faults",
        default="",
        metavar="SPEC",
        help="e.g. latency=20,error_rate=0.1,drop_after_commit=0.3,malformed=0.05,sync_fail=0.2",
    )
    server.add_argument("--rate-limit", type=int, default=50, metavar="N", help="requests/minute")
    # For `rcinbox --demo`, which runs the emulator as its child: stop when the parent's end of
    # standard input closes, so a parent that dies (even by SIGKILL) leaves no server behind.
    server.add_argument("--exit-with-stdin", action="store_true", help=argparse.SUPPRESS)
    # For `rcinbox --demo` too: once listening, sync this (new) store as a client would, and
    # say so on stdout (wiring/warm.py): the TUI's first frame then has rows and names.
    server.add_argument("--warm-store", metavar="PATH", help=argparse.SUPPRESS)
    server.add_argument("--warm-naming", choices=NAMINGS, default=None, help=argparse.SUPPRESS)
    server.add_argument(
        "--inbound-every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="simulated customers write about this often",
    )
    return parser
