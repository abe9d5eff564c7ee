"""Headless commands that run on the engine: ``reply``, ``outbox``, ``sync``, ``watch``.

These share the TUI's local store, so a reply queued here is the same durable outbox entry the
TUI would write: it is sent exactly once whichever process finishes it. Output rules as in
:mod:`rcinbox.headless`: ``--json`` for scripts (NDJSON for ``watch``), readable text otherwise,
one line on stderr and a sysexits code for failures. Never imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from typing import Any

from rcinbox import cli
from rcinbox.api.channels import channel_info
from rcinbox.headless import CommandError, print_json, reply_visibility, when
from rcinbox.inbox.engine import EngineSettings, Inbox
from rcinbox.inbox.events import ContentsArrived, LoginRequired
from rcinbox.inbox.replies import ReplyRefused
from rcinbox.inbox.scheduler import Priority
from rcinbox.inbox.store import OutboxRow
from rcinbox.session import Account, open_inbox
from rcinbox.text import fit, one_line, visible

# What `rcinbox outbox` lists: everything the server has not confirmed, or refused.
OPEN_STATES = ("queued", "sending", "unknown", "failed")


async def run(command: str, account: Account, args: argparse.Namespace) -> int:
    settings = None
    if command == "watch":
        settings = EngineSettings(poll_active=args.interval, poll_idle=args.interval)
    async with open_inbox(account, settings=settings) as inbox:
        if command == "reply":
            return await _reply(inbox, args)
        if command == "outbox":
            return await _outbox(inbox, args)
        if command == "sync":
            return await _sync(inbox, args)
        if command == "watch":
            return await _watch(inbox, args)
    raise CommandError(f"unknown command {command!r}", cli.EXIT_USAGE)


async def _reply(inbox: Inbox, args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        raise CommandError("the reply is empty", cli.EXIT_USAGE)
    if args.timeout <= 0:
        raise CommandError("--timeout must be positive", cli.EXIT_USAGE)
    original = inbox.store.content(args.content_id)
    if original is None:
        original = await inbox.syncer.fetch_content(args.content_id, priority=Priority.USER)
    info = channel_info(original.channel_type)
    # Checked here so that a reply the channel would refuse never becomes an outbox entry.
    if len(text) > info.max_body:
        raise CommandError(
            f"the reply has {len(text)} characters; {info.label} allows {info.max_body}",
            cli.EXIT_DATAERR,
        )
    public = reply_visibility(info.visibility, args.public, original.public)
    try:
        entry = inbox.send(
            original.thread_id or original.id, text, in_reply_to=original.id, public=public
        )
    except ReplyRefused as error:
        # The server would refuse it (EDI-013): say why, and queue nothing.
        raise CommandError(str(error), cli.EXIT_DATAERR) from None
    await inbox.start(poll=False, names=False)
    try:
        entry = await inbox.outbox.wait_accepted(entry.id, args.timeout)
    except TimeoutError:
        raise CommandError(
            f"the reply was not accepted within {args.timeout:g} s; it stays queued"
            " (`rcinbox outbox` shows it, `rcinbox outbox flush` sends it)",
            cli.EXIT_TEMPFAIL,
        ) from None
    if entry.state == "failed":
        raise CommandError(f"the server refused the reply: {_error_text(entry)}", cli.EXIT_DATAERR)
    if args.json:
        created = inbox.store.content(entry.content_id or "")
        print_json(created.raw if created else _entry_json(entry))
    else:
        print(entry.content_id)
    return cli.EXIT_OK


async def _outbox(inbox: Inbox, args: argparse.Namespace) -> int:
    if args.action == "flush":
        await inbox.start(poll=False, names=False)
        remaining = await inbox.outbox.flush(timeout=args.timeout)
        unsent = [e for e in remaining if e.state != "failed"]
        failed = inbox.outbox_entries(("failed",))
        if args.json:
            print_json({"remaining": [_entry_json(e) for e in remaining]})
        else:
            sent = "everything queued was accepted" if not unsent else f"{len(unsent)} not sent"
            print(f"{sent}; {len(failed)} failed")
        return cli.EXIT_TEMPFAIL if unsent else cli.EXIT_OK
    entries = inbox.outbox_entries(OPEN_STATES)
    if args.json:
        print_json({"entries": [_entry_json(e) for e in entries]})
        return cli.EXIT_OK
    if not entries:
        print("The outbox is empty: every reply was accepted by the server.")
        return cli.EXIT_OK
    print(f"{'ENTRY':<8}  {'STATE':<8}  {'QUEUED':<16}  {'TRIES':>5}  TEXT OR ERROR")
    for entry in entries:
        detail = _error_text(entry) if entry.state == "failed" else entry.body
        print(
            f"{entry.id[:8]}  {entry.state:<8}  {fit(_at(entry.created_at), 16)}"
            f"  {entry.attempts:>5}  {one_line(detail, 60)}"
        )
    return cli.EXIT_OK


async def _sync(inbox: Inbox, args: argparse.Namespace) -> int:
    result = await inbox.syncer.sync_newest(priority=Priority.USER)
    if args.json:
        print_json(
            {
                "newContentIds": list(result.new_content_ids),
                "threadIds": list(result.changed_thread_ids),
            }
        )
    else:
        print(
            f"{len(result.new_content_ids)} new contents in"
            f" {len(result.changed_thread_ids)} threads;"
            f" {inbox.store.content_count()} contents stored"
        )
    return cli.EXIT_OK


async def _watch(inbox: Inbox, args: argparse.Namespace) -> int:
    """NDJSON of every content that arrives after the start, until SIGINT or SIGTERM."""
    # A first sync sets the baseline: what the server already had is not news.
    await inbox.syncer.sync_newest(priority=Priority.USER)
    subscription = inbox.events.subscribe()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    await inbox.start(send=False, names=False)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while True:
            getting = asyncio.ensure_future(subscription.get())
            done, _ = await asyncio.wait({getting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                getting.cancel()
                return cli.EXIT_OK
            event = getting.result()
            if isinstance(event, LoginRequired):
                raise CommandError(event.message, cli.EXIT_LOGIN)
            if isinstance(event, ContentsArrived):
                for content_id in event.content_ids:
                    content = inbox.store.content(content_id)
                    if content is not None:
                        sys.stdout.write(json.dumps(content.raw, ensure_ascii=False) + "\n")
                sys.stdout.flush()
    finally:
        inbox.events.unsubscribe(subscription)
        stopping.cancel()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)


def _error_text(entry: OutboxRow) -> str:
    words = visible(entry.error_message or "no reason given", multiline=False)
    return f"{words} ({entry.error_code})" if entry.error_code else words


def _at(epoch: float | None) -> str:
    from datetime import UTC, datetime

    return when(datetime.fromtimestamp(epoch, UTC)) if epoch is not None else ""


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
        "contentId": entry.content_id,
        "errorCode": entry.error_code,
        "errorMessage": entry.error_message,
    }
