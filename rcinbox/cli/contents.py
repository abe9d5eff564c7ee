"""Headless commands: ``contents``, ``thread``, ``reply``, ``identity`` for people and scripts.

``--json`` prints the API's own records (its field names, as the server sent them); otherwise a
table sized to the terminal, with every piece of customer text passed through
:func:`rcinbox.text.visible` so that a hostile body cannot act on the terminal. Failures become a
:class:`CommandError` carrying one line and an exit code. Never imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import sys
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any

from rcinbox import cli
from rcinbox.api import (
    APIError,
    Content,
    Direction,
    Identity,
    InvalidGrant,
    MalformedResponse,
    OAuthError,
    RateLimited,
    RCError,
    SocialMessagingClient,
    TransportError,
)
from rcinbox.api.channels import Visibility, channel_info
from rcinbox.config import ConfigError, selected_profile
from rcinbox.logins import login_command
from rcinbox.session import Account, api_client, demo_account, resolve_account
from rcinbox.text import fit, one_line, visible


class CommandError(Exception):
    """A failure to report as one line on stderr, with the exit code it maps to."""

    def __init__(self, message: str, exit_code: int = cli.EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


async def run(command: str, args: argparse.Namespace) -> int:
    try:
        if command in _COMMANDS:
            async with _session(args) as client:
                return await _COMMANDS[command](client, args)
        from rcinbox import engine_commands

        with _account(args) as account:
            if account.login is not None:
                await _check_login(account)
            return await engine_commands.run(command, account, args)
    except ConfigError as error:
        raise CommandError(str(error), cli.EXIT_CONFIG) from None
    except InvalidGrant as error:
        profile = selected_profile(getattr(args, "profile", None))
        why = "; ".join(part for part in (error.message, error.code) if part)
        raise CommandError(
            f"login expired or revoked: run `{login_command(profile)}` ({why})",
            _exit_code(error),
        ) from None
    except RCError as error:
        raise CommandError(str(error), _exit_code(error)) from None


async def _check_login(account: Account) -> None:
    """Renew a stored login now if it needs it: an expired one fails here, in one line, rather
    than leaving a reply queued until its timeout (no request when the token is still fresh)."""
    async with api_client(account.credentials, login=account.login) as client:
        await client.auth.bearer()


def _exit_code(error: RCError) -> int:
    if isinstance(error, InvalidGrant):
        return cli.EXIT_LOGIN
    if isinstance(error, OAuthError | APIError) and error.status in (401, 403):
        return cli.EXIT_NOPERM
    if isinstance(error, RateLimited):
        return cli.EXIT_TEMPFAIL
    if isinstance(error, APIError):
        if error.status == 404:
            return cli.EXIT_NOT_FOUND
        if error.status in (400, 409, 413, 422):
            return cli.EXIT_DATAERR
        return cli.EXIT_UNAVAILABLE
    if isinstance(error, MalformedResponse):
        return cli.EXIT_PROTOCOL
    if isinstance(error, TransportError):
        return cli.EXIT_TEMPFAIL if error.request_sent else cli.EXIT_UNAVAILABLE
    return cli.EXIT_ERROR


@contextlib.asynccontextmanager
async def _session(args: argparse.Namespace) -> AsyncIterator[SocialMessagingClient]:
    """An API client for the account the arguments name, or for an in-process demo."""
    with _account(args) as account:
        async with api_client(account.credentials, login=account.login) as client:
            yield client


@contextlib.contextmanager
def _account(args: argparse.Namespace) -> Iterator[Account]:
    if getattr(args, "demo", False):
        with demo_account(naming=getattr(args, "naming", None)) as account:
            yield account
        return
    yield resolve_account(
        server=getattr(args, "server", None),
        client_id=getattr(args, "client_id", None),
        client_secret=getattr(args, "client_secret", None),
        jwt=getattr(args, "jwt", None),
        naming=getattr(args, "naming", None),
        profile=getattr(args, "profile", None),
    )


# ---------------------------------------------------------------------------------- commands


async def _contents(client: SocialMessagingClient, args: argparse.Namespace) -> int:
    if args.per_page is not None and not 1 <= args.per_page <= 1000:
        raise CommandError("--per-page must be between 1 and 1000", cli.EXIT_USAGE)
    if not args.all and args.limit < 1:
        raise CommandError("--limit must be at least 1", cli.EXIT_USAGE)
    limit = None if args.all else args.limit
    per_page = args.per_page or (min(limit, 100) if limit else 100)
    filters: dict[str, Any] = {
        "channel_ids": args.channel,
        "thread_ids": args.thread,
        "author_identity_ids": args.author,
        "author_identity_group_ids": args.author_group,
        "intervention_ids": args.intervention,
        "text": args.text,
        "status": args.status,
        "direction": Direction(args.direction.capitalize()) if args.direction else None,
        "order_by": args.order_by,
        "per_page": per_page,
        "page_token": args.page_token,
    }
    records: list[Content] = []
    last_paging: dict[str, Any] = {}
    async for page in client.iter_content_pages(**filters):
        records.extend(page.records)
        last_paging = page.raw.get("paging") or {}
        if limit is not None and len(records) >= limit:
            break
    if limit is not None:
        records = records[:limit]
    if args.json:
        print_json({"records": [content.raw for content in records], "paging": last_paging})
    else:
        _print_contents_table(records)
    return cli.EXIT_OK


async def _thread(client: SocialMessagingClient, args: argparse.Namespace) -> int:
    records: list[Content] = []
    async for page in client.iter_content_pages(
        thread_ids=[args.thread_id], order_by="+creationTime", per_page=1000
    ):
        records.extend(page.records)
    if not records:
        raise CommandError(
            f"no thread {args.thread_id!r} (or it has no contents)", cli.EXIT_NOT_FOUND
        )
    if args.json:
        print_json({"records": [content.raw for content in records]})
        return cli.EXIT_OK
    names = await _author_names(client, {c.author_identity_id for c in records})
    first = records[0]
    print(
        f"Thread {visible(args.thread_id)} · {channel_info(first.channel_type).label}"
        f" · {len(records)} message{'s' if len(records) != 1 else ''}"
    )
    for content in records:
        _print_message(content, names)
    return cli.EXIT_OK


def reply_visibility(visibility: Visibility, asked: bool | None, original: bool | None) -> bool:
    if visibility is Visibility.PRIVATE_ONLY:
        if asked:
            raise CommandError("this channel has only private replies", cli.EXIT_USAGE)
        return False
    if visibility is Visibility.PUBLIC_ONLY:
        if asked is False:
            raise CommandError("this channel has only public replies", cli.EXIT_USAGE)
        return True
    if asked is not None:
        return asked
    # Answer in kind: a public comment gets a public answer, a private message a private one.
    return bool(original) if original is not None else True


async def _identity(client: SocialMessagingClient, args: argparse.Namespace) -> int:
    identity = await client.get_identity(args.identity_id)
    if args.json:
        print_json(identity.raw)
        return cli.EXIT_OK
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
    for label, value in rows:
        print(f"{label + ':':<16}{visible(str(value), multiline=False)}")
    return cli.EXIT_OK


_COMMANDS = {
    "contents": _contents,
    "thread": _thread,
    "identity": _identity,
}

# ---------------------------------------------------------------------------------- output


async def _author_names(
    client: SocialMessagingClient, identity_ids: Iterable[str | None]
) -> dict[str, str]:
    """Names for a thread's few authors; an identity that cannot be read keeps its short id."""
    wanted = sorted({i for i in identity_ids if i})
    limiter = asyncio.Semaphore(4)

    async def one(identity_id: str) -> tuple[str, str]:
        async with limiter:
            try:
                identity: Identity = await client.get_identity(identity_id)
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
    print(visible(header, multiline=False) + f"  [{content.id}]")
    if content.title:
        print(f"Subject: {visible(content.title, multiline=False)}")
    print(visible(content.body or content.body_text or ""))
    for attachment in content.attachments:
        size = f"{attachment.size:,} bytes" if attachment.size is not None else "size unknown"
        print(
            f"  📎 {visible(attachment.filename or attachment.id, multiline=False)}"
            f"  {visible(attachment.content_type or '?', multiline=False)}  {size}"
        )
    if content.synchronization_error:
        print(f"  ! not delivered: {visible(content.synchronization_error, multiline=False)}")


def _print_contents_table(records: list[Content]) -> None:
    wide = _terminal_width() >= 110
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
    _print_table(headers, rows, fixed=fixed)


def _print_table(
    headers: tuple[str, ...], rows: Iterable[tuple[str, ...]], *, fixed: tuple[int, ...]
) -> None:
    """Fixed-width columns, then the last one takes what the terminal has left."""
    rest = max(_terminal_width() - sum(fixed) - 2 * len(fixed), 10)
    widths = (*fixed, rest)
    print("  ".join(fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        cells = [
            fit(visible(cell, multiline=False), w) for cell, w in zip(row[:-1], fixed, strict=True)
        ]
        cells.append(one_line(row[-1], rest))
        print("  ".join(cells).rstrip())


def _terminal_width() -> int:
    # Piped output has no terminal; 120 keeps lines readable in a log or a pager.
    return shutil.get_terminal_size((120, 24)).columns


def when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


__all__ = ["CommandError", "run"]
