"""One run shared by every concurrent caller of the same work: the single-flight rule, in one place.

The rule:

* Concurrent callers with the same key share one run. The first starts it; the others join it;
  each gets its result, or has its exception raised. A run that has finished is forgotten: the
  next call starts a fresh one (a failure is never cached).
* Cancelling a caller cancels only that caller's wait, never the shared run, even when it was
  the last one waiting. The run goes on to its end and records its own outcome.
* Only the owner stops runs, with :meth:`SingleFlight.cancel` (when it closes); their waiters
  then see ``CancelledError``.

Why a waiter never cancels the run: what is shared here has effects outside this process that
must be finished and recorded. A token refresh rotates a single-use refresh token (cancelled
after the server answered, the new token is lost and the login with it); a reply's POST must
record what the server said, or be left to be looked for before any resend; a page already
requested has spent the rate budget, and merging it costs nothing more. "Cancel when the last
waiter leaves" would make that depend on which callers happen to remain (one view closing
while another has not yet asked), so the rule is the same for every run.

An exception that no caller is left to receive is marked retrieved, so asyncio does not report
it as never retrieved: the run itself logs or records what it must. Imports nothing of rcinbox,
so every layer may use it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Runs keyed by what they do; at most one in flight per key (see the module's rule)."""

    def __init__(self) -> None:
        self._runs: dict[Hashable, asyncio.Task[T]] = {}

    async def run(self, start: Callable[[], Coroutine[Any, Any, T]], key: Hashable = None) -> T:
        """The result of the run for ``key``: the one in flight, else one ``start()`` begins."""
        task = self._runs.get(key)
        if task is None or task.done():
            task = asyncio.ensure_future(start())
            self._runs[key] = task
            task.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(task)

    def running(self, key: Hashable = None) -> bool:
        """Whether a run for ``key`` is in flight (a call now would join it)."""
        task = self._runs.get(key)
        return task is not None and not task.done()

    async def cancel(self) -> None:
        """Stop every run in flight and wait until they have ended (the owner is closing)."""
        tasks = list(self._runs.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _landed(self, key: Hashable, task: asyncio.Task[T]) -> None:
        if self._runs.get(key) is task:
            del self._runs[key]
        if not task.cancelled():
            # Its waiters were raised the error; none left must not make it "never retrieved".
            task.exception()
