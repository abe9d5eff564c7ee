"""The outbox and drafts: a reply is written down before anything is sent, reaches the server
once, and is followed until the channel has it.

An entry moves through ``queued`` (a durable row, nothing sent) → ``sending`` (committed, with
``sent_at`` and the attempt counted, before the POST leaves) → ``accepted`` (201: the content id
is known and the content is in the store) → ``delivered`` (``synchronizationStatus`` Success) or
``failed`` (the server's own words). When the POST may have reached the server but no answer
came back (timeout, dropped connection, a 5xx, an unreadable 201) the entry is ``unknown``: after
a grace period the thread's recent contents are listed and searched for ours; only when it is not
there is the entry queued and the POST sent again. That is the one case a POST is repeated.
A 429 or a connection that never opened created nothing, so those go back to ``queued``.

Undo send: an entry may be queued with a ``not_before`` moment (the agent's undo window). The
worker does not send it before then, and :meth:`Outbox.cancel` takes it back (the text becomes
the thread's draft again) in one commit that also checks it is still ``queued``; the worker marks
an entry ``sending`` in a commit that checks the same, so a cancel and a send never both win.

Entries of one thread go out in the order they were written; one entry is in flight at a time.
Everything lives in the store, so a restart (or SIGKILL) resumes where it stopped: an entry left
in ``sending`` is treated as ``unknown``.

Drafts are kept per thread and written to the store shortly after the last keystroke (debounced),
so typing costs no disk write per key yet a crash loses at most the last fraction of a second.

This module never resends a POST without first looking for it on the server, never keeps a reply
only in memory, never logs a reply's text or a secret, and never imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import random
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from rcinbox.api.errors import (
    APIError,
    InvalidGrant,
    NotFound,
    OAuthError,
    RateLimited,
    RCError,
    TransportError,
    Unauthorized,
)
from rcinbox.api.models import Content
from rcinbox.api.waits import announce
from rcinbox.inbox.events import (
    ContentsArrived,
    EventBus,
    LoginRequired,
    OutboxChanged,
    ThreadsChanged,
)
from rcinbox.inbox.outgoing import create_request, is_ours
from rcinbox.inbox.scheduler import Priority, RequestScheduler
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import (
    PENDING_STATES,
    SETTLED_STATES,
    DraftRow,
    OutboxRow,
    ReplyState,
)

if TYPE_CHECKING:
    from rcinbox.api.client import SocialMessagingClient

log = logging.getLogger("rcinbox.inbox.outbox")


# How far the server's clock may be from ours when looking for a reply we may have sent.
CLOCK_SKEW = 120.0
MAX_DELAY = 60.0
RECONCILE_PAGE_SIZE = 100
# A new conversation is looked for among its channel's newest contents, this many pages deep
# when the server's clock is not known (it carries its entry's id, so none is mistaken for it).
START_LOOKUP_PAGES = 5
# A draft reaches the disk this long after the last keystroke.
DRAFT_DELAY = 0.5
# Accepted replies are followed this long after sending; an export that takes longer is left to
# the sync, which keeps the thread's delivery state from the server's contents.
FOLLOW_FOR = 24 * 3600.0
# How often a flush re-checks when entries are pending but none may go (another process sends).
RECHECK = 1.0

_EXPORT_FAILED_WORDS = "The channel did not accept the message."


class _Withdrawn(Exception):
    """The entry stopped being queued (discarded, or taken by another process) before sending."""


class AlreadySent(Exception):
    """A cancel came too late: the reply had begun to leave (or was gone) before it."""

    def __init__(self, state: str | None) -> None:
        self.state = state
        super().__init__(
            "the reply had already left" if state else "the reply is no longer in the outbox"
        )


class Outbox:
    """Sends replies exactly once and keeps drafts; ``run()`` is the background worker."""

    def __init__(
        self,
        *,
        store: Store,
        client: SocialMessagingClient,
        scheduler: RequestScheduler,
        events: EventBus,
        owner_id: Callable[[], str | None],
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        reconcile_grace: float = 2.0,
        max_attempts: int = 8,
        backoff: float = 1.0,
        delivery_poll: float = 2.0,
        draft_delay: float = DRAFT_DELAY,
    ) -> None:
        self._store = store
        self._client = client
        self._scheduler = scheduler
        self._events = events
        self._owner_id = owner_id
        self._clock = clock
        self._sleep = sleep
        self._grace = reconcile_grace
        self._max_attempts = max(1, max_attempts)
        self._backoff = backoff
        self._delivery_poll = delivery_poll
        self._draft_delay = draft_delay
        # Replaced (after being set) on every change, so each waiter sees the changes after it
        # started waiting and none is lost between a check and the wait.
        self._changed = asyncio.Event()
        self._step_task: asyncio.Task[float | None] | None = None
        self._recovered = False
        # Failed look-ups per unknown entry (not POSTs, so not in ``attempts``): for backoff.
        self._lookup_failures: dict[str, int] = {}
        # Accepted entries being followed: entry id -> (next check on our clock, checks so far).
        self._follow: dict[str, tuple[float, int]] = {}
        # Server clock minus ours, measured on our last 201. Kept in memory only: a server (or
        # emulator) restarted with another clock must not make us miss our own reply.
        self._server_offset: float | None = None
        self._drafts: dict[str, DraftRow] = {}
        self._draft_timers: dict[str, asyncio.Task[None]] = {}

    # ------------------------------------------------------------------ public: replies

    def enqueue(
        self,
        *,
        thread_id: str,
        in_reply_to: str,
        channel_type: str | None,
        body: str,
        public: bool | None,
        delay: float = 0.0,
        title: str | None = None,
    ) -> OutboxRow:
        """Queue a reply durably (dropping the thread's draft in that commit); wake the worker.

        With ``delay`` (seconds, the undo window) it leaves no sooner than that from now, and
        until then :meth:`cancel` takes it back.
        """
        self._forget_draft(thread_id)
        row = self._store.add_outbox(
            str(uuid.uuid4()),
            thread_id=thread_id,
            in_reply_to=in_reply_to,
            channel_type=channel_type,
            body=body,
            public=public,
            not_before=self._clock() + delay if delay > 0 else None,
            title=title,
        )
        self._announce(row)
        return row

    def cancel(self, entry_id: str) -> DraftRow:
        """Take back a reply that has not left; its text becomes the thread's draft again.

        The text goes before any draft written since (the agent may have started the next
        reply). Returns that draft. :class:`AlreadySent` when the worker began sending it
        first: then the reply goes on as usual and nothing is changed.
        """
        current = self._store.outbox_entry(entry_id)
        if current is None or current.state != ReplyState.QUEUED:
            raise AlreadySent(current.state if current else None)
        newer = self.draft(current.thread_id)
        body = current.body
        if newer is not None and newer.body.strip():
            body = f"{current.body}\n\n{newer.body}"
        draft = DraftRow(current.thread_id, body, current.in_reply_to, current.public, 0.0)
        cancelled = self._store.cancel_outbox(entry_id, draft)
        if cancelled is None:
            after = self._store.outbox_entry(entry_id)
            raise AlreadySent(after.state if after else None)
        self._forget_draft(current.thread_id)
        self._follow.pop(entry_id, None)
        self._lookup_failures.pop(entry_id, None)
        self._announce(dataclasses.replace(cancelled, state=ReplyState.DISCARDED))
        log.info("reply %s was taken back before it left", entry_id)
        return self._store.draft(current.thread_id) or draft

    async def run(self) -> None:
        """Send queued entries, reconcile unknown ones and follow accepted ones, until cancelled."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self._send_loop())
            group.create_task(self._follow_loop())

    async def flush(self, *, timeout: float | None = None) -> list[OutboxRow]:
        """Work until no entry is queued, sending or unknown (or ``timeout`` passes).

        Returns the entries that are not accepted or delivered: still pending, or failed.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._drive(lambda: not self._store.outbox(PENDING_STATES))
        return [
            row
            for row in self._store.outbox()
            if row.state not in (ReplyState.ACCEPTED, ReplyState.DELIVERED)
        ]

    async def wait_accepted(self, entry_id: str, timeout: float) -> OutboxRow:
        """Work until this entry is accepted, delivered or failed; TimeoutError otherwise.

        KeyError when there is no such entry (it was discarded).
        """

        def settled() -> bool:
            return self._entry(entry_id).state in SETTLED_STATES

        async with asyncio.timeout(timeout):
            await self._drive(settled)
        return self._entry(entry_id)

    def retry(self, entry_id: str) -> OutboxRow:
        """Send a failed entry again (attempts start over); wakes the worker."""
        current = self._entry(entry_id)
        if current.state != ReplyState.FAILED:
            raise ValueError(f"only a failed reply can be sent again (this one is {current.state})")
        self._follow.pop(entry_id, None)
        return self._change(
            entry_id,
            state=ReplyState.QUEUED,
            attempts=0,
            sent_at=None,
            next_attempt_at=self._clock(),
            content_id=None,
            error_code=None,
            error_message=None,
        )

    def retry_now(self) -> None:
        """The server answers again: replies backing off after a failed attempt go now (the
        budget still holds them back during a rate-limit penalty). Only those: an entry that
        waits for another reason keeps its time."""
        now = self._clock()
        for row in self._store.outbox((ReplyState.QUEUED, ReplyState.UNKNOWN)):
            waiting = row.next_attempt_at is not None and row.next_attempt_at > now
            if waiting and row.error_message is not None:
                self._change(row.id, next_attempt_at=now)

    def discard(self, entry_id: str) -> None:
        """Remove a failed or queued entry; one that may be on its way cannot be discarded."""
        current = self._entry(entry_id)
        if current.state not in (ReplyState.FAILED, ReplyState.QUEUED):
            raise ValueError(f"a reply that is {current.state} cannot be discarded")
        self._store.delete_outbox(entry_id)
        self._follow.pop(entry_id, None)
        self._lookup_failures.pop(entry_id, None)
        self._announce(dataclasses.replace(current, state=ReplyState.DISCARDED))

    # ------------------------------------------------------------------ public: drafts

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

    # ------------------------------------------------------------------ worker loops

    async def _send_loop(self) -> None:
        try:
            while True:
                changed = self._changed
                try:
                    wait = await self._shared_step()
                except Exception:
                    log.exception("the outbox could not process an entry; trying again later")
                    wait = MAX_DELAY / 10
                if wait is None or wait > 0:
                    # Bounded, so that replies another process queued in the store are seen.
                    await self._pause(RECHECK * 2 if wait is None else wait, changed)
        finally:
            # Closing: stop the entry in flight; it records itself as unknown.
            task = self._step_task
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _follow_loop(self) -> None:
        while True:
            changed = self._changed
            try:
                wait = await self._follow_due()
            except Exception:
                log.exception("the outbox could not check a delivery; trying again later")
                wait = self._delivery_poll
            await self._pause(wait, changed)

    async def _drive(self, done: Callable[[], bool]) -> None:
        """Process entries (sharing the worker's step, if it runs) until ``done()``."""
        while True:
            changed = self._changed
            if done():
                return
            wait = await self._shared_step()
            if wait is None:
                wait = RECHECK
            elif wait < 3600:
                # Someone waits for this (`outbox flush`, `reply`): say why it pauses. (Held
                # replies are due in a century: nobody waits for those.)
                announce(wait, "the outbox's next step (a retry, or checking a reply arrived)")
            if wait > 0:
                await self._pause(wait, changed)

    async def _shared_step(self) -> float | None:
        # One step at a time, whoever asks; a caller that gives up (timeout) does not cancel
        # the POST in flight: the step finishes and records the outcome.
        task = self._step_task
        if task is None or task.done():
            task = asyncio.ensure_future(self._step())
            task.add_done_callback(_mark_seen)
            self._step_task = task
        return await asyncio.shield(task)

    async def _pause(self, delay: float | None, changed: asyncio.Event) -> None:
        """Wait ``delay`` seconds (no limit when None), or until the outbox changes."""
        waiters: set[asyncio.Future[Any]] = {asyncio.ensure_future(changed.wait())}
        if delay is not None:
            waiters.add(asyncio.ensure_future(self._sleep(max(0.0, delay))))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)

    # ------------------------------------------------------------------ sending

    async def _step(self) -> float | None:
        """Act on the next due entry: 0 when one was handled, else seconds until one is due
        (None when nothing is pending that this process may act on)."""
        if not self._store.hold_sender_lock():
            # Another process (the TUI, say) is the sender; it sends what we queued, and the
            # store shows us the outcome.
            return RECHECK
        if not self._recovered:
            self._recover()
        row, wait = self._next_due()
        if row is None:
            return wait
        if row.state == ReplyState.QUEUED:
            await self._send(row)
        else:
            await self._reconcile(row)
        return 0.0

    def _recover(self) -> None:
        """Entries left 'sending' by a process that died mid-send: their outcome is unknown."""
        now = self._clock()
        for row in self._store.outbox([ReplyState.SENDING]):
            when = max(now, (row.sent_at or now) + self._grace)
            log.info("reply %s was being sent when rcinbox stopped; checking for it", row.id)
            self._change(row.id, state=ReplyState.UNKNOWN, next_attempt_at=when)
        self._recovered = True

    def _next_due(self) -> tuple[OutboxRow | None, float | None]:
        now = self._clock()
        blocked: set[str] = set()
        wait: float | None = None
        for row in self._store.outbox(PENDING_STATES):
            if row.thread_id in blocked:
                continue
            # Replies in one thread go out in the order they were written.
            blocked.add(row.thread_id)
            if row.state == ReplyState.SENDING:
                continue
            # An entry in its undo window waits for it to end, whatever a retry says.
            due = max(row.next_attempt_at or 0.0, row.not_before or 0.0)
            if due <= now:
                return row, None
            wait = due - now if wait is None else min(wait, due - now)
        return None, wait

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
                self._sent_without_answer(sending, error)
            return
        except BaseException:
            if sending is not None:
                # Cancelled (closing) or broken while the POST may be on its way.
                self._mark_unknown(sending, "rcinbox stopped while the reply was being sent")
            raise
        if not content.id:
            self._mark_unknown(sending, "The server accepted the reply without saying its id")
            return
        if content.creation_time is not None:
            self._server_offset = content.creation_time.timestamp() - self._clock()
        try:
            self._accept(row.id, content)
        except Exception:
            # Not recorded (the store refused): looking for it later finds it.
            self._mark_unknown(sending, "The reply was sent but could not be recorded")
            raise

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

    # ------------------------------------------------------------------ reconciling

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

    # ------------------------------------------------------------------ delivery

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

    # ------------------------------------------------------------------ drafts

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

    def _forget_draft(self, thread_id: str) -> None:
        self._drafts.pop(thread_id, None)
        timer = self._draft_timers.pop(thread_id, None)
        if timer is not None:
            timer.cancel()

    # ------------------------------------------------------------------ helpers

    def _entry(self, entry_id: str) -> OutboxRow:
        row = self._store.outbox_entry(entry_id)
        if row is None:
            raise KeyError(entry_id)
        return row

    def _change(self, entry_id: str, **fields: Any) -> OutboxRow:
        row = self._store.update_outbox(entry_id, **fields)
        self._announce(row)
        return row

    def _announce(self, row: OutboxRow) -> None:
        self._events.publish(OutboxChanged(row))
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _delay(self, attempts: int) -> float:
        """Exponential backoff, capped, with jitter so many clients do not retry in step."""
        return min(self._backoff * 2 ** min(attempts, 30), MAX_DELAY) * random.uniform(0.5, 1.0)


def _mark_seen(task: asyncio.Task[Any]) -> None:
    # A step whose callers all gave up: its error was logged or recorded; do not warn again.
    if not task.cancelled():
        task.exception()
