"""Acme, the business the demo inbox belongs to: its channels, team and stores."""

from __future__ import annotations

# (type, name, share of threads). Two WhatsApp and two Email channels, one of every other type.
CHANNEL_SPECS: tuple[tuple[str, str, float], ...] = (
    ("WhatsApp", "Acme Support WhatsApp", 14),
    ("WhatsApp", "Acme Sales WhatsApp", 5),
    ("Email", "Acme Support Email", 12),
    ("Email", "Acme Billing Email", 4),
    ("Messenger", "Acme Outfitters Messenger", 9),
    ("Instagram", "@acme.outfitters Instagram", 6),
    ("InstagramMessaging", "@acme.outfitters Instagram DM", 6),
    ("Twitter", "@AcmeSupport on X", 7),
    ("Facebook", "Acme Outfitters Facebook page", 6),
    ("AppleMessagesForBusiness", "Acme Apple Messages", 4),
    ("GoogleBusinessMessages", "Acme Google Business Messages", 2),
    ("GoogleMyBusiness", "Acme Google reviews", 5),
    ("Linkedin", "Acme Outfitters LinkedIn", 2),
    ("Youtube", "Acme Outfitters YouTube", 3),
    ("Viber", "Acme Support Viber", 3),
    ("EngageMessaging", "Acme Web Chat", 6),
)

CHANNEL_URIS = {
    "Messenger": "https://www.facebook.com/acmeoutfitters",
    "Facebook": "https://www.facebook.com/acmeoutfitters",
    "Instagram": "https://www.instagram.com/acme.outfitters/",
    "InstagramMessaging": "https://www.instagram.com/acme.outfitters/",
    "Twitter": "https://x.com/AcmeSupport",
    "Linkedin": "https://www.linkedin.com/company/acme-outfitters",
    "Youtube": "https://www.youtube.com/@AcmeOutfitters",
    "GoogleMyBusiness": "https://maps.google.com/?cid=4817263510098734412",
}

CAPABILITIES = {
    "WhatsApp": ("template", "list"),
    "Messenger": ("list",),
    "AppleMessagesForBusiness": ("list",),
    "GoogleBusinessMessages": ("list",),
    "EngageMessaging": ("list",),
}

AGENT_NAMES = (
    ("Alex", "Morgan"),
    ("Priya", "Raman"),
    ("Jonas", "Weber"),
    ("Camille", "Laurent"),
    ("Diego", "Álvarez"),
    ("Mei", "Tanaka"),
    ("Sam", "Okafor"),
    ("Hannah", "Lindqvist"),
    ("Omar", "Haddad"),
    ("Lucía", "Ferreira"),
)
# Why an outbound message failed to reach the channel, in the words channels use.
SYNC_ERRORS = {
    "WhatsApp": "(#131047) Re-engagement message: more than 24 hours have passed since the "
    "customer last replied to this number.",
    "Messenger": "(#10) This message is sent outside of allowed window.",
    "Facebook": "(#100) The comment you are replying to has been deleted.",
    "Instagram": "(#10) This message is sent outside of allowed window.",
    "InstagramMessaging": "(#10) This message is sent outside of allowed window.",
    "Twitter": "403 Forbidden: You cannot send messages to this user.",
    "Email": "550 5.1.1 The email account that you tried to reach does not exist.",
    "Viber": "Viber error 6: receiver is not subscribed.",
    "AppleMessagesForBusiness": "Apple Messages: the conversation was closed by the customer.",
    "GoogleBusinessMessages": "Google Business Messages: conversation expired (30 days).",
    "EngageMessaging": "Visitor disconnected before the message could be delivered.",
    "Linkedin": "LinkedIn API error 429: throttled, retry later.",
    "Youtube": "YouTube API error 403: commentsDisabled.",
    "GoogleMyBusiness": "Google My Business API error 404: the review no longer exists.",
}
STORES = ("Downtown", "Riverside Mall", "Airport", "Harbor Point", "Lakeside", "Old Town")
