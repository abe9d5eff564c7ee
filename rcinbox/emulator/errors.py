"""The error answers the emulator gives, in the three shapes the real platform uses.

* Social messaging (``EDI-0xx``): ``{"errors": [{"errorCode", "message", ...}]}`` as in the
  spec's examples.
* Platform (gateway ``AGW-``, bearer ``OAU-``, ``CMN-``, ``SUB-``): the same ``errors`` list plus
  the legacy top-level ``errorCode``/``message`` that many RingCentral answers repeat.
* OAuth token endpoint: RFC 6749 ``error``/``error_description`` plus ``errors``, as RingCentral's
  token endpoint answers.

Handlers raise ``ApiError``; the server turns it into an answer. Messages never include secrets
(tokens, client secrets, JWT credentials), only the names of the parameters at fault.
"""

from __future__ import annotations

from typing import Any, Literal

Shape = Literal["edi", "platform", "oauth"]


class ApiError(Exception):
    """An error answer: HTTP status, RingCentral error code and message, in one of three shapes."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        shape: Shape = "edi",
        details: str | None = None,
        parameter: str | None = None,
        oauth_error: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.shape: Shape = shape
        self.details = details
        self.parameter = parameter
        self.oauth_error = oauth_error
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"errorCode": self.code, "message": self.message}
        if self.details is not None:
            entry["details"] = self.details
        if self.parameter is not None:
            entry["parameterName"] = self.parameter
        if self.shape == "oauth":
            return {
                "error": self.oauth_error or "invalid_request",
                "error_description": self.message,
                "errors": [entry],
            }
        if self.shape == "platform":
            return {"errorCode": self.code, "message": self.message, "errors": [entry]}
        return {"errors": [entry]}


def edi(
    status: int,
    code: str,
    message: str,
    *,
    details: str | None = None,
    parameter: str | None = None,
) -> ApiError:
    """A social-messaging error (``EDI-0xx``)."""
    return ApiError(status, code, message, details=details, parameter=parameter)


def platform(
    status: int,
    code: str,
    message: str,
    *,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
) -> ApiError:
    """A platform error with both the ``errors`` list and the legacy top-level fields."""
    return ApiError(status, code, message, shape="platform", parameter=parameter, headers=headers)


def oauth(status: int, error: str, code: str, message: str) -> ApiError:
    """A token-endpoint error (RFC 6749 fields plus ``errors``)."""
    return ApiError(status, code, message, shape="oauth", oauth_error=error)


def not_found() -> ApiError:
    return edi(404, "EDI-029", "Resource not found")


def invalid_id(value: str) -> ApiError:
    return edi(404, "EDI-032", f"Invalid id: [{value}]")


def invalid_param(name: str) -> ApiError:
    return edi(400, "EDI-038", f'"[{name}]" param is invalid', parameter=name)


def invalid_value(name: str, details: str) -> ApiError:
    return edi(400, "EDI-031", "Invalid value", details=details, parameter=name)


def internal_error() -> ApiError:
    return platform(500, "CMN-500", "Internal server error")
