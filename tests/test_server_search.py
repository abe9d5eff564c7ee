"""Server search against the emulator: the API's text filter, paged, merged into the store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from engine_helpers import engine

from rcinbox.emulator import Emulator

LIST = "GET /contents"


def oldest_incoming(emulator: Emulator) -> dict:
    return next(c for c in emulator.contents_where(contentDirection="Incoming") if c["body"])


async def test_what_only_the_server_holds_is_merged_and_marked_as_found_there(
    emulator: Emulator, tmp_path: Path
) -> None:
    old = oldest_incoming(emulator)
    async with engine(emulator.url, tmp_path / "s.sqlite3") as inbox:
        await inbox.sync_newest()
        assert old["threadId"] not in inbox.search(old["body"])
        result = await inbox.search_server(old["body"])
        assert old["id"] in result.content_ids
        assert old["threadId"] in result.thread_ids
        assert old["threadId"] in result.new_thread_ids
        # Stored now: the local search finds it from here on.
        assert inbox.content(old["id"]) is not None
        assert old["threadId"] in inbox.search(old["body"])
        # Asked again, nothing is new any more.
        again = await inbox.search_server(old["body"])
        assert old["threadId"] in again.thread_ids
        assert again.new_thread_ids == ()


async def test_the_search_stops_at_its_page_cap(emulator: Emulator, tmp_path: Path) -> None:
    async with engine(emulator.url, tmp_path / "s.sqlite3") as inbox:
        await inbox.check_login()
        emulator.stats.reset()
        result = await inbox.search_server("e", pages=2, per_page=5)
    assert result.pages == 2
    assert result.more is True
    assert len(result.content_ids) == 10
    assert emulator.stats.requests[LIST] == 2


async def test_a_429_during_the_search_is_waited_out_per_the_clients_rules(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator(rate_limit=3, rate_window=1.0)
    old = oldest_incoming(emulator)
    async with engine(emulator.url, tmp_path / "s.sqlite3", retries=4) as inbox:
        token = await inbox.client.auth.bearer()
        # Someone else with the same token spends the budget: the next request gets a 429.
        async with httpx.AsyncClient() as http:
            for _ in range(4):
                await http.get(
                    f"{emulator.url}/cx/social-messaging/v1/contents",
                    headers={"Authorization": f"Bearer {token}"},
                )
        refused = emulator.stats.rate_limited
        assert refused >= 1
        result = await inbox.search_server(old["body"], pages=1)
    assert old["id"] in result.content_ids
    assert result.stopped is None
    # One refused attempt at most, then the wait, then the page: never a burst of retries.
    assert emulator.stats.rate_limited - refused <= 1


async def test_a_server_gone_after_the_first_page_ends_the_search_with_what_it_found(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator()
    async with engine(emulator.url, tmp_path / "s.sqlite3", retries=0) as inbox:
        await inbox.check_login()
        list_contents = inbox.client.list_contents

        async def then_gone(**filters):
            page = await list_contents(**filters)
            emulator.stop()
            return page

        inbox.client.list_contents = then_gone
        result = await inbox.search_server("e", pages=3, per_page=5)
        assert result.pages == 1
        assert result.stopped
        assert len(result.content_ids) == 5
        assert all(inbox.content(content_id) for content_id in result.content_ids)
