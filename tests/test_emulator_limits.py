"""Rate limits on the emulator: headers on every answer, 429 + Retry-After, the penalty rule."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import httpx

from rcinbox.emulator import Emulator

CONTENTS = "/cx/social-messaging/v1/contents"
CLIENT = ("rcinbox-demo", "rcinbox-demo-secret")
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def grant(emulator: Emulator) -> httpx.Response:
    return httpx.post(
        f"{emulator.url}/restapi/oauth/token",
        auth=CLIENT,
        data={"grant_type": JWT_GRANT, "assertion": "rcinbox-demo-jwt"},
    )


def test_every_answer_carries_request_id_and_budget_headers(
    emulator: Emulator, api: httpx.Client
) -> None:
    ok = api.get(CONTENTS, params={"perPage": 1})
    missing = api.get(f"{CONTENTS}/0123456789abcdef01234567")
    unknown_path = api.get("/cx/social-messaging/v1/threads")
    for response in (ok, missing, unknown_path):
        uuid.UUID(response.headers["RCRequestId"])
        assert response.headers["X-Rate-Limit-Group"] == "light"
        assert response.headers["X-Rate-Limit-Limit"] == "50"
        assert response.headers["X-Rate-Limit-Window"] == "60"
    assert ok.headers["X-Rate-Limit-Remaining"] == "49"
    assert missing.headers["X-Rate-Limit-Remaining"] == "48"
    assert ok.headers["RCRequestId"] != missing.headers["RCRequestId"]
    subscriptions = api.get("/restapi/v1.0/subscription")
    assert subscriptions.headers["X-Rate-Limit-Group"] == "medium"
    assert subscriptions.headers["X-Rate-Limit-Limit"] == "40"
    assert grant(emulator).headers["X-Rate-Limit-Group"] == "auth"


def test_light_budget_ends_in_429_with_retry_after(
    make_emulator: Callable[..., Emulator], api_for: Callable
) -> None:
    emulator = make_emulator(rate_limit=3, rate_window=30)
    client = api_for(emulator)
    remaining = [client.get(CONTENTS).headers["X-Rate-Limit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = client.get(CONTENTS)
    assert refused.status_code == 429
    assert refused.json() == {
        "errorCode": "CMN-301",
        "message": "Request rate exceeded",
        "errors": [{"errorCode": "CMN-301", "message": "Request rate exceeded"}],
    }
    assert refused.headers["Retry-After"] == "30"
    assert refused.headers["X-Rate-Limit-Remaining"] == "0"
    assert refused.headers["X-Rate-Limit-Group"] == "light"
    assert emulator.stats.rate_limited == 1
    assert emulator.stats.requests["GET /contents"] == 4


def test_each_request_during_the_penalty_restarts_it(
    make_emulator: Callable[..., Emulator], api_for: Callable
) -> None:
    emulator = make_emulator(rate_limit=2, rate_window=30, penalty=0.5)
    client = api_for(emulator)
    client.get(CONTENTS)
    client.get(CONTENTS)
    started = time.monotonic()
    first = client.get(CONTENTS)
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    time.sleep(max(0, started + 0.3 - time.monotonic()))
    assert client.get(CONTENTS).status_code == 429
    # Past the first penalty's end: refused only because the last request restarted it.
    time.sleep(max(0, started + 0.65 - time.monotonic()))
    assert client.get(CONTENTS).status_code == 429
    time.sleep(0.6)
    recovered = client.get(CONTENTS)
    assert recovered.status_code == 200
    assert recovered.headers["X-Rate-Limit-Remaining"] == "1"
    assert emulator.stats.rate_limited == 3


def test_window_slides_and_budgets_are_per_token(
    make_emulator: Callable[..., Emulator], api_for: Callable
) -> None:
    emulator = make_emulator(rate_limit=2, rate_window=1)
    spent, fresh = api_for(emulator), api_for(emulator)
    assert [spent.get(CONTENTS).status_code for _ in range(2)] == [200, 200]
    assert fresh.get(CONTENTS).status_code == 200
    time.sleep(1.05)
    assert spent.get(CONTENTS).status_code == 200


def test_token_requests_are_limited_per_client_in_the_auth_group(
    make_emulator: Callable[..., Emulator],
) -> None:
    emulator = make_emulator(auth_rate_limit=2, rate_window=30)
    assert [grant(emulator).status_code for _ in range(2)] == [200, 200]
    refused = grant(emulator)
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Group"] == "auth"
    assert refused.headers["X-Rate-Limit-Limit"] == "2"
    assert emulator.stats.grants[JWT_GRANT] == 2
    other_client = httpx.post(
        f"{emulator.url}/restapi/oauth/token",
        data={"grant_type": JWT_GRANT, "assertion": "x"},
        auth=("another-app", "secret"),
    )
    assert other_client.status_code == 401  # its own budget: the credentials are what fail
