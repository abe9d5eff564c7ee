"""``rcinbox done``, ``snooze`` and ``search``: triage and search in the local store, headless.

``done`` and ``snooze`` put a thread of the local store aside (``--undo`` takes it back), as
``d`` and ``z`` do in the TUI; ``search`` finds threads in the store as the TUI's filter box
does, and with ``--remote`` asks the server's text filter first and stores what it finds. The
rules (when a snooze ends, what a time like "tomorrow" means) are the engine's. Customer text is
printed through :func:`rcinbox.text.visible`. Never imports Textual.
"""

from __future__ import annotations

import argparse
from typing import Any

from rcinbox.cli import aio
from rcinbox.cli.errors import CommandError, ExitCode
from rcinbox.cli.output import iso_utc, print_json, print_table, when
from rcinbox.cli.parser import account_options
from rcinbox.inbox.engine import Inbox, snooze_until
from rcinbox.inbox.types import ThreadRow, TriageRow
from rcinbox.wiring.inbox import inbox_for


def run(args: argparse.Namespace) -> int:
    command = {"done": _done, "snooze": _snooze, "search": _search}[args.command]
    return aio.run(_with_inbox(command, args))


async def _with_inbox(command: Any, args: argparse.Namespace) -> int:
    # Only a search of the server needs the login; the rest reads and writes the store.
    remote = bool(getattr(args, "remote", False))
    async with inbox_for(account_options(args), check_login=remote) as inbox:
        return await command(inbox, args)


def _known_thread(inbox: Inbox, thread_id: str) -> ThreadRow:
    thread = inbox.thread(thread_id)
    if thread is None:
        raise CommandError(
            f"no thread {thread_id!r} in the local store (`rcinbox sync` fetches the newest)",
            ExitCode.NOT_FOUND,
        )
    return thread


async def _done(inbox: Inbox, args: argparse.Namespace) -> int:
    _known_thread(inbox, args.thread_id)
    if args.undo:
        return _undone(inbox.restore(args.thread_id), args)
    row = inbox.mark_done(args.thread_id)
    return _report(row, args, "done: hidden until its customer writes again")


async def _snooze(inbox: Inbox, args: argparse.Namespace) -> int:
    _known_thread(inbox, args.thread_id)
    if args.undo:
        return _undone(inbox.restore(args.thread_id), args)
    if not args.until:
        raise CommandError("snooze needs --until WHEN (or --undo)", ExitCode.USAGE)
    try:
        until = snooze_until(args.until, inbox.now())
    except ValueError as error:
        raise CommandError(str(error), ExitCode.USAGE) from None
    row = inbox.snooze(args.thread_id, until)
    return _report(row, args, f"snoozed until {when(until)}, then back as unread")


def _report(row: TriageRow | None, args: argparse.Namespace, words: str) -> int:
    assert row is not None, "the thread was found just before"
    if args.json:
        print_json(_triage_json(row))
    else:
        print(f"{row.thread_id} {words}")
    return ExitCode.OK


def _undone(row: TriageRow | None, args: argparse.Namespace) -> int:
    if args.json:
        print_json({"threadId": args.thread_id, "undone": _triage_json(row) if row else None})
    elif row is None:
        print(f"{args.thread_id} was neither done nor snoozed")
    else:
        print(f"{args.thread_id} is back in the inbox (was {row.state})")
    return ExitCode.OK


def _triage_json(row: TriageRow) -> dict[str, Any]:
    return {
        "threadId": row.thread_id,
        "state": str(row.state),
        "until": iso_utc(row.until),
        "contentId": row.content_id,
        "setAt": iso_utc(row.set_at),
    }


async def _search(inbox: Inbox, args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise CommandError("search needs some text", ExitCode.USAGE)
    if args.pages < 1:
        raise CommandError("--pages must be at least 1", ExitCode.USAGE)
    server = await inbox.search_server(args.text, pages=args.pages) if args.remote else None
    from_server = set(server.new_thread_ids) if server else set()
    rows = inbox.threads_by_ids(inbox.search(args.text))
    if args.json:
        answer: dict[str, Any] = {
            "threads": [
                {
                    "threadId": row.id,
                    "channelId": row.channel_id,
                    "channelType": row.channel_type,
                    "customerId": row.customer_id,
                    "customerName": row.customer_name,
                    "latestAt": iso_utc(row.latest_at.timestamp()),
                    "preview": row.preview,
                    "fromServer": row.id in from_server,
                }
                for row in rows
            ]
        }
        if server is not None:
            answer["server"] = {
                "contentIds": list(server.content_ids),
                "pages": server.pages,
                "more": server.more,
                "stopped": server.stopped,
            }
        print_json(answer)
        return ExitCode.OK
    print_table(
        ("WHEN", "", "THREAD ID", "CUSTOMER", "TEXT"),
        (
            (
                when(row.latest_at),
                "S" if row.id in from_server else "",
                row.id,
                row.customer_name or row.customer_id or "",
                row.preview,
            )
            for row in rows
        ),
        fixed=(16, 1, 24, 20),
    )
    if server is not None:
        more = "; the server has more (--pages reads further)" if server.more else ""
        stopped = f"; stopped early: {server.stopped}" if server.stopped else ""
        print(
            f"{len(rows)} threads; {len(from_server)} found only on the server (S)"
            f" in {server.pages} page{'s' if server.pages != 1 else ''}{more}{stopped}"
        )
    return ExitCode.OK
