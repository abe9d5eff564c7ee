"""Sending one entry: committed as ``sending`` before the POST leaves, then its outcome recorded.

``queued`` becomes ``sending`` (with ``sent_at`` and the attempt counted) in a commit that
checks it is still queued and out of its undo window, inside the request's turn, just before
the POST. The answer decides the next state: ``accepted`` (the content stored with it, in one
commit), ``queued`` again (a 429 or a connection that never opened: nothing was created),
``failed`` (the server's refusal) or ``unknown`` (it may exist: looked for before any resend).
When the outcome cannot be written (a full disk), the entry is left ``unknown`` if that can
be written, else ``sending``, which recovery reads as unknown: either way it is looked for on
the server before it is ever sent again, and :class:`ReplyNotRecorded` says so in one line.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from rcinbox.api.errors import (
    APIError,
    InvalidGrant,
    OAuthError,
    RateLimited,
    RCError,
    TransportError,
    Unauthorized,
)
from rcinbox.api.models import Content
from rcinbox.inbox.events import ContentsArrived, LoginRequired, ThreadsChanged, Trouble
from rcinbox.inbox.outbox.base import MAX_DELAY, OutboxBase, ReplyNotRecorded, log
from rcinbox.inbox.outgoing import create_request
from rcinbox.inbox.scheduler import Priority
from rcinbox.inbox.types import OutboxRow, ReplyState
from rcinbox.text import one_line


class _Withdrawn(Exception):
    """The entry stopped being queued (discarded, or taken by another process) before sending."""


class Sending(OutboxBase):
    """Sends an entry once and records what the server said."""

    async def _send(self, row: OutboxRow) -> None:
        request = create_request(row)
        sending: OutboxRow | None = None

        async def post() -> Content:
            nonlocal sending
            # Committed inside our turn, just before the request leaves, so a reply waiting for
            # the rate budget is still plainly queued.
            sending = self._begin_sending(row.id)
            return await self._client.create_content(request)

        try:
            content = await self._scheduler.run(Priority.USER, post)
        except _Withdrawn:
            return
        except RCError as error:
            if sending is not None:
                with self._recording(sending):
                    self._sent_without_answer(sending, error)
            return
        except BaseException:
            if sending is not None:
                # Cancelled (closing) or broken while the POST may be on its way.
                try:
                    self._mark_unknown(sending, "rcinbox stopped while the reply was being sent")
                except sqlite3.Error:
                    self._recovered = False  # `sending` is read as unknown all the same
            raise
        assert sending is not None  # the POST ran, so its entry was committed `sending` first
        with self._recording(sending):
            if not content.id:
                self._mark_unknown(sending, "The server accepted the reply without saying its id")
                return
            if content.creation_time is not None:
                self._server_offset = content.creation_time.timestamp() - self._clock()
            self._accept(row.id, content)

    @contextlib.contextmanager
    def _recording(self, sending: OutboxRow) -> Iterator[None]:
        """Write a sent entry's outcome; when the store refuses (a full disk), leave the entry
        to be looked for on the server before any resend, and raise :class:`ReplyNotRecorded`.
        """
        try:
            yield
        except sqlite3.Error as error:
            reason = one_line(str(error), 120) or type(error).__name__
            log.warning("reply %s: its outcome could not be recorded (%s)", sending.id, reason)
            try:
                self._mark_unknown(sending, f"The outcome could not be recorded ({reason})")
            except sqlite3.Error:
                # Still committed as `sending`, which recovery reads as unknown: have it run
                # again before this process's next step (and at the next start, as ever).
                self._recovered = False
            notice = ReplyNotRecorded(reason)
            self._events.publish(Trouble(str(notice)))
            raise notice from error

    def _begin_sending(self, entry_id: str) -> OutboxRow:
        with self._store.transaction():
            current = self._store.outbox_entry(entry_id)
            if current is None or current.state != ReplyState.QUEUED:
                raise _Withdrawn
            if current.not_before is not None and current.not_before > self._clock():
                # Still in its undo window (checked again under the write lock).
                raise _Withdrawn
            row = self._store.update_outbox(
                entry_id,
                state=ReplyState.SENDING,
                sent_at=self._clock(),
                attempts=current.attempts + 1,
                next_attempt_at=None,
            )
        self._announce(row)
        return row

    def _sent_without_answer(self, row: OutboxRow, error: RCError) -> None:
        """A POST that did not come back 201: decide from the error what may exist."""
        now = self._clock()
        words = str(error)
        if isinstance(error, RateLimited):
            # Nothing was created. Not counted as an attempt: waiting is all it takes.
            log.info("reply %s hit the rate limit; next try in %.0f s", row.id, error.retry_after)
            self._change(
                row.id,
                state=ReplyState.QUEUED,
                attempts=row.attempts - 1,
                next_attempt_at=now + error.retry_after,
                error_code=error.code,
                error_message=words,
            )
        elif isinstance(error, InvalidGrant | Unauthorized):
            # Refused before anything was done: the reply waits for a new login.
            self._change(
                row.id,
                state=ReplyState.QUEUED,
                attempts=row.attempts - 1,
                next_attempt_at=now + MAX_DELAY,
                error_code=error.code,
                error_message=words,
            )
            self._events.publish(LoginRequired(words))
        elif isinstance(error, OAuthError) or (
            isinstance(error, TransportError) and not error.request_sent
        ):
            # The login step or the connection failed: the POST never left.
            self._requeue_or_fail(row, error.code if isinstance(error, APIError) else None, words)
        elif isinstance(error, APIError) and 400 <= error.status < 500:
            log.info("reply %s was refused: %s", row.id, words)
            self._change(
                row.id,
                state=ReplyState.FAILED,
                next_attempt_at=None,
                error_code=error.code,
                error_message=words,
            )
        else:
            # Timeout, dropped connection, 5xx, unreadable answer: it may exist. Look first.
            log.info("no clear answer for reply %s (%s); will look for it", row.id, words)
            self._mark_unknown(row, words, error.code if isinstance(error, APIError) else None)

    def _mark_unknown(self, row: OutboxRow, words: str, code: str | None = None) -> None:
        self._change(
            row.id,
            state=ReplyState.UNKNOWN,
            next_attempt_at=self._clock() + self._grace,
            error_code=code,
            error_message=words,
        )

    def _requeue_or_fail(self, row: OutboxRow, code: str | None, words: str) -> None:
        if row.attempts >= self._max_attempts:
            log.info("reply %s not sent after %d attempts: %s", row.id, row.attempts, words)
            self._change(
                row.id,
                state=ReplyState.FAILED,
                next_attempt_at=None,
                error_code=code,
                error_message=words,
            )
            return
        self._change(
            row.id,
            state=ReplyState.QUEUED,
            next_attempt_at=self._clock() + self._delay(row.attempts),
            error_code=code,
            error_message=words,
        )

    def _accept(self, entry_id: str, content: Content) -> None:
        """Record the content as ours and put it in its thread, in one commit."""
        current = self._entry(entry_id)
        # A new conversation learns its thread now.
        thread = content.thread_id if current.starts_conversation and content.thread_id else None
        with self._store.transaction():
            row = self._store.update_outbox(
                entry_id,
                state=ReplyState.ACCEPTED,
                content_id=content.id,
                next_attempt_at=None,
                error_code=None,
                error_message=None,
                **({"thread_id": thread} if thread else {}),
            )
            merged = self._store.merge_contents([content])
        self._lookup_failures.pop(entry_id, None)
        self._follow[entry_id] = (self._clock() + self._delivery_poll, 0)
        self._announce(row)
        if merged.new_content_ids:
            self._events.publish(
                ContentsArrived(
                    merged.new_content_ids, merged.changed_thread_ids, merged.new_incoming_ids
                )
            )
        if merged.changed_thread_ids:
            self._events.publish(ThreadsChanged(merged.changed_thread_ids))
