"""The API's query parameters: each filter's name in either naming generation (``channel*`` since
the 2024 rename, ``source*`` before; see :mod:`rcinbox.api.models`), and how values go out."""

from __future__ import annotations

from typing import Any

# Filter names per naming generation (channel* since the 2024 rename, source* before; see
# rcinbox.api.models). Arrays go out as repeated keys.
CONTENT_FILTERS: dict[str, dict[str, str]] = {
    "channel": {
        "channel_ids": "channelIds",
        "thread_ids": "threadIds",
        "author_identity_ids": "authorIdentityIds",
        "author_identity_group_ids": "authorIdentityGroupIds",
        "intervention_ids": "interventionIds",
        "text": "text",
        "status": "status",
        "direction": "contentDirection",
        "order_by": "orderBy",
        "per_page": "perPage",
        "page_token": "pageToken",
    },
    "source": {
        "channel_ids": "source",
        "thread_ids": "thread",
        "author_identity_ids": "identity",
        "author_identity_group_ids": "identityGroup",
        "intervention_ids": "intervention",
        "text": "text",
        "status": "status",
        "direction": "contentDirection",
        "order_by": "orderBy",
        "per_page": "perPage",
        "page_token": "pageToken",
    },
}
IDENTITY_FILTERS: dict[str, dict[str, str]] = {
    "channel": {
        "channel_id": "channelId",
        "identity_group_ids": "identityGroupIds",
        "identity_type": "identityType",
        "user_id": "userId",
        "uuid": "uuid",
        "order_by": "orderBy",
        "per_page": "perPage",
        "page_token": "pageToken",
    },
    "source": {
        "channel_id": "sourceId",
        "identity_group_ids": "identityGroupIds",
        "identity_type": "identityType",
        "user_id": "userId",
        "uuid": "uuid",
        "order_by": "orderBy",
        "per_page": "perPage",
        "page_token": "pageToken",
    },
}
# The spec declares this one comma-separated (form, explode: false).
COMMA_JOINED = frozenset({"identityGroupIds"})


def query(names: dict[str, str], **values: Any) -> list[tuple[str, str]]:
    """Query pairs under this generation's names; unset filters are left out (ignored anyway)."""
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        if value is None:
            continue
        name = names[key]
        if isinstance(value, str | int):
            items = [str(value)]
        else:
            items = [str(v) for v in value if v is not None and str(v) != ""]
        if not items or items == [""]:
            continue
        if name in COMMA_JOINED:
            pairs.append((name, ",".join(items)))
        else:
            pairs.extend((name, item) for item in items)
    return pairs
