"""Listing and reading identities on the emulator: filters in both generations, order, pages."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from rcinbox.emulator import Emulator

IDENTITIES = "/cx/social-messaging/v1/identities"


@pytest.fixture
def client(make_emulator: Callable[..., Emulator], api_for: Callable) -> httpx.Client:
    return api_for(make_emulator(rate_limit=100_000))


@pytest.fixture
def everyone(client: httpx.Client) -> list[dict]:
    return collect(client)


def collect(client: httpx.Client, **params: object) -> list[dict]:
    records: list[dict] = []
    params.setdefault("perPage", 1000)
    while True:
        response = client.get(IDENTITIES, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        records.extend(body["records"])
        if "nextPageToken" not in body["paging"]:
            return records
        params["pageToken"] = body["paging"]["nextPageToken"]


def ids(records: list[dict]) -> set[str]:
    return {record["id"] for record in records}


def test_paging_through_identities_is_exact_and_newest_first(client: httpx.Client) -> None:
    small_pages = collect(client, perPage=97)
    assert len(small_pages) == len(ids(small_pages)) >= 400
    keys = [(i["creationTime"], i["id"]) for i in small_pages]
    assert keys == sorted(keys, reverse=True)
    oldest_first = collect(client, orderBy="+lastModifiedTime")
    stamps = [(i["lastModifiedTime"], i["id"]) for i in oldest_first]
    assert stamps == sorted(stamps)
    assert ids(oldest_first) == ids(small_pages)


def test_identity_type_and_user_id_find_the_agents(
    everyone: list[dict], client: httpx.Client
) -> None:
    agents = collect(client, identityType="Agent")
    customers = collect(client, identityType="Customer")
    assert agents and all(i["identityType"] == "Agent" and i["userIds"] for i in agents)
    assert customers and all(
        i["identityType"] == "Customer" and not i["userIds"] for i in customers
    )
    assert len(agents) + len(customers) == len(everyone)
    user_id = agents[0]["userIds"][0]
    theirs = collect(client, userId=user_id)
    assert theirs and all(user_id in i["userIds"] for i in theirs)
    assert client.get(IDENTITIES, params={"identityType": "Robot"}).status_code == 400


@pytest.mark.parametrize("name", ["channelId", "sourceId"])
def test_channel_filter_in_both_generations(
    make_emulator: Callable[..., Emulator], api_for: Callable, name: str
) -> None:
    emulator = make_emulator(rate_limit=100_000)
    client = api_for(emulator)
    sample = emulator.contents_where(contentDirection="Incoming")[0]
    on_channel = collect(client, **{name: sample["channelId"]})
    authors = {
        c["authorIdentityId"] for c in emulator.contents_where(channelId=sample["channelId"])
    }
    assert authors <= ids(on_channel)
    assert any(i["identityType"] == "Agent" for i in on_channel)
    assert len(on_channel) < len(collect(client))


@pytest.mark.parametrize("name", ["identityGroupIds", "identityGroupId"])
def test_identity_group_filter_takes_commas_and_repeats(
    everyone: list[dict], client: httpx.Client, name: str
) -> None:
    groups = sorted({i["identityGroupId"] for i in everyone if i["identityType"] == "Customer"})[:2]
    expected = {i["id"] for i in everyone if i["identityGroupId"] in groups}
    assert ids(collect(client, **{name: ",".join(groups)})) == expected
    assert ids(collect(client, **{name: groups})) == expected


def test_uuid_filter_finds_one(everyone: list[dict], client: httpx.Client) -> None:
    wanted = everyone[5]
    assert [i["id"] for i in collect(client, uuid=wanted["uuid"])] == [wanted["id"]]
    assert collect(client, uuid="9680ab94-3b78-495c-bb2c-a969954d8260") == []


def test_get_identity_by_id(everyone: list[dict], client: httpx.Client) -> None:
    wanted = everyone[0]
    assert client.get(f"{IDENTITIES}/{wanted['id']}").json() == wanted
    missing = client.get(f"{IDENTITIES}/0123456789abcdef01234567")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["errorCode"] == "EDI-029"
    invalid = client.get(f"{IDENTITIES}/{'z' * 30}")
    assert invalid.status_code == 404
    assert invalid.json()["errors"][0]["errorCode"] == "EDI-032"


def test_identity_list_checks_paging_parameters(client: httpx.Client) -> None:
    assert (
        client.get(IDENTITIES, params={"perPage": 0}).json()["errors"][0]["errorCode"] == "EDI-038"
    )
    assert client.get(IDENTITIES, params={"pageToken": "%%"}).status_code == 422
    assert client.get(IDENTITIES, params={"orderBy": "name"}).status_code == 400
    clamped = client.get(IDENTITIES, params={"perPage": 99999}).json()
    assert clamped["paging"]["perPage"] == 1000


def test_new_customers_appear_in_the_identity_list(
    make_emulator: Callable[..., Emulator], api_for: Callable
) -> None:
    emulator = make_emulator(rate_limit=100_000)
    client = api_for(emulator)
    written = emulator.add_inbound()
    newest = client.get(IDENTITIES, params={"perPage": 1}).json()["records"][0]
    assert newest["id"] == written["authorIdentityId"]
    assert newest["identityType"] == "Customer"
    on_channel = collect(client, channelId=written["channelId"])
    assert written["authorIdentityId"] in ids(on_channel)
