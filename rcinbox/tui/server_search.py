"""Server search from the filter box: enter asks the server's text filter as well.

A mixin of :class:`~rcinbox.tui.app.InboxApp`. The local search answers as the agent types;
enter also runs ``Inbox.search_server`` in a worker (a few pages, within the rate budget). What
it finds is stored, so the local search shows it; the threads only the server had are marked
("from server") and the scope line says how many there were.

It is an ``App`` subclass at run time only so that Textual collects its handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import App

from rcinbox.inbox.types import ThreadRow
from rcinbox.text import one_line

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = App

FOUND_THERE = "from server"


class ServerSearchActions(_Base):
    """The server half of the filter box."""

    # The text the server was last asked, the threads only it had, and the scope line's words.
    _server_text: str | None = None
    _server_found: frozenset[str] = frozenset()
    _server_words: str | None = None

    def search_server(self, text: str) -> None:
        """Ask the server for ``text`` too (enter in the filter box)."""
        self._server_text = text
        self._server_found = frozenset()
        self._server_words = "searching the server…"
        self._show_scope()
        self._run_server_search(text)

    @work(exclusive=True, group="server-search", exit_on_error=False)
    async def _run_server_search(self, text: str) -> None:
        where = self._entry.where if self._entry is not None else None
        try:
            result = await self.inbox.search_server(
                text, channel_id=where.channel_id if where is not None else None
            )
        except Exception as error:
            if self._server_text == text:
                self._server_words = None
                self._show_scope()
            self.notify(
                one_line(str(error), 200),
                title="Server search failed",
                severity="error",
                markup=False,  # the server's words
            )
            return
        if self._server_text != text or self._search != text:
            return  # the filter changed meanwhile
        shown = set(self.inbox.search(text, where))
        found = frozenset(t for t in result.new_thread_ids if t in shown)
        self._server_found = found
        words = f"{len(found)} more from the server" if found else "nothing more on the server"
        if result.more:
            words += " (its newest matches)"
        if result.stopped:
            words += f" (stopped: {result.stopped})"
        self._server_words = words
        self._apply_search(text, keep_cursor=True)
        if self._open_thread is not None:
            self._show_thread(self._open_thread.id, keep_scroll=True)

    def server_note(self, row: ThreadRow) -> str | None:
        """A search result's note: whether only the server had it."""
        if self._server_text == self._search and row.id in self._server_found:
            return FOUND_THERE
        return None

    def server_words(self) -> str | None:
        """The scope line's words on the server search of the current filter, or None."""
        return self._server_words if self._server_text == self._search else None
