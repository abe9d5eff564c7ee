"""Drafts, one per thread, written to the store shortly after the last keystroke (debounced), so
typing costs no disk write per key yet a crash loses at most the last fraction of a second.
"""

from __future__ import annotations

import asyncio
import sqlite3

from rcinbox.inbox.outbox.base import OutboxBase, log
from rcinbox.inbox.types import DraftRow


class Drafts(OutboxBase):
    """Keeps each thread's draft: in memory at once, in the store shortly after."""

    def save_draft(
        self,
        thread_id: str,
        body: str,
        *,
        in_reply_to: str | None = None,
        public: bool | None = None,
    ) -> None:
        """Remember a thread's draft; it reaches the store shortly after the last call.

        An empty body deletes the draft.
        """
        self._drafts[thread_id] = DraftRow(thread_id, body, in_reply_to, public, self._clock())
        timer = self._draft_timers.pop(thread_id, None)
        if timer is not None:
            timer.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # No event loop to wait on (a synchronous caller): write it now.
            self._write_draft(thread_id)
            return
        self._draft_timers[thread_id] = loop.create_task(self._write_draft_later(thread_id))

    async def flush_drafts(self) -> None:
        """Write every pending draft now (on close)."""
        timers = list(self._draft_timers.values())
        self._draft_timers.clear()
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)
        for thread_id in list(self._drafts):
            self._write_draft(thread_id)

    def discard_draft(self, thread_id: str) -> None:
        """Throw the thread's draft away now (pending or written)."""
        self._forget_draft(thread_id)
        self._store.delete_draft(thread_id)

    def draft(self, thread_id: str) -> DraftRow | None:
        """The thread's draft: the one not yet written when it is newer than the stored one."""
        pending = self._drafts.get(thread_id)
        stored = self._store.draft(thread_id)
        if pending is not None and (stored is None or pending.updated_at >= stored.updated_at):
            return pending if pending.body else None
        return stored

    async def _write_draft_later(self, thread_id: str) -> None:
        await self._sleep(self._draft_delay)
        if self._draft_timers.get(thread_id) is asyncio.current_task():
            del self._draft_timers[thread_id]
        self._write_draft(thread_id)

    def _write_draft(self, thread_id: str) -> None:
        draft = self._drafts.pop(thread_id, None)
        if draft is None:
            return
        try:
            self._store.save_draft(
                thread_id, draft.body, in_reply_to=draft.in_reply_to, public=draft.public
            )
        except sqlite3.Error as error:
            # Kept in memory: the next keystroke or flush_drafts tries again.
            log.warning("could not save the draft of thread %s: %s", thread_id, error)
            self._drafts.setdefault(thread_id, draft)

    def _write_draft_now(self, thread_id: str) -> None:
        """Write the thread's pending draft now rather than after its delay."""
        timer = self._draft_timers.pop(thread_id, None)
        if timer is not None:
            timer.cancel()
        self._write_draft(thread_id)

    def _forget_draft(self, thread_id: str) -> None:
        self._drafts.pop(thread_id, None)
        timer = self._draft_timers.pop(thread_id, None)
        if timer is not None:
            timer.cancel()
