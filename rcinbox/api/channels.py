"""What the API says about each channel type: limits and what a channel allows.

These are facts of the RingCentral Social Messaging API (its published body-length limits and the
rules its guide states about composing and private messages), so the client, the emulator and the
UI read them from this one table. Unknown channel types (the server may add some) get a permissive
default rather than an error: we never refuse to show a conversation because its channel is new.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Visibility(StrEnum):
    """Whether a reply on this channel can be public, private, or either."""

    PRIVATE_ONLY = "private_only"
    PUBLIC_ONLY = "public_only"
    BOTH = "both"


class Initiation(StrEnum):
    """What starting a new discussion (no ``inReplyToContentId``) needs on this channel."""

    NOT_ALLOWED = "not_allowed"  # customers start; agents can only answer (EDI-016)
    PUBLIC_POST = "public_post"  # a page post or tweet needs only a body
    TEMPLATE = "template"  # WhatsApp: an approved template and a phone number in ``to``
    RECIPIENT = "recipient"  # Email (``to`` and ``title``) or Viber (``to``)


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A channel type as the client knows it: its label and the rules its replies follow."""

    type: str
    label: str
    max_body: int
    visibility: Visibility
    initiation: Initiation
    # Identities carry the account type, which has no Messenger/InstagramMessaging value.
    identity_type: str
    # Seconds after the customer's newest message during which free text may be sent; after
    # that only an approved template may (WhatsApp's customer-service window). None: no limit.
    free_text_window: float | None = None

    @property
    def can_initiate(self) -> bool:
        return self.initiation is not Initiation.NOT_ALLOWED

    @property
    def has_private_choice(self) -> bool:
        return self.visibility is Visibility.BOTH


_V, _I = Visibility, Initiation

# WhatsApp Business lets a business answer freely for 24 hours after the customer's last
# message; later, only a pre-approved template may be sent (Meta's rule, which the channel
# enforces whatever the client does).
WHATSAPP_WINDOW = 24 * 3600.0

CHANNELS: dict[str, ChannelInfo] = {
    info.type: info
    for info in (
        ChannelInfo(
            "WhatsApp", "WhatsApp", 3800, _V.PRIVATE_ONLY, _I.TEMPLATE, "WhatsApp", WHATSAPP_WINDOW
        ),
        ChannelInfo("Messenger", "Messenger", 2000, _V.PRIVATE_ONLY, _I.NOT_ALLOWED, "Facebook"),
        ChannelInfo("Instagram", "Instagram", 950, _V.BOTH, _I.NOT_ALLOWED, "Instagram"),
        ChannelInfo(
            "InstagramMessaging", "Instagram DM", 1000, _V.PRIVATE_ONLY, _I.NOT_ALLOWED, "Instagram"
        ),
        ChannelInfo("Twitter", "X (Twitter)", 280, _V.BOTH, _I.PUBLIC_POST, "Twitter"),
        ChannelInfo("Facebook", "Facebook", 8000, _V.BOTH, _I.PUBLIC_POST, "Facebook"),
        ChannelInfo(
            "AppleMessagesForBusiness",
            "Apple Messages",
            10000,
            _V.PRIVATE_ONLY,
            _I.NOT_ALLOWED,
            "AppleMessagesForBusiness",
        ),
        ChannelInfo(
            "GoogleBusinessMessages",
            "Google Business Messages",
            3000,
            _V.PRIVATE_ONLY,
            _I.NOT_ALLOWED,
            "GoogleBusinessMessages",
        ),
        ChannelInfo(
            "GoogleMyBusiness",
            "Google reviews",
            4000,
            _V.PUBLIC_ONLY,
            _I.NOT_ALLOWED,
            "GoogleMyBusiness",
        ),
        ChannelInfo("Linkedin", "LinkedIn", 3000, _V.PUBLIC_ONLY, _I.PUBLIC_POST, "Linkedin"),
        ChannelInfo("Youtube", "YouTube", 8000, _V.PUBLIC_ONLY, _I.NOT_ALLOWED, "Youtube"),
        ChannelInfo("Viber", "Viber", 7000, _V.PRIVATE_ONLY, _I.RECIPIENT, "Viber"),
        ChannelInfo("Email", "Email", 262144, _V.PRIVATE_ONLY, _I.RECIPIENT, "Email"),
        ChannelInfo(
            "EngageMessaging",
            "Engage Messaging",
            1024,
            _V.PRIVATE_ONLY,
            _I.NOT_ALLOWED,
            "EngageMessaging",
        ),
    )
}

# The largest limit any channel has: what we allow when the channel type is unknown.
_DEFAULT_MAX_BODY = max(info.max_body for info in CHANNELS.values())


def channel_info(channel_type: str | None) -> ChannelInfo:
    """Facts for a channel type; a permissive stand-in for types this version does not know."""
    if channel_type and channel_type in CHANNELS:
        return CHANNELS[channel_type]
    name = channel_type or "Unknown"
    return ChannelInfo(name, name, _DEFAULT_MAX_BODY, _V.BOTH, _I.NOT_ALLOWED, name)
