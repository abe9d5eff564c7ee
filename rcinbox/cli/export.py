"""``rcinbox export THREAD_ID``: a conversation as Markdown, JSON or plain text.

Read straight from the server, like ``rcinbox thread`` (the whole thread, whatever the local
store holds, and no store opened on disk), with each author's name and role; what an export
holds and how customer text is kept from being interpreted is :mod:`rcinbox.export`'s
business. With ``-o FILE`` the file is written 0600 (it holds customer data); without, the
export goes to standard output. Never imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from rcinbox.api import APIError, MalformedResponse
from rcinbox.cli import aio
from rcinbox.cli.errors import CommandError, ExitCode
from rcinbox.cli.output import say
from rcinbox.cli.parser import account_options
from rcinbox.export import Transcript, render, write_export
from rcinbox.inbox.engine import Inbox
from rcinbox.inbox.types import Identity
from rcinbox.text import one_line
from rcinbox.wiring.inbox import inbox_for

# Pages of 1,000 read at most: far past any real conversation, and an end to a server handing
# out fresh page tokens forever (the same bound as ``rcinbox thread``).
MAX_THREAD_PAGES = 50
SUFFIXES = {".md": "md", ".markdown": "md", ".json": "json", ".txt": "txt"}


def run(args: argparse.Namespace) -> int:
    output = args.output if args.output not in (None, "-") else None
    fmt = args.format or (SUFFIXES.get(Path(output).suffix.lower(), "md") if output else "md")
    transcript = aio.run(_transcript(args))
    text = render(transcript, fmt)
    if output is None:
        sys.stdout.write(text)
        return ExitCode.OK
    try:
        write_export(Path(output), text)
    except OSError as error:
        raise CommandError(
            f"cannot write {one_line(output, 200)}: {error.strerror or error}", ExitCode.ERROR
        ) from None
    count = len(transcript.contents)
    say(f"rcinbox: wrote {count} message{'s' if count != 1 else ''} to {one_line(output, 200)}")
    return ExitCode.OK


async def _transcript(args: argparse.Namespace) -> Transcript:
    async with inbox_for(account_options(args), remote_only=True) as inbox:
        records, whole = await inbox.remote_thread(args.thread_id, max_pages=MAX_THREAD_PAGES)
        if not records:
            raise CommandError(
                f"no thread {one_line(args.thread_id, 80)!r} (or it has no contents)",
                ExitCode.NOT_FOUND,
            )
        if not whole:
            say(f"rcinbox: exporting the first {MAX_THREAD_PAGES} pages of this thread only")
        identities = await _identities(inbox, (c.author_identity_id for c in records))
    return Transcript(
        thread_id=args.thread_id,
        contents=records,
        raw={c.id: c.raw for c in records},
        identities=identities,
        exported_at=datetime.now(UTC),
    )


async def _identities(inbox: Inbox, identity_ids: Iterable[str | None]) -> dict[str, Identity]:
    """The thread's few authors; one the server will not give is left out (named by its id)."""
    limiter = asyncio.Semaphore(4)

    async def one(identity_id: str) -> Identity | None:
        async with limiter:
            try:
                return await inbox.remote_identity(identity_id)
            except (APIError, MalformedResponse):
                return None

    wanted = sorted({i for i in identity_ids if i})
    found = await asyncio.gather(*(one(i) for i in wanted))
    return {identity.id: identity for identity in found if identity is not None}
