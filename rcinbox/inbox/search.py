"""Search on the facade: the local search, and the server's, which asks the API's ``text``
filter, stores what it finds and says what the local search had missed.

The local search (the store's trigram index) covers what the store holds: the history horizon
and whatever scrolling loaded. The server holds everything. A server search reads at most
``pages`` pages of ``GET /contents?text=…`` (newest first) at user priority, so it waits its
turn in the rate budget like any request the agent asked for; a 429 is the client's to retry
(after ``Retry-After``), and one it gives up on ends the search with what was found so far.
Every content found is merged into the store, so the local search finds it from then on.

Never imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rcinbox.api.errors import RCError
from rcinbox.api.models import Content
from rcinbox.inbox.scheduler import Priority, RequestScheduler
from rcinbox.inbox.store import Store
from rcinbox.text import one_line

if TYPE_CHECKING:
    from rcinbox.inbox.backfill import HistoryBackfill
    from rcinbox.inbox.sync import Syncer

# Pages a server search reads unless told otherwise, and their size: 300 newest matches.
SEARCH_PAGES = 3
SEARCH_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class ServerSearchResult:
    """What a search on the server found, and what it added to the local search's."""

    text: str
    # The contents the server matched, newest first, and their threads in that order.
    content_ids: tuple[str, ...]
    thread_ids: tuple[str, ...]
    # Threads among those that the local search had not found: what the server added.
    new_thread_ids: tuple[str, ...]
    pages: int
    # The server offered more pages than were read.
    more: bool
    # Why the search stopped early (a failure after the first page), or None.
    stopped: str | None = None


class SearchFacade:
    """The :class:`~rcinbox.inbox.engine.Inbox` methods that search, locally and on the server."""

    store: Store
    client: Any
    scheduler: RequestScheduler
    syncer: Syncer
    backfill: HistoryBackfill

    def older_than_horizon(self, thread_ids: list[str]) -> int:
        """How many of these threads (search results) were last active before the history
        horizon: those were found only because scrolling happened to load them."""
        return self.store.count_threads_before(thread_ids, self.backfill.horizon_start())

    async def search_server(
        self,
        text: str,
        *,
        pages: int = SEARCH_PAGES,
        per_page: int = SEARCH_PER_PAGE,
        channel_id: str | None = None,
    ) -> ServerSearchResult:
        """Search the server's contents for ``text`` (one phrase, as the local search reads
        it), at most ``pages`` pages, within ``channel_id`` when given; the matches are
        stored. Raises RCError when the first page fails; a later failure ends the search
        early and says why in ``stopped``."""
        text = text.strip()
        if not text or pages < 1:
            return ServerSearchResult(text, (), (), (), 0, False)
        known = set(self.store.search_threads(text))
        found: list[Content] = []
        token: str | None = None
        read = 0
        more = False
        stopped: str | None = None
        seen: set[str] = set()
        while read < pages:
            try:
                page = await self.scheduler.run(
                    Priority.USER,
                    lambda token=token: self.client.list_contents(
                        text=[text],
                        channel_ids=[channel_id] if channel_id else None,
                        per_page=per_page,
                        page_token=token,
                    ),
                )
            except RCError as error:
                if read == 0:
                    raise
                stopped = one_line(str(error), 200)
                break
            read += 1
            found.extend(c for c in page.records if c.id)
            token = page.next_page_token
            # A server handing back a token it gave before would loop us forever.
            more = bool(token) and token not in seen
            if not more:
                break
            seen.add(token or "")
        self.syncer.merge_found(found)
        threads = list(dict.fromkeys(c.thread_id or c.id for c in found))
        return ServerSearchResult(
            text=text,
            content_ids=tuple(c.id for c in found),
            thread_ids=tuple(threads),
            new_thread_ids=tuple(t for t in threads if t not in known),
            pages=read,
            more=more,
            stopped=stopped,
        )
