"""Turning every error answer (documented, legacy, OAuth, garbage) into one clear line."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcinbox.api.errors import (
    PLAIN_WORDS,
    APIError,
    BadRequest,
    Forbidden,
    InvalidGrant,
    MalformedResponse,
    NotFound,
    OAuthError,
    RateLimited,
    RCError,
    ServerError,
    TransportError,
    Unauthorized,
    Unprocessable,
    error_from_response,
)

AGENT_CODES = [
    "EDI-019", "EDI-021", "EDI-022", "EDI-016", "EDI-003", "EDI-012", "EDI-029", "EDI-032",
    "EDI-038", "EDI-034", "CMN-301", "OAU-128", "OAU-129", "AGW-401", "AGW-402", "EDI-025",
]  # fmt: skip


def body(data: object) -> bytes:
    return json.dumps(data).encode()


def test_documented_error_list_gives_code_plain_words_and_request_id() -> None:
    error = error_from_response(
        403,
        body(
            {
                "errors": [
                    {
                        "errorCode": "EDI-019",
                        "message": "Agent is not authorized to reply on this channel.",
                    }
                ]
            }
        ),
        {"RCRequestId": "5d1e2f30-aaaa"},
    )
    assert isinstance(error, Forbidden)
    assert error.code == "EDI-019"
    assert error.plain == "You may not reply on this channel."
    assert error.message == "Agent is not authorized to reply on this channel."
    assert error.request_id == "5d1e2f30-aaaa"
    assert str(error) == (
        "You may not reply on this channel. (EDI-019, HTTP 403, request 5d1e2f30-aaaa)"
    )


def test_validation_details_are_part_of_the_message() -> None:
    error = error_from_response(
        422,
        body(
            {
                "errors": [
                    {
                        "errorCode": "EDI-033",
                        "message": "[Content] cannot be saved",
                        "details": "Message cannot be blank",
                    }
                ]
            }
        ),
    )
    assert isinstance(error, Unprocessable)
    assert str(error) == "The message cannot be saved: Message cannot be blank (EDI-033, HTTP 422)"


def test_parameter_name_is_shown() -> None:
    error = error_from_response(
        400,
        body(
            {
                "errors": [
                    {"errorCode": "EDI-009", "message": "[to] is required", "parameterName": "to"}
                ]
            }
        ),
    )
    assert isinstance(error, BadRequest)
    assert "[to]" in str(error)


def test_legacy_top_level_error_and_retry_after() -> None:
    error = error_from_response(
        429,
        body({"errorCode": "CMN-301", "message": "Request rate exceeded"}),
        {"Retry-After": "60", "X-Rate-Limit-Group": "light"},
    )
    assert isinstance(error, RateLimited)
    assert error.code == "CMN-301"
    assert error.retry_after == 60.0
    assert "retry in 60 s" in str(error)


def test_rate_limit_without_retry_after_waits_at_least_thirty_seconds() -> None:
    error = error_from_response(429, b"")
    assert isinstance(error, RateLimited)
    assert error.retry_after >= 30


def test_retry_after_may_be_an_http_date() -> None:
    error = error_from_response(429, b"", {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert isinstance(error, RateLimited)
    assert error.retry_after == 0.0  # a date in the past: no wait left


def test_oauth_body_keeps_rfc_fields_and_rc_code() -> None:
    error = error_from_response(
        401,
        body(
            {
                "error": "invalid_client",
                "error_description": "Client authentication is required",
                "errors": [
                    {"errorCode": "OAU-123", "message": "Client authentication is required"}
                ],
            }
        ),
    )
    assert isinstance(error, OAuthError) and not isinstance(error, InvalidGrant)
    assert (error.error, error.code) == ("invalid_client", "OAU-123")
    assert error.error_description == "Client authentication is required"
    assert str(error).startswith(PLAIN_WORDS["invalid_client"])
    assert "invalid_client/OAU-123" in str(error)


def test_invalid_grant_asks_the_user_to_log_in_again() -> None:
    error = error_from_response(
        400, body({"error": "invalid_grant", "error_description": "Token is expired"})
    )
    assert isinstance(error, InvalidGrant)
    assert "log in again" in str(error)
    assert "Token is expired" in str(error)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (422, Unprocessable),
        (429, RateLimited),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (409, APIError),
    ],
)
def test_status_picks_the_error_class(status: int, kind: type) -> None:
    error = error_from_response(status, b"")
    assert type(error) is kind
    assert isinstance(error, RCError)
    assert f"HTTP {status}" in str(error)


@pytest.mark.parametrize(
    "garbage",
    [
        b"<html><body><h1>502 Bad Gateway</h1>\n<hr>nginx</body></html>",
        b'{"errors": [{"errorCode": "EDI-0',
        b"",
        b"null",
        b"[1, 2]",
        b'"just a string"',
        b'{"errors": "nope"}',
        b'{"errors": [null, 3, "x", {}]}',
        b'{"errors": [{"errorCode": 42, "message": {"nested": true}}]}',
        b"\xff\xfe\x00garbage",
    ],
)
def test_garbage_bodies_still_give_a_clear_error(garbage: bytes) -> None:
    error = error_from_response(502, garbage, {"RCRequestId": "r-1"})
    assert isinstance(error, ServerError)
    text = str(error)
    assert "HTTP 502" in text and "request r-1" in text
    assert "\n" not in text and "<html>" not in text


def test_hostile_server_text_cannot_break_the_line() -> None:
    error = error_from_response(
        400, body({"errors": [{"errorCode": "XYZ-1", "message": "bad\n\x1b[31mred\r\u202eevil"}]})
    )
    text = str(error)
    assert "\n" not in text and "\r" not in text and "\x1b" not in text and "\u202e" not in text
    assert "bad" in text and "red" in text


def test_very_long_server_messages_are_capped() -> None:
    error = error_from_response(400, body({"errors": [{"message": "x" * 10_000}]}))
    assert len(str(error)) < 400


@pytest.mark.parametrize("code", AGENT_CODES)
def test_known_codes_read_in_plain_words(code: str) -> None:
    error = error_from_response(400, body({"errors": [{"errorCode": code, "message": "m"}]}))
    assert error.plain == PLAIN_WORDS[code]
    assert str(error).startswith(PLAIN_WORDS[code].rstrip("."))
    assert code in str(error)


def test_unknown_code_falls_back_to_the_server_message() -> None:
    error = error_from_response(
        403, body({"errors": [{"errorCode": "EDI-999", "message": "Something new"}]})
    )
    assert error.plain == "Something new"
    assert str(error) == "Something new (EDI-999, HTTP 403)"


def test_headers_are_read_case_insensitively_from_a_plain_dict() -> None:
    error = error_from_response(404, b"", {"rcrequestid": "abc"})
    assert error.request_id == "abc"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=100, max_value=599), st.binary(max_size=200))
def test_any_bytes_give_an_error_without_raising(status: int, raw: bytes) -> None:
    error = error_from_response(status, raw, {"Retry-After": "soon"})
    assert isinstance(error, APIError)
    assert "\n" not in str(error)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["errors", "errorCode", "message", "error", "error_description"]),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda c: (
                st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=12), c, max_size=3)
            ),
            max_leaves=10,
        ),
    )
)
def test_any_json_error_body_gives_an_error_without_raising(data: dict) -> None:
    error = error_from_response(400, body(data))
    assert isinstance(error, APIError)
    assert "\n" not in str(error)


def test_transport_and_malformed_errors_are_one_line_rc_errors() -> None:
    lost = TransportError("No answer\nfrom server", request_sent=True)
    assert isinstance(lost, RCError) and lost.request_sent and "\n" not in str(lost)
    broken = MalformedResponse("unreadable", status=200, request_id="r-9")
    assert isinstance(broken, RCError)
    assert str(broken) == "unreadable (HTTP 200, request r-9)"
    assert broken.status == 200
