"""ctrl+c in a headless command ends it at once, whichever of its threads the kernel hands the
signal to (rcinbox.cli.aio): a reply's undo window must not sleep through it."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from rcinbox.cli import aio

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX threads")


@pytest.fixture(autouse=True)
def ctrl_c_handled() -> Iterator[None]:
    """Python's own ctrl+c handling, as in a terminal: a test run started in the background
    (`&`) has SIGINT ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_taken_by_another_thread_cancels_the_command_at_once() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: None).result()
        (worker,) = (t for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor"))
        cancelled_after: list[float] = []

        async def undo_window() -> None:
            threading.Timer(0.2, signal.pthread_kill, (worker.ident, signal.SIGINT)).start()
            began = time.monotonic()
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled_after.append(time.monotonic() - began)
                raise

        with pytest.raises(KeyboardInterrupt):
            aio.run(undo_window())
    # Without the wake-up pipe the loop slept the whole 10 s before Python saw the signal.
    assert cancelled_after and cancelled_after[0] < 2.0


def test_a_command_that_ends_leaves_signal_handling_as_it_found_it() -> None:
    before = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(before)

    async def command() -> int:
        return 7

    assert aio.run(command()) == 7
    assert signal.set_wakeup_fd(before) == before
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
