"""A whole engine (``Inbox``) on a real client against an emulator, with quick client retries.

``open_inbox`` builds the production wiring with production timings (retries half a second
apart); these tests want the same wiring with retries that take milliseconds, so a stopped
server is seen as such at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx

from rcinbox.api import OAuthSession, SocialMessagingClient
from rcinbox.emulator import Emulator
from rcinbox.inbox.engine import EngineSettings, Inbox
from rcinbox.inbox.events import Event, Subscription
from rcinbox.inbox.store import Store

CLIENT_ID, CLIENT_SECRET, JWT = "rcinbox-demo", "rcinbox-demo-secret", "rcinbox-demo-jwt"
# Every wait below ends well within this; it only stops a broken test from hanging.
HANG_GUARD = 15.0


@contextlib.asynccontextmanager
async def engine(
    url: str,
    path: Path,
    *,
    settings: EngineSettings | None = None,
    retries: int = 2,
    **inbox_options: Any,
) -> AsyncIterator[Inbox]:
    """An Inbox on ``path`` (a store file) talking to ``url``; closed on the way out."""
    store = Store.open(path)
    async with httpx.AsyncClient() as http:
        auth = OAuthSession(url, CLIENT_ID, CLIENT_SECRET, http=http, jwt=JWT)
        client = SocialMessagingClient(url, auth, http=http, max_get_retries=retries, backoff=0.01)
        inbox = Inbox(
            store=store,
            client=client,
            owner_id=lambda: auth.token.owner_id if auth.token else None,
            settings=settings,
            **inbox_options,
        )
        try:
            yield inbox
        finally:
            await inbox.close()
            store.close()


async def next_event(subscription: Subscription, wanted: Callable[[Event], bool]) -> Event:
    """The next event ``wanted`` accepts."""
    async with asyncio.timeout(HANG_GUARD):
        while True:
            event = await subscription.get()
            if wanted(event):
                return event


async def until(condition: Callable[[], bool], *, timeout: float = HANG_GUARD) -> float:
    """Wait until ``condition()`` holds; returns how long that took (seconds)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
    return loop.time() - started


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def own_identity_ids(emulator: Emulator) -> set[str]:
    """Identities the token's owner wrote replies as, in the emulator's data."""
    return {
        identity["id"]
        for content in emulator.contents_where(contentDirection="Outgoing")
        if (identity := emulator.identity(content["authorIdentityId"]))
        and emulator.owner_id in identity.get("userIds", ())
    }
