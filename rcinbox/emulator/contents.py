"""``/cx/social-messaging/v1/contents``: list, read and create, with the API's rules and errors.

Contents are stored in the newest naming (the September 2024 spec: ``channelId``, ``channelType``,
``channelUri``) and presented in the naming the emulator is configured for; the older ``source*``
generation (the spec live until mid-2024) also lacks ``contentDirection`` and ``firstInThread``.
Requests are read in both generations always.

Creating follows the spec's create operation and its EDI error catalogue. Where the catalogue
leaves the choice to us (INFERRED):

* blank body: 400 EDI-009 when ``body`` is missing, 422 EDI-033 "Message cannot be blank" when it
  is empty or only whitespace; too long: 422 EDI-033 naming the channel's limit.
* visibility: ``public`` defaults to what the channel allows (private on private-only channels,
  the replied content's visibility on mixed channels, public otherwise). ``public: false`` on a
  public-only channel is 422 EDI-003 for a new discussion and 403 EDI-022 for a reply;
  ``public: true`` on a private-only channel is 403 EDI-024 with details; a private new
  discussion on a mixed channel needs ``to`` (403 EDI-023).
* replying to an agent's own content is allowed when a customer wrote in that thread; in a thread
  with no customer content it is 403 EDI-013. A remotely deleted content cannot be replied to
  (403 EDI-021).
* new discussions: no channel is 403 EDI-020; channels where only customers start are 403
  EDI-016; WhatsApp needs ``templateName``, ``templateLanguage`` and ``to`` (400 EDI-025) and
  accepts nothing but the outbound-message parameters (422 EDI-012); Email needs ``to`` and
  ``title``; Viber needs ``to``. A template anywhere but WhatsApp is 422 EDI-005.
* WhatsApp's 24-hour window: a reply more than 24 hours after the thread's newest customer
  message is 403 EDI-024 (details say the window is closed); only a template may be sent then.

The rules that need no server state (body, template, recipients, window) are in
:mod:`rcinbox.emulator.create_rules`; typed access to the request in :mod:`.fields`.
* an author identity that is not one of the caller's agent identities on the channel is 403
  EDI-018 (reply) or EDI-017 (new discussion); attachment ids are never valid here because no
  upload endpoint exists (422 EDI-007 when another content owns it, else EDI-033 "File is invalid").
* type errors are 400 EDI-031, a non-array where an array belongs 422 EDI-011, a non-object
  ``contextData`` 422 EDI-008, and ``public`` with ``private`` 422 EDI-001.

A created content starts ``synchronizationStatus: Pending``; after the export delay it becomes
``Success`` (or ``Failed`` with a ``synchronizationError`` under the sync_fail fault), and the
``Exported`` notification follows (plus ``DiscussionInitiated`` for a successful new discussion).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from rcinbox.api.channels import Initiation, Visibility, channel_info

from . import errors, query
from .clock import epoch, iso_seconds
from .create_rules import (
    body_of,
    check_recipients,
    check_window,
    public_refused,
    refuse_template_elsewhere,
    template_of,
)
from .faults import FaultDice
from .fields import Fields
from .oauth import Session
from .protocol import Request, Response, json_response
from .scheduler import Scheduler
from .seeding.basics import capabilities_supported, channel_uri
from .state import State
from .stats import EmulatorStats
from .subscriptions import PREFIX

OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")
STATUSES = (
    "New",
    "Assigned",
    "Replied",
    "UserReply",
    "UserInitiated",
    "Ignored",
    "PendingApproval",
)
DIRECTIONS = ("Incoming", "Outgoing")
OLD_NAMES = {"channelId": "sourceId", "channelType": "sourceType", "channelUri": "sourceUri"}
NEW_ONLY = ("contentDirection", "firstInThread")
# Reply type by replied type; anything else is answered with a Message.
REPLY_TYPES = {
    "Review": "ReviewResponse",
    "Tweet": "Tweet",
    "PrivateTweet": "PrivateTweet",
    "Email": "Email",
    **dict.fromkeys(
        ("Comment", "Photo", "Album", "Status", "Video", "Link", "Question"), "Comment"
    ),
}
EXPORT_FAILURE = "The channel refused the message (emulated export failure)"

Publish = Callable[[str, dict[str, Any]], None]


def check_id(value: str) -> str:
    """A path id: EDI-032 unless it looks like a 24-hex ObjectId."""
    if not OBJECT_ID.fullmatch(value):
        raise errors.invalid_id(value[:100])
    return value


class ContentsApi:
    """The three contents operations, the export that follows a create, and presentation."""

    def __init__(
        self,
        state: State,
        naming: str,
        scheduler: Scheduler,
        publish: Publish,
        dice: FaultDice,
        stats: EmulatorStats,
        sync_delay: float,
    ) -> None:
        self._state = state
        self._naming = naming
        self._scheduler = scheduler
        self._publish = publish
        self._dice = dice
        self._stats = stats
        self._sync_delay = sync_delay

    # ------------------------------------------------------------------ presentation

    def present(self, content: dict[str, Any]) -> dict[str, Any]:
        """A stored content in the configured naming generation."""
        if self._naming == "channel":
            return content
        return {OLD_NAMES.get(k, k): v for k, v in content.items() if k not in NEW_ONLY}

    def summary(self, content: dict[str, Any]) -> dict[str, Any]:
        """The ``body.resource`` of a notification about ``content``.

        Only ``id`` is confirmed by working code against the real server; the other fields are
        what RingCentral's own demo expected, so clients should fetch the content by id.
        """
        channel_id, channel_type = ("channelId", "channelType")
        if self._naming != "channel":
            channel_id, channel_type = OLD_NAMES[channel_id], OLD_NAMES[channel_type]
        return {
            "id": content["id"],
            "authorIdentityId": content["authorIdentityId"],
            channel_id: content["channelId"],
            channel_type: content["channelType"],
            "type": content["type"],
            "status": content["status"],
            "body": content["body"],
            "hasAttachment": bool(content.get("attachments")),
            "threadId": content["threadId"],
            "inReplyToContentId": content.get("inReplyToContentId"),
            "inReplyToAuthorIdentityId": content.get("inReplyToAuthorIdentityId"),
            "creatorId": content.get("creatorId"),
            "creationTime": content["creationTime"],
            "lastModifiedTime": content["lastModifiedTime"],
            "synchronizationStatus": content.get("synchronizationStatus"),
        }

    # ------------------------------------------------------------------ reading

    def list_contents(self, request: Request) -> Response:
        params = request.query
        per_page = query.per_page(params)
        cursor = query.cursor(params)
        filters: dict[str, frozenset[str]] = {}
        for index, names in (
            ("channel", ("channelIds", "source", "sourceIds")),
            ("author", ("authorIdentityIds", "identity")),
            ("group", ("authorIdentityGroupIds", "identityGroup")),
            ("intervention", ("interventionIds", "intervention")),
            ("thread", ("threadIds", "thread")),
        ):
            chosen = query.values(params, *names)
            if chosen:
                filters[index] = frozenset(chosen)
        for index, name, allowed in (
            ("status", "status", STATUSES),
            ("direction", "contentDirection", DIRECTIONS),
        ):
            chosen = query.choice(params, name, allowed)
            if chosen:
                filters[index] = frozenset(chosen)
        # Search text is not split on commas: a comma is an ordinary character in a phrase.
        texts = [t.casefold() for t in query.values(params, "text", "texts", split=False)]
        predicate = _containing(texts) if texts else None
        order = cursor.order
        with self._state.lock:
            records, more = self._state.contents.page(
                order.field, order.descending, cursor.after, filters, predicate, per_page
            )
        last = (epoch(records[-1][order.field]), records[-1]["id"]) if records else None
        return json_response(
            200,
            {
                "records": [self.present(r) for r in records],
                "paging": query.paging(cursor, last, more, per_page),
            },
        )

    def read(self, request: Request, content_id: str) -> Response:
        check_id(content_id)
        with self._state.lock:
            content = self._state.contents.get(content_id)
        if content is None:
            raise errors.not_found()
        return json_response(200, self.present(content))

    # ------------------------------------------------------------------ creating

    def create(self, request: Request, session: Session) -> Response:
        data = request.json(errors.edi(400, "EDI-030", "Invalid format"))
        if not isinstance(data, dict):
            raise errors.edi(400, "EDI-030", "Invalid format")
        fields = Fields(data)
        fields.check_types()
        public = fields.boolean("public")
        private = fields.boolean("private")
        if public is not None and private is not None:
            raise errors.edi(
                422,
                "EDI-001",
                "Public and private parameters must not be used at the same time, "
                "use public parameter only",
            )
        if private is not None:
            public = not private
        reply_to = fields.string("inReplyToContentId")
        with self._state.lock:
            if reply_to is None:
                content = self._new_discussion(fields, public, session)
            else:
                target = self._state.contents.get(check_id(reply_to))
                if target is None:
                    raise errors.not_found()
                content = self._reply(fields, target, public, session)
                if target["contentDirection"] == "Incoming" and target["status"] in (
                    "New",
                    "Assigned",
                ):
                    self._state.update_content(
                        target["id"], status="Replied", lastModifiedTime=content["creationTime"]
                    )
            self._state.add_content(content)
            self._scheduler.call_later(
                self._sync_delay, lambda: self._finish_export(content["id"], reply_to is None)
            )
        return json_response(201, self.present(content))

    def _reply(
        self, fields: Fields, target: dict[str, Any], public: bool | None, session: Session
    ) -> dict[str, Any]:
        state = self._state
        channel = state.channels[target["channelId"]]
        info = channel_info(channel["type"])
        thread = state.thread_contents(target["threadId"])
        if target["contentDirection"] == "Outgoing" and not any(
            c["contentDirection"] == "Incoming" for c in thread
        ):
            raise errors.edi(403, "EDI-013", "Cannot open a conversation on agent message.")
        if target.get("remotelyDeleted"):
            raise errors.edi(
                403, "EDI-021", "It is not possible to reply to this content right now."
            )
        refuse_template_elsewhere(fields, info)
        body = body_of(fields, info.max_body)
        check_window(info, thread, state.clock.now().timestamp())
        if public is None:
            public = {
                Visibility.PRIVATE_ONLY: False,
                Visibility.PUBLIC_ONLY: True,
                Visibility.BOTH: bool(target.get("public")),
            }[info.visibility]
        if not public and info.visibility is Visibility.PUBLIC_ONLY:
            raise errors.edi(403, "EDI-022", "Recipient does not allow private messages.")
        if public and info.visibility is Visibility.PRIVATE_ONLY:
            raise public_refused()
        author = self._author(
            fields, channel["id"], "EDI-018", "You need an identity to reply to this message."
        )
        self._check_attachments(fields)
        return self._content(
            channel=channel,
            author=author,
            session=session,
            fields=fields,
            body=body,
            public=public,
            status="UserReply",
            kind=REPLY_TYPES.get(target.get("type") or "", "Message"),
            thread_id=target["threadId"],
            target=target,
        )

    def _new_discussion(
        self, fields: Fields, public: bool | None, session: Session
    ) -> dict[str, Any]:
        state = self._state
        channel_id = fields.string("channelId") or fields.string("sourceId")
        if channel_id is None:
            raise errors.edi(403, "EDI-020", "You need a channel to create this message.")
        channel = state.channels.get(check_id(channel_id))
        if channel is None:
            raise errors.not_found()
        info = channel_info(channel["type"])
        if not info.can_initiate:
            raise errors.edi(
                403, "EDI-016", "Channel does not support creation of new discussions."
            )
        refuse_template_elsewhere(fields, info)
        author = self._author(
            fields,
            channel_id,
            "EDI-017",
            "Agent is not authorized to create a new discussion on this channel.",
        )
        structured = None
        if info.initiation is Initiation.TEMPLATE:
            structured = template_of(fields)
            body = ""
        else:
            if info.initiation is Initiation.RECIPIENT:
                check_recipients(fields, channel["type"])
            body = body_of(fields, info.max_body)
        if public is None:
            public = info.visibility is not Visibility.PRIVATE_ONLY
        if not public and info.visibility is Visibility.PUBLIC_ONLY:
            raise errors.edi(
                422,
                "EDI-003",
                "Private compose is not supported on this source, try adding public=true parameter",
            )
        if public and info.visibility is Visibility.PRIVATE_ONLY:
            raise public_refused()
        if not public and info.visibility is Visibility.BOTH and not fields.strings("to"):
            raise errors.edi(403, "EDI-023", "Cannot send private messages without a recipient.")
        self._check_attachments(fields)
        content = self._content(
            channel=channel,
            author=author,
            session=session,
            fields=fields,
            body=body,
            public=public,
            status="UserInitiated",
            kind=_initiated_type(channel["type"], info.initiation, public),
            thread_id=state.ids.next(),
            target=None,
        )
        if structured is not None:
            content["structuredContent"] = structured
        return content

    def _content(
        self,
        *,
        channel: dict[str, Any],
        author: dict[str, Any],
        session: Session,
        fields: Fields,
        body: str,
        public: bool,
        status: str,
        kind: str,
        thread_id: str,
        target: dict[str, Any] | None,
    ) -> dict[str, Any]:
        now = self._now()
        return {
            "id": self._state.ids.next(),
            "creationTime": now,
            "lastModifiedTime": now,
            "authorIdentityId": author["id"],
            "body": body,
            "bodyFormatted": {"Text": body, "Html": _html(body)},
            "bodyInputFormat": "Text",
            "categoryIds": [],
            "contentDirection": "Outgoing",
            "contextData": fields.mapping("contextData"),
            "createdFrom": "Api",
            "creatorId": session.owner_id,
            "firstInThread": target is None,
            "inReplyToAuthorIdentityId": target["authorIdentityId"] if target else None,
            "inReplyToContentId": target["id"] if target else None,
            "interventionId": None,
            "language": (target or {}).get("language") or "En",
            "public": public,
            "published": False,
            "rating": None,
            "remotelyDeleted": False,
            "channelId": channel["id"],
            "channelType": channel["type"],
            "channelUri": channel_uri(channel["type"]),
            "status": status,
            "synchronizationStatus": "Pending",
            "synchronizationError": None,
            "threadId": thread_id,
            "title": fields.string("title"),
            "type": kind,
            "attachments": [],
            "autoSubmitted": bool(fields.boolean("autoSubmitted")),
            "identityGroupId": author.get("identityGroupId"),
            "structuredContentSupported": bool(capabilities_supported(channel["type"])),
            "capabilitiesSupported": capabilities_supported(channel["type"]),
        }

    # ------------------------------------------------------------------ rules

    def _author(self, fields: Fields, channel_id: str, code: str, message: str) -> dict[str, Any]:
        wanted = fields.string("authorIdentityId")
        if wanted is None:
            author = self._state.agent_identity(channel_id)
        else:
            author = self._state.identities.get(wanted)
            if author is not None and not self._state.may_author(author, channel_id):
                author = None
        if author is None:
            raise errors.edi(403, code, message)
        return author

    def _check_attachments(self, fields: Fields) -> None:
        wanted = fields.strings("attachmentIds")
        if not wanted:
            return
        used = {
            attachment.get("id")
            for content in self._state.contents.values()
            for attachment in content.get("attachments") or ()
        }
        if any(attachment_id in used for attachment_id in wanted):
            raise errors.edi(422, "EDI-007", "Attachment is already used by an other content")
        raise errors.edi(422, "EDI-033", "[Content] cannot be saved", details="File is invalid")

    # ------------------------------------------------------------------ export

    def _finish_export(self, content_id: str, new_discussion: bool) -> None:
        failed = self._dice.roll("sync_fail")
        if failed:
            self._stats.count_fault("sync_fail")
        with self._state.lock:
            content = self._state.update_content(
                content_id,
                synchronizationStatus="Failed" if failed else "Success",
                synchronizationError=EXPORT_FAILURE if failed else None,
                published=not failed,
                lastModifiedTime=self._now(),
            )
        self._publish(PREFIX + "Exported", self.summary(content))
        if new_discussion and not failed:
            self._publish(PREFIX + "DiscussionInitiated", self.summary(content))

    def _now(self) -> str:
        return iso_seconds(self._state.clock.now())


def _containing(texts: list[str]) -> Callable[[dict[str, Any]], bool]:
    """Case-insensitive search in body and title; every text must occur (they are ANDed)."""

    def matches(content: dict[str, Any]) -> bool:
        haystack = f"{content.get('body') or ''}\n{content.get('title') or ''}".casefold()
        return all(text in haystack for text in texts)

    return matches


def _initiated_type(channel_type: str, initiation: Initiation, public: bool) -> str:
    if initiation is Initiation.TEMPLATE:
        return "OutboundMessage"
    if channel_type == "Email":
        return "Email"
    if channel_type == "Twitter":
        return "Tweet" if public else "PrivateTweet"
    return "Status" if public else "Message"


def _html(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"
