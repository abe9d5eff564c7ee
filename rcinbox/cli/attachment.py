"""``rcinbox attachment``: download one attachment of a message, for people and scripts.

The file goes where the TUI's ``s`` puts it (the downloads folder) unless ``-o`` names a
directory or a file; its name is the attachment's own made safe (never a path). Progress goes
to stderr, only when stderr is a terminal; ``--json`` prints where the file went, its size and
type. The link is refreshed once if it expired (see :mod:`rcinbox.inbox.attachments`). Never
imports Textual.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rcinbox.cli import aio
from rcinbox.cli.errors import CommandError, ExitCode
from rcinbox.cli.output import print_json
from rcinbox.cli.parser import account_options
from rcinbox.text import visible
from rcinbox.wiring.inbox import inbox_for


def run(args: argparse.Namespace) -> int:
    if args.index < 1:
        raise CommandError("--index counts from 1 (the first attachment)", ExitCode.USAGE)
    return aio.run(_attachment(args))


async def _attachment(args: argparse.Namespace) -> int:
    progress = _Progress() if sys.stderr.isatty() else None
    async with inbox_for(account_options(args), check_login=True) as inbox:
        try:
            saved = await inbox.save_attachment(
                args.content_id,
                args.index - 1,
                to=Path(args.output) if args.output else None,
                on_progress=progress,
            )
        finally:
            if progress is not None:
                progress.done()
    if args.json:
        print_json({"path": str(saved.path), "size": saved.size, "contentType": saved.content_type})
    else:
        print(visible(str(saved.path), multiline=False))
    return ExitCode.OK


class _Progress:
    """One self-rewriting line on stderr: bytes so far, of how many, and the share."""

    def __init__(self) -> None:
        self._shown = -1
        self._written = False

    def __call__(self, received: int, total: int | None) -> None:
        share = received * 100 // total if total else -1
        if share == self._shown and received != total:
            return
        self._shown = share
        mib = received / (1024 * 1024)
        if total:
            line = f"{mib:,.1f} of {total / (1024 * 1024):,.1f} MiB ({share}%)"
        else:
            line = f"{mib:,.1f} MiB"
        sys.stderr.write(f"\rrcinbox: downloading {line}\x1b[K")
        sys.stderr.flush()
        self._written = True

    def done(self) -> None:
        if self._written:
            sys.stderr.write("\n")
            sys.stderr.flush()
