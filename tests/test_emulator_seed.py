"""The emulator's demo data: deterministic, realistic, consistent, hostile where it should be."""

from __future__ import annotations

import html
import json
import random
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from rcinbox.api.channels import CHANNELS, Initiation, Visibility, channel_info
from rcinbox.emulator import seed
from rcinbox.emulator.seed import DEFAULT_NOW, SeedData, generate

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
HEX24 = re.compile(r"^[0-9a-f]{24}$")
OBJECT_ID = re.compile(r"(?<![0-9a-f])([0-9a-f]{24})(?![0-9a-f])")
TIME_KEYS = ("creationTime", "lastModifiedTime")

CONTENT_FIELDS = {
    "id", "attachments", "authorIdentityId", "autoSubmitted", "body", "bodyFormatted",
    "bodyInputFormat", "categoryIds", "contentDirection", "contextData", "creationTime",
    "createdFrom", "creatorId", "firstInThread", "inReplyToAuthorIdentityId",
    "inReplyToContentId", "interventionId", "language", "public", "published", "rating",
    "remotelyDeleted", "channelId", "channelType", "channelUri", "status",
    "synchronizationStatus", "synchronizationError", "threadId", "title", "type",
    "lastModifiedTime", "capabilitiesSupported", "identityGroupId", "structuredContentSupported",
}  # fmt: skip
IDENTITY_FIELDS = {
    "id", "creationTime", "lastModifiedTime", "type", "identityType", "displayName",
    "screenName", "firstName", "lastName", "company", "emailAddress", "gender", "homePhone",
    "mobilePhone", "avatarUri", "identityGroupId", "extraValues", "userIds", "uuid",
}  # fmt: skip
ATTACHMENT_FIELDS = {
    "id", "contentType", "creationTime", "lastModifiedTime", "embedded", "filename", "public",
    "size", "uri", "attachableId", "attachableType",
}  # fmt: skip


def as_json(data: SeedData) -> str:
    return json.dumps(
        {
            "owner_id": data.owner_id,
            "channels": data.channels,
            "identities": data.identities,
            "contents": data.contents,
        }
    )


def parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def threads_of(data: SeedData) -> dict[str, list[dict]]:
    threads: dict[str, list[dict]] = defaultdict(list)
    for content in data.contents:  # already oldest first
        threads[content["threadId"]].append(content)
    return threads


def is_hostile(body: str) -> bool:
    return len(body) == seed.MEGABYTE or "[@click=" in body or bool(re.search(r"[\x00\x1b]", body))


@pytest.fixture(scope="module")
def demo() -> SeedData:
    return generate()


@pytest.fixture(scope="module")
def identities(demo: SeedData) -> dict[str, dict]:
    return {identity["id"]: identity for identity in demo.identities}


# -- determinism --------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_json(demo: SeedData) -> None:
    assert as_json(generate()) == as_json(demo)


def test_different_seeds_give_different_inboxes(demo: SeedData) -> None:
    other = generate(seed=2)
    assert other.owner_id != demo.owner_id
    assert {c["id"] for c in other.contents}.isdisjoint(c["id"] for c in demo.contents)
    assert [c["body"] for c in other.contents] != [c["body"] for c in demo.contents]


def test_another_now_shifts_every_timestamp_and_changes_nothing_else(demo: SeedData) -> None:
    """Timestamps move by the difference, and so does the time in each ObjectId (its first 8 hex
    digits); the rest of every id, every body, every other field stays."""
    delta = timedelta(days=400, hours=5, seconds=17)
    shifted = generate(now=DEFAULT_NOW + delta)
    compared = 0
    ids_shifted = 0

    def same_but_id_times(before: str, after: str) -> bool:
        nonlocal ids_shifted
        old, new = OBJECT_ID.split(before), OBJECT_ID.split(after)
        if len(old) != len(new) or old[::2] != new[::2]:
            return False
        for old_id, new_id in zip(old[1::2], new[1::2], strict=True):
            if old_id != new_id:
                moved = int(new_id[:8], 16) - int(old_id[:8], 16)
                if old_id[8:] != new_id[8:] or moved != delta.total_seconds():
                    return False
                ids_shifted += 1
        return True

    def walk(before: object, after: object) -> None:
        nonlocal compared
        if isinstance(before, dict):
            assert isinstance(after, dict)
            assert list(before) == list(after)
            for key, value in before.items():
                if key in TIME_KEYS:
                    assert parse(after[key]) - parse(value) == delta
                    compared += 1
                else:
                    walk(value, after[key])
        elif isinstance(before, list):
            assert isinstance(after, list)
            assert len(before) == len(after)
            for left, right in zip(before, after, strict=True):
                walk(left, right)
        elif isinstance(before, str):
            assert isinstance(after, str) and same_but_id_times(before, after)
        else:
            assert before == after

    walk(demo.identities, shifted.identities)
    walk(demo.contents, shifted.contents)
    assert demo.channels == shifted.channels
    assert demo.owner_id == shifted.owner_id
    assert compared > 2 * len(demo.contents)
    assert ids_shifted > 3 * len(demo.contents)


def test_ids_are_object_ids_of_their_records_creation_time(demo: SeedData) -> None:
    """As the API's are: so ids grow with time, and what is indexed by id is appended to."""

    def seconds(moment: str) -> int:
        return int(parse(moment).timestamp())

    first_in_thread: dict[str, str] = {}
    for content in demo.contents:
        assert int(content["id"][:8], 16) == seconds(content["creationTime"])
        first_in_thread.setdefault(content["threadId"], content["creationTime"])
        for attachment in content["attachments"] or ():
            assert int(attachment["id"][:8], 16) == seconds(attachment["creationTime"])
            assert attachment["uri"].endswith(attachment["id"])
    for thread_id, created in first_in_thread.items():
        assert int(thread_id[:8], 16) == seconds(created)
    for identity in demo.identities:
        assert int(identity["id"][:8], 16) == seconds(identity["creationTime"])
    assert len({c["id"] for c in demo.contents}) == len(demo.contents)


def test_naive_now_is_taken_as_utc() -> None:
    aware = generate(contents=60, now=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    naive = generate(contents=60, now=datetime(2030, 1, 2, 3, 4, 5))
    assert as_json(aware) == as_json(naive)


# -- size and shape -----------------------------------------------------------------------------


def test_default_inbox_has_the_promised_size(demo: SeedData) -> None:
    assert len(demo.contents) == 2000
    assert len(threads_of(demo)) >= 300
    assert len(demo.identities) >= 400
    assert len({c["id"] for c in demo.contents}) == 2000
    assert len({i["id"] for i in demo.identities}) == len(demo.identities)


def test_every_channel_type_has_a_channel_and_conversations(demo: SeedData) -> None:
    assert {ch["type"] for ch in demo.channels} == set(CHANNELS)
    for channel in demo.channels:
        assert HEX24.match(channel["id"])
        assert channel["name"].startswith(("Acme", "@"))
    assert {c["channelType"] for c in demo.contents} == set(CHANNELS)
    assert {c["channelId"] for c in demo.contents} == {ch["id"] for ch in demo.channels}


def test_owner_and_colleagues_have_agent_identities_on_every_channel(demo: SeedData) -> None:
    assert demo.owner_id.isdigit()
    agents = [i for i in demo.identities if i["identityType"] == "Agent"]
    agent_ids = {i["id"] for i in agents}
    for channel in demo.channels:
        authors = {
            c["authorIdentityId"]
            for c in demo.contents
            if c["channelId"] == channel["id"] and c["contentDirection"] == "Outgoing"
        }
        assert authors <= agent_ids
    owner_identities = [i for i in agents if i["userIds"] == [demo.owner_id]]
    assert {i["type"] for i in owner_identities} == {
        channel_info(t).identity_type for t in CHANNELS
    }
    colleagues = {i["userIds"][0] for i in agents} - {demo.owner_id}
    assert 2 <= len(colleagues) <= 10
    assert all(len(i["userIds"]) == 1 and i["userIds"][0].isdigit() for i in agents)


def test_identities_carry_every_field_of_the_identity_model(demo: SeedData) -> None:
    identity_types = {info.identity_type for info in CHANNELS.values()}
    assert "Messenger" not in identity_types
    for identity in demo.identities:
        assert identity.keys() >= IDENTITY_FIELDS
        assert identity["type"] in identity_types
        assert identity["identityType"] in ("Agent", "Customer")
        assert (identity["identityType"] == "Agent") == bool(identity["userIds"])
        assert HEX24.match(identity["id"]) and HEX24.match(identity["identityGroupId"])
        assert re.match(
            r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-", identity["uuid"]
        )
        assert ISO.match(identity["creationTime"]) and ISO.match(identity["lastModifiedTime"])
        assert identity["lastModifiedTime"] >= identity["creationTime"]
        assert identity["displayName"]


def test_contents_carry_every_field_of_the_content_model(demo: SeedData) -> None:
    for content in demo.contents:
        assert content.keys() >= CONTENT_FIELDS
        assert "sourceId" not in content and "sourceType" not in content
        assert HEX24.match(content["id"]) and HEX24.match(content["threadId"])
        assert ISO.match(content["creationTime"]) and ISO.match(content["lastModifiedTime"])
        assert content["lastModifiedTime"] >= content["creationTime"]
        assert content["bodyFormatted"] == {
            "Text": content["body"],
            "Html": f"<p>{html.escape(content['body'])}</p>",
        }
        assert content["categoryIds"] == []
        assert content["contextData"] is None and content["interventionId"] is None
        assert content["remotelyDeleted"] is False and content["autoSubmitted"] is False
        assert re.match(r"^[A-Z][a-z]$", content["language"])
        assert content["structuredContentSupported"] == bool(content["capabilitiesSupported"])
        visibility = CHANNELS[content["channelType"]].visibility
        if visibility is Visibility.PRIVATE_ONLY:
            assert content["public"] is False
        elif visibility is Visibility.PUBLIC_ONLY:
            assert content["public"] is True
        if content["channelType"] == "Email":
            assert content["title"]
        else:
            assert content["title"] is None
        if content["type"] == "Review":
            assert content["rating"] in range(1, 6)
        else:
            assert content["rating"] is None


def test_directions_statuses_and_creators_agree(demo: SeedData) -> None:
    for content in demo.contents:
        if content["contentDirection"] == "Incoming":
            assert content["status"] in ("New", "Replied", "Ignored")
            assert content["createdFrom"] == "Synchronizer"
            assert content["creatorId"] is None
            assert content["synchronizationStatus"] == "Success"
        else:
            assert content["contentDirection"] == "Outgoing"
            assert content["status"] in ("UserReply", "UserInitiated")
            assert content["createdFrom"] in ("Interface", "Api")
            assert content["creatorId"] and content["creatorId"].isdigit()
            assert content["synchronizationStatus"] in ("Success", "Failed")
            assert (content["synchronizationStatus"] == "Failed") == (
                content["synchronizationError"] is not None
            )
            assert content["published"] is (content["synchronizationStatus"] == "Success")
    failed = [c for c in demo.contents if c["synchronizationStatus"] == "Failed"]
    assert 0 < len(failed) < len(demo.contents) // 20


def test_contents_are_sorted_by_creation_time_then_id(demo: SeedData) -> None:
    keys = [(c["creationTime"], c["id"]) for c in demo.contents]
    assert keys == sorted(keys)


def test_times_lie_before_now_newest_minutes_old_oldest_about_90_days(demo: SeedData) -> None:
    newest = parse(demo.contents[-1]["creationTime"])
    oldest = parse(demo.contents[0]["creationTime"])
    assert DEFAULT_NOW - timedelta(minutes=10) < newest < DEFAULT_NOW
    assert DEFAULT_NOW - timedelta(days=91) <= oldest < DEFAULT_NOW - timedelta(days=60)
    assert all(parse(c["lastModifiedTime"]) <= DEFAULT_NOW for c in demo.contents)
    last_week = sum(
        parse(c["creationTime"]) > DEFAULT_NOW - timedelta(days=7) for c in demo.contents
    )
    first_week = sum(parse(c["creationTime"]) < oldest + timedelta(days=7) for c in demo.contents)
    assert last_week > 3 * first_week  # recent days are busier


# -- conversations ------------------------------------------------------------------------------


def test_reply_chains_stay_inside_their_thread_and_point_back(
    demo: SeedData, identities: dict[str, dict]
) -> None:
    by_id = {c["id"]: c for c in demo.contents}
    for thread in threads_of(demo).values():
        seen: set[str] = set()
        channel_ids = {c["channelId"] for c in thread}
        assert len(channel_ids) == 1
        assert thread[0]["firstInThread"] and not any(c["firstInThread"] for c in thread[1:])
        assert thread[0]["inReplyToContentId"] is None
        for content in thread:
            author = identities[content["authorIdentityId"]]
            assert content["identityGroupId"] == author["identityGroupId"]
            target = content["inReplyToContentId"]
            if target is not None:
                assert target in seen
                assert by_id[target]["creationTime"] < content["creationTime"]
                assert content["inReplyToAuthorIdentityId"] == by_id[target]["authorIdentityId"]
            else:
                assert content["inReplyToAuthorIdentityId"] is None
            seen.add(content["id"])


def test_agents_write_outgoing_and_customers_incoming(
    demo: SeedData, identities: dict[str, dict]
) -> None:
    for content in demo.contents:
        author = identities[content["authorIdentityId"]]
        assert author["type"] == channel_info(content["channelType"]).identity_type
        if content["contentDirection"] == "Outgoing":
            assert author["identityType"] == "Agent"
            assert content["creatorId"] in author["userIds"]
            if content["status"] == "UserReply":
                answered = content["inReplyToAuthorIdentityId"]
                assert identities[answered]["identityType"] == "Customer"
        else:
            assert author["identityType"] == "Customer"
            assert author["userIds"] == []
    owner_wrote = [c for c in demo.contents if c["creatorId"] == demo.owner_id]
    assert len(owner_wrote) > len(demo.contents) // 20


def test_inbound_status_says_whether_an_agent_answered_later(demo: SeedData) -> None:
    for thread in threads_of(demo).values():
        for index, content in enumerate(thread):
            if content["contentDirection"] != "Incoming":
                continue
            answered = any(c["contentDirection"] == "Outgoing" for c in thread[index + 1 :])
            assert (content["status"] == "Replied") == answered


def test_about_a_third_of_threads_wait_for_an_answer(demo: SeedData) -> None:
    threads = list(threads_of(demo).values())
    waiting = [t for t in threads if t[-1]["status"] == "New"]
    assert 0.2 < len(waiting) / len(threads) < 0.5
    customer_started = [t for t in threads if t[0]["contentDirection"] == "Incoming"]
    assert len(customer_started) > 0.8 * len(threads)


def test_agents_start_threads_only_where_the_channel_allows(demo: SeedData) -> None:
    started = [t[0] for t in threads_of(demo).values() if t[0]["status"] == "UserInitiated"]
    assert started
    for first in started:
        assert CHANNELS[first["channelType"]].initiation is not Initiation.NOT_ALLOWED
        assert first["contentDirection"] == "Outgoing" and first["inReplyToContentId"] is None
    whatsapp = [c for c in started if c["channelType"] == "WhatsApp"]
    assert whatsapp and all(c["type"] == "OutboundMessage" for c in whatsapp)
    assert {c["channelType"] for c in started} >= {"Twitter", "Facebook", "Email"}


def test_message_types_fit_their_channel(demo: SeedData) -> None:
    types: dict[str, set[str]] = defaultdict(set)
    for content in demo.contents:
        types[content["channelType"]].add(content["type"])
    assert types["Twitter"] <= {"Tweet", "PrivateTweet"}
    assert types["Email"] == {"Email"}
    assert types["GoogleMyBusiness"] == {"Review", "ReviewResponse"}
    assert "Comment" in types["Youtube"] and "Comment" in types["Instagram"]
    assert types["WhatsApp"] >= {"Message", "OutboundMessage"}
    for channel_type in ("Messenger", "InstagramMessaging", "Viber", "AppleMessagesForBusiness"):
        assert types[channel_type] <= {"Message", "Media"}


def test_outgoing_bodies_respect_the_channel_limit(demo: SeedData) -> None:
    big = generate(seed=3, contents=20_000)
    for content in demo.contents + big.contents:
        if content["contentDirection"] == "Outgoing":
            assert len(content["body"]) <= CHANNELS[content["channelType"]].max_body


def test_some_customers_are_the_same_person_on_several_channels(
    demo: SeedData, identities: dict[str, dict]
) -> None:
    channels_by_group: dict[str, set[str]] = defaultdict(set)
    for content in demo.contents:
        if identities[content["authorIdentityId"]]["identityType"] == "Customer":
            channels_by_group[content["identityGroupId"]].add(content["channelType"])
    shared = [group for group, types in channels_by_group.items() if len(types) > 1]
    assert len(shared) >= 5


def test_attachments_are_plausible_and_on_about_5_percent(demo: SeedData) -> None:
    with_files = [c for c in demo.contents if c["attachments"]]
    assert 0.02 < len(with_files) / len(demo.contents) < 0.1
    kinds = Counter(a["contentType"].split("/")[0] for c in with_files for a in c["attachments"])
    assert {"image", "application", "audio", "video"} <= kinds.keys()
    for content in with_files:
        for attachment in content["attachments"]:
            assert attachment.keys() == ATTACHMENT_FIELDS
            assert attachment["attachableId"] == content["id"]
            assert attachment["attachableType"] == "Content"
            assert attachment["creationTime"] == content["creationTime"]
            assert attachment["uri"] == (f"{seed.TENANT_URL}/files/attachments/{attachment['id']}")
            assert 1000 < attachment["size"] < 50_000_000
            assert "." in attachment["filename"]


def test_text_is_international_with_emoji_and_long_messages(demo: SeedData) -> None:
    languages = {c["language"] for c in demo.contents}
    assert languages >= {"En", "Es", "Fr", "De", "Pt", "Ar", "He", "Ja", "Zh", "Hi", "Ru"}
    bodies = [c["body"] for c in demo.contents if not is_hostile(c["body"])]
    assert any(re.search("[\u0590-\u05ff]", b) for b in bodies)  # Hebrew
    assert any(re.search("[\u0600-\u06ff]", b) for b in bodies)  # Arabic
    assert any(re.search("[\U0001f300-\U0001faff]", b) for b in bodies)  # emoji
    assert any(b.count("\n\n") >= 3 and len(b) > 600 for b in bodies)  # several paragraphs
    names = [i["displayName"] for i in demo.identities if i["identityType"] == "Customer"]
    assert any(len(n) > 50 for n in names)
    assert any(re.search("[\U0001f300-\U0001faff]", n) for n in names)
    assert any(re.search("[\u0590-\u06ff]", n) for n in names)  # right-to-left script


@pytest.mark.parametrize("seed_value", [1, 2, 99])
@pytest.mark.parametrize("size", [50, 2000])
def test_hostile_contents_are_always_there(seed_value: int, size: int) -> None:
    data = generate(seed=seed_value, contents=size)
    bodies = {c["body"]: c for c in data.contents}
    markup = [b for b in bodies if "[@click=app.quit]click me[/]" in b]
    ansi = [b for b in bodies if "\x1b[31m" in b and "\x9b" in b and "\x1b]0;" in b]
    bidi = [b for b in bodies if all(ch in b for ch in "\u202e\u2066\u200f")]
    controls = [b for b in bodies if "\x00" in b and "\r" in b and "\x07" in b]
    huge = [c for c in data.contents if len(c["body"]) >= seed.MEGABYTE]
    assert markup and ansi and bidi and controls
    assert len(huge) == 1 and len(huge[0]["body"]) == 1_048_576
    assert huge[0]["channelType"] == "Email"
    assert huge[0]["contentDirection"] == "Incoming"
    for body in markup + ansi + bidi + controls:
        assert bodies[body]["contentDirection"] == "Incoming"
    names = [i["displayName"] for i in data.identities]
    assert "[bold]Eve[/bold]" in names
    assert any("\u202e" in name for name in names)


def test_small_inboxes_are_complete_and_consistent() -> None:
    for size in (0, 1, 2, 10, 49):
        data = generate(contents=size)
        assert len(data.contents) == size
        assert {ch["type"] for ch in data.channels} == set(CHANNELS)
        known = {i["id"] for i in data.identities}
        assert all(c["authorIdentityId"] in known for c in data.contents)


def test_large_inbox_has_exactly_the_requested_contents_with_unique_ids() -> None:
    data = generate(contents=100_000)
    assert len(data.contents) == 100_000
    assert len({c["id"] for c in data.contents}) == 100_000
    assert len({c["threadId"] for c in data.contents}) > 15_000
    assert len(data.identities) > 15_000
    assert data.contents[0]["creationTime"] <= data.contents[-1]["creationTime"]


# -- helpers other modules call -----------------------------------------------------------------


def test_object_id_is_24_lowercase_hex_and_follows_the_rng() -> None:
    ids = [seed.object_id(random.Random(5)) for _ in range(2)]
    assert ids[0] == ids[1] and HEX24.match(ids[0])
    assert seed.object_id(random.Random(6)) != ids[0]


def test_isoformat_writes_utc_seconds_with_z() -> None:
    moment = datetime(2024, 9, 20, 16, 2, 11, 999_999, tzinfo=UTC)
    assert seed.isoformat(moment) == "2024-09-20T16:02:11Z"
    east = moment.astimezone(datetime.fromisoformat("2024-01-01T00:00:00+02:00").tzinfo)
    assert seed.isoformat(east) == "2024-09-20T16:02:11Z"
    assert seed.isoformat(datetime(2024, 9, 20, 16, 2, 11)) == "2024-09-20T16:02:11Z"


@pytest.mark.parametrize("channel_type", [*CHANNELS, "SomeFutureChannel"])
def test_inbound_body_is_fresh_text_within_the_channel_limit(channel_type: str) -> None:
    rng = random.Random(11)
    bodies = [seed.inbound_body(rng, channel_type) for _ in range(40)]
    assert all(0 < len(b) <= channel_info(channel_type).max_body for b in bodies)
    assert len(set(bodies)) > 10
    assert not any(is_hostile(b) for b in bodies)


def test_customer_identity_is_a_new_customer_on_that_channel(demo: SeedData) -> None:
    now = datetime(2027, 1, 1, 8, 30, tzinfo=UTC)
    known = {i["id"] for i in demo.identities}
    for channel in demo.channels:
        identity = seed.customer_identity(random.Random(channel["id"]), channel, now)
        assert identity.keys() >= IDENTITY_FIELDS
        assert identity["id"] not in known
        assert identity["type"] == channel_info(channel["type"]).identity_type
        assert identity["identityType"] == "Customer" and identity["userIds"] == []
        assert identity["creationTime"] == identity["lastModifiedTime"] == "2027-01-01T08:30:00Z"
        assert int(identity["id"][:8], 16) == int(now.timestamp())
        json.dumps(identity)
