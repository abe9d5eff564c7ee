"""A daemon thread that runs callbacks at their due time (export completion, simulated customers,
webhook retries).

One thread per scheduler keeps ordering simple and never blocks request threads. A callback that
raises is dropped silently: a background chore must never take the emulator down or print.
``stop`` discards whatever is still pending and waits for the thread to finish.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable


class Scheduler:
    def __init__(self, name: str) -> None:
        self._name = name
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        with self._wake:
            if self._stopped:
                return
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), callback))
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._queue.clear()
            self._wake.notify()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped:
                    now = time.monotonic()
                    if self._queue and self._queue[0][0] <= now:
                        break
                    self._wake.wait(self._queue[0][0] - now if self._queue else None)
                if self._stopped:
                    return
                _, _, callback = heapq.heappop(self._queue)
            with contextlib.suppress(Exception):
                callback()
