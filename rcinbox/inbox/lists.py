"""The facade's reads of the conversation list: windows by position or by keyset, and search.

Part of :class:`~rcinbox.inbox.engine.Inbox` (a mixin, so the facade stays one object for the
UIs). Windows cost the same at any depth (see :mod:`rcinbox.inbox.store.windows`); the filter
box's search runs off the event loop (see :mod:`rcinbox.inbox.store.search`). Never imports
Textual.
"""

from __future__ import annotations

from collections.abc import Callable

from rcinbox.inbox.identities import IdentityDirectory
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import SEARCH_LIMIT, ThreadFilter, ThreadRow


class ListReads:
    """What the conversation list and the filter box ask the facade."""

    store: Store
    identities: IdentityDirectory
    # TriageFacade's: snoozes that are due end before any list is read.
    wake_snoozed: Callable[[], tuple[str, ...]]

    def threads(self, where: ThreadFilter, offset: int, limit: int) -> list[ThreadRow]:
        """A window of the list at position ``offset``; the names on it are asked for in the
        background."""
        self.wake_snoozed()
        return self._named(self.store.threads_window(where, offset, limit))

    def threads_after(
        self, where: ThreadFilter, row: ThreadRow | None, limit: int
    ) -> list[ThreadRow]:
        """The ``limit`` threads below ``row`` in the list (from the top when None): the next
        chunk of a list read downwards, at the same cost at any depth."""
        after = None if row is None else self._key(row)
        return self._named(self.store.threads_after(where, after, limit))

    def threads_before(self, where: ThreadFilter, row: ThreadRow, limit: int) -> list[ThreadRow]:
        """The ``limit`` threads above ``row``, in list order (a list read upwards)."""
        return self._named(self.store.threads_before(where, self._key(row), limit))

    def search(self, text: str, where: ThreadFilter | None = None) -> list[str]:
        """Ids of threads whose customer's name, a message or a subject contains ``text``
        (within ``where``'s channel, or its unread threads, when given), newest activity
        first, at most SEARCH_LIMIT. Runs on the caller's thread: a UI wants
        :meth:`search_async`."""
        return self._within(self.store.search_threads(text), where)

    async def search_async(
        self, text: str, where: ThreadFilter | None = None, *, limit: int = SEARCH_LIMIT
    ) -> list[str]:
        """:meth:`search`, with the query in a worker thread on its own connection, so the event
        loop (and typing) never waits on it; at most ``limit`` thread ids. Cancelling the
        awaiting task interrupts the query; so does a newer search (the older one then
        returns an empty list)."""
        return self._within(await self.store.search_in_thread(text, limit=limit), where)

    def _within(self, ids: list[str], where: ThreadFilter | None) -> list[str]:
        if where is None or not (
            where.channel_id is not None or where.unread_only or where.needs_reply
        ):
            return ids
        return [row.id for row in self.store.threads_by_ids(ids) if where.admits(row)]

    def _key(self, row: ThreadRow) -> tuple[float, str]:
        """The row's place in the list's order, exactly as stored (a moment read back from
        the store is rounded to the microsecond; the keyset compares the stored value)."""
        return self.store.thread_key(row.id) or (row.latest_at.timestamp(), row.id)

    def _named(self, rows: list[ThreadRow]) -> list[ThreadRow]:
        self.identities.want((row.customer_id for row in rows if row.customer_id), view="list")
        return rows
