"""The client against the emulator over real loopback HTTP: every endpoint, filter and failure."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from rcinbox.api import (
    APIError,
    CreateContent,
    Direction,
    Forbidden,
    MalformedResponse,
    NotFound,
    OAuthSession,
    ServerError,
    SocialMessagingClient,
    TransportError,
    Unprocessable,
)
from rcinbox.emulator import Emulator, Faults

DEMO = {"client_id": "rcinbox-demo", "client_secret": "rcinbox-demo-secret"}


@contextlib.asynccontextmanager
async def connect(
    emulator: Emulator, *, naming: str = "channel", **client_options
) -> AsyncIterator[SocialMessagingClient]:
    async with httpx.AsyncClient() as http:
        auth = OAuthSession(
            emulator.url, http=http, jwt="rcinbox-demo-jwt", unavailable_wait=0.01, **DEMO
        )
        yield SocialMessagingClient(emulator.url, auth, http=http, naming=naming, **client_options)


async def collect(pages) -> list:
    records = []
    async for page in pages:
        records.extend(page.records)
    return records


# ------------------------------------------------------------------------------ reading


async def test_paging_through_every_content_has_no_duplicate_or_gap(emulator: Emulator) -> None:
    async with connect(emulator) as client:
        records = await collect(client.iter_content_pages(per_page=137))
    ids = [content.id for content in records]
    assert len(ids) == 2000
    assert len(set(ids)) == 2000
    times = [content.creation_time for content in records]
    assert times == sorted(times, reverse=True)


async def test_paging_stays_exact_while_customers_write(emulator: Emulator) -> None:
    async with connect(emulator) as client:
        seen: list[str] = []
        async for page in client.iter_content_pages(per_page=250):
            seen.extend(content.id for content in page.records)
            emulator.add_inbound()
    assert len(seen) == len(set(seen)) == 2000


@pytest.mark.parametrize("naming", ["channel", "source"])
async def test_both_naming_generations_end_to_end(make_emulator: Callable, naming: str) -> None:
    emulator = make_emulator(naming=naming)
    async with connect(emulator, naming=naming) as client:
        page = await client.list_contents(per_page=50)
        first = page.records[0]
        assert first.channel_id and first.channel_type
        assert ("channelId" in first.raw) == (naming == "channel")
        assert ("sourceId" in first.raw) == (naming == "source")
        filtered = await collect(client.iter_content_pages(channel_ids=[first.channel_id]))
        assert filtered and {c.channel_id for c in filtered} == {first.channel_id}
        identities = await client.list_identities(channel_id=first.channel_id, per_page=1000)
        assert identities.records
        reply_to = next(c for c in filtered if c.is_incoming)
        created = await client.create_content(
            CreateContent(body="Thanks, on it.", in_reply_to_content_id=reply_to.id)
        )
        assert created.channel_id == first.channel_id
        assert created.thread_id == reply_to.thread_id


async def test_every_content_filter_narrows_the_list(emulator: Emulator) -> None:
    async with connect(emulator) as client:
        everything = await collect(client.iter_content_pages(per_page=1000))
        sample = next(c for c in everything if c.is_incoming and c.identity_group_id)

        async def only(**filters) -> list:
            return await collect(client.iter_content_pages(per_page=1000, **filters))

        by_thread = await only(thread_ids=[sample.thread_id])
        assert by_thread and {c.thread_id for c in by_thread} == {sample.thread_id}
        by_author = await only(author_identity_ids=[sample.author_identity_id])
        assert by_author and {c.author_identity_id for c in by_author} == {
            sample.author_identity_id
        }
        by_group = await only(author_identity_group_ids=[sample.identity_group_id])
        assert sample.id in {c.id for c in by_group}
        incoming = await only(direction=Direction.INCOMING)
        outgoing = await only(direction=Direction.OUTGOING)
        assert len(incoming) + len(outgoing) == len(everything)
        assert all(c.is_incoming for c in incoming) and not any(c.is_incoming for c in outgoing)
        new = await only(status=["New"])
        replied_or_new = await only(status=["New", "Replied"])
        assert new and {c.status for c in new} == {"New"}
        assert len(replied_or_new) > len(new)
        word = next(w for w in sample.body.split() if len(w) > 4 and w.isalpha())
        by_text = await only(text=[word])
        assert sample.id in {c.id for c in by_text}
        assert all(word.lower() in (c.body + (c.title or "")).lower() for c in by_text)
        two_threads = await only(thread_ids=[sample.thread_id, everything[0].thread_id])
        assert {c.thread_id for c in two_threads} == {sample.thread_id, everything[0].thread_id}
        none = await only(intervention_ids=["0" * 24])
        assert none == []
        oldest_first = await client.list_contents(order_by="+creationTime", per_page=5)
        assert [c.id for c in oldest_first.records] == [c.id for c in everything[::-1][:5]]
        by_modified = await client.list_contents(order_by="-lastModifiedTime", per_page=20)
        stamps = [c.last_modified_time for c in by_modified.records]
        assert stamps == sorted(stamps, reverse=True)


async def test_get_content_and_identities(emulator: Emulator) -> None:
    async with connect(emulator) as client:
        page = await client.list_contents(per_page=10)
        content = await client.get_content(page.records[0].id)
        assert content.id == page.records[0].id
        author = await client.get_identity(content.author_identity_id)
        assert author.id == content.author_identity_id
        assert author.display_label
        agents = await client.list_identities(identity_type="Agent", per_page=1000)
        assert agents.records and all(i.is_agent for i in agents.records)
        mine = await client.list_identities(user_id=agents.records[0].user_ids[0])
        assert mine.records
        by_uuid = await client.list_identities(uuid=author.uuid)
        assert [i.id for i in by_uuid.records] == [author.id]
        grouped = await client.list_identities(identity_group_ids=[author.identity_group_id])
        assert author.id in {i.id for i in grouped.records}
        all_identities = await collect(client.iter_identity_pages(per_page=97))
        assert len(all_identities) == len({i.id for i in all_identities}) >= 400


async def test_unknown_ids_are_not_found_with_plain_words(emulator: Emulator) -> None:
    async with connect(emulator) as client:
        with pytest.raises(NotFound) as missing:
            await client.get_content("0123456789abcdef01234567")
        assert missing.value.code == "EDI-029"
        with pytest.raises(NotFound) as invalid:
            await client.get_identity("not-an-id")
        assert invalid.value.code == "EDI-032"
        assert "EDI-032" in str(invalid.value)


# ------------------------------------------------------------------------------ writing


async def test_reply_is_accepted_then_delivered(make_emulator: Callable) -> None:
    emulator = make_emulator(sync_delay=0.2)
    async with connect(emulator) as client:
        customer = (await client.list_contents(direction=Direction.INCOMING, per_page=1)).records[0]
        created = await client.create_content(
            CreateContent(body="Your parcel left today.", in_reply_to_content_id=customer.id)
        )
        assert created.in_reply_to_content_id == customer.id
        assert not created.is_incoming
        assert created.synchronization_status == "Pending"
        for _ in range(50):
            await asyncio.sleep(0.05)
            fetched = await client.get_content(created.id)
            if fetched.synchronization_status != "Pending":
                break
        assert fetched.synchronization_status == "Success"


async def test_edi_errors_reach_the_user_with_code_and_plain_words(emulator: Emulator) -> None:
    async with connect(emulator) as client:
        everything = await collect(client.iter_content_pages(per_page=1000))
        twitter = next(c for c in everything if c.channel_type == "Twitter" and c.is_incoming)
        with pytest.raises(Unprocessable) as too_long:
            await client.create_content(
                CreateContent(body="x" * 281, in_reply_to_content_id=twitter.id)
            )
        assert too_long.value.code == "EDI-033"
        assert "280" in str(too_long.value)
        messenger = next(c for c in everything if c.channel_type == "Messenger")
        with pytest.raises(Forbidden) as cannot_start:
            await client.create_content(CreateContent(body="Hi", channel_id=messenger.channel_id))
        assert cannot_start.value.code == "EDI-016"
        assert cannot_start.value.plain in str(cannot_start.value)
        with pytest.raises(APIError) as blank:
            await client.create_content(CreateContent(in_reply_to_content_id=twitter.id))
        assert blank.value.code in {"EDI-009", "EDI-033"}


# ------------------------------------------------------------------------------ limits and faults


async def test_rate_limit_makes_the_client_wait_then_succeed_without_hammering(
    make_emulator: Callable,
) -> None:
    emulator = make_emulator(rate_limit=5, rate_window=1.0)
    async with connect(emulator) as client:
        for _ in range(12):
            await client.list_contents(per_page=1)
    # The client reads X-Rate-Limit-Remaining and waits for the window, so the server never has
    # to refuse; at most one 429 can slip in when the window boundaries disagree.
    assert emulator.stats.rate_limited <= 1
    assert emulator.stats.requests["GET /contents"] == 12


async def test_429_retry_after_is_honoured_with_one_request_per_penalty(
    make_emulator: Callable,
) -> None:
    emulator = make_emulator(rate_limit=3, rate_window=1.0)
    async with httpx.AsyncClient() as http:
        auth = OAuthSession(emulator.url, http=http, jwt="rcinbox-demo-jwt", **DEMO)
        token = await auth.bearer()
        # Someone else (another process with the same token) spends the budget.
        for _ in range(4):
            await http.get(
                f"{emulator.url}/cx/social-messaging/v1/contents",
                headers={"Authorization": f"Bearer {token}"},
            )
        assert emulator.stats.rate_limited == 1
        client = SocialMessagingClient(emulator.url, auth, http=http)
        page = await client.list_contents(per_page=1)
    assert page.records
    # One refused attempt at most, then the wait, then success: never a burst of retries.
    assert emulator.stats.rate_limited <= 2


async def test_one_refresh_for_twenty_concurrent_requests_across_expiry(
    make_emulator: Callable,
) -> None:
    emulator = make_emulator(access_token_ttl=2)
    async with connect(emulator) as client:
        await client.list_contents(per_page=1)
        await asyncio.sleep(2.1)
        emulator.stats.reset()
        pages = await asyncio.gather(*(client.list_contents(per_page=1) for _ in range(20)))
    assert all(page.records for page in pages)
    assert emulator.stats.grants.get("refresh_token", 0) == 1
    assert emulator.stats.grants.get("urn:ietf:params:oauth:grant-type:jwt-bearer", 0) == 0


async def test_server_errors_on_get_are_retried_until_success(make_emulator: Callable) -> None:
    emulator = make_emulator(faults=Faults(error_rate=0.5))
    async with connect(emulator, backoff=0.01, max_get_retries=8) as client:
        for _ in range(10):
            page = await client.list_contents(per_page=5)
            assert len(page.records) == 5
    assert emulator.stats.faults["error_rate"] > 0


async def test_server_that_always_fails_ends_in_a_clear_error(make_emulator: Callable) -> None:
    emulator = make_emulator(faults=Faults(error_rate=1.0))
    async with connect(emulator, backoff=0.01, max_get_retries=2) as client:
        with pytest.raises((ServerError, APIError)) as failure:
            await client.list_contents()
    assert "503" in str(failure.value)


async def test_truncated_json_is_retried_then_reported(make_emulator: Callable) -> None:
    flaky = make_emulator(faults=Faults(malformed=0.5))
    async with connect(flaky, backoff=0.01, max_get_retries=8) as client:
        for _ in range(5):
            assert (await client.list_contents(per_page=3)).records
    broken = make_emulator(faults=Faults(malformed=1.0))
    async with connect(broken, backoff=0.01, max_get_retries=1) as client:
        with pytest.raises(MalformedResponse) as failure:
            await client.list_contents()
    assert "\n" not in str(failure.value)


async def test_dropped_connection_after_post_is_reported_as_unknown_not_resent(
    make_emulator: Callable,
) -> None:
    emulator = make_emulator(faults=Faults(drop_after_commit=1.0))
    async with connect(emulator) as client:
        customer = (await client.list_contents(direction=Direction.INCOMING, per_page=1)).records[0]
        with pytest.raises(TransportError) as lost:
            await client.create_content(
                CreateContent(body="Sent exactly once", in_reply_to_content_id=customer.id)
            )
        assert lost.value.request_sent
    assert emulator.stats.requests["POST /contents"] == 1
    assert emulator.count_contents(body="Sent exactly once") == 1


async def test_export_failure_shows_the_synchronization_error(make_emulator: Callable) -> None:
    emulator = make_emulator(faults=Faults(sync_fail=1.0), sync_delay=0.1)
    async with connect(emulator) as client:
        customer = (await client.list_contents(direction=Direction.INCOMING, per_page=1)).records[0]
        created = await client.create_content(
            CreateContent(body="Will fail", in_reply_to_content_id=customer.id)
        )
        for _ in range(40):
            await asyncio.sleep(0.05)
            fetched = await client.get_content(created.id)
            if fetched.synchronization_status != "Pending":
                break
    assert fetched.synchronization_status == "Failed"
    assert fetched.synchronization_error


async def test_latency_slows_but_does_not_break(make_emulator: Callable) -> None:
    emulator = make_emulator(faults=Faults(latency_ms=30))
    async with connect(emulator) as client:
        assert (await client.list_contents(per_page=2)).records
    assert emulator.stats.faults["latency"] >= 1


async def test_unreachable_server_is_a_transport_error() -> None:
    async with httpx.AsyncClient() as http:
        auth = OAuthSession("http://127.0.0.1:9", http=http, jwt="j", **DEMO)
        client = SocialMessagingClient("http://127.0.0.1:9", auth, http=http, backoff=0.01)
        with pytest.raises(TransportError) as failure:
            await client.list_contents()
    assert not failure.value.request_sent
