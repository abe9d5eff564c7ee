"""``/cx/social-messaging/v1/identities``: list (filters, order, pages) and read by id.

Filters, in both naming generations: ``channelId``/``sourceId`` (one channel),
``identityGroupIds``/``identityGroupId`` (repeated or comma-separated), ``identityType``
(``Agent``/``Customer``), ``userId`` (an agent's extension id) and ``uuid``. Identities look the
same in both generations, so there is nothing to rename on the way out.
"""

from __future__ import annotations

from . import errors, query
from .clock import epoch
from .contents import check_id
from .protocol import Request, Response, json_response
from .state import AGENT, CUSTOMER, State


class IdentitiesApi:
    """The two identity operations."""

    def __init__(self, state: State) -> None:
        self._state = state

    def list_identities(self, request: Request) -> Response:
        params = request.query
        per_page = query.per_page(params)
        cursor = query.cursor(params)
        filters: dict[str, frozenset[str]] = {}
        for index, names in (
            ("channel", ("channelId", "sourceId")),
            ("group", ("identityGroupIds", "identityGroupId")),
            ("user", ("userId",)),
            ("uuid", ("uuid",)),
        ):
            chosen = query.values(params, *names)
            if chosen:
                filters[index] = frozenset(chosen)
        kinds = query.choice(params, "identityType", (AGENT, CUSTOMER))
        if kinds:
            filters["type"] = frozenset(kinds)
        order = cursor.order
        with self._state.lock:
            records, more = self._state.identities.page(
                order.field, order.descending, cursor.after, filters, None, per_page
            )
        last = (epoch(records[-1][order.field]), records[-1]["id"]) if records else None
        return json_response(
            200, {"records": records, "paging": query.paging(cursor, last, more, per_page)}
        )

    def read(self, request: Request, identity_id: str) -> Response:
        check_id(identity_id)
        with self._state.lock:
            identity = self._state.identities.get(identity_id)
        if identity is None:
            raise errors.not_found()
        return json_response(200, identity)
