"""``rcinbox reply`` and ``outbox``: answering through the durable outbox, from a script.

These share the TUI's local store, so a reply queued here is the same durable outbox entry the
TUI would write: it is sent exactly once whichever process finishes it. ``--json`` for scripts,
readable text otherwise; failures are one line and a sysexits code (:mod:`rcinbox.cli.errors`).
Never imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from rcinbox.api.errors import NotFound, RCError
from rcinbox.cli.errors import CommandError, ExitCode, exit_code
from rcinbox.cli.output import print_json, when
from rcinbox.cli.parser import account_options
from rcinbox.config import MAX_UNDO_SECONDS
from rcinbox.inbox.engine import AlreadySent, ReplyRefused
from rcinbox.inbox.types import OPEN_STATES, PENDING_STATES, ReplyState
from rcinbox.text import fit, one_line, visible
from rcinbox.wiring.inbox import inbox_for

if TYPE_CHECKING:
    from rcinbox.inbox.engine import Inbox
    from rcinbox.inbox.types import OutboxRow


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_reply(args) if args.command == "reply" else _outbox(args))


async def _reply(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        raise CommandError("the reply is empty", ExitCode.USAGE)
    if args.timeout <= 0:
        raise CommandError("--timeout must be positive", ExitCode.USAGE)
    undo = args.undo_seconds or 0.0
    if not 0 <= undo <= MAX_UNDO_SECONDS:
        raise CommandError(
            f"--undo-seconds must be between 0 and {MAX_UNDO_SECONDS:g}", ExitCode.USAGE
        )
    # Durable first: the reply is in the outbox before any request (the login included).
    async with inbox_for(account_options(args)) as inbox:
        original = inbox.content(args.content_id)
        entry = _same_reply_pending(inbox, args.content_id, text)
        if entry is not None:
            # Run again after a reply whose outcome is not known yet (no answer in time, or not
            # recorded): the same reply, looked for on the server before it is ever resent.
            undo = 0.0
        elif original is not None:
            # The engine applies the channel's rules (length, public or private): refused, the
            # command exits 65 (or 64 for a visibility the channel does not have).
            entry = inbox.send(
                original.thread_id or original.id,
                text,
                in_reply_to=original.id,
                public=args.public,
                delay=undo,
            )
        else:
            entry = inbox.hold_reply(args.content_id, text)
        if any(held.id == entry.id for held in inbox.held_replies()):
            entry = await _release(inbox, entry, args.public, delay=undo) or entry
        try:
            await inbox.check_login()
        except RCError as error:
            _still_queued(error)
        await inbox.start(poll=False, names=False)
        if undo > 0:
            await _undo_window(inbox, entry, undo)
        entry = await _wait_accepted(inbox, entry.id, args.timeout)
        if entry.state == ReplyState.FAILED:
            raise CommandError(
                f"the server refused the reply: {_error_text(entry)}", ExitCode.DATAERR
            )
        if args.json:
            created = inbox.content(entry.content_id or "")
            print_json(created.raw if created else _entry_json(entry))
        else:
            print(entry.content_id)
    return ExitCode.OK


async def _undo_window(inbox: Inbox, entry: OutboxRow, seconds: float) -> None:
    """Hold the reply ``seconds``; an interrupt (ctrl+c) in that time takes it back."""
    print(f"sending in {seconds:g} s; ctrl+c takes it back", file=sys.stderr, flush=True)
    try:
        await asyncio.sleep(max(0.0, (entry.not_before or inbox.now() + seconds) - inbox.now()))
    except asyncio.CancelledError:
        try:
            inbox.cancel_send(entry.id)
        except AlreadySent:
            print("rcinbox: too late to take it back: the reply had left", file=sys.stderr)
        else:
            print(
                "rcinbox: reply taken back; nothing was sent (its text is the draft again)",
                file=sys.stderr,
            )
        raise


def _same_reply_pending(inbox: Inbox, content_id: str, text: str) -> OutboxRow | None:
    """A reply with this text to this message still in the outbox, not yet accepted."""
    for entry in inbox.outbox_entries(PENDING_STATES):
        if entry.in_reply_to == content_id and entry.body == text:
            return entry
    return None


async def _release(
    inbox: Inbox,
    entry: OutboxRow,
    asked: bool | None,
    *,
    refused: Callable[[str, str], Any] | None = None,
    delay: float = 0.0,
) -> OutboxRow | None:
    """Fetch a held reply's original and apply its channel's rules, then let it be sent.

    A reply the channel refuses (or to a message that does not exist) is discarded and the
    refusal raised, or, with ``refused``, recorded as a failure (None is returned).
    """
    try:
        original = await inbox.content_or_fetch(entry.in_reply_to)
    except NotFound as error:
        if refused is None:
            inbox.discard(entry.id)
            raise
        refused(entry.id, str(error))
        return None
    except RCError as error:
        _still_queued(error)
    try:
        return inbox.release_reply(entry.id, original, public=asked, delay=delay)
    except ReplyRefused as refusal:
        if refused is None:
            inbox.discard(entry.id)
            raise
        refused(entry.id, str(refusal))
        return None


def _still_queued(error: RCError) -> NoReturn:
    """The server could not be asked (or not now): the reply waits in the outbox."""
    if exit_code(error) in (ExitCode.UNAVAILABLE, ExitCode.TEMPFAIL):
        raise CommandError(
            f"{error}; the reply stays queued (`rcinbox outbox flush` sends it)",
            ExitCode.TEMPFAIL,
        ) from None
    raise error


async def _wait_accepted(inbox: Inbox, entry_id: str, timeout: float) -> OutboxRow:
    """Until the server accepts or refuses the reply; exit 75 (still queued) when ``timeout``
    passes or a try fails without reaching the server (it is down: no use waiting)."""
    subscription = inbox.subscribe()
    accepted = asyncio.ensure_future(inbox.wait_accepted(entry_id, timeout))
    try:
        while not accepted.done():
            event = asyncio.ensure_future(subscription.get())
            await asyncio.wait({accepted, event}, return_when=asyncio.FIRST_COMPLETED)
            if not event.done():
                event.cancel()
                break
            change = event.result()
            row = getattr(change, "entry", None)
            if (
                row is not None
                and row.id == entry_id
                and row.state == ReplyState.QUEUED
                and row.error_message
            ):
                raise CommandError(
                    f"the reply was not sent ({one_line(row.error_message, 200)}); it stays"
                    " queued (`rcinbox outbox flush` sends it)",
                    ExitCode.TEMPFAIL,
                )
        return accepted.result()
    except TimeoutError:
        raise CommandError(
            f"the reply was not accepted within {timeout:g} s; it stays queued"
            " (`rcinbox outbox` shows it, `rcinbox outbox flush` sends it)",
            ExitCode.TEMPFAIL,
        ) from None
    finally:
        accepted.cancel()
        await asyncio.gather(accepted, return_exceptions=True)
        inbox.unsubscribe(subscription)


async def _outbox(args: argparse.Namespace) -> int:
    async with inbox_for(account_options(args), check_login=True) as inbox:
        if args.action == "flush":
            return await _flush(inbox, args)
        entries = inbox.outbox_entries(OPEN_STATES)
    if args.json:
        print_json({"entries": [_entry_json(e) for e in entries]})
        return ExitCode.OK
    if not entries:
        print("The outbox is empty: every reply was accepted by the server.")
        return ExitCode.OK
    print(f"{'ENTRY':<8}  {'STATE':<8}  {'QUEUED':<16}  {'TRIES':>5}  TEXT OR ERROR")
    for entry in entries:
        detail = _error_text(entry) if entry.state == ReplyState.FAILED else entry.body
        print(
            f"{entry.id[:8]}  {entry.state:<8}  {fit(when(entry.created_at), 16)}"
            f"  {entry.attempts:>5}  {one_line(detail, 60)}"
        )
    return ExitCode.OK


async def _flush(inbox: Inbox, args: argparse.Namespace) -> int:
    # Replies an earlier `reply` wrote before it could fetch their original: rules first. A
    # server still out of reach ends the flush here (75): nothing could be sent anyway.
    for entry in inbox.held_replies():
        await _release(inbox, entry, None, refused=inbox.refuse_reply)
    await inbox.start(poll=False, names=False)
    remaining = await inbox.flush_outbox(timeout=args.timeout)
    unsent = [e for e in remaining if e.state != ReplyState.FAILED]
    failed = inbox.outbox_entries((ReplyState.FAILED,))
    if args.json:
        print_json({"remaining": [_entry_json(e) for e in remaining]})
    else:
        sent = "everything queued was accepted" if not unsent else f"{len(unsent)} not sent"
        print(f"{sent}; {len(failed)} failed")
    if unsent:
        return ExitCode.TEMPFAIL
    # A refused reply is a failure the script should see (`rcinbox outbox` shows why).
    return ExitCode.DATAERR if failed else ExitCode.OK


def _error_text(entry: OutboxRow) -> str:
    words = visible(entry.error_message or "no reason given", multiline=False)
    return f"{words} ({entry.error_code})" if entry.error_code else words


def _entry_json(entry: OutboxRow) -> dict[str, Any]:
    return {
        "id": entry.id,
        "state": entry.state,
        "threadId": entry.thread_id,
        "inReplyToContentId": entry.in_reply_to,
        "body": entry.body,
        "public": entry.public,
        "attempts": entry.attempts,
        "createdAt": entry.created_at,
        "notBefore": entry.not_before,
        "contentId": entry.content_id,
        "errorCode": entry.error_code,
        "errorMessage": entry.error_message,
    }
