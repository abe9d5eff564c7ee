"""The RingCentral Social Messaging HTTP client: models, errors, OAuth, rate budget, client.

Import-light on purpose: every name loads its module on first use, so code that needs one piece
(the emulator needs only the channel table) does not pay for httpx or asyncio. Everything here
is headless and must never import textual.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rcinbox import lazy

# httpx imports its command-line tool with itself (click, pygments, Rich's progress bars and
# syntax highlighting): a fifth of the TUI's imports, for a tool rcinbox never runs. A None
# entry in sys.modules makes that one import fail, which httpx expects (its ``main`` then asks
# for the CLI extra). Set before any module of this package imports httpx.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

if TYPE_CHECKING:
    from rcinbox.api.auth import OAuthSession, Token, authorize_url, make_pkce
    from rcinbox.api.channels import (
        CHANNELS,
        ChannelInfo,
        Initiation,
        Visibility,
        channel_info,
    )
    from rcinbox.api.client import (
        DEFAULT_TIMEOUT,
        USER_AGENT,
        SocialMessagingClient,
        new_http_client,
    )
    from rcinbox.api.errors import (
        PLAIN_WORDS,
        APIError,
        BadRequest,
        ErrorDetail,
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
    from rcinbox.api.models import (
        Attachment,
        Content,
        CreateContent,
        Direction,
        Identity,
        Naming,
        Page,
        Subscription,
    )
    from rcinbox.api.ratelimit import RateBudget, RateState

# Every public name, by the module that defines it: nothing loads until a name is used, so the
# emulator (which needs only the channel table) and the CLI's first lines start fast.
_LAZY: dict[str, str] = {
    **dict.fromkeys(["OAuthSession", "Token", "authorize_url", "make_pkce"], "auth"),
    **dict.fromkeys(
        ["CHANNELS", "ChannelInfo", "Initiation", "Visibility", "channel_info"], "channels"
    ),
    **dict.fromkeys(
        ["DEFAULT_TIMEOUT", "USER_AGENT", "SocialMessagingClient", "new_http_client"], "client"
    ),
    **dict.fromkeys(
        [
            "PLAIN_WORDS",
            "APIError",
            "BadRequest",
            "ErrorDetail",
            "Forbidden",
            "InvalidGrant",
            "MalformedResponse",
            "NotFound",
            "OAuthError",
            "RateLimited",
            "RCError",
            "ServerError",
            "TransportError",
            "Unauthorized",
            "Unprocessable",
            "error_from_response",
        ],
        "errors",
    ),
    **dict.fromkeys(
        [
            "Attachment",
            "Content",
            "CreateContent",
            "Direction",
            "Identity",
            "Naming",
            "Page",
            "Subscription",
        ],
        "models",
    ),
    **dict.fromkeys(["RateBudget", "RateState"], "ratelimit"),
}

__all__ = [
    "CHANNELS",
    "DEFAULT_TIMEOUT",
    "PLAIN_WORDS",
    "USER_AGENT",
    "APIError",
    "Attachment",
    "BadRequest",
    "ChannelInfo",
    "Content",
    "CreateContent",
    "Direction",
    "ErrorDetail",
    "Forbidden",
    "Identity",
    "Initiation",
    "InvalidGrant",
    "MalformedResponse",
    "Naming",
    "NotFound",
    "OAuthError",
    "OAuthSession",
    "Page",
    "RCError",
    "RateBudget",
    "RateLimited",
    "RateState",
    "ServerError",
    "SocialMessagingClient",
    "Subscription",
    "Token",
    "TransportError",
    "Unauthorized",
    "Unprocessable",
    "Visibility",
    "authorize_url",
    "channel_info",
    "error_from_response",
    "make_pkce",
    "new_http_client",
]


__getattr__ = lazy.loader(__name__, _LAZY)
