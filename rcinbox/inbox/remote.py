"""Reading contents straight from the server, page after page, for the facade's ``remote_*``
methods (headless commands that show what the server holds without storing it)."""

from __future__ import annotations

from typing import Any

from rcinbox.api.models import Content
from rcinbox.inbox.scheduler import Priority, RequestScheduler


async def read_pages(
    scheduler: RequestScheduler,
    client: Any,
    limit: int | None,
    max_pages: int | None,
    filters: dict[str, Any],
) -> tuple[list[Content], dict[str, Any]]:
    """Pages of ``list_contents`` with ``filters`` (``page_token`` to start from), at user
    priority, until ``limit`` contents (None: every page) or ``max_pages`` pages; at most
    ``limit`` contents and the ``paging`` object of the last page read."""
    records: list[Content] = []
    paging: dict[str, Any] = {}
    token = filters.pop("page_token", None)
    seen: set[str] = set()
    pages = 0
    while max_pages is None or pages < max_pages:
        pages += 1
        page = await scheduler.run(
            Priority.USER,
            lambda token=token: client.list_contents(page_token=token, **filters),
        )
        records.extend(page.records)
        paging = page.raw.get("paging") or {}
        if limit is not None and len(records) >= limit:
            return records[:limit], paging
        token = page.next_page_token
        # A server that hands back a token it gave before would loop us forever.
        if not token or token in seen:
            return records, paging
        seen.add(token)
    return records, paging
