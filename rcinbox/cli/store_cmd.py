"""``rcinbox store info|vacuum``: what the local store holds and how big it is, and compacting it.

Works on the profile's store file alone: no request, no login needed. ``vacuum`` rewrites the
file without its free room (a migration or deleted history leaves some) and merges the text
index; it holds the store's write lock while it runs, so run it with the TUI closed. Never
imports Textual.
"""

from __future__ import annotations

import argparse
import dataclasses

from rcinbox.cli.errors import CommandError, ExitCode
from rcinbox.cli.output import print_fields, print_json
from rcinbox.cli.parser import account_options
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import StoreInfo
from rcinbox.wiring.accounts import account_for

# Tables and indexes listed in the text report (the JSON has all of them).
_LARGEST = 8


def run(args: argparse.Namespace) -> int:
    with account_for(account_options(args)) as account:
        path = account.store_path
        if not path.exists():
            raise CommandError(
                f"no local store yet at {path} (`rcinbox sync` makes it)", ExitCode.NOT_FOUND
            )
        store = Store.open(path)
        try:
            before = store.info()
            if args.action == "vacuum":
                store.vacuum()
                after = store.info()
            else:
                after = None
        finally:
            store.close()
    if args.json:
        answer = dataclasses.asdict(after or before)
        answer["objects"] = [{"name": n, "bytes": b} for n, b in answer["objects"]]
        if after is not None:
            answer["bytesBefore"] = before.file_bytes
        print_json(answer)
        return ExitCode.OK
    if after is not None:
        print(
            f"Vacuumed: {_size(before.file_bytes)} → {_size(after.file_bytes)}"
            f" ({_size(max(before.file_bytes - after.file_bytes, 0))} given back)"
        )
    _print_info(after or before)
    return ExitCode.OK


def _print_info(info: StoreInfo) -> None:
    per = f" ({info.file_bytes / info.contents:,.0f} B a content)" if info.contents else ""
    print_fields(
        [
            ("File", info.path),
            ("Schema", str(info.schema_version)),
            ("Contents", f"{info.contents:,}"),
            ("Threads", f"{info.threads:,}"),
            ("Identities", f"{info.identities:,}"),
            ("Size", f"{_size(info.file_bytes)}{per}"),
            ("Free room", f"{_size(info.free_bytes)} (`rcinbox store vacuum` gives it back)"),
            ("Raw JSON", f"{_size(info.raw_bytes)} (packed)"),
        ],
        width=12,
    )
    print()
    for name, size in info.objects[:_LARGEST]:
        print(f"  {_size(size):>10}  {name}")


def _size(count: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if count < 1024:
            return f"{count:,.0f} {unit}" if unit == "B" else f"{count:,.1f} {unit}"
        count /= 1024
    return f"{count:,.1f} GiB"
