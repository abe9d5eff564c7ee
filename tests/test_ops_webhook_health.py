"""When webhooks fall silent, polling takes over and says so; a notification brings them back."""

from __future__ import annotations

import asyncio
from pathlib import Path

from test_webhooks import TOKEN, envelope, rig, seeded_ids

from rcinbox.emulator import Emulator
from rcinbox.inbox.notices import WebhookState
from rcinbox.inbox.webhooks import MAX_CONNECTIONS


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class HoldingSleep:
    """Records each nap and holds it, so the renewal loop runs one round per release."""

    def __init__(self) -> None:
        self.napping = asyncio.Event()

    async def __call__(self, delay: float) -> None:
        self.napping.set()
        await asyncio.Event().wait()


def states(subscription) -> list[WebhookState]:
    found = []
    while (event := subscription.get_nowait()) is not None:
        if isinstance(event, WebhookState):
            found.append(event)
    return found


async def test_silence_hands_over_to_polling_until_a_notification(
    emulator: Emulator, tmp_path: Path
) -> None:
    clock = Clock(1_000_000.0)
    sleep = HoldingSleep()
    async with rig(emulator, tmp_path, clock=clock, sleep=sleep, health_interval=60) as r:
        assert [s.active for s in states(r.inbox)] == [True]
        assert r.syncer._webhook_active
        clock.now += 61  # a minute without a notification
        renewing = asyncio.ensure_future(r.receiver.run())
        try:
            async with asyncio.timeout(10):
                await sleep.napping.wait()
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
        silent = states(r.inbox)
        assert [s.active for s in silent] == [False]
        assert silent[0].detail == "no webhook for 1 min; polling"
        assert not r.syncer._webhook_active
        answer = await r.notify(envelope(seeded_ids(emulator, 1)[0]), **{"Validation-Token": TOKEN})
        assert answer.status_code == 200
        assert [s.active for s in states(r.inbox)] == [True]
        assert r.syncer._webhook_active


async def test_connections_beyond_the_cap_are_closed_at_once(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with rig(emulator, tmp_path) as r:
        port = int(r.receiver.address.rstrip("/").rsplit(":", 1)[1])
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(MAX_CONNECTIONS)]
        async with asyncio.timeout(10):
            while len(r.receiver._connections) < MAX_CONNECTIONS:
                await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        async with asyncio.timeout(5):
            assert await reader.read() == b""  # refused: closed without an answer
        writer.close()
        for _, idle_writer in idle:
            idle_writer.close()
        async with asyncio.timeout(10):
            while r.receiver._connections:
                await asyncio.sleep(0.01)
        answer = await r.notify(envelope(seeded_ids(emulator, 1)[0]), **{"Validation-Token": TOKEN})
        assert answer.status_code == 200
