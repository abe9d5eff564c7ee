"""Reading list parameters the way the API does: aliases, arrays, orderBy, perPage, page tokens.

Array filters arrive as repeated keys (``a=1&a=2``, OpenAPI's default) or comma-joined
(``a=1,2``, the spec's examples); both are accepted. Empty values are ignored, as the API ignores
an empty filter. Page tokens are opaque to clients but are base64url JSON keyset cursors here:
``{"value": <epoch seconds>, "field": ..., "id": ..., "orderBy": ...}``, like the real tokens
decode. A token without ``value`` marks the first page. Bad input answers with the
API's error codes; nothing here trusts the client's bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from . import errors
from .collection import Key

ORDER_BY = (
    "-creationTime",
    "+creationTime",
    "creationTime",
    "-lastModifiedTime",
    "+lastModifiedTime",
    "lastModifiedTime",
)
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000

Params = Mapping[str, Sequence[str]]


def values(params: Params, *names: str, split: bool = True) -> list[str]:
    """Every non-empty value given under any of ``names`` (aliases of one parameter)."""
    found: list[str] = []
    for name in names:
        for raw in params.get(name, ()):
            parts = raw.split(",") if split else [raw]
            found.extend(part.strip() for part in parts if part.strip())
    return found


def single(params: Params, *names: str) -> str | None:
    """The last non-empty value under any of ``names``, or None."""
    found = values(params, *names, split=False)
    return found[-1] if found else None


def choice(params: Params, name: str, allowed: Iterable[str]) -> list[str]:
    """Values of an enum parameter; an unknown value is a 400 naming the parameter."""
    allowed = tuple(allowed)
    chosen = values(params, name)
    for value in chosen:
        if value not in allowed:
            raise errors.invalid_value(
                name, f"[{name}] must be one of {', '.join(allowed)}; got [{value[:50]}]"
            )
    return chosen


@dataclass(frozen=True, slots=True)
class Order:
    """A validated ``orderBy``: the field and the direction (descending unless ``+``)."""

    text: str
    field: str
    descending: bool

    @classmethod
    def parse(cls, text: str) -> Order:
        if text not in ORDER_BY:
            raise errors.invalid_value(
                "orderBy", f"[orderBy] must be one of {', '.join(ORDER_BY)}; got [{text[:50]}]"
            )
        return cls(text, text.lstrip("+-"), not text.startswith("+"))


def per_page(params: Params) -> int:
    """``perPage``: default 100, clamped to 1000; below 1 or not an integer is EDI-038."""
    text = single(params, "perPage")
    if text is None:
        return DEFAULT_PER_PAGE
    try:
        number = int(text)
    except ValueError:
        raise errors.invalid_param("perPage") from None
    if number < 1:
        raise errors.invalid_param("perPage")
    return min(number, MAX_PER_PAGE)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: ``after`` is None for the first page."""

    order: Order
    after: Key | None

    def token(self) -> str:
        data: dict[str, object] = {"field": self.order.field, "orderBy": self.order.text}
        if self.after is not None:
            data = {"value": self.after[0], **data, "id": self.after[1]}
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _invalid_offset() -> errors.ApiError:
    return errors.edi(422, "EDI-034", "Invalid offset", parameter="pageToken")


def cursor(params: Params, default_order: str = "-creationTime") -> Cursor:
    """The page to serve from ``pageToken`` and ``orderBy``; a token that is not ours is EDI-034."""
    order_text = single(params, "orderBy")
    order = Order.parse(order_text) if order_text is not None else None
    token = single(params, "pageToken")
    if token is None:
        return Cursor(order or Order.parse(default_order), None)
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _invalid_offset() from None
    if not isinstance(data, dict) or data.get("orderBy") not in ORDER_BY:
        raise _invalid_offset()
    token_order = Order.parse(data["orderBy"])
    if order is not None and (order.field, order.descending) != (
        token_order.field,
        token_order.descending,
    ):
        raise _invalid_offset()
    if "value" not in data and "id" not in data:
        return Cursor(token_order, None)
    value, item_id = data.get("value"), data.get("id")
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not isinstance(item_id, str)
    ):
        raise _invalid_offset()
    return Cursor(token_order, (float(value), item_id))


def paging(cursor_used: Cursor, last: Key | None, more: bool, size: int) -> dict[str, object]:
    """The ``paging`` object (NonEnumeratedPagingModel) for a page served from ``cursor_used``."""
    result: dict[str, object] = {
        "perPage": size,
        "pageToken": cursor_used.token(),
        "firstPageToken": Cursor(cursor_used.order, None).token(),
    }
    if more and last is not None:
        result["nextPageToken"] = Cursor(cursor_used.order, last).token()
    return result
