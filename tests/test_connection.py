"""One connection state, from every request the engine makes (issue 8, finding 7).

Against the emulator over loopback, stopped and started again on the same port: offline is
said at the first failed attempt and online at the first answer, whichever part of the engine
got it (a reply, not only a poll); nothing is spent from the rate budget while nothing reaches
the server; and a poll loop idling at a minute notices the server back within seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_helpers import engine, port_of, until

from rcinbox.api.errors import (
    ErrorDetail,
    NotFound,
    RateLimited,
    RCError,
    ServerError,
    TransportError,
)
from rcinbox.api.ratelimit import RateBudget
from rcinbox.emulator import Emulator
from rcinbox.inbox.connection import Connection
from rcinbox.inbox.engine import EngineSettings
from rcinbox.inbox.events import ConnectionChanged, ConnectionState, EventBus
from rcinbox.inbox.scheduler import RequestScheduler
from rcinbox.inbox.store import Store, ThreadFilter
from rcinbox.inbox.sync import Syncer

ONLINE, OFFLINE = ConnectionState.ONLINE, ConnectionState.OFFLINE
# Polls far apart: whatever brings the state back, it is not a poll.
NO_POLLS = EngineSettings(poll_active=3600.0, poll_idle=3600.0)


def changes(subscription) -> list[ConnectionChanged]:
    seen = []
    while (event := subscription.get_nowait()) is not None:
        if isinstance(event, ConnectionChanged):
            seen.append(event)
    return seen


def test_the_state_changes_only_on_news_and_says_why_it_is_offline() -> None:
    events = EventBus()
    updates = events.subscribe()
    connection = Connection(events)
    back: list[str] = []
    connection.when_back(lambda: back.append("back"))
    assert connection.state is ConnectionState.CONNECTING

    refused = TransportError("Could not connect to the server", request_sent=False)
    connection.observe(refused)
    connection.observe(refused)
    assert [(e.state, e.reason) for e in changes(updates)] == [
        (OFFLINE, "Could not connect to the server")
    ]
    # Any answer proves the server is there, a refusal too.
    connection.observe(NotFound(404, (ErrorDetail(message="Resource not found"),)))
    connection.observe(None)
    assert [(e.state, e.reason) for e in changes(updates)] == [(ONLINE, None)]
    assert back == ["back"]
    connection.observe(RateLimited(429, retry_after=60.0))
    connection.observe(ServerError(503))
    connection.observe(None)
    assert [e.state for e in changes(updates)] == [OFFLINE, ONLINE]
    assert back == ["back", "back"]
    connection.observe(ValueError("not a request's outcome"))
    assert changes(updates) == []


async def test_a_reply_that_gets_through_says_online_before_any_poll(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    first = make_emulator(contents=300)
    async with engine(first.url, tmp_path / "inbox.db", settings=NO_POLLS) as inbox:
        await inbox.sync_now()
        assert inbox.connection.state is ONLINE
        updates = inbox.events.subscribe()
        thread = next(
            row
            for row in inbox.threads(ThreadFilter(), 0, 100)
            if row.latest_inbound_id is not None
        )
        first.stop()
        with pytest.raises(RCError):
            await inbox.sync_now()
        assert inbox.connection.state is OFFLINE
        assert "connect" in (inbox.connection.reason or "").lower()

        entry = inbox.send(thread.id, "Back in a moment")
        await inbox.start(poll=False, names=False)
        await asyncio.sleep(0.3)  # the outbox tries, and cannot connect
        assert inbox.connection.state is OFFLINE
        second = make_emulator(contents=300, port=port_of(first.url))
        await until(lambda: inbox.store.outbox_entry(entry.id).state in ("accepted", "delivered"))
        assert inbox.connection.state is ONLINE
        states = [e.state for e in changes(updates)]
        # Offline (each failed request may say it more precisely), then online, once.
        assert states[-1] is ONLINE and set(states[:-1]) == {OFFLINE}
    # Sent once (the new server knew no token of ours: one 401, one renewal, one resend).
    assert second.count_contents(body="Back in a moment") == 1
    assert second.stats.requests["GET /contents"] == 0, "no poll brought the state back"


async def test_the_request_budget_does_not_count_down_while_offline(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator.url, tmp_path / "inbox.db", settings=NO_POLLS) as inbox:
        await inbox.sync_now()
        before = inbox.rate()
        assert before.limit and before.available is not None
        emulator.stop()
        for _ in range(5):  # each with its retries: 15 attempts that never left
            with pytest.raises(RCError):
                await inbox.sync_now()
        assert inbox.connection.state is OFFLINE
        assert inbox.rate().available == before.available


async def test_polling_notices_the_server_back_within_seconds_though_it_idles_at_a_minute(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    """The agent's start while the server is down (before: 45-50 s to see it back)."""
    gone = make_emulator(contents=200)
    port = port_of(gone.url)
    gone.stop()
    idle = EngineSettings(poll_active=10.0, poll_idle=60.0)
    async with engine(gone.url, tmp_path / "inbox.db", settings=idle) as inbox:
        await inbox.start(send=False, names=False)
        await until(lambda: inbox.connection.state is OFFLINE)
        await asyncio.sleep(4.0)  # long enough for the retries to have backed off
        make_emulator(contents=200, port=port)
        took = await until(lambda: inbox.connection.state is ONLINE)
        assert took < 10.0
        await until(lambda: inbox.store.content_count() > 0)


async def test_an_unreachable_server_is_retried_every_few_seconds_and_at_once_when_back(
    tmp_path: Path,
) -> None:
    """Polls while nothing reaches the server cost nothing: 1, 2, 4, 8, 8... seconds apart,
    not the minute of an idle agent, and at once when another request got through."""
    waits: list[float] = []
    released = asyncio.Event()

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) >= 6:
            released.set()
            await asyncio.Event().wait()  # the sixth wait: hold the loop here

    class Unreachable:
        rate = None

        async def list_contents(self, **_: object) -> None:
            raise TransportError("Could not connect", request_sent=False)

    store = Store.open(tmp_path / "inbox.db")
    events = EventBus()
    syncer = Syncer(
        store=store,
        client=Unreachable(),  # type: ignore[arg-type]
        scheduler=RequestScheduler(RateBudget()),
        events=events,
        sleep=sleep,
        clock=lambda: 0.0,
        poll_active=10.0,
        poll_idle=60.0,
    )
    poller = asyncio.ensure_future(syncer.run())
    try:
        await asyncio.wait_for(released.wait(), 5)
        assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
        syncer.reconnected()
        await until(lambda: len(waits) == 7)  # it polled at once, then waits again
    finally:
        poller.cancel()
        await asyncio.gather(poller, return_exceptions=True)
        store.close()
