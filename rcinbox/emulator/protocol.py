"""What the endpoint modules see of HTTP: a parsed request in, a response value out.

Keeping endpoint logic free of ``http.server`` lets it stay plain functions of data; only
``server.py`` reads sockets. Nothing here performs I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from . import errors


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # case-insensitive (an email.message.Message)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def form(self) -> dict[str, list[str]]:
        """The form-encoded body (OAuth endpoints); undecodable bytes become U+FFFD."""
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def json(self, invalid: errors.ApiError) -> Any:
        """The JSON body; ``invalid`` is raised when it is not JSON at all."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise invalid from None


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Close the connection without sending anything (the drop_after_commit fault).
    drop: bool = False
    # A body sent as it is made (a file), instead of ``body``; its length is in the headers.
    stream: Iterator[bytes] | None = None


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(
        status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    )


def error_response(error: errors.ApiError) -> Response:
    return json_response(error.status, error.body(), error.headers)
