"""The filter box: search the store as the agent types, within the chosen channel.

A mixin of :class:`~rcinbox.tui.app.InboxApp`. The search runs once typing pauses
(:data:`SEARCH_AFTER`), or at once on enter; the list then shows the matching threads, and the
filter's border says how many were found and how much history that covered.

It is an ``App`` subclass at run time only so that Textual collects its ``@on`` handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.widgets import Input

from rcinbox.inbox.types import SEARCH_LIMIT, ThreadFilter
from rcinbox.text import one_line
from rcinbox.tui.formatting import searched
from rcinbox.tui.widgets.conversation_list import ListSource
from rcinbox.tui.widgets.sidebar import ALL

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = App

# The filter box searches this long after the last keystroke (seconds).
SEARCH_AFTER = 0.15


class FilterActions(_Base):
    """The filter box and the search behind it."""

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("shown")
        self._focus_now(box)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if text:
            # A search of a large store takes tens of milliseconds: run it once typing pauses,
            # not on every keystroke.
            self._search_timer = self.set_timer(
                SEARCH_AFTER, lambda: self._search_in_background(text)
            )
        elif self._entry is not None:
            self.workers.cancel_group(self, "search")
            self._search = None
            self.query_one("#filter", Input).border_subtitle = ""
            self.conversation_list.set_source(self._source_for(self._entry.where, self._entry.key))
            self._show_scope()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        # enter confirms the filter: search now if typing has not paused long enough yet, so
        # the next key acts on the filtered list.
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
            text = event.value.strip()
            if text:
                self._apply_search(text)
        self._focus_now(self.conversation_list)
        # enter also asks the server (server_search.py): what only it holds joins the results.
        if event.value.strip():
            self.search_server(event.value.strip())

    def _apply_search(self, text: str, *, keep_cursor: bool = False) -> None:
        """Search now and show the results before the next key is handled (enter, a channel
        chosen: the keys that follow act on the filtered list)."""
        self._search = text
        self._show_results(text, self.inbox.search(text, self._where()), keep_cursor)

    @work(exclusive=True, group="search", exit_on_error=False)
    async def _search_in_background(self, text: str, *, keep_cursor: bool = False) -> None:
        """Search while typing goes on, and when rows change under a filter: a newer search
        cancels this one (``exclusive``), whose results are then never shown. The query runs in
        the engine's search thread, so keys typed meanwhile are handled at once."""
        self._search = text
        ids = await self.inbox.search_async(text, self._where())
        if self._search == text:
            self._show_results(text, ids, keep_cursor)

    def _where(self) -> ThreadFilter:
        return self._entry.where if self._entry is not None else ThreadFilter()

    def _show_results(self, text: str, ids: list[str], keep_cursor: bool) -> None:
        inbox = self.inbox
        source = ListSource(
            key=f"search:{self._entry.key if self._entry else ALL}:{text}",
            count=lambda: len(ids),
            window=lambda offset, limit: inbox.threads_by_ids(ids[offset : offset + limit]),
            position=lambda thread_id: ids.index(thread_id) if thread_id in ids else None,
            more_on_server=False,
            note=self.server_note,
        )
        history = self.inbox.history()
        covered = "" if history.complete else f" ({searched(history)})"
        self.conversation_list.empty_text = f"Nothing matches {one_line(text, 40)!r}{covered}."
        found = f"{len(ids)}{'+' if len(ids) >= SEARCH_LIMIT else ''} found" if ids else ""
        if history.partial:
            found = " · ".join(filter(None, (found, searched(history))))
        elif older := self.inbox.older_than_horizon(ids):
            # Beyond the horizon only what scrolling loaded was searched: say which those are.
            found += f" · {older} older than {history.horizon_days} days"
        # No customer text here: the border subtitle is read as markup.
        self.query_one("#filter", Input).border_subtitle = found
        if keep_cursor and self.conversation_list.source is not None:
            self.conversation_list.update_source(source)
        else:
            self.conversation_list.set_source(source)
        self._show_scope()
