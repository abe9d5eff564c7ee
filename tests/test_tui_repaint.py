"""What the TUI repaints: only what changed, so a key sends a few lines to the terminal.

Each test records the regions a widget asks Textual to repaint (``Widget.refresh``) while a key
is handled, on the real app over the emulator, and checks which ones were asked for. What ends
up on screen is the snapshot tests' business; these check that nothing else is drawn again.
"""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widget import Widget
from tui_harness import make_app, settle

WIDE = (120, 40)


class Repaints:
    """Every ``refresh`` call of the watched widgets: the widget and the regions it named
    (none: the whole widget)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *widgets: Widget) -> None:
        self.calls: list[tuple[Widget, tuple[Region, ...]]] = []
        for widget in widgets:
            original = widget.refresh

            def record(*regions: Region, _widget=widget, _original=original, **options):
                if options.get("repaint", True) or options.get("layout"):
                    self.calls.append((_widget, regions))
                return _original(*regions, **options)

            monkeypatch.setattr(widget, "refresh", record)

    def of(self, widget: Widget) -> list[tuple[Region, ...]]:
        return [regions for called, regions in self.calls if called is widget]


async def test_moving_down_one_row_without_scrolling_repaints_only_the_two_rows(
    seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        listing = app.conversation_list
        await pilot.press("j", "j")
        await pilot.pause()
        scroll = listing.scroll_y
        width = max(listing.virtual_size.width, listing.size.width)
        repaints = Repaints(monkeypatch, listing, listing.vertical_scrollbar)
        await pilot.press("j")
        await pilot.pause()
        assert listing.cursor == 3
        assert listing.scroll_y == scroll
        # Row 2 loses the cursor, row 3 gets it: two lines each, nothing else.
        assert sorted(repaints.of(listing)) == [
            (Region(0, 4, width, 2),),
            (Region(0, 6, width, 2),),
        ]
        assert repaints.of(listing.vertical_scrollbar) == []


async def test_a_move_that_scrolls_repaints_the_whole_list(
    seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        listing = app.conversation_list
        rows_on_screen = listing.scrollable_content_region.height // 2
        listing.cursor = rows_on_screen - 1
        await pilot.pause()
        repaints = Repaints(monkeypatch, listing)
        await pilot.press("j")
        await pilot.pause()
        assert listing.scroll_y > 0
        assert (listing.size.region,) in repaints.of(listing)


async def test_a_refresh_that_changed_one_thread_repaints_that_row_only(
    seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        listing = app.conversation_list
        await pilot.press("j")
        await pilot.pause()
        unread = listing._row(1)
        width = max(listing.virtual_size.width, listing.size.width)
        repaints = Repaints(monkeypatch, listing)
        app.inbox.toggle_unread(unread.id)
        await pilot.pause(0.2)
        assert listing._row(1).unread != unread.unread
        assert repaints.of(listing) == [(Region(0, 2, width, 2),)]


async def test_typing_in_the_composer_repaints_neither_the_list_nor_a_scroll_bar(
    seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "r")
        await settle(pilot)
        listing = app.conversation_list
        repaints = Repaints(
            monkeypatch,
            listing,
            listing.vertical_scrollbar,
            app.view,
            app.view.vertical_scrollbar,
            app.sidebar,
            app.status,
        )
        await pilot.press(*"Thanks, on its way")
        await pilot.pause(0.3)
        assert app.composer.text == "Thanks, on its way"
        assert repaints.calls == []
        # Nor is a new layout asked for: that would repaint every scroll bar on screen.
        assert not app.screen._layout_required


async def test_the_counter_is_drawn_in_the_frame_of_the_key(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "r")
        await settle(pilot)
        counter = app.composer.query_one("#counter")
        limit = app.composer.rules.max_length
        # Pressed without waiting for the Changed message the text area posts afterwards.
        app.composer.area.insert("x" * 12)
        assert str(counter.render()) == f"12/{limit:,}"


async def test_a_refresh_a_minute_later_repaints_every_row_for_their_times(
    seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from tui_harness import FIXED_NOW

    emulator, store = seeded
    now = [FIXED_NOW]
    app = make_app(emulator, store, clock=lambda: now[0])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        listing = app.conversation_list
        repaints = Repaints(monkeypatch, listing)
        now[0] = FIXED_NOW + timedelta(minutes=1)
        app.inbox.toggle_unread(listing._row(1).id)
        await pilot.pause(0.2)
        # "4m" is "5m" now on every row, not only on the row that changed.
        assert () in repaints.of(listing)


async def test_the_key_bar_is_rebuilt_only_when_its_keys_change(
    seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's footer rebuilds itself (a widget per key) whenever the bindings are refreshed;
    ours only when what it shows changes: not for a refresh that changes nothing, but for
    focus moving to the composer, whose keys are others."""
    from rcinbox.tui.widgets.key_footer import KeyFooter

    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        footer = app.query_one(KeyFooter)
        rebuilds: list[bool] = []
        original = footer.recompose
        monkeypatch.setattr(footer, "recompose", lambda: rebuilds.append(True) or original())
        app.screen.refresh_bindings()
        app.screen.refresh_bindings()
        await pilot.pause()
        assert rebuilds == []
        await pilot.press("enter", "r")
        await pilot.pause()
        assert rebuilds
        assert "Send" in str(app.export_screenshot())
