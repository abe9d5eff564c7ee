"""Reconciling an ``unknown`` entry: the POST may have reached the server, so look before resending.

After a grace period the thread's recent contents are listed, newest first, and searched for
ours (an agent's reply to the same content with the same words, not claimed by another entry,
not older than what it answers or than our send time less the clock skew). Found: the entry is
accepted with that content. Not found: it is queued and sent again, the one case a POST is
repeated.
"""

from __future__ import annotations

import functools

from rcinbox.api.errors import InvalidGrant, RCError, Unauthorized
from rcinbox.api.models import Content
from rcinbox.inbox.events import LoginRequired
from rcinbox.inbox.outbox.base import CLOCK_SKEW, MAX_DELAY, RECONCILE_PAGE_SIZE, log
from rcinbox.inbox.outbox.sending import Sending
from rcinbox.inbox.outgoing import is_ours
from rcinbox.inbox.scheduler import Priority
from rcinbox.inbox.types import OutboxRow, ReplyState

# A new conversation is looked for among its channel's newest contents, this many pages deep
# when the server's clock is not known (it carries its entry's id, so none is mistaken for it).
START_LOOKUP_PAGES = 5


class Reconciling(Sending):
    """Finds out whether an unknown entry reached the server."""

    async def _reconcile(self, row: OutboxRow) -> None:
        """An unknown entry: find it on the server, or queue it to be sent again."""
        try:
            found = await self._find_sent(row)
        except RCError as error:
            failures = self._lookup_failures.get(row.id, 0) + 1
            self._lookup_failures[row.id] = failures
            wait = self._delay(row.attempts + failures)
            if isinstance(error, InvalidGrant | Unauthorized):
                self._events.publish(LoginRequired(str(error)))
                wait = MAX_DELAY
            log.info("could not look for reply %s (%s); again in %.1f s", row.id, error, wait)
            self._change(row.id, state=ReplyState.UNKNOWN, next_attempt_at=self._clock() + wait)
            return
        self._lookup_failures.pop(row.id, None)
        if found is not None:
            log.info("reply %s had reached the server as %s", row.id, found.id)
            with self._recording(row):
                self._accept(row.id, found)
            return
        log.info("reply %s did not reach the server; sending it again", row.id)
        self._requeue_or_fail(row, row.error_code, row.error_message or "No answer from the server")

    async def _find_sent(self, row: OutboxRow) -> Content | None:
        """The newest content on the server that is this entry and no other entry's, or None.

        Ours: written by an agent (and by our user, when the server says who), answering the
        same content with the same text, not older than what it answers nor (when we know the
        server's clock) than our send time less the skew allowance. Pages are read newest
        first, so the search stops at the first content older than that.
        """
        owner = self._owner_id()
        claimed = self._store.claimed_content_ids()
        floor = self._floor(row)
        token: str | None = None
        seen_tokens: set[str] = set()
        # A reply is in its thread; a new conversation somewhere in its channel's newest.
        where = (
            {"channel_ids": [row.channel_id]}
            if row.starts_conversation
            else {"thread_ids": [row.thread_id]}
        )
        pages = 0
        while True:
            pages += 1
            page = await self._scheduler.run(
                Priority.USER,
                functools.partial(
                    self._client.list_contents,
                    **where,
                    order_by="-creationTime",
                    per_page=RECONCILE_PAGE_SIZE,
                    page_token=token,
                ),
            )
            for content in page.records:
                created = (
                    content.creation_time.timestamp() if content.creation_time is not None else None
                )
                if content.id == row.in_reply_to:
                    # A reply is never older than what it answers.
                    if created is not None:
                        floor = created if floor is None else max(floor, created)
                    continue
                if floor is not None and created is not None and created < floor:
                    return None
                if content.id not in claimed and is_ours(content, row, owner):
                    return content
            token = page.next_page_token
            if not token or token in seen_tokens:
                return None
            if row.starts_conversation and floor is None and pages >= START_LOOKUP_PAGES:
                return None
            seen_tokens.add(token)

    def _floor(self, row: OutboxRow) -> float | None:
        """The earliest server time our content can have, as far as we know."""
        floors: list[float] = []
        target = self._store.content(row.in_reply_to) if row.in_reply_to else None
        if target is not None and target.creation_time is not None:
            floors.append(target.creation_time.timestamp())
        if self._server_offset is not None and row.sent_at is not None:
            floors.append(row.sent_at + self._server_offset - CLOCK_SKEW)
        return max(floors) if floors else None
