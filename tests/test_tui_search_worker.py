"""The filter box searches in a worker while the agent types, never in the key's handler, and
the query itself runs in the engine's search thread.

A newer search cancels the one before it (an exclusive worker), so a slow search of a large
store never holds up the keys typed after it, and stale results are never shown.
"""

from __future__ import annotations

import pytest
from textual.worker import NoActiveWorker, get_current_worker
from tui_harness import make_app, settle, until

WIDE = (120, 40)


async def test_typing_a_filter_searches_in_an_exclusive_worker(
    seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        searched: list[tuple[str, str | None]] = []
        search = app.inbox.search_async

        async def recording_search(text, where=None):
            try:
                group = get_current_worker().group
            except NoActiveWorker:
                group = None
            searched.append((text, group))
            return await search(text, where)

        monkeypatch.setattr(app.inbox, "search_async", recording_search)
        await pilot.press("slash", *"backpack")
        await until(pilot, lambda: searched and app.conversation_list.source.key.endswith("pack"))
        await settle(pilot)
        assert searched == [("backpack", "search")]
        rows = [app.conversation_list._row(i) for i in range(app.conversation_list.total)]
        assert rows and all(row is not None for row in rows)


async def test_a_newer_search_cancels_the_one_before_it(
    seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        searched: list[str] = []
        search = app.inbox.search_async

        async def recording_search(text, where=None):
            searched.append(text)
            return await search(text, where)

        monkeypatch.setattr(app.inbox, "search_async", recording_search)
        await pilot.press("slash")
        # Two searches asked for in one turn (rows changed, then typing paused): only the
        # newer one runs, and only its results are shown.
        app._search_in_background("back")
        app._search_in_background("backpack")
        await until(pilot, lambda: bool(searched))
        await settle(pilot)
        assert searched == ["backpack"]
        assert app.conversation_list.source.key.endswith(":backpack")


async def test_clearing_the_filter_shows_every_thread_again(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        everything = app.conversation_list.total
        await pilot.press("slash", *"backpack")
        await until(pilot, lambda: app.conversation_list.total < everything)
        await pilot.press("escape")
        await settle(pilot)
        assert app._search is None
        assert app.conversation_list.total == everything
        assert not any(w.group == "search" and w.is_running for w in app.workers)
