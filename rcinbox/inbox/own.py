"""Who "you" are: the token owner's agent identities, looked up once at start so that the first
reply already shows as yours. Never imports Textual."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rcinbox.api.errors import BadRequest, Forbidden, NotFound, RCError, Unprocessable
from rcinbox.inbox.connection import Connection
from rcinbox.inbox.identities import IdentityDirectory

log = logging.getLogger("rcinbox.inbox.engine")


async def find_own_identities(
    identities: IdentityDirectory,
    connection: Connection,
    owner_id: Callable[[], str | None],
    *,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> None:
    """Ask for the owner's identities until the server answers; asked again whenever the
    server could not be reached, given up on a refusal (the account may not list them)."""
    delay = 1.0
    while True:
        owner = owner_id()
        if owner is None:
            # The first answer comes with a login, and the login says who its owner is.
            await connection.wait_online()
            owner = owner_id()
            if owner is None:
                return
        try:
            await identities.find_own(owner)
            return
        except (BadRequest, Forbidden, NotFound, Unprocessable) as error:
            log.info("could not list the user's own identities: %s", error)
            return
        except RCError as error:
            log.info("could not list the user's own identities yet: %s", error)
        await sleep(delay)
        delay = min(delay * 2, 60.0)
        await connection.wait_online()
