"""The emulator's OAuth: every grant, rotation, revocation and the gateway's bearer checks."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rcinbox.emulator import Emulator

CLIENT = ("rcinbox-demo", "rcinbox-demo-secret")
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
REDIRECT = "http://127.0.0.1:53682/callback"
CONTENTS = "/cx/social-messaging/v1/contents"


def token(emulator: Emulator, data: dict, auth: tuple[str, str] | None = CLIENT) -> httpx.Response:
    return httpx.post(f"{emulator.url}/restapi/oauth/token", data=data, auth=auth)


def jwt_token(emulator: Emulator) -> dict:
    response = token(emulator, {"grant_type": JWT_GRANT, "assertion": "rcinbox-demo-jwt"})
    assert response.status_code == 200
    return response.json()


def get_contents(emulator: Emulator, authorization: str | None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return httpx.get(f"{emulator.url}{CONTENTS}", params={"perPage": 1}, headers=headers)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(emulator: Emulator, **params: str) -> httpx.Response:
    query = {"response_type": "code", "client_id": "rcinbox-demo", "redirect_uri": REDIRECT}
    query.update(params)
    return httpx.get(f"{emulator.url}/restapi/oauth/authorize", params=query)


def code_from(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def error_code(response: httpx.Response) -> str:
    return response.json()["errors"][0]["errorCode"]


# ------------------------------------------------------------------------------ JWT grant


def test_jwt_grant_issues_a_complete_token_response(emulator: Emulator) -> None:
    response = token(emulator, {"grant_type": JWT_GRANT, "assertion": "rcinbox-demo-jwt"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["scope"] == "SocialMessaging"
    assert body["owner_id"] == emulator.owner_id
    assert body["expires_in"] == 3600 and body["refresh_token_expires_in"] == 604800
    assert body["access_token"] != body["refresh_token"]
    assert body["endpoint_id"] and body["session_id"]
    assert response.headers["X-Rate-Limit-Group"] == "auth"
    assert emulator.stats.grants[JWT_GRANT] == 1
    assert get_contents(emulator, f"Bearer {body['access_token']}").status_code == 200


def test_token_endpoint_refuses_missing_or_wrong_client_credentials(emulator: Emulator) -> None:
    grant = {"grant_type": JWT_GRANT, "assertion": "rcinbox-demo-jwt"}
    missing = token(emulator, grant, auth=None)
    assert missing.status_code == 401
    assert missing.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication is required",
        "errors": [{"errorCode": "OAU-123", "message": "Client authentication is required"}],
    }
    wrong = token(emulator, grant, auth=("rcinbox-demo", "guessed-secret"))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert error_code(wrong) == "OAU-146"
    assert "guessed-secret" not in wrong.text
    garbled = httpx.post(
        f"{emulator.url}/restapi/oauth/token",
        data=grant,
        headers={"Authorization": "Basic %%%not-base64"},
    )
    assert garbled.status_code == 401 and error_code(garbled) == "OAU-123"
    assert emulator.stats.grants[JWT_GRANT] == 0


def test_wrong_or_missing_jwt_and_unknown_grants_are_refused(emulator: Emulator) -> None:
    wrong = token(emulator, {"grant_type": JWT_GRANT, "assertion": "stolen-jwt-credential"})
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant" and error_code(wrong) == "OAU-140"
    assert "stolen-jwt-credential" not in wrong.text
    missing = token(emulator, {"grant_type": JWT_GRANT})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    unknown = token(emulator, {"grant_type": "client_credentials"})
    assert unknown.status_code == 400 and unknown.json()["error"] == "unsupported_grant_type"
    no_grant = token(emulator, {})
    assert no_grant.status_code == 400 and no_grant.json()["error"] == "invalid_request"


# ------------------------------------------------------------------------------ refresh


def test_refresh_rotates_both_tokens_and_kills_the_old_ones(emulator: Emulator) -> None:
    first = jwt_token(emulator)
    refreshed = token(
        emulator, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert refreshed.status_code == 200
    second = refreshed.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["session_id"] == first["session_id"]
    old_access = get_contents(emulator, f"Bearer {first['access_token']}")
    assert old_access.status_code == 401 and error_code(old_access) == "OAU-129"
    reused = token(
        emulator, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert get_contents(emulator, f"Bearer {second['access_token']}").status_code == 200
    assert emulator.stats.grants["refresh_token"] == 1


def test_expired_tokens_are_told_apart_from_unknown_ones(
    make_emulator: Callable[..., Emulator],
) -> None:
    emulator = make_emulator(access_token_ttl=1, refresh_token_ttl=1)
    issued = jwt_token(emulator)
    assert issued["expires_in"] == 1
    time.sleep(1.05)
    expired = get_contents(emulator, f"Bearer {issued['access_token']}")
    assert expired.status_code == 401
    assert expired.json()["errorCode"] == "OAU-128"
    assert expired.json()["errors"][0] == {
        "errorCode": "OAU-128",
        "message": "Access token expired",
    }
    stale = token(
        emulator, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    )
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"


# ------------------------------------------------------------------------------ authorization code


def test_pkce_s256_code_flow_for_a_public_client(emulator: Emulator) -> None:
    verifier, challenge = pkce_pair()
    answer = code_from(
        authorize(emulator, state="xyz", code_challenge=challenge, code_challenge_method="S256")
    )
    assert answer["state"] == "xyz" and answer["expires_in"] == "60"
    exchange = {
        "grant_type": "authorization_code",
        "code": answer["code"],
        "redirect_uri": REDIRECT,
        "client_id": "rcinbox-demo",
        "code_verifier": verifier,
    }
    granted = token(emulator, exchange, auth=None)
    assert granted.status_code == 200
    session = granted.json()
    assert get_contents(emulator, f"Bearer {session['access_token']}").status_code == 200
    replay = token(emulator, exchange, auth=None)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # A public session refreshes with its client id alone.
    refreshed = token(
        emulator,
        {
            "grant_type": "refresh_token",
            "refresh_token": session["refresh_token"],
            "client_id": "rcinbox-demo",
        },
        auth=None,
    )
    assert refreshed.status_code == 200
    assert emulator.stats.grants["authorization_code"] == 1


def test_wrong_pkce_verifier_is_refused(emulator: Emulator) -> None:
    _, challenge = pkce_pair()
    answer = code_from(authorize(emulator, code_challenge=challenge, code_challenge_method="S256"))
    wrong_verifier, _ = pkce_pair()
    refused = token(
        emulator,
        {
            "grant_type": "authorization_code",
            "code": answer["code"],
            "redirect_uri": REDIRECT,
            "client_id": "rcinbox-demo",
            "code_verifier": wrong_verifier,
        },
        auth=None,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert emulator.stats.grants["authorization_code"] == 0


def test_pkce_method_defaults_to_plain(emulator: Emulator) -> None:
    verifier = secrets.token_urlsafe(48)
    answer = code_from(authorize(emulator, code_challenge=verifier))
    exchange = {
        "grant_type": "authorization_code",
        "code": answer["code"],
        "redirect_uri": REDIRECT,
        "client_id": "rcinbox-demo",
        "code_verifier": verifier,
    }
    assert token(emulator, exchange, auth=None).status_code == 200


def test_code_needs_the_same_redirect_uri_and_a_secret_without_pkce(emulator: Emulator) -> None:
    moved = code_from(authorize(emulator))
    mismatch = token(
        emulator,
        {
            "grant_type": "authorization_code",
            "code": moved["code"],
            "redirect_uri": "http://127.0.0.1:9999/other",
        },
    )
    assert mismatch.status_code == 400 and mismatch.json()["error"] == "invalid_grant"
    plain = code_from(authorize(emulator))
    exchange = {
        "grant_type": "authorization_code",
        "code": plain["code"],
        "redirect_uri": REDIRECT,
        "client_id": "rcinbox-demo",
    }
    no_secret = token(emulator, exchange, auth=None)
    assert no_secret.status_code == 401 and error_code(no_secret) == "OAU-123"
    confidential = code_from(authorize(emulator))
    exchange["code"] = confidential["code"]
    assert token(emulator, exchange).status_code == 200


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        "http://192.168.1.5:8080/callback",
        "http://localhost.evil.example/callback",
        "ftp://127.0.0.1/callback",
        "not a url",
    ],
)
def test_authorize_redirects_only_to_loopback(emulator: Emulator, redirect_uri: str) -> None:
    response = authorize(emulator, redirect_uri=redirect_uri)
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "redirect_uri",
    ["http://localhost:8000/cb", "http://[::1]:8000/cb", "http://127.0.0.1/cb?keep=1"],
)
def test_authorize_accepts_every_loopback_form(emulator: Emulator, redirect_uri: str) -> None:
    response = authorize(emulator, redirect_uri=redirect_uri)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(redirect_uri)


def test_authorize_checks_response_type_client_and_method(emulator: Emulator) -> None:
    assert authorize(emulator, response_type="token").status_code == 400
    assert authorize(emulator, client_id="someone-else").status_code == 400
    assert (
        authorize(emulator, code_challenge="x" * 43, code_challenge_method="S512").status_code
        == 400
    )


# ------------------------------------------------------------------------------ revoke


@pytest.mark.parametrize("where", ["body", "query"])
def test_revoke_ends_the_whole_session(emulator: Emulator, where: str) -> None:
    issued = jwt_token(emulator)
    other = jwt_token(emulator)
    url = f"{emulator.url}/restapi/oauth/revoke"
    if where == "body":
        response = httpx.post(url, data={"token": issued["access_token"]}, auth=CLIENT)
    else:
        response = httpx.post(url, params={"token": issued["access_token"]}, auth=CLIENT)
    assert response.status_code == 200
    assert get_contents(emulator, f"Bearer {issued['access_token']}").status_code == 401
    refused = token(
        emulator, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    )
    assert refused.status_code == 400
    assert get_contents(emulator, f"Bearer {other['access_token']}").status_code == 200


# ------------------------------------------------------------------------------ bearer checks


def test_gateway_bearer_checks_answer_in_both_error_shapes(emulator: Emulator) -> None:
    access = jwt_token(emulator)["access_token"]
    missing = get_contents(emulator, None)
    assert missing.status_code == 401
    assert missing.json()["errorCode"] == "AGW-401"
    assert missing.json()["errors"][0]["errorCode"] == "AGW-401"
    wrong_scheme = get_contents(emulator, f"Basic {access}")
    assert wrong_scheme.status_code == 401 and error_code(wrong_scheme) == "AGW-402"
    empty = get_contents(emulator, "Bearer")
    assert empty.status_code == 401 and error_code(empty) == "AGW-402"
    unknown = get_contents(emulator, "Bearer made-up-token")
    assert unknown.status_code == 401
    assert unknown.json()["errorCode"] == "OAU-129"
    assert "made-up-token" not in unknown.text
    assert get_contents(emulator, f"bearer {access}").status_code == 200
    assert get_contents(emulator, f"BEARER   {access}").status_code == 200
    for answer in (missing, wrong_scheme, unknown):
        assert answer.headers["RCRequestId"]
