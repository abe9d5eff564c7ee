"""Reads straight from the server, not stored: what the headless commands print (``contents``,
``thread``). Every request at user priority through the account's scheduler. Never imports
Textual."""

from __future__ import annotations

from typing import Any

from rcinbox.api.models import Content
from rcinbox.inbox.scheduler import Priority, RequestScheduler


async def contents(
    scheduler: RequestScheduler,
    client: Any,
    *,
    limit: int | None = None,
    max_pages: int | None = None,
    **filters: Any,
) -> tuple[list[Content], dict[str, Any]]:
    """Contents with the API's filters (those of ``list_contents``), page after page until
    ``limit`` (None: every page) or ``max_pages`` pages (a server handing out fresh page tokens
    without end). Returns at most ``limit`` contents and the ``paging`` object of the last page.
    """
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


async def thread(
    scheduler: RequestScheduler, client: Any, thread_id: str, *, max_pages: int | None = None
) -> tuple[list[Content], bool]:
    """A thread, oldest first (empty: no such thread), and whether it is whole (False:
    ``max_pages`` pages were read and the server offered more)."""
    records, paging = await contents(
        scheduler,
        client,
        thread_ids=[thread_id],
        order_by="+creationTime",
        per_page=1000,
        max_pages=max_pages,
    )
    more = isinstance(paging, dict) and bool(paging.get("nextPageToken"))
    return records, not (max_pages is not None and more)
