"""``rcinbox contents``, ``thread`` and ``identity``: what the server holds, for people and scripts.

These read straight from the server through the inbox (nothing is stored, and no store is
opened on disk): ``--json`` prints the API's own records (its field names, as the server sent
them); otherwise a table sized to the terminal, every piece of customer text made visible
(:func:`rcinbox.text.visible`), so a hostile body cannot act on the terminal. Never imports
Textual.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterable
from typing import Any

from rcinbox.api import APIError, Content, Direction, MalformedResponse
from rcinbox.api.channels import channel_info
from rcinbox.cli import aio
from rcinbox.cli.errors import CommandError, ExitCode
from rcinbox.cli.output import print_fields, print_json, print_table, say, terminal_width, when
from rcinbox.cli.parser import account_options
from rcinbox.inbox.engine import Inbox
from rcinbox.text import visible
from rcinbox.wiring.inbox import inbox_for

# Pages of a thread read unless --all: 50,000 messages, far past any real conversation, and an
# end to a server handing out fresh page tokens forever.
MAX_THREAD_PAGES = 50


def run(args: argparse.Namespace) -> int:
    command = {"contents": _contents, "thread": _thread, "identity": _identity}[args.command]
    return aio.run(_with_inbox(command, args))


async def _with_inbox(command: Any, args: argparse.Namespace) -> int:
    async with inbox_for(account_options(args), remote_only=True) as inbox:
        return await command(inbox, args)


async def _contents(inbox: Inbox, args: argparse.Namespace) -> int:
    if args.per_page is not None and not 1 <= args.per_page <= 1000:
        raise CommandError("--per-page must be between 1 and 1000", ExitCode.USAGE)
    if not args.all and args.limit < 1:
        raise CommandError("--limit must be at least 1", ExitCode.USAGE)
    limit = None if args.all else args.limit
    records, paging = await inbox.remote_contents(
        limit=limit,
        channel_ids=args.channel,
        thread_ids=args.thread,
        author_identity_ids=args.author,
        author_identity_group_ids=args.author_group,
        intervention_ids=args.intervention,
        text=args.text,
        status=args.status,
        direction=Direction(args.direction.capitalize()) if args.direction else None,
        order_by=args.order_by,
        per_page=args.per_page or (min(limit, 100) if limit else 100),
        page_token=args.page_token,
    )
    if args.json:
        print_json({"records": [content.raw for content in records], "paging": paging})
    else:
        _print_contents_table(records)
    return ExitCode.OK


async def _thread(inbox: Inbox, args: argparse.Namespace) -> int:
    records, whole = await inbox.remote_thread(
        args.thread_id, max_pages=None if args.all else MAX_THREAD_PAGES
    )
    if not whole:
        say(
            f"rcinbox: showing the first {MAX_THREAD_PAGES} pages of this thread only;"
            " --all follows every page"
        )
    if not records:
        raise CommandError(
            f"no thread {args.thread_id!r} (or it has no contents)", ExitCode.NOT_FOUND
        )
    if args.json:
        print_json({"records": [content.raw for content in records]})
        return ExitCode.OK
    names = await _author_names(inbox, {c.author_identity_id for c in records})
    first = records[0]
    print(
        f"Thread {visible(args.thread_id)} · {channel_info(first.channel_type).label}"
        f" · {len(records)} message{'s' if len(records) != 1 else ''}"
    )
    for content in records:
        _print_message(content, names)
    return ExitCode.OK


async def _identity(inbox: Inbox, args: argparse.Namespace) -> int:
    identity = await inbox.remote_identity(args.identity_id)
    if args.json:
        print_json(identity.raw)
        return ExitCode.OK
    rows = [
        ("Name", identity.display_label),
        ("Kind", "agent" if identity.is_agent else "customer"),
        ("Channel type", identity.type or ""),
        ("Id", identity.id),
    ]
    optional = (
        ("Display name", identity.display_name),
        ("Screen name", identity.screen_name),
        ("First name", identity.first_name),
        ("Last name", identity.last_name),
        ("Company", identity.company),
        ("Email", identity.email_address),
        ("Mobile phone", identity.mobile_phone),
        ("Home phone", identity.home_phone),
        ("Identity group", identity.identity_group_id),
        ("Agent user ids", ", ".join(identity.user_ids)),
        ("Created", when(identity.creation_time)),
        ("Modified", when(identity.last_modified_time)),
    )
    rows.extend((label, value) for label, value in optional if value)
    print_fields(rows, width=16)
    return ExitCode.OK


async def _author_names(inbox: Inbox, identity_ids: Iterable[str | None]) -> dict[str, str]:
    """Names for a thread's few authors; an identity that cannot be read keeps its short id."""
    wanted = sorted({i for i in identity_ids if i})
    limiter = asyncio.Semaphore(4)

    async def one(identity_id: str) -> tuple[str, str]:
        async with limiter:
            try:
                identity = await inbox.remote_identity(identity_id)
            except (APIError, MalformedResponse):
                return identity_id, f"…{identity_id[-6:]}"
        role = "agent" if identity.is_agent else "customer"
        return identity_id, f"{identity.display_label} ({role})"

    return dict(await asyncio.gather(*(one(i) for i in wanted)))


def _print_message(content: Content, names: dict[str, str]) -> None:
    author = names.get(content.author_identity_id or "", "unknown author")
    details = [content.type or "", content.status or ""]
    if not content.is_incoming and content.synchronization_status:
        details.append(content.synchronization_status)
    header = f"── {when(content.creation_time)}  {author} · " + " · ".join(d for d in details if d)
    print()
    print(visible(header, multiline=False) + f"  [{visible(content.id, multiline=False)}]")
    if content.title:
        print(f"Subject: {visible(content.title, multiline=False)}")
    print(visible(content.body or content.body_text or ""))
    for number, attachment in enumerate(content.attachments, 1):
        size = f"{attachment.size:,} bytes" if attachment.size is not None else "size unknown"
        # Numbered as `rcinbox attachment --index` counts them.
        print(
            f"  📎 {number}. {visible(attachment.filename or attachment.id, multiline=False)}"
            f"  {visible(attachment.content_type or '?', multiline=False)}  {size}"
        )
    if content.synchronization_error:
        print(f"  ! not delivered: {visible(content.synchronization_error, multiline=False)}")


def _print_contents_table(records: list[Content]) -> None:
    wide = terminal_width() >= 110
    headers = ("WHEN", "CHANNEL", "", "CONTENT ID") + (("THREAD ID",) if wide else ()) + ("TEXT",)
    fixed = (16, 14, 1, 24) + ((24,) if wide else ())
    rows = (
        (
            when(content.creation_time),
            channel_info(content.channel_type).label,
            "←" if content.is_incoming else "→",
            content.id,
            *((content.thread_id or "",) if wide else ()),
            content.body or content.title or "",
        )
        for content in records
    )
    print_table(headers, rows, fixed=fixed)
