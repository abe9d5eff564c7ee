"""Parsing the API's JSON: both naming generations, odd spellings, nulls and hostile shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcinbox.api.errors import MalformedResponse
from rcinbox.api.models import (
    Attachment,
    Content,
    CreateContent,
    Direction,
    Identity,
    Page,
    Subscription,
)

CONTENT_KEYS = [
    "id", "threadId", "channelId", "sourceId", "channelType", "sourceType", "channelUri",
    "sourceUri", "authorIdentityId", "body", "bodyFormatted", "bodyInputFormat", "type", "status",
    "contentDirection", "creationTime", "lastModifiedTime", "inReplyToContentId",
    "inReplyToAuthorIdentityId", "creatorId", "public", "published", "remotelyDeleted",
    "synchronizationStatus", "synchronizationError", "title", "language", "rating",
    "attachments", "capabilitiesSupported", "categoryIds", "identityGroupId", "firstInThread",
    "autoSubmitted", "createdFrom", "contextData", "interventionId", "structuredContent",
]  # fmt: skip
IDENTITY_KEYS = [
    "id", "type", "identityType", "displayName", "screenName", "firstName", "lastName",
    "company", "emailAddress", "mobilePhone", "homePhone", "avatarUri", "identityGroupId",
    "userIds", "uuid", "creationTime", "lastModifiedTime", "extraValues",
]  # fmt: skip

SAMPLE_CONTENT = {
    "id": "66a1f0c2b7d4e5000712ab34",
    "creationTime": "2024-09-20T14:02:11Z",
    "lastModifiedTime": "2024-09-20T14:02:13Z",
    "authorIdentityId": "66a1e9aa1c2f3b0007a1b2c3",
    "body": "Hi, is my order shipped?",
    "bodyFormatted": {
        "Text": "Hi, is my order shipped?",
        "Html": "<p>Hi, is my order shipped?</p>",
    },
    "bodyInputFormat": "Text",
    "categoryIds": [],
    "contentDirection": "Incoming",
    "contextData": None,
    "createdFrom": "Synchronizer",
    "creatorId": None,
    "firstInThread": True,
    "inReplyToAuthorIdentityId": None,
    "inReplyToContentId": None,
    "interventionId": None,
    "language": "En",
    "public": False,
    "published": True,
    "rating": None,
    "remotelyDeleted": False,
    "channelId": "65c3fdd9527bf900079cefcb",
    "channelType": "WhatsApp",
    "channelUri": None,
    "status": "New",
    "synchronizationStatus": "Success",
    "synchronizationError": None,
    "threadId": "66a1f0c2b7d4e5000712ab30",
    "title": None,
    "type": "Message",
    "attachments": [
        {
            "id": "54085e5b7aa58d8b5d00006c",
            "contentType": "image/jpeg",
            "filename": "0.jpeg",
            "size": 217571,
            "embedded": False,
            "uri": "https://example.digital.ringcentral.com/attachments/54085e5b7aa58d8b5d00006c?x",
            "attachableType": "Content",
        }
    ],
    "autoSubmitted": False,
    "identityGroupId": "66a1e9aa1c2f3b0007a1b2c4",
    "structuredContentSupported": True,
    "capabilitiesSupported": ["template", "list"],
}

json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["2024-02-22T00:41:45Z", "2024-13-45T99:99:99Z", "Incoming", "New", ""])
)
json_value = st.recursive(
    json_leaf,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=8) | st.sampled_from(["Text", "html"]), children, max_size=4
        )
    ),
    max_leaves=12,
)


def json_objects(keys: list[str]) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=10), json_value, max_size=12)


@settings(max_examples=150, deadline=None)
@given(json_objects(CONTENT_KEYS))
def test_content_parsing_never_raises_on_any_json_object(data: dict) -> None:
    content = Content.from_json(data)
    assert isinstance(content.id, str)
    assert isinstance(content.body, str)
    assert isinstance(content.is_incoming, bool)
    assert isinstance(content.display_text, str)
    assert content.raw is data
    hash(content)


@settings(max_examples=100, deadline=None)
@given(json_objects(IDENTITY_KEYS))
def test_identity_parsing_never_raises_and_always_has_a_one_line_label(data: dict) -> None:
    identity = Identity.from_json(data)
    label = identity.display_label
    assert label and label == label.strip() and "\n" not in label
    assert isinstance(identity.is_agent, bool)


@settings(max_examples=100, deadline=None)
@given(json_objects(["records", "paging", "perPage"]), st.lists(json_value, max_size=5))
def test_page_parsing_never_raises_when_records_is_a_list(data: dict, records: list) -> None:
    page = Page.from_json({**data, "records": records}, Content.from_json)
    assert len(page.records) == sum(isinstance(r, dict) for r in records)


@settings(max_examples=100, deadline=None)
@given(json_objects(["id", "eventFilters", "deliveryMode", "expiresIn", "expirationTime"]))
def test_subscription_and_attachment_parsing_never_raise(data: dict) -> None:
    Subscription.from_json(data)
    Attachment.from_json(data)


@pytest.mark.parametrize("parse", [Content.from_json, Identity.from_json, Attachment.from_json])
@pytest.mark.parametrize("data", [None, [], "content", 42, [{"id": "x"}]])
def test_anything_but_a_json_object_is_a_malformed_response(parse, data) -> None:
    with pytest.raises(MalformedResponse):
        parse(data)


def test_real_shaped_content_parses_every_field() -> None:
    content = Content.from_json(SAMPLE_CONTENT)
    assert content.id == "66a1f0c2b7d4e5000712ab34"
    assert content.channel_id == "65c3fdd9527bf900079cefcb"
    assert content.channel_type == "WhatsApp"
    assert content.body_text == "Hi, is my order shipped?"
    assert content.body_html == "<p>Hi, is my order shipped?</p>"
    assert content.direction is Direction.INCOMING and content.is_incoming
    assert content.creation_time == datetime(2024, 9, 20, 14, 2, 11, tzinfo=UTC)
    assert content.public is False and content.published is True
    assert content.capabilities_supported == ("template", "list")
    assert content.attachments[0].size == 217571
    assert content.attachments[0].raw["attachableType"] == "Content"


def test_legacy_source_names_fill_the_channel_fields() -> None:
    legacy = {
        "id": "a",
        "sourceId": "65c3fdd9527bf900079cefcb",
        "sourceType": "Messenger",
        "sourceUri": "https://facebook.com/page",
    }
    content = Content.from_json(legacy)
    assert content.channel_id == "65c3fdd9527bf900079cefcb"
    assert content.channel_type == "Messenger"
    assert content.channel_uri == "https://facebook.com/page"


def test_newer_channel_names_win_when_both_generations_are_present() -> None:
    both = {"id": "a", "channelId": "new", "sourceId": "old", "channelType": None}
    content = Content.from_json({**both, "sourceType": "Twitter"})
    assert content.channel_id == "new"
    assert content.channel_type == "Twitter"


@pytest.mark.parametrize(
    "formatted",
    [
        {"Text": "plain", "Html": "<b>x</b>"},
        {"text": "plain", "html": "<b>x</b>"},
        {"TEXT": "plain", "HTML": "<b>x</b>"},
    ],
)
def test_body_formatted_keys_are_read_in_any_case(formatted: dict) -> None:
    content = Content.from_json({"id": "a", "bodyFormatted": formatted})
    assert (content.body_text, content.body_html) == ("plain", "<b>x</b>")


def test_nulls_in_required_fields_give_empty_values_not_errors() -> None:
    nulls = dict.fromkeys(CONTENT_KEYS)
    content = Content.from_json(nulls)
    assert content.id == ""
    assert content.body == ""
    assert content.attachments == () and content.category_ids == ()
    assert content.creation_time is None and content.public is None
    assert content.is_incoming  # no status, no creator: imported content


def test_unknown_enum_values_are_kept_as_plain_strings() -> None:
    content = Content.from_json(
        {
            "id": "a",
            "channelType": "Threads",
            "type": "Hologram",
            "status": "Snoozed",
            "synchronizationStatus": "Deferred",
            "createdFrom": "Robot",
            "contentDirection": "Sideways",
            "creatorId": "63317565004",
        }
    )
    assert content.channel_type == "Threads"
    assert content.type == "Hologram"
    assert content.status == "Snoozed"
    assert content.synchronization_status == "Deferred"
    assert content.created_from == "Robot"
    assert content.direction is None
    assert not content.is_incoming  # unknown status and a creator: written by an agent


def test_extra_fields_are_kept_in_raw() -> None:
    data = {"id": "a", "fbLink": "https://fb.com/x", "foreignId": "1_2", "videoMetadata": []}
    content = Content.from_json(data)
    assert content.raw["fbLink"] == "https://fb.com/x"
    assert content.raw["foreignId"] == "1_2"


def test_wrong_types_become_absent_values() -> None:
    content = Content.from_json(
        {
            "id": 12345,
            "public": "yes",
            "rating": "5",
            "creationTime": "yesterday",
            "attachments": "none",
            "categoryIds": [1, None, "c"],
            "contextData": ["a"],
        }
    )
    assert content.id == "12345"
    assert content.public is None and content.rating is None and content.creation_time is None
    assert content.attachments == ()
    assert content.category_ids == ("1", "c")
    assert content.context_data is None


@pytest.mark.parametrize(
    ("status", "incoming"),
    [
        ("New", True),
        ("Replied", True),
        ("Ignored", True),
        ("Assigned", True),
        ("UserReply", False),
        ("UserInitiated", False),
        ("PendingApproval", False),
    ],
)
def test_direction_is_inferred_from_status_without_content_direction(
    status: str, incoming: bool
) -> None:
    assert Content.from_json({"id": "a", "status": status}).is_incoming is incoming


def test_content_direction_wins_over_status_and_is_case_tolerant() -> None:
    content = Content.from_json({"id": "a", "status": "New", "contentDirection": "outgoing"})
    assert content.direction is Direction.OUTGOING
    assert not content.is_incoming


def test_unknown_status_infers_direction_from_creator() -> None:
    assert Content.from_json({"id": "a", "status": "Mystery", "creatorId": None}).is_incoming
    assert not Content.from_json({"id": "a", "status": "Mystery", "creatorId": "1"}).is_incoming


def test_template_send_with_empty_body_shows_its_structured_text() -> None:
    content = Content.from_json(
        {"id": "a", "body": "", "structuredContent": {"subtitle": "Your order has shipped"}}
    )
    assert content.display_text == "Your order has shipped"


def test_timestamps_without_zone_are_taken_as_utc() -> None:
    content = Content.from_json({"id": "a", "creationTime": "2024-02-22T00:41:45"})
    assert content.creation_time == datetime(2024, 2, 22, 0, 41, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"screenName": "John D.", "displayName": "John Doe"}, "John D."),
        ({"screenName": "  ", "displayName": " John Doe "}, "John Doe"),
        ({"screenName": "", "firstName": "Ann", "lastName": "Lee"}, "Ann Lee"),
        ({"firstName": "Ann"}, "Ann"),
        ({"screenName": "Evil\nName"}, "Evil Name"),
        ({}, "…c6d7"),
    ],
)
def test_identity_display_label_falls_back_in_order(fields: dict, label: str) -> None:
    identity = Identity.from_json({"id": "65d69849a330900007d1c6d7", **fields})
    assert identity.display_label == label


@pytest.mark.parametrize(
    ("fields", "agent"),
    [
        ({"identityType": "Agent"}, True),
        ({"identityType": "Customer", "userIds": ["63317565004"]}, False),
        ({"userIds": ["63317565004"]}, True),
        ({"userIds": []}, False),
        ({"identityType": "Bot", "userIds": []}, False),
    ],
)
def test_identity_is_agent_uses_identity_type_else_user_ids(fields: dict, agent: bool) -> None:
    assert Identity.from_json({"id": "i", **fields}).is_agent is agent


def test_page_reads_paging_tokens_and_skips_non_object_records() -> None:
    page = Page.from_json(
        {
            "records": [{"id": "a"}, "junk", None, {"id": "b"}],
            "paging": {"perPage": 2, "pageToken": "p1", "nextPageToken": "p2"},
        },
        Content.from_json,
    )
    assert [c.id for c in page.records] == ["a", "b"]
    assert (page.per_page, page.page_token, page.next_page_token) == (2, "p1", "p2")
    assert page.previous_page_token is None


@pytest.mark.parametrize("data", [{}, {"records": None}, {"records": {"id": "a"}}])
def test_page_without_a_records_list_is_malformed(data: dict) -> None:
    with pytest.raises(MalformedResponse):
        Page.from_json(data, Content.from_json)


def test_create_content_uses_the_naming_generation_and_omits_unset_fields() -> None:
    request = CreateContent(body="Hello", channel_id="chan", public=False, to=("+33620202020",))
    assert request.to_json() == {
        "body": "Hello",
        "channelId": "chan",
        "public": False,
        "to": ["+33620202020"],
    }
    assert request.to_json("source") == {
        "body": "Hello",
        "sourceId": "chan",
        "public": False,
        "to": ["+33620202020"],
    }


def test_create_content_writes_template_and_email_fields() -> None:
    components = [{"type": "body", "parameters": [{"type": "text", "text": "John"}]}]
    template = CreateContent(
        channel_id="wa",
        to=("+33620202020",),
        template_name="shipment",
        template_language="en",
        components=components,
        auto_submitted=True,
        context_data={"k": "v"},
    ).to_json()
    assert template["templateName"] == "shipment" and template["components"] == components
    assert template["autoSubmitted"] is True and template["contextData"] == {"k": "v"}
    email = CreateContent(
        body="b", channel_id="e", title="T", to=("a@x.org",), cc=("c@x.org",), bcc=("d@x.org",)
    ).to_json()
    assert (email["title"], email["cc"], email["bcc"]) == ("T", ["c@x.org"], ["d@x.org"])
    assert "attachmentIds" not in email and "inReplyToContentId" not in email


def test_subscription_reads_delivery_mode() -> None:
    subscription = Subscription.from_json(
        {
            "id": "95fecfc9-9cdc-4e94-a78a-89fd65889d37",
            "eventFilters": ["/cx/social-messaging/v1/contents/Imported"],
            "expirationTime": "2024-05-01T00:00:00.000Z",
            "expiresIn": 604799,
            "status": "Active",
            "deliveryMode": {"transportType": "WebHook", "address": "https://example.com/hook"},
        }
    )
    assert subscription.address == "https://example.com/hook"
    assert subscription.transport_type == "WebHook"
    assert subscription.expires_in == 604799
    assert subscription.expiration_time == datetime(2024, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("Success", True),
        ("success", True),
        (" Synchronized ", True),
        ("Failed", False),
        ("error", False),
        ("Pending", None),
        ("SomethingNew", None),
        (None, None),
    ],
)
def test_synchronization_status_reads_as_delivered_refused_or_pending(status, outcome) -> None:
    assert Content.from_json({"id": "x", "synchronizationStatus": status}).exported is outcome
