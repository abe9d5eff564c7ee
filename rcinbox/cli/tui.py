"""No command: start the TUI. Read the config, pick the account, run the app.

With ``--demo`` the demo server starts first, before Textual and the engine are imported, so
it builds its data on the other core while this process gets ready to paint. With no account
set up, this prints one screen that says how to log in or try the demo, and exits 78
(EX_CONFIG): a first run must never end in a traceback. A malformed config file gets its line
number in one message, the same way (:mod:`rcinbox.cli.errors`).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from rcinbox.cli.errors import ExitCode, exit_code
from rcinbox.cli.parser import account_options, webhook_settings
from rcinbox.wiring.demo import TUI_INBOUND_EVERY, DemoServer

if TYPE_CHECKING:
    from rcinbox.config import Config
    from rcinbox.wiring.accounts import Account, AccountOptions
    from rcinbox.wiring.warm import WarmStart

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


def run(args: argparse.Namespace) -> int:
    options = account_options(args)
    with contextlib.ExitStack() as stack:
        # Started first, before the rest is imported, so that the emulator builds its data and
        # warms the demo's new store (see _run) while the TUI loads.
        demo = (
            stack.enter_context(
                DemoServer(inbound_every=TUI_INBOUND_EVERY, warm=True, naming=options.naming)
            )
            if options.demo
            else None
        )
        return _run(args, options, demo)


def _run(args: argparse.Namespace, options: AccountOptions, demo: DemoServer | None) -> int:
    # What picks the account comes before Textual is imported: a new store's first sync starts
    # in another process (wiring/warm.py) and overlaps the imports and the first frame's work.
    from rcinbox.config import Config, ConfigError, selected_profile
    from rcinbox.wiring.accounts import resolve_account
    from rcinbox.wiring.warm import WarmStart

    config = Config.load()
    profile = selected_profile(options.profile)
    for warning in config.warnings:
        print(f"rcinbox: {warning}", file=sys.stderr)
    warm: WarmStart | None = None
    if demo is not None:
        # The demo server warms its store itself; its account is known once it listens.
        warm = WarmStart.for_demo(demo, naming=options.naming).start()
    else:
        try:
            account = resolve_account(
                server=options.server,
                client_id=options.client_id,
                client_secret=options.client_secret,
                jwt=options.jwt,
                naming=options.naming,
                profile=profile,
                config=config,
            )
        except ConfigError as error:
            print(NO_ACCOUNT, file=sys.stderr)
            print(f"({error})", file=sys.stderr)
            return exit_code(error) or ExitCode.CONFIG
        if WarmStart.wanted(account.store_path):
            warm = WarmStart(lambda: account).start()
        else:
            from rcinbox.wiring.inbox import upgrade_store

            # Only a store with contents can be old and large enough to be worth a notice.
            upgrade_store(account, say=lambda line: print(f"rcinbox: {line}", file=sys.stderr))
    try:
        return _run_app(args, config, profile, warm.account if warm else lambda: account, warm)
    finally:
        if warm is not None:
            warm.stop()


def _run_app(
    args: argparse.Namespace,
    config: Config,
    profile: str,
    account_of: Callable[[], Account],
    warm: WarmStart | None,
) -> int:
    from rcinbox.inbox.engine import EngineSettings
    from rcinbox.tui.app import InboxApp, UISettings
    from rcinbox.wiring.inbox import open_inbox

    # Asked for after the imports: a demo's account is known once its server listens.
    account = account_of()
    ui = config.ui
    settings = UISettings(
        theme=ui.theme,
        mouse=ui.mouse and not args.no_mouse,
        notifications=ui.notifications,
        animations=ui.animations,
        keymap=config.keymap,
        channel_names=config.channels,
        profile=profile,
        undo_seconds=config.compose.undo_seconds,
        templates=config.whatsapp.templates,
    )
    engine = EngineSettings(
        poll_active=config.poll.active,
        poll_idle=config.poll.idle,
        horizon_days=config.sync.horizon_days,
        **webhook_settings(args, config),
    )
    app = InboxApp(
        lambda: open_inbox(account, settings=engine, warm=warm),
        settings=settings,
        on_theme_change=lambda theme: _remember_theme(config, theme),
    )
    app.run(mouse=settings.mouse)
    return app.return_code or ExitCode.OK


def _remember_theme(config: Config, theme: str) -> None:
    """The one setting the app writes: the theme the agent picked, kept for the next start."""
    from rcinbox.config import ConfigError

    try:
        config.save_ui_change("theme", theme)
    except (ConfigError, OSError) as error:
        log.warning("could not save the theme: %s", error)
