"""Typed, tolerant views of the Social Messaging API's JSON: contents, identities, pages, requests.

The live API renamed its fields mid-beta, so this is the one place the two *naming generations*
meet:

* "source" (spec of March-May 2024, guide, early live server): ``sourceId``, ``sourceType``,
  ``sourceUri`` in answers; ``source``/``thread``/``identity``... list filters; ``sourceId`` in the
  create body.
* "channel" (spec of September 2024, live answers from 2024-05-31): ``channelId``, ``channelType``,
  ``channelUri``; ``channelIds``/``threadIds``/``authorIdentityIds``... filters; ``channelId``.

Answers are read in either spelling (the newer one wins when both are present), and
``bodyFormatted`` keys in any case (the spec says ``text``/``html``, the server sent
``Text``/``Html``). Requests are written in the generation the caller picks.

Parsing never raises on a dict: missing fields, nulls, wrong types and unknown enum values become
None, defaults or plain strings, and the full original dict stays in ``raw`` for an inspector.
Anything that is not a dict raises MalformedResponse. This module does no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

from rcinbox.api.errors import MalformedResponse

Naming = Literal["channel", "source"]

# The widest moments a model holds: a day inside datetime's range, so that any time zone
# conversion of them still fits.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
_INT64 = 2**63
# The longest body kept: channels allow a few thousand characters, the demo's longest is 1 MB.
MAX_BODY_CHARS = 4 * 1024 * 1024

T = TypeVar("T")

# synchronizationStatus has no enum in the spec; the live server sent "Success". Spellings a
# server may use for the two outcomes (compared lowercased); anything else means "not yet".
_EXPORTED = frozenset({"success", "succeeded", "successful", "synchronized"})
_EXPORT_FAILED = frozenset({"failed", "failure", "error"})

# Before ``contentDirection`` existed, the guide and the demo app split directions by status.
INBOUND_STATUSES = frozenset({"New", "Replied", "Ignored", "Assigned"})
OUTBOUND_STATUSES = frozenset({"UserReply", "UserInitiated", "PendingApproval"})


class Direction(StrEnum):
    INCOMING = "Incoming"
    OUTGOING = "Outgoing"

    @classmethod
    def parse(cls, value: Any) -> Direction | None:
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.strip().lower():
                    return member
        return None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a content, as the API describes it (``uri`` is where it is fetched)."""

    id: str | None = None
    content_type: str | None = None
    filename: str | None = None
    size: int | None = None
    uri: str | None = None
    embedded: bool | None = None
    public: bool | None = None
    creation_time: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> Attachment:
        d = _require_dict(data, "attachment")
        return cls(
            id=_str(d.get("id")),
            content_type=_str(d.get("contentType")),
            filename=_str(d.get("filename")),
            size=_int(d.get("size")),
            uri=_str(d.get("uri")),
            embedded=_bool(d.get("embedded")),
            public=_bool(d.get("public")),
            creation_time=_time(d.get("creationTime")),
            raw=d,
        )


@dataclass(frozen=True, slots=True)
class Content:
    """One message or post: a customer's (incoming) or an agent's (outgoing)."""

    id: str
    thread_id: str | None = None
    channel_id: str | None = None
    channel_type: str | None = None
    channel_uri: str | None = None
    author_identity_id: str | None = None
    body: str = ""
    body_text: str | None = None
    body_html: str | None = None
    body_input_format: str | None = None
    type: str | None = None
    status: str | None = None
    direction: Direction | None = None
    creation_time: datetime | None = None
    last_modified_time: datetime | None = None
    in_reply_to_content_id: str | None = None
    in_reply_to_author_identity_id: str | None = None
    creator_id: str | None = None
    public: bool | None = None
    published: bool | None = None
    remotely_deleted: bool | None = None
    synchronization_status: str | None = None
    synchronization_error: str | None = None
    title: str | None = None
    language: str | None = None
    rating: int | None = None
    attachments: tuple[Attachment, ...] = ()
    capabilities_supported: tuple[str, ...] = ()
    category_ids: tuple[str, ...] = ()
    identity_group_id: str | None = None
    first_in_thread: bool | None = None
    auto_submitted: bool | None = None
    created_from: str | None = None
    context_data: dict[str, Any] | None = field(default=None, hash=False)
    intervention_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> Content:
        d = _capped_body(_require_dict(data, "content"))
        formatted = d.get("bodyFormatted")
        attachments = d.get("attachments")
        context = d.get("contextData")
        return cls(
            id=_str(d.get("id")) or "",
            thread_id=_str(d.get("threadId")),
            channel_id=_either(d, "channelId", "sourceId"),
            channel_type=_either(d, "channelType", "sourceType"),
            channel_uri=_either(d, "channelUri", "sourceUri"),
            author_identity_id=_str(d.get("authorIdentityId")),
            body=_str(d.get("body")) or "",
            body_text=_str(_key_any_case(formatted, "text")),
            body_html=_str(_key_any_case(formatted, "html")),
            body_input_format=_str(d.get("bodyInputFormat")),
            type=_str(d.get("type")),
            status=_str(d.get("status")),
            direction=Direction.parse(d.get("contentDirection")),
            creation_time=_time(d.get("creationTime")),
            last_modified_time=_time(d.get("lastModifiedTime")),
            in_reply_to_content_id=_str(d.get("inReplyToContentId")),
            in_reply_to_author_identity_id=_str(d.get("inReplyToAuthorIdentityId")),
            creator_id=_str(d.get("creatorId")),
            public=_bool(d.get("public")),
            published=_bool(d.get("published")),
            remotely_deleted=_bool(d.get("remotelyDeleted")),
            synchronization_status=_str(d.get("synchronizationStatus")),
            synchronization_error=_str(d.get("synchronizationError")),
            title=_str(d.get("title")),
            language=_str(d.get("language")),
            rating=_int(d.get("rating")),
            attachments=tuple(
                Attachment.from_json(a)
                for a in (attachments if isinstance(attachments, list) else ())
                if isinstance(a, dict)
            ),
            capabilities_supported=_str_tuple(d.get("capabilitiesSupported")),
            category_ids=_str_tuple(d.get("categoryIds")),
            identity_group_id=_str(d.get("identityGroupId")),
            first_in_thread=_bool(d.get("firstInThread")),
            auto_submitted=_bool(d.get("autoSubmitted")),
            created_from=_str(d.get("createdFrom")),
            context_data=context if isinstance(context, dict) else None,
            intervention_id=_str(d.get("interventionId")),
            raw=d,
        )

    @property
    def is_incoming(self) -> bool:
        """True for a customer's content, False for an agent's.

        ``contentDirection`` when the server sends it; otherwise the status split the guide
        uses; for a status nobody documented, imported content has no creator (an RC user id).
        """
        if self.direction is not None:
            return self.direction is Direction.INCOMING
        if self.status in INBOUND_STATUSES:
            return True
        if self.status in OUTBOUND_STATUSES:
            return False
        return self.creator_id is None

    @property
    def exported(self) -> bool | None:
        """True once the channel has this content, False if it refused it, None until then."""
        return export_outcome(self.synchronization_status)

    @property
    def display_text(self) -> str:
        """The text to show: ``body``, else the formatted text, else a template's subtitle."""
        if self.body.strip():
            return self.body
        if self.body_text and self.body_text.strip():
            return self.body_text
        # WhatsApp template sends carry their text in structuredContent, with an empty body.
        structured = self.raw.get("structuredContent")
        if isinstance(structured, dict):
            for key in ("subtitle", "title", "body"):
                text = _str(structured.get(key))
                if text and text.strip():
                    return text
        return self.body


@dataclass(frozen=True, slots=True)
class Identity:
    """Who wrote a content: a customer or an agent on one channel."""

    id: str
    type: str | None = None
    identity_type: str | None = None
    display_name: str | None = None
    screen_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    email_address: str | None = None
    mobile_phone: str | None = None
    home_phone: str | None = None
    avatar_uri: str | None = None
    identity_group_id: str | None = None
    user_ids: tuple[str, ...] = ()
    uuid: str | None = None
    creation_time: datetime | None = None
    last_modified_time: datetime | None = None
    extra_values: dict[str, Any] = field(default_factory=dict, hash=False)
    raw: dict[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> Identity:
        d = _require_dict(data, "identity")
        extra = d.get("extraValues")
        return cls(
            id=_str(d.get("id")) or "",
            type=_str(d.get("type")),
            identity_type=_str(d.get("identityType")),
            display_name=_str(d.get("displayName")),
            screen_name=_str(d.get("screenName")),
            first_name=_str(d.get("firstName")),
            last_name=_str(d.get("lastName")),
            company=_str(d.get("company")),
            email_address=_str(d.get("emailAddress")),
            mobile_phone=_str(d.get("mobilePhone")),
            home_phone=_str(d.get("homePhone")),
            avatar_uri=_str(d.get("avatarUri")),
            identity_group_id=_str(d.get("identityGroupId")),
            user_ids=_str_tuple(d.get("userIds")),
            uuid=_str(d.get("uuid")),
            creation_time=_time(d.get("creationTime")),
            last_modified_time=_time(d.get("lastModifiedTime")),
            extra_values=extra if isinstance(extra, dict) else {},
            raw=d,
        )

    @property
    def is_agent(self) -> bool:
        """``identityType`` when sent; before it existed, agents were the ones with userIds."""
        kind = (self.identity_type or "").strip().lower()
        if kind == "agent":
            return True
        if kind == "customer":
            return False
        return bool(self.user_ids)

    @property
    def display_label(self) -> str:
        """A one-line name: screen name, display name, first+last, else a short id."""
        for candidate in (
            self.screen_name,
            self.display_name,
            f"{self.first_name or ''} {self.last_name or ''}",
        ):
            label = " ".join((candidate or "").split())
            if label:
                return label
        short = "".join(self.id.split())[-4:]
        return f"…{short}" if short else "Unknown"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list answer and the opaque tokens to move through the rest."""

    records: tuple[T, ...] = ()
    per_page: int | None = None
    page_token: str | None = None
    next_page_token: str | None = None
    previous_page_token: str | None = None
    first_page_token: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @classmethod
    def from_json(cls, data: Any, parse_record: Callable[[Any], T]) -> Page[T]:
        """Parse ``{"records": [...], "paging": {...}}``, skipping records that are not objects."""
        d = _require_dict(data, "list")
        records = d.get("records")
        if not isinstance(records, list):
            raise MalformedResponse("The server sent a list without records")
        paging = d.get("paging")
        paging = paging if isinstance(paging, dict) else {}
        return cls(
            records=tuple(parse_record(r) for r in records if isinstance(r, dict)),
            per_page=_int(paging.get("perPage")),
            page_token=_str(paging.get("pageToken")),
            next_page_token=_str(paging.get("nextPageToken")),
            previous_page_token=_str(paging.get("previousPageToken")),
            first_page_token=_str(paging.get("firstPageToken")),
            raw=d,
        )


@dataclass(frozen=True)
class CreateContent:
    """The body of POST /contents: a reply (``in_reply_to_content_id``) or a new discussion
    (``channel_id``, plus ``to``/``title`` or a WhatsApp template where the channel needs them)."""

    body: str | None = None
    in_reply_to_content_id: str | None = None
    channel_id: str | None = None
    public: bool | None = None
    author_identity_id: str | None = None
    attachment_ids: tuple[str, ...] = ()
    title: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    template_name: str | None = None
    template_language: str | None = None
    components: list[Any] | None = None
    context_data: dict[str, str] | None = None
    auto_submitted: bool | None = None

    def to_json(self, naming: Naming = "channel") -> dict[str, Any]:
        """The JSON body, leaving out unset fields; the channel key follows ``naming``."""
        fields: dict[str, Any] = {
            "body": self.body,
            "inReplyToContentId": self.in_reply_to_content_id,
            "channelId" if naming == "channel" else "sourceId": self.channel_id,
            "public": self.public,
            "authorIdentityId": self.author_identity_id,
            "attachmentIds": list(self.attachment_ids),
            "title": self.title,
            "to": list(self.to),
            "cc": list(self.cc),
            "bcc": list(self.bcc),
            "templateName": self.template_name,
            "templateLanguage": self.template_language,
            "components": self.components,
            "contextData": self.context_data,
            "autoSubmitted": self.auto_submitted,
        }
        return {
            key: value
            for key, value in fields.items()
            if value is not None and not (isinstance(value, list | dict) and not value)
        }


@dataclass(frozen=True)
class Subscription:
    """A RingCentral webhook subscription (``/restapi/v1.0/subscription``)."""

    id: str
    event_filters: tuple[str, ...] = ()
    expiration_time: datetime | None = None
    expires_in: int | None = None
    status: str | None = None
    address: str | None = None
    transport_type: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> Subscription:
        d = _require_dict(data, "subscription")
        delivery = d.get("deliveryMode")
        delivery = delivery if isinstance(delivery, dict) else {}
        return cls(
            id=_str(d.get("id")) or "",
            event_filters=_str_tuple(d.get("eventFilters")),
            expiration_time=_time(d.get("expirationTime")),
            expires_in=_int(d.get("expiresIn")),
            status=_str(d.get("status")),
            address=_str(delivery.get("address")),
            transport_type=_str(delivery.get("transportType")),
            raw=d,
        )


def _capped_body(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` with a body longer than :data:`MAX_BODY_CHARS` cut, visibly; the cut copy is the
    record kept (``raw``), so no store ever holds a server's 300 MB "message"."""
    body = d.get("body")
    if not isinstance(body, str) or len(body) <= MAX_BODY_CHARS:
        return d
    cut = len(body) - MAX_BODY_CHARS
    return {**d, "body": f"{body[:MAX_BODY_CHARS]}\n[… {cut} more characters not kept]"}


def export_outcome(sync_status: str | None) -> bool | None:
    """A ``synchronizationStatus`` read as: delivered (True), refused (False), pending (None)."""
    status = (sync_status or "").strip().lower()
    if status in _EXPORTED:
        return True
    if status in _EXPORT_FAILED:
        return False
    return None


def _require_dict(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MalformedResponse(f"The server sent a {what} that is not a JSON object")
    return data


def _either(d: Mapping[str, Any], new: str, old: str) -> str | None:
    value = _str(d.get(new))
    return value if value is not None else _str(d.get(old))


def _key_any_case(mapping: Any, key: str) -> Any:
    if not isinstance(mapping, dict):
        return None
    if key in mapping:
        return mapping[key]
    return next((v for k, v in mapping.items() if isinstance(k, str) and k.lower() == key), None)


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    # Ids typed as numbers (e.g. an extension id) are still ids; booleans are not.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        return str(value)
    return None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if not isinstance(value, list):
        return ()
    return tuple(s for s in map(_str, value) if s is not None)


def _time(value: Any) -> datetime | None:
    """An ISO 8601 moment in UTC; a naive one is taken as UTC.

    Moments near year 1 or 9999 are clamped a day inside :data:`EARLIEST`/:data:`LATEST`, so
    converting them to any time zone (UTC here, the user's when shown) cannot overflow; the
    server's text stays in ``raw``.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        moment = parsed.astimezone(UTC)
    except OverflowError:
        return EARLIEST if parsed.year < 2 else LATEST
    return clamp_time(moment)


def clamp_time(moment: datetime) -> datetime:
    """``moment`` (aware) kept between :data:`EARLIEST` and :data:`LATEST`."""
    return min(max(moment, EARLIEST), LATEST)


def _int(value: Any) -> int | None:
    """An integer that fits SQLite (64 bits); anything larger is not a count or a size."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            return None
        value = int(value)
    if isinstance(value, int) and -_INT64 <= value < _INT64:
        return value
    return None
