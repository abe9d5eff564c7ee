"""Listing and reading contents on the emulator: filters, aliases, order, pages and naming."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest

from rcinbox.emulator import Emulator

CONTENTS = "/cx/social-messaging/v1/contents"
ORDERS = {
    "-creationTime": ("creationTime", True),
    "creationTime": ("creationTime", True),
    "+creationTime": ("creationTime", False),
    "-lastModifiedTime": ("lastModifiedTime", True),
    "lastModifiedTime": ("lastModifiedTime", True),
    "+lastModifiedTime": ("lastModifiedTime", False),
}


@pytest.fixture
def roomy(make_emulator: Callable[..., Emulator]) -> Emulator:
    """An emulator whose rate budget never gets in the way of a test making many requests."""
    return make_emulator(rate_limit=100_000)


@pytest.fixture
def client(roomy: Emulator, api_for: Callable[[Emulator], httpx.Client]) -> httpx.Client:
    return api_for(roomy)


def page(client: httpx.Client, **params: object) -> dict:
    response = client.get(CONTENTS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def collect(client: httpx.Client, on_page: Callable[[], None] | None = None, **params) -> list:
    records: list[dict] = []
    params.setdefault("perPage", 1000)
    while True:
        body = page(client, **params)
        records.extend(body["records"])
        if on_page is not None:
            on_page()
        following = body["paging"].get("nextPageToken")
        if not following:
            return records
        params["pageToken"] = following


def ids(records: list[dict]) -> list[str]:
    return [record["id"] for record in records]


def error_of(response: httpx.Response) -> dict:
    return response.json()["errors"][0]


# ------------------------------------------------------------------------------ paging


def test_paging_through_every_content_has_no_duplicate_or_gap(
    roomy: Emulator, client: httpx.Client
) -> None:
    records = collect(client, perPage=137)
    expected = roomy.contents_where()
    assert len(records) == len(expected) == 2000
    assert ids(records) == ids(expected)[::-1]
    keys = [(r["creationTime"], r["id"]) for r in records]
    assert keys == sorted(keys, reverse=True)


def test_paging_object_describes_each_page(client: httpx.Client) -> None:
    first = page(client, perPage=1000)
    assert first["paging"]["perPage"] == 1000
    assert first["paging"]["pageToken"] and first["paging"]["firstPageToken"]
    last = page(client, perPage=1000, pageToken=first["paging"]["nextPageToken"])
    assert len(last["records"]) == 1000
    assert "nextPageToken" not in last["paging"]
    assert last["paging"]["firstPageToken"] == first["paging"]["firstPageToken"]
    again = page(client, perPage=1000, pageToken=first["paging"]["firstPageToken"])
    assert ids(again["records"]) == ids(first["records"])
    replay = page(client, perPage=1000, pageToken=last["paging"]["pageToken"])
    assert ids(replay["records"]) == ids(last["records"])


def test_paging_stays_exact_while_customers_write(roomy: Emulator, client: httpx.Client) -> None:
    before = set(ids(roomy.contents_where()))
    thread_id = roomy.contents_where()[-1]["threadId"]
    written: list[dict] = []

    def customers_write() -> None:
        written.append(roomy.add_inbound())
        written.append(roomy.add_inbound(thread_id))

    newest_first = collect(client, on_page=customers_write, perPage=150)
    assert len(newest_first) == len(set(ids(newest_first)))
    assert set(ids(newest_first)) == before
    # Oldest first, the new contents sort after every cursor, so they show up exactly once.
    oldest_first = collect(client, on_page=customers_write, perPage=500, orderBy="+creationTime")
    assert len(oldest_first) == len(set(ids(oldest_first)))
    assert before <= set(ids(oldest_first))
    assert set(ids(oldest_first)) - before <= {content["id"] for content in written}


def test_per_page_defaults_to_100_and_is_clamped_to_1000(client: httpx.Client) -> None:
    assert len(page(client)["records"]) == 100
    assert page(client)["paging"]["perPage"] == 100
    assert page(client, perPage="")["paging"]["perPage"] == 100
    clamped = page(client, perPage=5000)
    assert len(clamped["records"]) == 1000 and clamped["paging"]["perPage"] == 1000
    assert len(page(client, perPage=1)["records"]) == 1


@pytest.mark.parametrize("value", ["0", "-3", "abc", "1.5", "1e3"])
def test_bad_per_page_is_edi_038(client: httpx.Client, value: str) -> None:
    response = client.get(CONTENTS, params={"perPage": value})
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "EDI-038"
    assert error_of(response)["message"] == '"[perPage]" param is invalid'


def _token(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token",
    [
        "not a token at all!",
        base64.urlsafe_b64encode(b"\xff\xfe binary").decode(),
        _token(["a", "list"]),
        _token({"value": "yesterday", "id": "x", "orderBy": "-creationTime"}),
        _token({"value": 1.0, "id": 7, "orderBy": "-creationTime"}),
        _token({"value": 1.0, "id": "x", "orderBy": "sideways"}),
    ],
)
def test_malformed_page_token_is_invalid_offset(client: httpx.Client, token: str) -> None:
    response = client.get(CONTENTS, params={"pageToken": token})
    assert response.status_code == 422
    assert error_of(response)["errorCode"] == "EDI-034"
    assert error_of(response)["message"] == "Invalid offset"


def test_page_token_cannot_switch_order(client: httpx.Client) -> None:
    following = page(client, perPage=10)["paging"]["nextPageToken"]
    switched = client.get(CONTENTS, params={"pageToken": following, "orderBy": "+creationTime"})
    assert switched.status_code == 422
    same = client.get(CONTENTS, params={"pageToken": following, "orderBy": "creationTime"})
    assert same.status_code == 200


# ------------------------------------------------------------------------------ order


@pytest.mark.parametrize("order_by", list(ORDERS))
def test_every_order_by_sorts_all_pages(client: httpx.Client, order_by: str) -> None:
    field, descending = ORDERS[order_by]
    records = collect(client, perPage=700, orderBy=order_by)
    assert len(records) == 2000
    keys = [(r[field], r["id"]) for r in records]
    assert keys == sorted(keys, reverse=descending)


def test_unknown_order_by_is_refused_naming_the_parameter(client: httpx.Client) -> None:
    response = client.get(CONTENTS, params={"orderBy": "-rating"})
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "EDI-031"
    assert error_of(response)["parameterName"] == "orderBy"


# ------------------------------------------------------------------------------ filters


def test_every_filter_alias_gives_the_same_answer(roomy: Emulator, client: httpx.Client) -> None:
    sample = next(
        c for c in roomy.contents_where(contentDirection="Incoming") if c["firstInThread"]
    )
    cases = [
        (("channelIds", "source", "sourceIds"), sample["channelId"], "channelId"),
        (("authorIdentityIds", "identity"), sample["authorIdentityId"], "authorIdentityId"),
        (("authorIdentityGroupIds", "identityGroup"), sample["identityGroupId"], "identityGroupId"),
        (("threadIds", "thread"), sample["threadId"], "threadId"),
    ]
    for names, value, field in cases:
        expected = ids(roomy.contents_where(**{field: value}))[::-1]
        assert expected
        for name in names:
            assert ids(collect(client, **{name: value})) == expected, name
    for name in ("interventionIds", "intervention"):
        assert collect(client, **{name: "0123456789abcdef01234567"}) == []


def test_array_filters_take_repeated_keys_and_commas(roomy: Emulator, client: httpx.Client) -> None:
    channels = sorted({c["channelId"] for c in roomy.contents_where()})[:3]
    expected = sum(len(roomy.contents_where(channelId=c)) for c in channels)
    repeated = collect(client, channelIds=channels)
    joined = collect(client, channelIds=",".join(channels))
    mixed = collect(client, channelIds=channels[0], source=",".join(channels[1:]))
    assert len(repeated) == expected
    assert ids(joined) == ids(repeated) == ids(mixed)
    assert {c["channelId"] for c in repeated} == set(channels)


def test_filters_are_anded(roomy: Emulator, client: httpx.Client) -> None:
    channel = roomy.contents_where()[0]["channelId"]
    records = collect(client, channelIds=channel, status="New", contentDirection="Incoming")
    expected = roomy.contents_where(channelId=channel, status="New", contentDirection="Incoming")
    assert ids(records) == ids(expected)[::-1]


def test_status_values_are_ored_and_checked(roomy: Emulator, client: httpx.Client) -> None:
    new = collect(client, status="New")
    replied = collect(client, status="Replied")
    both = collect(client, status=["New", "Replied"])
    assert new and replied
    assert {c["status"] for c in both} == {"New", "Replied"}
    assert (
        len(both)
        == len(new) + len(replied)
        == len(roomy.contents_where(status="New")) + len(roomy.contents_where(status="Replied"))
    )
    assert len(collect(client, status="New,Replied")) == len(both)
    refused = client.get(CONTENTS, params={"status": "Lost"})
    assert refused.status_code == 400 and error_of(refused)["parameterName"] == "status"


def test_content_direction_splits_the_list(client: httpx.Client) -> None:
    incoming = collect(client, contentDirection="Incoming")
    outgoing = collect(client, contentDirection="Outgoing")
    assert {c["contentDirection"] for c in incoming} == {"Incoming"}
    assert {c["contentDirection"] for c in outgoing} == {"Outgoing"}
    assert len(incoming) + len(outgoing) == 2000
    assert client.get(CONTENTS, params={"contentDirection": "Sideways"}).status_code == 400


def test_text_search_is_case_insensitive_and_anded(roomy: Emulator, client: httpx.Client) -> None:
    sample = next(c for c in roomy.contents_where(channelType="Email") if c["title"])
    words = [w for w in sample["body"].split() if w.isalpha() and len(w) > 4][:2]
    assert len(words) == 2
    found = collect(client, text=[words[0].upper(), words[1].lower()])
    assert sample["id"] in ids(found)
    for record in found:
        haystack = f"{record['body']}\n{record['title'] or ''}".casefold()
        assert words[0].casefold() in haystack and words[1].casefold() in haystack
    by_alias = collect(client, texts=[words[0], words[1]])
    assert ids(by_alias) == ids(found)
    title_word = next(w for w in sample["title"].split() if len(w) > 3)
    assert sample["id"] in ids(collect(client, text=title_word))
    assert collect(client, text="zzqx-nothing-says-this") == []


def test_text_with_a_comma_is_one_phrase(roomy: Emulator, client: httpx.Client) -> None:
    with_comma = next(c for c in roomy.contents_where() if ", " in c["body"])
    phrase = with_comma["body"][: with_comma["body"].index(", ") + 4]
    found = collect(client, text=phrase)
    assert with_comma["id"] in ids(found)
    assert all(phrase.casefold() in r["body"].casefold() for r in found)


def test_unknown_and_empty_parameters_are_ignored(client: httpx.Client) -> None:
    plain = page(client, perPage=50)
    noisy = page(client, perPage=50, channelIds="", status="", colour="blue", sortedBy="x")
    assert ids(noisy["records"]) == ids(plain["records"])


# ------------------------------------------------------------------------------ read by id


def test_get_content_by_id_and_not_found_codes(client: httpx.Client) -> None:
    listed = page(client, perPage=3)["records"][2]
    fetched = client.get(f"{CONTENTS}/{listed['id']}")
    assert fetched.status_code == 200 and fetched.json() == listed
    missing = client.get(f"{CONTENTS}/0123456789abcdef01234567")
    assert missing.status_code == 404
    assert error_of(missing) == {"errorCode": "EDI-029", "message": "Resource not found"}
    invalid = client.get(f"{CONTENTS}/not-an-id")
    assert invalid.status_code == 404
    assert error_of(invalid) == {"errorCode": "EDI-032", "message": "Invalid id: [not-an-id]"}


# ------------------------------------------------------------------------------ naming


def test_channel_naming_is_the_default(client: httpx.Client) -> None:
    record = page(client, perPage=1)["records"][0]
    assert {"channelId", "channelType", "channelUri", "contentDirection", "firstInThread"} <= set(
        record
    )
    assert not {"sourceId", "sourceType", "sourceUri"} & set(record)
    assert set(record["bodyFormatted"]) == {"Text", "Html"}


def test_source_naming_generation(
    make_emulator: Callable[..., Emulator], api_for: Callable[[Emulator], httpx.Client]
) -> None:
    emulator = make_emulator(naming="source", rate_limit=1000)
    client = api_for(emulator)
    records = page(client, perPage=200)["records"]
    for record in records:
        assert {"sourceId", "sourceType", "sourceUri"} <= set(record)
        assert not {"channelId", "channelType", "channelUri"} & set(record)
        assert "contentDirection" not in record and "firstInThread" not in record
        assert set(record["bodyFormatted"]) == {"Text", "Html"}
    source_id = records[0]["sourceId"]
    for name in ("channelIds", "source", "sourceIds"):
        filtered = collect(client, **{name: source_id})
        assert filtered and {r["sourceId"] for r in filtered} == {source_id}
    fetched = client.get(f"{CONTENTS}/{records[0]['id']}").json()
    assert fetched == records[0]
    assert emulator.content(records[0]["id"]) == records[0]
