"""Attachment downloads on the emulator: signed links that expire, the bytes behind them."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rcinbox.emulator import Emulator
from rcinbox.emulator.files import file_bytes


def specimen_message(emulator: Emulator) -> dict:
    """The seeded customer message carrying the specimen files."""
    found = [
        c
        for c in emulator.contents_where(channelType="WhatsApp")
        if any(a["filename"] == "../../etc/passwd" for a in c["attachments"])
    ]
    assert len(found) == 1
    return found[0]


def test_a_fresh_link_serves_exactly_the_declared_bytes(emulator: Emulator) -> None:
    attachment = specimen_message(emulator)["attachments"][0]
    assert attachment["uri"].startswith(f"{emulator.url}/files/attachments/{attachment['id']}?")
    response = httpx.get(attachment["uri"])
    assert response.status_code == 200
    assert len(response.content) == attachment["size"]
    assert response.headers["Content-Type"] == attachment["contentType"]
    expected = b"".join(file_bytes(1, attachment["id"], attachment["contentType"], 1907))
    assert response.content == expected


def test_each_presentation_signs_the_link_afresh_and_the_store_keeps_the_tenant_uri(
    emulator: Emulator,
) -> None:
    message = specimen_message(emulator)
    emulator.expire_attachment_links()
    again = emulator.content(message["id"])
    assert again is not None
    old, new = message["attachments"][0]["uri"], again["attachments"][0]["uri"]
    assert old != new
    assert httpx.get(old).status_code == 403
    assert httpx.get(new).status_code == 200


def test_an_expired_link_is_refused_with_403(emulator: Emulator) -> None:
    uri = specimen_message(emulator)["attachments"][1]["uri"]
    emulator.expire_attachment_links()
    response = httpx.get(uri)
    assert response.status_code == 403
    assert "expired" in response.json()["message"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda q: {**q, "signature": ["0" * 64]},
        lambda q: {**q, "expires": [str(int(q["expires"][0]) + 3600)]},
        lambda q: {"expires": q["expires"]},
        lambda q: {**q, "expires": ["soon"]},
    ],
    ids=["signature", "later-expiry", "no-signature", "not-a-number"],
)
def test_a_tampered_link_is_refused_with_403(
    emulator: Emulator, tamper: Callable[[dict], dict]
) -> None:
    parts = urlsplit(specimen_message(emulator)["attachments"][0]["uri"])
    query = tamper(parse_qs(parts.query))
    response = httpx.get(f"{emulator.url}{parts.path}", params={k: v[0] for k, v in query.items()})
    assert response.status_code == 403


def test_a_link_signed_for_one_file_does_not_open_another(emulator: Emulator) -> None:
    first, second = specimen_message(emulator)["attachments"][:2]
    query = urlsplit(first["uri"]).query
    response = httpx.get(f"{emulator.url}/files/attachments/{second['id']}?{query}")
    assert response.status_code == 403


def test_a_link_from_another_emulator_is_refused(
    make_emulator: Callable[..., Emulator],
) -> None:
    one, other = make_emulator(), make_emulator()
    uri = specimen_message(one)["attachments"][0]["uri"]
    assert httpx.get(uri.replace(one.url, other.url)).status_code == 403


def test_a_download_carrying_a_bearer_token_is_refused(emulator: Emulator) -> None:
    uri = specimen_message(emulator)["attachments"][0]["uri"]
    response = httpx.get(uri, headers={"Authorization": "Bearer abc"})
    assert response.status_code == 400


def test_a_lying_server_sends_more_than_it_declared(emulator: Emulator) -> None:
    attachment = specimen_message(emulator)["attachments"][0]
    emulator.serve_attachment_as(attachment["id"], attachment["size"] + 500)
    response = httpx.get(attachment["uri"])
    assert len(response.content) == attachment["size"] + 500


def test_the_specimen_files_are_hostile_names_and_one_large_file(emulator: Emulator) -> None:
    attachments = specimen_message(emulator)["attachments"]
    names = [a["filename"] for a in attachments]
    assert any("/" in n for n in names) and any("\\" in n for n in names)
    assert any("\u202e" in n and "\x1b" in n and "\x00" in n for n in names)
    assert max(a["size"] for a in attachments) > 10_000_000
