"""Following accepted replies until the channel has them: ``delivered``, or ``failed`` in the
channel's own words (``synchronizationStatus``), checked with a growing interval for a day.
"""

from __future__ import annotations

import functools

from rcinbox.api.errors import InvalidGrant, NotFound, RCError, Unauthorized
from rcinbox.inbox.events import LoginRequired, ThreadsChanged
from rcinbox.inbox.outbox.base import FOLLOW_FOR, MAX_DELAY, OutboxBase, log
from rcinbox.inbox.scheduler import Priority
from rcinbox.inbox.types import OutboxRow, ReplyState

_EXPORT_FAILED_WORDS = "The channel did not accept the message."


class Following(OutboxBase):
    """Checks accepted replies for their delivery."""

    async def _follow_loop(self) -> None:
        while True:
            changed = self._changed
            try:
                wait = await self._follow_due()
            except Exception:
                log.exception("the outbox could not check a delivery; trying again later")
                wait = self._delivery_poll
            await self._pause(wait, changed)

    async def _follow_due(self) -> float | None:
        """Check the accepted entries that are due; seconds until the next check, or None."""
        horizon = self._clock() - FOLLOW_FOR
        accepted = [
            row
            for row in self._store.outbox([ReplyState.ACCEPTED])
            if (row.sent_at or row.updated_at) >= horizon
        ]
        for gone in set(self._follow) - {row.id for row in accepted}:
            del self._follow[gone]
        wait: float | None = None
        for row in accepted:
            now = self._clock()
            due, checks = self._follow.setdefault(row.id, (now + self._delivery_poll, 0))
            if due <= now:
                await self._check_delivery(row, checks)
                due = self._follow.get(row.id, (float("inf"), 0))[0]
            if due != float("inf"):
                left = due - self._clock()
                wait = left if wait is None else min(wait, left)
        return wait

    async def _check_delivery(self, row: OutboxRow, checks: int) -> None:
        assert row.content_id is not None
        content_id = row.content_id
        content = self._store.content(content_id)
        if content is None or content.exported is None:
            try:
                content = await self._scheduler.run(
                    Priority.BACKGROUND, functools.partial(self._client.get_content, content_id)
                )
            except NotFound:
                log.info("reply %s (%s) is no longer on the server", row.id, content_id)
                self._follow[row.id] = (float("inf"), checks)
                return
            except RCError as error:
                if isinstance(error, InvalidGrant | Unauthorized):
                    self._events.publish(LoginRequired(str(error)))
                log.info("could not check delivery of reply %s: %s", row.id, error)
                self._follow_later(row.id, checks + 1)
                return
            merged = self._store.merge_contents([content])
            if merged.changed_thread_ids:
                self._events.publish(ThreadsChanged(merged.changed_thread_ids))
        outcome = content.exported
        current = self._store.outbox_entry(row.id)
        if outcome is None or current is None or current.state != ReplyState.ACCEPTED:
            self._follow_later(row.id, checks + 1)
            return
        self._follow.pop(row.id, None)
        if outcome:
            self._change(row.id, state=ReplyState.DELIVERED)
        else:
            words = (content.synchronization_error or "").strip() or _EXPORT_FAILED_WORDS
            log.info("reply %s was not delivered: %s", row.id, words)
            self._change(row.id, state=ReplyState.FAILED, error_code=None, error_message=words)

    def _follow_later(self, entry_id: str, checks: int) -> None:
        interval = min(self._delivery_poll * 1.5 ** min(checks, 20), MAX_DELAY)
        self._follow[entry_id] = (self._clock() + interval, checks)
