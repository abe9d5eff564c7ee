"""How a headless command runs its coroutine: ``asyncio.run``, with ctrl+c seen at once.

The kernel hands a process's SIGINT to any of its threads that does not block it, and rcinbox's
commands have others (the store's packing thread, the event loop's resolver threads). Python
runs its handler (asyncio.run's: cancel the command) only when the main thread next runs Python
code, and an event loop asleep in select() does not: ctrl+c in a reply's 30-second undo window
could go unseen for the rest of the window, and the reply left. A byte on a wake-up pipe that
the loop watches ends that sleep at once, whichever thread took the signal (``set_wakeup_fd``);
asyncio.run's own handling is kept as it is (the first ctrl+c cancels, KeyboardInterrupt after).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(command: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(command)``, woken by signals whichever thread receives them."""
    return asyncio.run(_woken_by_signals(command))


async def _woken_by_signals(command: Coroutine[Any, Any, T]) -> T:
    loop = asyncio.get_running_loop()
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    previous: int | None = None
    try:
        loop.add_reader(reader.fileno(), _drain, reader)
        previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except (NotImplementedError, ValueError, RuntimeError):
        # A loop without readers (Windows' proactor), or not the main thread: as before.
        pass
    try:
        return await command
    finally:
        if previous is not None:
            signal.set_wakeup_fd(previous)
        with contextlib.suppress(NotImplementedError, ValueError, RuntimeError):
            loop.remove_reader(reader.fileno())
        reader.close()
        writer.close()


def _drain(reader: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while reader.recv(4096):
            pass
