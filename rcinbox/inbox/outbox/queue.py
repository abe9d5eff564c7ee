"""The outbox's queue: what may be done to an entry, and the worker that moves entries on.

:class:`Outbox` is the one class the engine uses. Its public methods queue a reply (durably,
before anything leaves), take one back during its undo window, retry or discard a failed one,
and drive the worker (``run`` in the background, ``flush`` and ``wait_accepted`` for a headless
command). Each step of the worker acts on the next due entry: it sends a queued one
(:mod:`.sending`) or looks for an unknown one on the server (:mod:`.reconcile`); accepted
replies are followed until delivered (:mod:`.delivery`); drafts are kept by :mod:`.drafts`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
import uuid
from collections.abc import Callable
from typing import Any

from rcinbox.api.waits import announce
from rcinbox.inbox.outbox.base import (
    MAX_DELAY,
    RECHECK,
    AlreadySent,
    ReplyNotQueued,
    ReplyNotRecorded,
    log,
)
from rcinbox.inbox.outbox.delivery import Following
from rcinbox.inbox.outbox.drafts import Drafts
from rcinbox.inbox.outbox.reconcile import Reconciling
from rcinbox.inbox.types import (
    PENDING_STATES,
    SETTLED_STATES,
    DraftRow,
    OutboxRow,
    ReplyState,
    TemplateMessage,
)
from rcinbox.text import one_line


class Outbox(Reconciling, Following, Drafts):
    """Sends replies exactly once and keeps drafts; ``run()`` is the background worker."""

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
        """Queue a reply durably (dropping, in that commit, the thread's draft if it holds this
        text); wake the worker.

        With ``delay`` (seconds, the undo window) it leaves no sooner than that from now, and
        until then :meth:`cancel` takes it back.
        """
        # This process's unwritten draft reaches the store first, so the commit compares the
        # queued text with the thread's newest draft, whoever wrote it.
        self._write_draft_now(thread_id)
        try:
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
        except sqlite3.Error as error:
            raise ReplyNotQueued(one_line(str(error), 120) or type(error).__name__) from error
        pending = self._drafts.get(thread_id)
        if pending is not None and pending.body == body:
            # It could not be written (a full disk), but it is what was sent: not a draft now.
            self._forget_draft(thread_id)
        self._announce(row)
        return row

    def enqueue_start(
        self,
        *,
        channel_id: str,
        channel_type: str | None,
        body: str,
        to: tuple[str, ...],
        title: str | None,
        template: TemplateMessage | None,
    ) -> OutboxRow:
        """Queue a new conversation durably; the worker sends it like a reply. Its thread is
        not known until the server answers, so until then it stands in a thread of its own
        (``new:<entry id>``), and it answers nothing (an empty ``in_reply_to``)."""
        entry_id = str(uuid.uuid4())
        row = self._store.add_outbox(
            entry_id,
            thread_id=f"new:{entry_id}",
            in_reply_to="",
            channel_type=channel_type,
            body=body,
            public=None,
            delete_draft=False,
            channel_id=channel_id,
            to=to,
            title=title,
            template=template,
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
        :class:`ReplyNotRecorded` when a reply left but the store could not record it.
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

    # ------------------------------------------------------------------ worker loops

    async def _send_loop(self) -> None:
        try:
            while True:
                changed = self._changed
                try:
                    wait = await self._shared_step()
                except ReplyNotRecorded:
                    # Already said (a warning, a Trouble event); the entry waits to be looked for.
                    wait = MAX_DELAY / 10
                except Exception:
                    log.exception("the outbox could not process an entry; trying again later")
                    wait = MAX_DELAY / 10
                if wait is None or wait > 0:
                    # Bounded, so that replies another process queued in the store are seen.
                    await self._pause(RECHECK * 2 if wait is None else wait, changed)
        finally:
            # Closing: stop the entry in flight; it records itself as unknown.
            await self._steps.cancel()

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
        return await self._steps.run(self._step)

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

    # ------------------------------------------------------------------ choosing the next entry

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
