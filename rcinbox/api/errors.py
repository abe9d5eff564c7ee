"""Every failure the API package reports, as one exception hierarchy with plain words for people.

``RCError`` is the base of everything ``rcinbox.api`` raises, so a UI needs one ``except``. Server
answers become ``APIError`` subclasses picked by HTTP status; the token endpoint's RFC 6749 bodies
become ``OAuthError`` (``InvalidGrant`` when the login must be redone). ``str()`` of any error is
one line a user can read: plain words first, then the server's code, the HTTP status and the
request id to quote to support.

This module must never raise while *parsing* an error (servers, proxies and gateways send HTML,
truncated JSON or nothing at all), never put a token, client secret or JWT in a message (it is
never given one), and never import httpx: headers are read through ``Mapping``-like access.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rcinbox.text import one_line

# Server text is hostile input: capped and made one visible line (rcinbox.text.one_line, the one
# sanitiser) before it reaches a message.
_MAX_TEXT = 300

# When a 429 comes without Retry-After, RingCentral says to wait at least 30 s; its default
# penalty is 60 s and every request inside it restarts the penalty, so waiting less only hurts.
DEFAULT_RETRY_AFTER = 60.0

PLAIN_WORDS: dict[str, str] = {
    # Sending (POST /contents)
    "EDI-001": "Use only the public setting, not public and private together.",
    "EDI-002": "A structured message needs a type.",
    "EDI-003": "This channel does not allow private messages here; send it publicly.",
    "EDI-004": "This channel does not allow writing new messages.",
    "EDI-005": "This channel does not support this kind of structured message.",
    "EDI-007": "That attachment already belongs to another message.",
    "EDI-009": "Something required is missing.",
    "EDI-010": "This kind of message cannot carry attachments.",
    "EDI-012": "Only some fields are allowed when starting an outbound message.",
    "EDI-013": "You cannot start a conversation on an agent's message.",
    "EDI-014": "This kind of message cannot be answered.",
    "EDI-015": "This message already has an open conversation.",
    "EDI-016": "This channel does not allow starting new conversations.",
    "EDI-017": "You may not start new conversations on this channel.",
    "EDI-018": "You need an identity on this channel to reply.",
    "EDI-019": "You may not reply on this channel.",
    "EDI-020": "Choose a channel for this message.",
    "EDI-021": (
        "This conversation can't be answered right now (it may be closed or not yet synchronised)."
    ),
    "EDI-022": "The customer does not accept private messages.",
    "EDI-023": "A private message needs a recipient.",
    "EDI-024": "The channel refused this message.",
    "EDI-025": "Something required is missing.",
    "EDI-027": "Some fields must be lists.",
    "EDI-030": "A value has the wrong format.",
    "EDI-031": "A value is not valid.",
    "EDI-033": "The message cannot be saved",
    "EDI-037": "You may not act on behalf of that identity.",
    "EDI-040": "The request has invalid parameters.",
    # Reading
    "EDI-028": "The search is not valid.",
    "EDI-029": "Not found: it may have been deleted, or you may not see it.",
    "EDI-032": "That id is not valid.",
    "EDI-034": "The list position is no longer valid; reload the list.",
    "EDI-035": "The server refused this query as too slow; narrow the filters.",
    "EDI-036": "The server refused this sort order as too slow.",
    "EDI-038": "A paging setting is not valid.",
    # Platform: rate limits and permissions
    "CMN-301": "Too many requests: the server asks us to wait before trying again.",
    "CMN-302": "Too many requests: the server asks us to wait before trying again.",
    "CMN-304": "The same request is already running.",
    "CMN-310": "The server is busy: it asks us to wait before trying again.",
    "CMN-401": "The app lacks the SocialMessaging permission.",
    # Authorization
    "OAU-123": "The app's client credentials are missing or invalid.",
    "OAU-128": "The session expired.",
    "OAU-129": "The session is no longer valid.",
    "OAU-140": "The login credentials were refused.",
    "OAU-146": "The app's client id or secret is wrong.",
    "OAU-149": "The session is no longer valid.",
    "OAU-112": "This app may not use this way of logging in.",
    "AGW-401": "The request was not signed in.",
    "AGW-402": "The session is no longer valid.",
    # RFC 6749 token-endpoint errors
    "invalid_grant": "Your login has expired or was revoked: please log in again.",
    "invalid_client": "The app's client id or secret is wrong.",
    "unauthorized_client": "This app may not use this way of logging in.",
    "invalid_request": "The login request was refused as invalid.",
    "unsupported_grant_type": "The server does not support this way of logging in.",
    "access_denied": "Access was denied.",
}


def header_value(headers: Any, name: str) -> str | None:
    """Read a header from httpx.Headers, a dict or None, ignoring the case of the name."""
    if headers is None:
        return None
    try:
        value = headers.get(name)
        if value is None:
            lowered = name.lower()
            value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    except (AttributeError, TypeError):
        return None
    return value if isinstance(value, str) else None


def retry_after_seconds(headers: Any, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), or None when absent/garbage."""
    raw = header_value(headers, "Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        # An HTTP date is rare (servers send seconds): its parser is imported when one comes.
        import email.utils

        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class RCError(Exception):
    """Base of everything rcinbox.api raises; ``str()`` is one clear line for a user."""


class TransportError(RCError):
    """The network failed. ``request_sent`` says whether the server may have acted on it.

    False: the connection was never made, so nothing happened and a retry is safe.
    True: the request left (timeout, dropped connection): the outcome is unknown, so a
    POST must be checked for, never blindly sent again.
    """

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(one_line(message, _MAX_TEXT))
        self.request_sent = request_sent


class MalformedResponse(RCError):
    """The server answered, but not with the JSON we need (garbage, truncated or wrong shape).

    ``status`` matters after a POST: a 201 with an unreadable body means the content *was*
    created, only its id is unknown.
    """

    def __init__(
        self, message: str, *, status: int | None = None, request_id: str | None = None
    ) -> None:
        parts = [p for p in (_status_ref(status), _request_ref(request_id)) if p]
        text = one_line(message, _MAX_TEXT)
        super().__init__(f"{text} ({', '.join(parts)})" if parts else text)
        self.status = status
        self.request_id = request_id


class TooLarge(MalformedResponse):
    """The answer is larger than the cap, on the wire or once inflated."""


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One entry of the server's ``errors[]``; every field may be missing."""

    error_code: str | None = None
    message: str | None = None
    details: str | None = None
    parameter_name: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> ErrorDetail | None:
        if not isinstance(data, Mapping):
            return None
        detail = cls(
            error_code=_text(data.get("errorCode")),
            message=_text(data.get("message")),
            details=_text(data.get("details")),
            parameter_name=_text(data.get("parameterName")),
        )
        return detail if any((detail.error_code, detail.message, detail.details)) else None


class APIError(RCError):
    """The server answered with an error status."""

    def __init__(
        self,
        status: int,
        errors: Iterable[ErrorDetail] = (),
        request_id: str | None = None,
        *,
        message: str | None = None,
    ) -> None:
        self.status = status
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)
        self.request_id = request_id
        self._fallback = message
        super().__init__(self._describe())

    @property
    def code(self) -> str | None:
        """The first ``errorCode`` the server gave (e.g. ``EDI-019``), or None."""
        return next((e.error_code for e in self.errors if e.error_code), None)

    @property
    def message(self) -> str:
        """The server's own message (one line), or the HTTP reason when it gave none."""
        text = next((e.message for e in self.errors if e.message), None) or self._fallback
        return one_line(text, _MAX_TEXT) if text else _reason(self.status)

    @property
    def details(self) -> str | None:
        text = next((e.details for e in self.errors if e.details), None)
        return one_line(text, _MAX_TEXT) if text else None

    @property
    def plain(self) -> str:
        """Plain words for codes an agent meets; otherwise the server's message."""
        for key in self._plain_keys():
            if key in PLAIN_WORDS:
                return PLAIN_WORDS[key]
        return self.message

    def _plain_keys(self) -> list[str]:
        return [e.error_code for e in self.errors if e.error_code]

    def _reference(self) -> str | None:
        return self.code

    def _describe(self) -> str:
        text = self.plain
        details = self.details
        if details and details.lower() not in text.lower():
            # Plain words stay intact (UIs look for them); the server's reason follows.
            text = f"{text} {details}" if text.endswith(".") else f"{text}: {details}"
        parameter = next((e.parameter_name for e in self.errors if e.parameter_name), None)
        if parameter and parameter not in text:
            text = f"{text} [{one_line(parameter, 60)}]"
        refs = [self._reference(), _status_ref(self.status), _request_ref(self.request_id)]
        refs += self._extra_refs()
        parts = [p for p in refs if p]
        return f"{text} ({', '.join(parts)})" if parts else text

    def _extra_refs(self) -> list[str]:
        return []


class BadRequest(APIError):
    """HTTP 400: the request is invalid; sending it again will not help."""


class Unauthorized(APIError):
    """HTTP 401: the token was refused (the client already refreshed once)."""


class Forbidden(APIError):
    """HTTP 403: not allowed (no permission on the channel, channel rules)."""


class NotFound(APIError):
    """HTTP 404: no such content or identity, or an invalid id."""


class Unprocessable(APIError):
    """HTTP 422: the server understood but refused (validation; details say why)."""


class RateLimited(APIError):
    """HTTP 429. Nothing was done, so retrying after ``retry_after`` seconds is safe."""

    def __init__(
        self,
        status: int,
        errors: Iterable[ErrorDetail] = (),
        request_id: str | None = None,
        *,
        message: str | None = None,
        retry_after: float = DEFAULT_RETRY_AFTER,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status, errors, request_id, message=message)

    def _extra_refs(self) -> list[str]:
        return [f"retry in {self.retry_after:.0f} s"]


class WaitTooLong(RateLimited):
    """A wait longer than the process allows (``--wait-limit``): nothing was sent, so this is
    a 429 for every caller (the outbox keeps the reply queued), said in the process's words."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(0, message=message, retry_after=retry_after)

    def _describe(self) -> str:
        return self.message


class ServerError(APIError):
    """HTTP 5xx. After a POST the outcome is unknown: check before sending again."""


class OAuthError(APIError):
    """An RFC 6749 error from the token endpoint (``error`` / ``error_description``)."""

    def __init__(
        self,
        status: int,
        errors: Iterable[ErrorDetail] = (),
        request_id: str | None = None,
        *,
        message: str | None = None,
        error: str | None = None,
        error_description: str | None = None,
    ) -> None:
        self.error = error
        self.error_description = error_description
        super().__init__(status, errors, request_id, message=message or error_description)

    def _plain_keys(self) -> list[str]:
        # The RFC code says what to do (log in again); the RC code only refines it.
        return ([self.error] if self.error else []) + super()._plain_keys()

    def _reference(self) -> str | None:
        refs = [r for r in (self.error, self.code) if r]
        return "/".join(one_line(r, 60) for r in refs) or None

    @property
    def details(self) -> str | None:
        own = super().details
        if own:
            return own
        # The description explains *why* (expired, revoked); plain words alone would hide it.
        description = (
            one_line(self.error_description, _MAX_TEXT) if self.error_description else None
        )
        return description if description and description != self.plain else None


class InvalidGrant(OAuthError):
    """The refresh token (or code, or JWT) is expired or revoked: the user must log in again."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    422: Unprocessable,
}


def error_from_response(status: int, body: bytes | str | None, headers: Any = None) -> APIError:
    """Build the right APIError from any answer; never raises, whatever the body holds."""
    request_id = header_value(headers, "RCRequestId")
    data = _json_object(body)
    details: list[ErrorDetail] = []
    if data is not None:
        listed = data.get("errors")
        if isinstance(listed, list):
            details = [d for d in map(ErrorDetail.from_json, listed) if d is not None]
        if not details:
            # The legacy RC shape puts one error at the top level.
            top = ErrorDetail.from_json(data)
            details = [top] if top is not None else []
    oauth_error = _text(data.get("error")) if data is not None else None
    description = _text(data.get("error_description")) if data is not None else None
    if status == 429:
        wait = retry_after_seconds(headers)
        return RateLimited(
            status,
            details,
            request_id,
            retry_after=DEFAULT_RETRY_AFTER if wait is None else wait,
        )
    if oauth_error is not None:
        cls = InvalidGrant if oauth_error == "invalid_grant" else OAuthError
        return cls(status, details, request_id, error=oauth_error, error_description=description)
    if 500 <= status <= 599:
        return ServerError(status, details, request_id)
    return _BY_STATUS.get(status, APIError)(status, details, request_id)


def _json_object(body: bytes | str | None) -> dict[str, Any] | None:
    if not body:
        return None
    try:
        data = json.loads(body)
    except (ValueError, TypeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    try:
        return json.dumps(value, ensure_ascii=False)[:_MAX_TEXT]
    except (TypeError, ValueError, RecursionError):
        return None


def _reason(status: int) -> str:
    # Imported here: the http module builds HTTPStatus (60-odd members) at import, and only an
    # error message needs it, not every start.
    import http

    try:
        return f"The server answered {status} {http.HTTPStatus(status).phrase}."
    except ValueError:
        return f"The server answered {status}."


def _status_ref(status: int | None) -> str | None:
    return f"HTTP {status}" if status else None


def _request_ref(request_id: str | None) -> str | None:
    return f"request {one_line(request_id, 80)}" if request_id else None
