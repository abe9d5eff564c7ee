"""The emulator on new conversations and WhatsApp's 24-hour window: accepted and refused as the
API documents (EDI codes), the new content in its own thread."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from rcinbox.api.channels import WHATSAPP_WINDOW
from rcinbox.emulator import Emulator
from rcinbox.emulator.clock import epoch

CONTENTS = "/cx/social-messaging/v1/contents"


@pytest.fixture
def roomy(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator(rate_limit=100_000, sync_delay=0.05)


@pytest.fixture
def client(roomy: Emulator, api_for: Callable[[Emulator], httpx.Client]) -> httpx.Client:
    return api_for(roomy)


def channel_of(emulator: Emulator, channel_type: str) -> str:
    return emulator.contents_where(channelType=channel_type)[0]["channelId"]


def refused(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["errorCode"] == code
    return error


def newest_customer_messages(emulator: Emulator) -> list[tuple[float, dict]]:
    """Each WhatsApp thread's newest customer message, with its age in seconds."""
    newest: dict[str, dict] = {}
    for content in emulator.contents_where(channelType="WhatsApp", contentDirection="Incoming"):
        newest[content["threadId"]] = content
    now = emulator.now().timestamp()
    return [(now - epoch(c["creationTime"]), c) for c in newest.values()]


def test_free_text_after_the_window_is_refused_with_edi_024(
    roomy: Emulator, client: httpx.Client
) -> None:
    closed = next(c for age, c in newest_customer_messages(roomy) if age > WHATSAPP_WINDOW + 60)
    response = client.post(CONTENTS, json={"inReplyToContentId": closed["id"], "body": "Hi"})
    error = refused(response, 403, "EDI-024")
    assert "24-hour" in error["details"]
    assert roomy.count_contents(body="Hi", threadId=closed["threadId"]) == 0


def test_free_text_inside_the_window_is_accepted(roomy: Emulator, client: httpx.Client) -> None:
    fresh = next(c for age, c in newest_customer_messages(roomy) if age < WHATSAPP_WINDOW - 3600)
    response = client.post(CONTENTS, json={"inReplyToContentId": fresh["id"], "body": "Hi"})
    assert response.status_code == 201, response.text


def test_a_customer_writing_again_reopens_the_window(roomy: Emulator, client: httpx.Client) -> None:
    closed = next(c for age, c in newest_customer_messages(roomy) if age > WHATSAPP_WINDOW + 60)
    written = roomy.add_inbound(closed["threadId"])
    response = client.post(CONTENTS, json={"inReplyToContentId": written["id"], "body": "Hi"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("channel_type", ["Email", "Twitter", "Viber"])
def test_a_template_anywhere_but_whatsapp_is_edi_005(
    roomy: Emulator, client: httpx.Client, channel_type: str
) -> None:
    body = {
        "channelId": channel_of(roomy, channel_type),
        "body": "Hello",
        "to": ["ann@example.com" if channel_type == "Email" else "+15551234567"],
        "title": "Hello",
        "templateName": "order_update",
        "templateLanguage": "en",
    }
    refused(client.post(CONTENTS, json=body), 422, "EDI-005")


def test_a_template_on_a_reply_elsewhere_is_edi_005_but_a_language_alone_is_harmless(
    roomy: Emulator, client: httpx.Client
) -> None:
    target = roomy.contents_where(channelType="Email", contentDirection="Incoming")[-1]
    body = {"inReplyToContentId": target["id"], "body": "Hello", "templateName": "x"}
    refused(client.post(CONTENTS, json=body), 422, "EDI-005")
    body = {"inReplyToContentId": target["id"], "body": "Hello", "templateLanguage": "en"}
    assert client.post(CONTENTS, json=body).status_code == 201


@pytest.mark.parametrize(
    ("channel_type", "body", "missing"),
    [
        ("WhatsApp", {"templateName": "order_update", "templateLanguage": "en"}, "to"),
        ("Email", {"body": "Hello", "title": "Hi"}, "to"),
        ("Email", {"body": "Hello", "to": ["ann@example.com"]}, "title"),
        ("Viber", {"body": "Hello"}, "to"),
    ],
)
def test_a_missing_recipient_or_subject_is_edi_025(
    roomy: Emulator, client: httpx.Client, channel_type: str, body: dict, missing: str
) -> None:
    response = client.post(CONTENTS, json={"channelId": channel_of(roomy, channel_type), **body})
    error = refused(response, 400, "EDI-025")
    assert error["message"] == f'Missing required parameter: "[{missing}]"'


def test_a_new_conversation_is_the_first_content_of_its_own_thread(
    roomy: Emulator, client: httpx.Client
) -> None:
    body = {
        "channelId": channel_of(roomy, "WhatsApp"),
        "to": ["+15551234567"],
        "templateName": "order_update",
        "templateLanguage": "en",
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ann"}]}],
        "contextData": {"rcinboxEntry": "entry-1"},
    }
    response = client.post(CONTENTS, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["firstInThread"] is True
    assert created["contextData"] == {"rcinboxEntry": "entry-1"}
    listed = client.get(CONTENTS, params={"threadIds": created["threadId"]}).json()
    assert [c["id"] for c in listed["records"]] == [created["id"]]


async def test_new_conversations_through_faults_reach_the_server_exactly_once(
    make_emulator: Callable[..., Emulator], tmp_path
) -> None:
    """Through the outbox: answers lost after the server stored the content are reconciled
    (the entry's id in contextData), never sent twice; every entry learns its new thread."""
    from outbox_helpers import outbox_stack

    from rcinbox.emulator import parse_faults
    from rcinbox.inbox.types import ReplyState, TemplateMessage

    emulator = make_emulator(
        faults=parse_faults("drop_after_commit=0.4,error_rate=0.1,latency=20"), rate_limit=100_000
    )
    viber = channel_of(emulator, "Viber")
    whatsapp = channel_of(emulator, "WhatsApp")
    async with outbox_stack(emulator.url, tmp_path / "inbox.db") as stack:
        ids = [
            stack.outbox.enqueue_start(
                channel_id=viber,
                channel_type="Viber",
                body="Same words" if i % 2 else f"Hello {i}",
                to=("+15551234567",),
                title=None,
                template=None,
            ).id
            for i in range(12)
        ]
        ids += [
            stack.outbox.enqueue_start(
                channel_id=whatsapp,
                channel_type="WhatsApp",
                body="",
                to=("+15557654321",),
                title=None,
                template=TemplateMessage("order_update", "en", (f"#{i}",)),
            ).id
            for i in range(4)
        ]
        assert await stack.outbox.flush(timeout=60) == []
        entries = [stack.store.outbox_entry(entry_id) for entry_id in ids]
    # Some answers were lost after the server had stored the content: those were looked for.
    assert emulator.stats.faults["drop_after_commit"] > 0
    assert all(e.state in (ReplyState.ACCEPTED, ReplyState.DELIVERED) for e in entries)
    created = [emulator.content(e.content_id) for e in entries]
    assert len({c["id"] for c in created}) == len(ids)
    assert [e.thread_id for e in entries] == [c["threadId"] for c in created]
    assert emulator.count_contents(body="Same words") == 6
    for i in range(0, 12, 2):
        assert emulator.count_contents(body=f"Hello {i}") == 1
    templates = emulator.contents_where(channelId=whatsapp, type="OutboundMessage")
    mine = [c for c in templates if (c.get("contextData") or {}).get("rcinboxEntry") in ids]
    assert len(mine) == 4
