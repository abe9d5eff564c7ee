"""``rcinbox reply``, ``start`` and ``outbox``: answering and starting conversations through the
durable outbox, from a script.

These share the TUI's local store, so a reply queued here is the same durable outbox entry the
TUI would write: it is sent exactly once whichever process finishes it. ``--json`` for scripts,
readable text otherwise; failures are one line and a sysexits code (:mod:`rcinbox.cli.errors`).
Never imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from rcinbox.api.errors import NotFound, RCError
from rcinbox.cli import aio
from rcinbox.cli.errors import CommandError, ExitCode, exit_code
from rcinbox.cli.output import print_json, when
from rcinbox.cli.parser import account_options
from rcinbox.config import MAX_UNDO_SECONDS, Config
from rcinbox.inbox.engine import AlreadySent, ReplyRefused, StartRefused, WindowClosed
from rcinbox.inbox.types import OPEN_STATES, PENDING_STATES, ReplyState, TemplateMessage
from rcinbox.text import fit, one_line, visible
from rcinbox.wiring.inbox import inbox_for

if TYPE_CHECKING:
    from rcinbox.api.models import Content
    from rcinbox.inbox.engine import Inbox
    from rcinbox.inbox.types import OutboxRow


# The API's "Resource not found" and "Invalid id" (404).
NOT_FOUND_CODES = ("EDI-029", "EDI-032")


def run(args: argparse.Namespace) -> int:
    command = {"reply": _reply, "start": _start, "outbox": _outbox}[args.command]
    return aio.run(command(args))


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
            # The engine applies the channel's rules (length, public or private, WhatsApp's
            # window): refused, the command exits 65 (or 64 for a visibility the channel does
            # not have), and a closed window names the template command.
            try:
                entry = inbox.send(
                    original.thread_id or original.id,
                    text,
                    in_reply_to=original.id,
                    public=args.public,
                    delay=undo,
                )
            except WindowClosed as closed:
                raise await _template_needed(inbox, original, closed) from None
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
        _print_accepted(inbox, entry, as_json=args.json)
    return ExitCode.OK


async def _start(args: argparse.Namespace) -> int:
    """A new conversation: queued durably (like a reply), sent once, its content id printed."""
    text = (sys.stdin.read() if args.text == "-" else args.text) or ""
    if args.timeout <= 0:
        raise CommandError("--timeout must be positive", ExitCode.USAGE)
    template = _template(args)
    if template is None and not text.strip():
        raise CommandError("the message is empty (give TEXT, or --template)", ExitCode.USAGE)
    if template is not None and text.strip():
        raise CommandError(
            "a template carries its own text: give TEXT or --template", ExitCode.USAGE
        )
    async with inbox_for(account_options(args)) as inbox:
        channel_type = inbox.channel_type(args.channel_id)
        if channel_type is None:
            # The store has seen nothing of this channel: one of its contents says its type,
            # so the channel's rules apply before anything is queued. Unreachable, the server
            # will judge the request itself.
            with contextlib.suppress(RCError):
                found, _ = await inbox.remote_contents(
                    limit=1, max_pages=1, channel_ids=[args.channel_id], per_page=1
                )
                channel_type = found[0].channel_type if found else None
        try:
            entry = inbox.start_conversation(
                args.channel_id,
                text,
                to=tuple(args.to or ()),
                title=args.title,
                template=template,
                channel_type=channel_type,
            )
        except StartRefused as refusal:
            raise CommandError(str(refusal), ExitCode.DATAERR) from None
        what = "the new conversation"
        try:
            await inbox.check_login()
        except RCError as error:
            _still_queued(error, what)
        await inbox.start(poll=False, names=False)
        entry = await _wait_accepted(inbox, entry.id, args.timeout, what)
        if entry.state == ReplyState.FAILED:
            # No such channel (a mistyped id) is "not found", as a 404 is everywhere else.
            code = ExitCode.NOT_FOUND if entry.error_code in NOT_FOUND_CODES else ExitCode.DATAERR
            raise CommandError(f"the server refused it: {_error_text(entry)}", code)
        _print_accepted(inbox, entry, as_json=args.json)
    return ExitCode.OK


def _print_accepted(inbox: Inbox, entry: OutboxRow, *, as_json: bool) -> None:
    """What ``reply`` and ``start`` print once the server accepted: the new content's id, or
    its record with ``--json`` (the entry, if the store does not hold the content)."""
    if as_json:
        created = inbox.content(entry.content_id or "")
        print_json(created.raw if created else _entry_json(entry))
    else:
        print(entry.content_id)


def _template(args: argparse.Namespace) -> TemplateMessage | None:
    """``--template`` with its language and parameters; config.toml's ``[whatsapp] templates``
    give the language when it is not given, and say how many parameters a template takes."""
    params = tuple(args.param or ())
    if args.template is None:
        if args.template_language or params:
            raise CommandError("--template-language and --param go with --template", ExitCode.USAGE)
        return None
    known = [t for t in Config.load().whatsapp.templates if t.name == args.template]
    language = args.template_language
    if language is None:
        if len({t.language for t in known}) != 1:
            raise CommandError(
                f"--template-language is needed for {args.template!r}"
                + ("" if known else " (config.toml's [whatsapp] templates do not name it)"),
                ExitCode.USAGE,
            )
        language = known[0].language
    configured = next((t for t in known if t.language == language), None)
    if configured is not None and configured.params != len(params):
        raise CommandError(
            f"template {args.template!r} ({language}) takes {configured.params} --param"
            f" value(s), not {len(params)}",
            ExitCode.USAGE,
        )
    return TemplateMessage(args.template, language, params)


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
    thread_id = original.thread_id or original.id
    if not inbox.free_text_window(thread_id).open:
        # Only the original is stored: a newer customer message may have opened the window.
        with contextlib.suppress(RCError):
            await inbox.complete_thread(thread_id)
    try:
        return inbox.release_reply(entry.id, original, public=asked, delay=delay)
    except ReplyRefused as refusal:
        problem: Exception = refusal
        if isinstance(refusal, WindowClosed):
            problem = await _template_needed(inbox, original, refusal)
        if refused is None:
            inbox.discard(entry.id)
            raise problem from None
        refused(entry.id, str(problem))
        return None


async def _template_needed(inbox: Inbox, original: Content, closed: WindowClosed) -> CommandError:
    """Free text is refused (the window is closed): one line saying why, and the command that
    sends an approved template to the customer instead (with their number when known)."""
    thread_id = original.thread_id or original.id
    to = inbox.customer_address(thread_id)
    if to is None and original.is_incoming and original.author_identity_id:
        with contextlib.suppress(RCError):
            customer = await inbox.remote_identity(original.author_identity_id)
            to = customer.mobile_phone or customer.home_phone
    to = to or "PHONE"
    command = (
        f"rcinbox start {original.channel_id or 'CHANNEL_ID'} --to {to}"
        " --template NAME --template-language LANG"
    )
    return CommandError(f"{closed}; send one with `{command}`", ExitCode.DATAERR)


def _still_queued(error: RCError, what: str = "the reply") -> NoReturn:
    """The server could not be asked (or not now): the entry waits in the outbox."""
    if exit_code(error) in (ExitCode.UNAVAILABLE, ExitCode.TEMPFAIL):
        raise CommandError(
            f"{error}; {what} stays queued (`rcinbox outbox flush` sends it)",
            ExitCode.TEMPFAIL,
        ) from None
    raise error


async def _wait_accepted(
    inbox: Inbox, entry_id: str, timeout: float, what: str = "the reply"
) -> OutboxRow:
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
                    f"{what} was not sent ({one_line(row.error_message, 200)}); it stays"
                    " queued (`rcinbox outbox flush` sends it)",
                    ExitCode.TEMPFAIL,
                )
        return accepted.result()
    except TimeoutError:
        raise CommandError(
            f"{what} was not accepted within {timeout:g} s; it stays queued"
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
        detail = _error_text(entry) if entry.state == ReplyState.FAILED else _text_of(entry)
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


def _text_of(entry: OutboxRow) -> str:
    """What an entry says: its text, or the template a new conversation sends."""
    if entry.template is not None and not entry.body:
        values = ", ".join(entry.template.params)
        return f"template {entry.template.name} ({entry.template.language}) {values}".rstrip()
    return entry.body


def _error_text(entry: OutboxRow) -> str:
    words = visible(entry.error_message or "no reason given", multiline=False)
    if entry.error_code and entry.error_code not in words:
        return f"{words} ({entry.error_code})"
    return words


def _entry_json(entry: OutboxRow) -> dict[str, Any]:
    return {
        "id": entry.id,
        "state": entry.state,
        "threadId": entry.thread_id,
        "inReplyToContentId": entry.in_reply_to or None,
        "body": entry.body,
        "public": entry.public,
        "attempts": entry.attempts,
        "createdAt": entry.created_at,
        "notBefore": entry.not_before,
        "contentId": entry.content_id,
        "errorCode": entry.error_code,
        "errorMessage": entry.error_message,
        # A new conversation's channel, recipients, subject and template (else null/empty).
        "channelId": entry.channel_id,
        "to": list(entry.to),
        "title": entry.title,
        "template": (
            {
                "name": entry.template.name,
                "language": entry.template.language,
                "params": list(entry.template.params),
            }
            if entry.template
            else None
        ),
    }
