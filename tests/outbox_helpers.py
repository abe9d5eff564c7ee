"""The outbox wired to an emulator over loopback, for the outbox tests and their child processes.

Run as a script it is the process the SIGKILL tests kill:

    python tests/outbox_helpers.py send URL DB REPLIES_JSON
        queue the replies, print "queued", flush them, print "done"
    python tests/outbox_helpers.py draft DB THREAD TEXT
        type TEXT into the thread's draft, print "ready" once it must be on disk, wait forever
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from rcinbox.api import OAuthSession, RateBudget, SocialMessagingClient
from rcinbox.api.channels import WHATSAPP_WINDOW
from rcinbox.emulator import Emulator
from rcinbox.emulator.clock import epoch
from rcinbox.inbox.events import EventBus
from rcinbox.inbox.outbox import Outbox
from rcinbox.inbox.scheduler import RequestScheduler
from rcinbox.inbox.store import Store

CLIENT_ID = "rcinbox-demo"
CLIENT_SECRET = "rcinbox-demo-secret"
JWT = "rcinbox-demo-jwt"
FAST = {"reconcile_grace": 0.05, "backoff": 0.01, "delivery_poll": 0.05}


class Speed:
    """Time running ``factor`` times faster than the real clock, for clocks and sleeps alike."""

    def __init__(self, factor: float = 1.0) -> None:
        self.factor = factor
        self._wall = time.time()
        self._mono = time.monotonic()

    def clock(self) -> float:
        return self._wall + (time.time() - self._wall) * self.factor

    def monotonic(self) -> float:
        return self._mono + (time.monotonic() - self._mono) * self.factor

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.factor)


async def brief_sleep(seconds: float) -> None:
    """The login's own waits (after a 503) cut short: the emulator's faults are momentary."""
    await asyncio.sleep(min(seconds, 0.02))


@dataclass
class Stack:
    store: Store
    auth: OAuthSession
    client: SocialMessagingClient
    scheduler: RequestScheduler
    events: EventBus
    outbox: Outbox


@contextlib.asynccontextmanager
async def outbox_stack(
    url: str,
    db: Path | str,
    *,
    jwt: str = JWT,
    speed: Speed | None = None,
    max_get_retries: int = 4,
    **options: Any,
) -> AsyncIterator[Stack]:
    """A store on ``db`` and an Outbox talking to the server at ``url`` (fast test timings)."""
    speed = speed or Speed()
    store = Store.open(db)
    try:
        async with httpx.AsyncClient() as http:
            auth = OAuthSession(
                url, CLIENT_ID, CLIENT_SECRET, http=http, jwt=jwt, sleep=brief_sleep
            )
            rate = RateBudget(clock=speed.monotonic, sleep=speed.sleep)
            client = SocialMessagingClient(
                url,
                auth,
                http=http,
                rate=rate,
                backoff=0.01,
                sleep=speed.sleep,
                max_get_retries=max_get_retries,
            )
            scheduler = RequestScheduler(client.rate, clock=speed.monotonic, sleep=speed.sleep)
            events = EventBus()
            outbox = Outbox(
                store=store,
                client=client,
                scheduler=scheduler,
                events=events,
                owner_id=lambda: auth.token.owner_id if auth.token else None,
                clock=speed.clock,
                sleep=speed.sleep,
                **{**FAST, **options},
            )
            yield Stack(store, auth, client, scheduler, events, outbox)
            await outbox.flush_drafts()
    finally:
        store.close()


@dataclass(frozen=True)
class Reply:
    thread_id: str
    in_reply_to: str
    channel_type: str
    body: str


def enqueue_all(outbox: Outbox, replies: list[Reply]) -> list[str]:
    return [
        outbox.enqueue(
            thread_id=r.thread_id,
            in_reply_to=r.in_reply_to,
            channel_type=r.channel_type,
            body=r.body,
            public=None,
        ).id
        for r in replies
    ]


async def _send(url: str, db: str, targets: str) -> None:
    replies = [Reply(**item) for item in json.loads(Path(targets).read_text())]
    async with outbox_stack(url, db) as stack:
        enqueue_all(stack.outbox, replies)
        print("queued", flush=True)
        await stack.outbox.flush()
    print("done", flush=True)


async def _draft(db: str, thread_id: str, text: str) -> None:
    store = Store.open(db)
    outbox = Outbox(
        store=store,
        client=None,  # type: ignore[arg-type]  # drafts never touch the network
        scheduler=None,  # type: ignore[arg-type]
        events=EventBus(),
        owner_id=lambda: None,
    )
    for end in range(1, len(text) + 1):
        outbox.save_draft(thread_id, text[:end])
        await asyncio.sleep(0.02)
    # The debounce writes within a second of the last keystroke; wait past that, then say so.
    await asyncio.sleep(1.1)
    print("ready", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str]) -> None:
    commands: dict[str, Callable[..., Awaitable[None]]] = {"send": _send, "draft": _draft}
    asyncio.run(commands[argv[0]](*argv[1:]))


if __name__ == "__main__":
    main(sys.argv[1:])


def inbound(emulator: Emulator, count: int, channel_type: str | None = None) -> list[dict]:
    """The newest ``count`` customer contents (of one channel type, when given) that free text
    may answer: WhatsApp threads whose 24-hour window has closed are left out (the server
    refuses a reply there)."""
    wanted = {"contentDirection": "Incoming"}
    if channel_type:
        wanted["channelType"] = channel_type
    found = emulator.contents_where(**wanted)
    newest: dict[str, float] = {}
    for content in found:
        newest[content["threadId"]] = epoch(content["creationTime"])
    closes = emulator.now().timestamp() - WHATSAPP_WINDOW
    return [c for c in found if c["channelType"] != "WhatsApp" or newest[c["threadId"]] > closes][
        -count:
    ]
