"""Start the TUI from the command line: read the config, pick the account, run the app.

With no account set up, this prints one screen that says how to log in or try the demo, and
exits 78 (EX_CONFIG): a first run must never end in a traceback. A malformed config file gets
its line number in one message, the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys

from rcinbox import cli
from rcinbox.config import Config, ConfigError, selected_profile
from rcinbox.demo import DemoError, DemoServer
from rcinbox.inbox.engine import EngineSettings
from rcinbox.session import Account, open_inbox, resolve_account

log = logging.getLogger(__name__)

NO_ACCOUNT = """\
rcinbox has no account to open yet.

  Try it with demo data (no account, nothing leaves this machine):

      rcinbox --demo

  Or log in to RingCentral (production; add --server sandbox for the sandbox):

      rcinbox login --client-id ID --client-secret SECRET --jwt   (JWT, asked without echo)
      rcinbox login --client-id ID                                 (in a browser, PKCE)

  Credentials can also come from RCINBOX_SERVER, RCINBOX_CLIENT_ID, RCINBOX_CLIENT_SECRET
  and RCINBOX_JWT. `rcinbox --help` lists every command.
"""


def run_tui(args: argparse.Namespace, *, demo: DemoServer | None = None) -> int:
    """Run the app; with ``demo`` (already started), on the demo server's account."""
    with contextlib.ExitStack() as stack:
        if demo is not None:
            stack.callback(demo.close)
        return _run(args, demo, stack)


def _run(args: argparse.Namespace, demo: DemoServer | None, stack: contextlib.ExitStack) -> int:
    from rcinbox.tui.app import InboxApp, UISettings

    try:
        config = Config.load()
        profile = selected_profile(getattr(args, "profile", None))
    except ConfigError as error:
        print(f"rcinbox: {error}", file=sys.stderr)
        return cli.EXIT_CONFIG
    for warning in config.warnings:
        print(f"rcinbox: {warning}", file=sys.stderr)
    if demo is not None:
        try:
            account = demo.account(naming=getattr(args, "naming", None))
        except DemoError as error:
            print(f"rcinbox: {error}", file=sys.stderr)
            return cli.EXIT_UNAVAILABLE
    else:
        try:
            account = _configured_account(args, config, profile)
        except ConfigError as error:
            print(NO_ACCOUNT, file=sys.stderr)
            print(f"({error})", file=sys.stderr)
            return cli.EXIT_CONFIG
    ui = config.ui
    settings = UISettings(
        theme=ui.theme,
        mouse=ui.mouse and not args.no_mouse,
        notifications=ui.notifications,
        animations=ui.animations,
        keymap=config.keymap,
        channel_names=config.channels,
        profile=profile,
    )
    engine = EngineSettings(poll_active=config.poll.active, poll_idle=config.poll.idle)
    app = InboxApp(
        lambda: open_inbox(account, settings=engine),
        settings=settings,
        on_theme_change=lambda theme: _remember_theme(config, theme),
    )
    app.run(mouse=settings.mouse)
    return app.return_code or cli.EXIT_OK


def _configured_account(args: argparse.Namespace, config: Config, profile: str) -> Account:
    return resolve_account(
        server=getattr(args, "server", None),
        client_id=getattr(args, "client_id", None),
        client_secret=getattr(args, "client_secret", None),
        jwt=getattr(args, "jwt", None),
        naming=getattr(args, "naming", None),
        profile=profile,
        config=config,
    )


def _remember_theme(config: Config, theme: str) -> None:
    """The one setting the app writes: the theme the agent picked, kept for the next start."""
    try:
        config.save_ui_change("theme", theme)
    except (ConfigError, OSError) as error:
        log.warning("could not save the theme: %s", error)
