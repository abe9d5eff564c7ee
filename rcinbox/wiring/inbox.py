"""An :class:`Account` in, its :class:`~rcinbox.inbox.engine.Inbox` out, for any UI.

The TUI and the headless commands both get their inbox here, so they share one way of logging
in (a stored login's renewed tokens are saved back to its profile), one HTTP client per account,
one store location and one shutdown order. Never imports Textual.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rcinbox.config import data_dir, make_private_dir, write_private
from rcinbox.inbox.engine import EngineSettings, Inbox, StoreError
from rcinbox.inbox.store import Store
from rcinbox.wiring.accounts import Account, AccountOptions, account_for
from rcinbox.wiring.client import DeferredClient

if TYPE_CHECKING:
    from rcinbox.wiring.warm import WarmStart

# SQLite's name for a database that lives in memory and goes with the connection.
_IN_MEMORY = Path(":memory:")


@contextlib.asynccontextmanager
async def open_inbox(
    account: Account,
    *,
    settings: EngineSettings | None = None,
    remote_only: bool = False,
    clock: Callable[[], float] = time.time,
    warm: WarmStart | None = None,
) -> AsyncIterator[Inbox]:
    """The account's engine, not yet started; closed in the right order on the way out.

    ``warm``: the store's first sync, running in another process (:mod:`rcinbox.wiring.warm`); the
    engine's own work waits for it, and its session starts with the token it got.

    ``clock`` is the engine's (tests anchor it to seeded data, so "the last 14 days" holds the
    same contents on any day they run, and pin it so an undo countdown is the same every run).

    ``remote_only``: for commands that only read from the server, a store in memory, so that
    they leave no database behind (for a mistyped server, say).
    """
    if settings is not None and settings.webhook_listen is not None and not settings.webhook_token:
        settings = dataclasses.replace(settings, webhook_token=webhook_token(account))
    # The client is built at the engine's first request (wiring/client.py): opening the store
    # and painting its rows never wait for httpx and the OAuth session to load.
    client = DeferredClient(account, handed_token=(lambda: warm.token) if warm else None)
    try:
        async with Inbox.opened(
            _IN_MEMORY if remote_only else account.store_path,
            client=client,
            downloads=client.downloads,
            owner_id=client.owner_id,
            settings=settings,
            clock=clock,
            prior_sync=warm,
        ) as inbox:
            client.on_not_saved = inbox.report_trouble
            yield inbox
    finally:
        await client.aclose()


@contextlib.asynccontextmanager
async def inbox_for(
    options: AccountOptions,
    *,
    settings: EngineSettings | None = None,
    check_login: bool = False,
    remote_only: bool = False,
    inbound_every: float | None = None,
) -> AsyncIterator[Inbox]:
    """The inbox of the account the options name (a demo server's with ``demo``).

    With ``check_login``, a stored login is renewed now if it needs it, so that an expired one
    fails at once, in one line, rather than after a command's timeout. ``inbound_every``: the
    demo's simulated customers write about this often.
    """
    with account_for(options, inbound_every=inbound_every) as account:
        async with open_inbox(account, settings=settings, remote_only=remote_only) as inbox:
            if check_login and account.login is not None:
                await inbox.check_login()
            yield inbox


# A store this large may take a while to upgrade (a million contents: about half a minute).
UPGRADE_NOTICE_BYTES = 16 * 1024 * 1024


def upgrade_store(
    account: Account, say: Callable[[str], None], *, notice_bytes: int = UPGRADE_NOTICE_BYTES
) -> None:
    """Bring the account's store to this version's schema before a UI opens it, saying so
    first when it is large: the TUI would otherwise upgrade it behind a blank screen. A store
    that cannot be upgraded is left for the UI to report."""
    path = account.store_path
    if Store.pending_migrations(path) == 0:
        return
    size = sum(
        Path(f"{path}{suffix}").stat().st_size
        for suffix in ("", "-wal")
        if Path(f"{path}{suffix}").exists()
    )
    if size >= notice_bytes:
        say(
            f"upgrading the local store ({size / 2**20:,.0f} MiB) for this version of rcinbox;"
            " a large one takes a while, once"
        )
    # Store.open says in one line what is wrong with one that cannot be upgraded; the UI
    # opening it next reports that.
    with contextlib.suppress(StoreError):
        Store.open(path).close()


def webhook_token(account: Account) -> str:
    """The account's webhook verification token: generated once, kept 0600 in the data dir.

    Kept (not made up each run) so that an operator's proxy or a check script can know it, and
    a notification for a subscription of the previous run is still recognised as ours.
    """
    if account.demo:
        return secrets.token_urlsafe(24)
    key = hashlib.sha256(str(account.store_path).encode()).hexdigest()[:16]
    path = data_dir() / "webhooks" / f"{key}.token"
    try:
        with open(path, "rb") as file:
            if os.name != "posix" or os.fstat(file.fileno()).st_mode & 0o077 == 0:
                token = file.read(256).decode("ascii", "replace").strip()
                if len(token) >= 24 and token.isascii():
                    return token
    except OSError:
        pass
    token = secrets.token_urlsafe(24)
    make_private_dir(path.parent)
    write_private(path, token.encode("ascii"))
    return token
