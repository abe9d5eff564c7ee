"""Contents without a channelId (hardening item 3): listed under one "Unknown channel" entry
that can be chosen, searched within and named in the sidebar like any channel."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rcinbox.api.models import Content
from rcinbox.inbox.engine import Inbox
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import UNKNOWN_CHANNEL, ChannelRow, ThreadFilter


def test_the_sidebar_names_the_unknown_channel() -> None:
    from rcinbox.tui.widgets.sidebar import channel_name

    assert channel_name(ChannelRow(UNKNOWN_CHANNEL, None, 1, 1), {}) == "Unknown channel"
    assert channel_name(ChannelRow("abcdef123456", "WhatsApp", 1, 0), {}).endswith("3456")


def test_searching_within_the_unknown_channel_finds_only_its_threads(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    store.merge_contents(
        Content.from_json(
            {
                "id": f"c{n}",
                "threadId": f"t{n}",
                "body": f"parcel {n}",
                "creationTime": f"2026-01-01T10:0{n}:00Z",
                **({"channelId": "known"} if n % 2 else {}),
            }
        )
        for n in range(6)
    )

    class Client:
        rate = None

        def observe_retries(self, observer: object) -> object:
            return lambda: None

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        inbox = Inbox(store=store, client=Client())
        unknown = ThreadFilter(UNKNOWN_CHANNEL)
        return (
            inbox.search("parcel", unknown),
            await inbox.search_async("parcel", unknown),
            [row.id for row in inbox.threads(unknown, 0, 10)],
        )

    try:
        found, found_async, listed = asyncio.run(scenario())
        assert {c.id for c in store.channels()} == {UNKNOWN_CHANNEL, "known"}
    finally:
        store.close()
    assert found == found_async == listed == ["t4", "t2", "t0"]
