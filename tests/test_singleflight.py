"""The single-flight rule (rcinbox.api.singleflight): shared runs, cancellation, errors.

Deterministic: each run waits on an event the test sets, and the test waits for events, never
for time to pass.
"""

from __future__ import annotations

import asyncio
import gc

import pytest

from rcinbox.api.singleflight import SingleFlight


class Gate:
    """A run that counts its starts and ends only when released."""

    def __init__(self) -> None:
        self.starts = 0
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = asyncio.Event()
        self.cancelled = False
        self.fail: BaseException | None = None

    async def __call__(self) -> str:
        self.starts += 1
        self.started.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        self.finished.set()
        if self.fail is not None:
            raise self.fail
        return f"run {self.starts}"


async def test_concurrent_callers_share_one_run() -> None:
    flights: SingleFlight[str] = SingleFlight()
    gate = Gate()
    callers = [asyncio.ensure_future(flights.run(gate, "k")) for _ in range(5)]
    await gate.started.wait()
    assert flights.running("k")
    gate.release.set()
    assert await asyncio.gather(*callers) == ["run 1"] * 5
    assert gate.starts == 1
    assert not flights.running("k")


async def test_different_keys_run_apart() -> None:
    flights: SingleFlight[str] = SingleFlight()
    first, second = Gate(), Gate()
    a = asyncio.ensure_future(flights.run(first, "a"))
    b = asyncio.ensure_future(flights.run(second, "b"))
    await first.started.wait()
    await second.started.wait()
    first.release.set()
    second.release.set()
    assert await asyncio.gather(a, b) == ["run 1", "run 1"]
    assert (first.starts, second.starts) == (1, 1)


async def test_a_finished_run_is_forgotten() -> None:
    flights: SingleFlight[str] = SingleFlight()
    gate = Gate()
    gate.release.set()
    assert await flights.run(gate) == "run 1"
    assert await flights.run(gate) == "run 2"


async def test_a_cancelled_caller_leaves_the_run_to_the_others() -> None:
    flights: SingleFlight[str] = SingleFlight()
    gate = Gate()
    quitter = asyncio.ensure_future(flights.run(gate))
    stayer = asyncio.ensure_future(flights.run(gate))
    await gate.started.wait()
    quitter.cancel()
    await asyncio.gather(quitter, return_exceptions=True)
    assert quitter.cancelled()
    assert flights.running()
    gate.release.set()
    assert await stayer == "run 1"
    assert not gate.cancelled


async def test_the_last_waiter_leaving_does_not_cancel_the_run() -> None:
    flights: SingleFlight[str] = SingleFlight()
    gate = Gate()
    only = asyncio.ensure_future(flights.run(gate))
    await gate.started.wait()
    only.cancel()
    await asyncio.gather(only, return_exceptions=True)
    assert only.cancelled()
    # Nobody waits any more, yet the run goes on to its end (a POST records its outcome).
    assert flights.running()
    gate.release.set()
    await gate.finished.wait()
    assert not gate.cancelled
    # A caller arriving while it still runs would have joined it; after it ends, a new one runs.
    gate.release.set()
    assert await flights.run(gate) == "run 2"


async def test_a_caller_arriving_during_the_run_joins_it() -> None:
    flights: SingleFlight[str] = SingleFlight()
    gate = Gate()
    first = asyncio.ensure_future(flights.run(gate))
    await gate.started.wait()
    first.cancel()
    late = asyncio.ensure_future(flights.run(gate))
    gate.release.set()
    assert await late == "run 1"
    assert gate.starts == 1


async def test_every_waiter_gets_the_exception_and_it_is_not_cached() -> None:
    flights: SingleFlight[str] = SingleFlight()
    gate = Gate()
    gate.fail = ValueError("refused")
    callers = [asyncio.ensure_future(flights.run(gate)) for _ in range(3)]
    await gate.started.wait()
    gate.release.set()
    outcomes = await asyncio.gather(*callers, return_exceptions=True)
    assert [type(o) for o in outcomes] == [ValueError] * 3
    assert all(o is outcomes[0] for o in outcomes)
    gate.fail = None
    assert await flights.run(gate) == "run 2"


async def test_an_exception_nobody_awaits_is_not_reported_as_never_retrieved() -> None:
    flights: SingleFlight[str] = SingleFlight()
    gate = Gate()
    gate.fail = ValueError("nobody listens")
    reported: list[dict[str, object]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        only = asyncio.ensure_future(flights.run(gate))
        await gate.started.wait()
        only.cancel()
        await asyncio.gather(only, return_exceptions=True)
        gate.release.set()
        await gate.finished.wait()
        while flights.running():
            await asyncio.sleep(0)
        await asyncio.sleep(0)  # the done callback has run
        gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert not reported


async def test_the_owner_cancels_the_runs_and_their_waiters() -> None:
    flights: SingleFlight[str] = SingleFlight()
    gate = Gate()
    waiter = asyncio.ensure_future(flights.run(gate, "k"))
    await gate.started.wait()
    await flights.cancel()
    assert gate.cancelled
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert not flights.running("k")
