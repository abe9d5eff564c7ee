"""Creating contents on the emulator: replies, new discussions, the EDI rules and the export."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from rcinbox.emulator import Emulator

CONTENTS = "/cx/social-messaging/v1/contents"


@pytest.fixture
def roomy(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator(rate_limit=100_000, sync_delay=0.05)


@pytest.fixture
def client(roomy: Emulator, api_for: Callable[[Emulator], httpx.Client]) -> httpx.Client:
    return api_for(roomy)


def customer_content(emulator: Emulator, channel_type: str, **fields: object) -> dict:
    return emulator.contents_where(channelType=channel_type, contentDirection="Incoming", **fields)[
        -1
    ]


def channel_of(emulator: Emulator, channel_type: str) -> str:
    return emulator.contents_where(channelType=channel_type)[0]["channelId"]


def create(client: httpx.Client, body: dict) -> httpx.Response:
    return client.post(CONTENTS, json=body)


def error_of(response: httpx.Response) -> dict:
    return response.json()["errors"][0]


def refused(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["errorCode"] == code
    return error


def settled(client: httpx.Client, content_id: str) -> dict:
    """The content once its export is no longer pending (polls for up to 2 s)."""
    deadline = time.monotonic() + 2
    while True:
        content = client.get(f"{CONTENTS}/{content_id}").json()
        if content["synchronizationStatus"] != "Pending" or time.monotonic() > deadline:
            return content
        time.sleep(0.02)


# ------------------------------------------------------------------------------ replies


def test_reply_is_accepted_pending_then_exported(roomy: Emulator, client: httpx.Client) -> None:
    target = customer_content(roomy, "WhatsApp", status="New")
    response = create(client, {"inReplyToContentId": target["id"], "body": "On its way!"})
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "UserReply"
    assert created["createdFrom"] == "Api"
    assert created["creatorId"] == roomy.owner_id
    assert created["contentDirection"] == "Outgoing"
    assert created["firstInThread"] is False
    assert created["threadId"] == target["threadId"]
    assert created["channelId"] == target["channelId"]
    assert created["channelType"] == "WhatsApp"
    assert created["inReplyToContentId"] == target["id"]
    assert created["inReplyToAuthorIdentityId"] == target["authorIdentityId"]
    assert created["public"] is False
    assert created["synchronizationStatus"] == "Pending"
    assert created["bodyFormatted"] == {"Text": "On its way!", "Html": "<p>On its way!</p>"}
    assert created["creationTime"] >= target["creationTime"]
    author = client.get(f"/cx/social-messaging/v1/identities/{created['authorIdentityId']}")
    assert author.json()["identityType"] == "Agent"
    assert roomy.owner_id in author.json()["userIds"]
    assert roomy.content(target["id"])["status"] == "Replied"
    done = settled(client, created["id"])
    assert done["synchronizationStatus"] == "Success"
    assert done["synchronizationError"] is None
    assert done["published"] is True
    assert done["lastModifiedTime"] >= created["creationTime"]
    newest = client.get(CONTENTS, params={"threadIds": target["threadId"], "perPage": 1}).json()
    assert newest["records"][0]["id"] == created["id"]


def test_reply_keeps_what_the_caller_set(roomy: Emulator, client: httpx.Client) -> None:
    target = customer_content(roomy, "Email")
    agent = client.get(CONTENTS + f"/{target['id']}").json()
    response = create(
        client,
        {
            "inReplyToContentId": agent["id"],
            "body": "Sorry about that.",
            "autoSubmitted": True,
            "contextData": {"ticket": "T-1"},
            "title": "Re: your order",
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert created["autoSubmitted"] is True
    assert created["contextData"] == {"ticket": "T-1"}
    assert created["title"] == "Re: your order"
    assert created["type"] == "Email"


def test_replying_to_an_agent_message_needs_a_customer_in_the_thread(
    roomy: Emulator, client: httpx.Client
) -> None:
    customer = customer_content(roomy, "Messenger")
    answered = create(client, {"inReplyToContentId": customer["id"], "body": "First answer"})
    follow_up = create(
        client, {"inReplyToContentId": answered.json()["id"], "body": "And one more thing"}
    )
    assert follow_up.status_code == 201
    post = create(client, {"channelId": channel_of(roomy, "Twitter"), "body": "Big sale today"})
    assert post.status_code == 201
    alone = create(client, {"inReplyToContentId": post.json()["id"], "body": "Talking to myself"})
    refused(alone, 403, "EDI-013")


def test_reply_as_a_chosen_identity_must_be_one_of_mine(
    roomy: Emulator, client: httpx.Client
) -> None:
    target = customer_content(roomy, "WhatsApp")
    default = create(client, {"inReplyToContentId": target["id"], "body": "Hi"}).json()
    chosen = create(
        client,
        {
            "inReplyToContentId": target["id"],
            "body": "Hi again",
            "authorIdentityId": default["authorIdentityId"],
        },
    )
    assert chosen.status_code == 201
    assert chosen.json()["authorIdentityId"] == default["authorIdentityId"]
    as_customer = create(
        client,
        {
            "inReplyToContentId": target["id"],
            "body": "x",
            "authorIdentityId": target["authorIdentityId"],
        },
    )
    refused(as_customer, 403, "EDI-018")
    colleague = next(
        i
        for i in client.get(
            "/cx/social-messaging/v1/identities", params={"identityType": "Agent", "perPage": 1000}
        ).json()["records"]
        if roomy.owner_id not in i["userIds"]
    )
    as_colleague = create(
        client,
        {"inReplyToContentId": target["id"], "body": "x", "authorIdentityId": colleague["id"]},
    )
    refused(as_colleague, 403, "EDI-018")


# ------------------------------------------------------------------------------ new discussions


@pytest.mark.parametrize("channel_key", ["channelId", "sourceId"])
def test_new_discussion_on_a_public_page(
    roomy: Emulator, client: httpx.Client, channel_key: str
) -> None:
    channel_id = channel_of(roomy, "Facebook")
    response = create(client, {channel_key: channel_id, "body": "New arrivals are in!"})
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "UserInitiated"
    assert created["firstInThread"] is True
    assert created["inReplyToContentId"] is None
    assert created["channelId"] == channel_id
    assert created["public"] is True
    assert created["threadId"] not in {
        c["threadId"] for c in roomy.contents_where(channelId=channel_id)[:-1]
    }


@pytest.mark.parametrize(
    "channel_type",
    ["Messenger", "Instagram", "InstagramMessaging", "AppleMessagesForBusiness", "GoogleMyBusiness",
     "Youtube", "EngageMessaging", "GoogleBusinessMessages"],
)  # fmt: skip
def test_channels_where_customers_start_refuse_new_discussions(
    roomy: Emulator, client: httpx.Client, channel_type: str
) -> None:
    response = create(client, {"channelId": channel_of(roomy, channel_type), "body": "Hello"})
    error = refused(response, 403, "EDI-016")
    assert error["message"] == "Channel does not support creation of new discussions."


def test_whatsapp_new_discussion_needs_an_approved_template(
    roomy: Emulator, client: httpx.Client
) -> None:
    channel_id = channel_of(roomy, "WhatsApp")
    template = {
        "channelId": channel_id,
        "to": ["+33620202020"],
        "templateName": "customer_order_shipment_template",
        "templateLanguage": "en",
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "John"}]}],
    }
    for missing in ("templateName", "templateLanguage", "to"):
        partial = {k: v for k, v in template.items() if k != missing}
        error = refused(create(client, partial), 400, "EDI-025")
        assert error["message"] == f'Missing required parameter: "[{missing}]"'
    refused(create(client, {**template, "body": "free text"}), 422, "EDI-012")
    refused(create(client, {**template, "to": ["0620202020"]}), 422, "EDI-033")
    sent = create(client, template)
    assert sent.status_code == 201
    assert sent.json()["type"] == "OutboundMessage"
    assert sent.json()["public"] is False
    assert "John" in sent.json()["structuredContent"]["subtitle"]


def test_email_new_discussion_needs_recipients_and_a_title(
    roomy: Emulator, client: httpx.Client
) -> None:
    email = {
        "channelId": channel_of(roomy, "Email"),
        "to": ["customer@example.com"],
        "cc": ["boss@example.com"],
        "title": "Your refund",
        "body": "Your refund was issued today.",
    }
    assert error_of(create(client, {**email, "to": None}))["message"] == (
        'Missing required parameter: "[to]"'
    )
    assert error_of(create(client, {**email, "title": ""}))["errorCode"] == "EDI-025"
    bad = refused(create(client, {**email, "cc": ["not-an-address"]}), 422, "EDI-033")
    assert bad["details"] == "Email format is invalid"
    sent = create(client, email)
    assert sent.status_code == 201
    assert sent.json()["title"] == "Your refund" and sent.json()["type"] == "Email"


# ------------------------------------------------------------------------------ body and visibility


def test_body_is_required_not_blank_and_within_the_channel_limit(
    roomy: Emulator, client: httpx.Client
) -> None:
    tweet = customer_content(roomy, "Twitter")
    reply = {"inReplyToContentId": tweet["id"]}
    missing = refused(create(client, reply), 400, "EDI-009")
    assert missing["message"] == "[body] is required"
    refused(create(client, {**reply, "body": None}), 400, "EDI-009")
    blank = refused(create(client, {**reply, "body": "  \n "}), 422, "EDI-033")
    assert blank == {
        "errorCode": "EDI-033",
        "message": "[Content] cannot be saved",
        "details": "Message cannot be blank",
    }
    too_long = refused(create(client, {**reply, "body": "x" * 281}), 422, "EDI-033")
    assert "280" in too_long["details"]
    assert create(client, {**reply, "body": "é" * 280}).status_code == 201


def test_visibility_must_suit_the_channel(roomy: Emulator, client: httpx.Client) -> None:
    whatsapp = customer_content(roomy, "WhatsApp")
    refused(
        create(client, {"inReplyToContentId": whatsapp["id"], "body": "x", "public": True}),
        403,
        "EDI-024",
    )
    review = customer_content(roomy, "GoogleMyBusiness")
    refused(
        create(client, {"inReplyToContentId": review["id"], "body": "x", "public": False}),
        403,
        "EDI-022",
    )
    answer = create(client, {"inReplyToContentId": review["id"], "body": "Thank you!"})
    assert answer.json()["public"] is True and answer.json()["type"] == "ReviewResponse"
    linkedin = channel_of(roomy, "Linkedin")
    refused(create(client, {"channelId": linkedin, "body": "x", "public": False}), 422, "EDI-003")
    twitter = channel_of(roomy, "Twitter")
    refused(create(client, {"channelId": twitter, "body": "x", "public": False}), 403, "EDI-023")
    direct = create(client, {"channelId": twitter, "body": "x", "public": False, "to": ["@fan"]})
    assert direct.status_code == 201 and direct.json()["type"] == "PrivateTweet"
    both = create(
        client,
        {"inReplyToContentId": whatsapp["id"], "body": "x", "public": False, "private": True},
    )
    refused(both, 422, "EDI-001")
    private = create(client, {"inReplyToContentId": whatsapp["id"], "body": "x", "private": True})
    assert private.status_code == 201 and private.json()["public"] is False


# ------------------------------------------------------------------------------ what is replied to


def test_unknown_targets_and_channels_are_not_found(roomy: Emulator, client: httpx.Client) -> None:
    refused(
        create(client, {"inReplyToContentId": "0123456789abcdef01234567", "body": "x"}),
        404,
        "EDI-029",
    )
    invalid = refused(create(client, {"inReplyToContentId": "abc", "body": "x"}), 404, "EDI-032")
    assert invalid["message"] == "Invalid id: [abc]"
    refused(create(client, {"channelId": "0123456789abcdef01234567", "body": "x"}), 404, "EDI-029")
    refused(create(client, {"body": "to nobody"}), 403, "EDI-020")


def test_attachment_ids_cannot_be_made_up(roomy: Emulator, client: httpx.Client) -> None:
    target = customer_content(roomy, "WhatsApp")
    made_up = create(
        client, {"inReplyToContentId": target["id"], "body": "x", "attachmentIds": ["0" * 24]}
    )
    assert refused(made_up, 422, "EDI-033")["details"] == "File is invalid"
    used = next(c for c in roomy.contents_where() if c["attachments"])["attachments"][0]["id"]
    taken = create(
        client, {"inReplyToContentId": target["id"], "body": "x", "attachmentIds": [used]}
    )
    refused(taken, 422, "EDI-007")


# ------------------------------------------------------------------------------ hostile bodies


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"{not json", 400, "EDI-030"),
        (b"[1, 2, 3]", 400, "EDI-030"),
        (b"\xff\xfe\x00", 400, "EDI-030"),
        (b"", 400, "EDI-030"),
        (b'{"body": 5, "channelId": "x"}', 400, "EDI-031"),
        (b'{"body": "x", "public": "yes"}', 400, "EDI-031"),
        (b'{"body": "x", "to": "a@example.com"}', 422, "EDI-011"),
        (b'{"body": "x", "contextData": [1]}', 422, "EDI-008"),
        (b'{"body": "x", "components": [1]}', 400, "EDI-031"),
        pytest.param(b"[" * 100_000, 400, "EDI-030", id="deeply-nested"),
    ],
)
def test_malformed_create_bodies_get_the_right_error(
    client: httpx.Client, raw: bytes, status: int, code: str
) -> None:
    response = client.post(CONTENTS, content=raw, headers={"Content-Type": "application/json"})
    refused(response, status, code)


def test_wrong_type_names_the_field(client: httpx.Client) -> None:
    error = refused(create(client, {"body": ["a"]}), 400, "EDI-031")
    assert error["parameterName"] == "body"
    assert "Array" in error["details"]
