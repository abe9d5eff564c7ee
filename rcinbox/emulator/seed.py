"""Deterministic demo data for the emulator: the customer-service inbox of one business, Acme.

``generate`` builds channels, identities (the demo agent, colleagues, customers) and contents
(conversations) shaped exactly as the Social Messaging API returns them, in its newer naming
(``channelId``/``channelType``/``channelUri``, ``bodyFormatted`` with ``Text``/``Html`` keys).

Determinism is the point: every random draw comes from one ``random.Random(seed)`` and is made in
*age* space (seconds before ``now``), so the same seed gives the same ids and bodies whatever
``now`` is, and a different ``now`` only shifts the timestamps. The draws never depend on ``now``.

The data is meant to be realistic *and* hostile: international names and text (RTL scripts,
CJK, emoji, multi-paragraph emails), and, whenever there are at least 50 contents, a few bodies
and names made to break a careless terminal UI (Rich markup, ANSI and C1 escapes, bidi overrides,
NUL and other C0 controls, a 1 MB email body).

The simulated customers and the content store reuse ``inbound_body``, ``customer_identity``,
``channel_uri`` and ``capabilities_supported`` so that live traffic looks like the seed.

Speed matters (``generate(contents=100_000)`` backs load demos): timestamps are formatted from
integer ages through lookup tables, records are copied from a per-thread template, and the cyclic
garbage collector is paused while the records are built.

This module never reads the wall clock, the network or the disk, and never imports textual.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import math
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from html import escape
from operator import itemgetter
from typing import Any, TypeVar

from rcinbox.api.channels import CHANNELS, Initiation, Visibility, channel_info

_T = TypeVar("_T")

# The instant the data is anchored to unless the caller passes another ``now``.
DEFAULT_NOW = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)

TENANT_URL = "https://acme-demo.digital.ringcentral.com"
MEGABYTE = 1_048_576

_DAY = 86_400
# The newest thread's last message is a few minutes old, the oldest content about 90 days old.
_MIN_AGE = 90
_MAX_AGE = 90 * _DAY
# Threads' last-activity ages are ``span * u ** _RECENCY`` for uniform u: denser near now.
_RECENCY = 2.2
# Of customer threads with two or more contents, the share that ends on an unanswered message;
# with the one-message threads (always unanswered) this leaves about a third of threads waiting.
_UNANSWERED = 0.27
_CONTENTS_PER_THREAD = 6


@dataclass
class SeedData:
    owner_id: str
    channels: list[dict]
    identities: list[dict]
    contents: list[dict]


def object_id(rng: random.Random) -> str:
    """A 24-character lowercase hex id, shaped like the API's Mongo ObjectIds."""
    return f"{rng.getrandbits(96):024x}"


def isoformat(dt: datetime) -> str:
    """``2024-09-20T14:02:11Z``: UTC, seconds precision, ``Z`` suffix (naive means UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def channel_uri(channel_type: str) -> str | None:
    """The external URI the API reports for Acme's channel of this type (null for most)."""
    return _CHANNEL_URIS.get(channel_type)


def capabilities_supported(channel_type: str) -> list[str]:
    """Structured-message types a reply on this channel type may use (a fresh list)."""
    return list(_CAPABILITIES.get(channel_type, ()))


# --------------------------------------------------------------------------------------------
# Channels and the team
# --------------------------------------------------------------------------------------------

# (type, name, share of threads). Two WhatsApp and two Email channels, one of every other type.
_CHANNEL_SPECS: tuple[tuple[str, str, float], ...] = (
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

_CHANNEL_URIS = {
    "Messenger": "https://www.facebook.com/acmeoutfitters",
    "Facebook": "https://www.facebook.com/acmeoutfitters",
    "Instagram": "https://www.instagram.com/acme.outfitters/",
    "InstagramMessaging": "https://www.instagram.com/acme.outfitters/",
    "Twitter": "https://x.com/AcmeSupport",
    "Linkedin": "https://www.linkedin.com/company/acme-outfitters",
    "Youtube": "https://www.youtube.com/@AcmeOutfitters",
    "GoogleMyBusiness": "https://maps.google.com/?cid=4817263510098734412",
}

_CAPABILITIES = {
    "WhatsApp": ("template", "list"),
    "Messenger": ("list",),
    "AppleMessagesForBusiness": ("list",),
    "GoogleBusinessMessages": ("list",),
    "EngageMessaging": ("list",),
}

_AGENT_NAMES = (
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
_COLLEAGUES = 5

# How a thread's channel behaves: gaps between messages and what agents may start.
_CHAT, _EMAIL, _SOCIAL, _REVIEW = "chat", "email", "social", "review"
_PACE = {
    "Email": _EMAIL,
    "Instagram": _SOCIAL,
    "Twitter": _SOCIAL,
    "Facebook": _SOCIAL,
    "Linkedin": _SOCIAL,
    "Youtube": _SOCIAL,
    "GoogleMyBusiness": _REVIEW,
}
# Share of a channel's threads that an agent starts (only where the channel allows it).
_AGENT_STARTS = {"Twitter": 0.25, "Facebook": 0.3, "Linkedin": 0.5, "Email": 0.12, "Viber": 0.2}
_AGENT_STARTS_DEFAULT = 0.1
# Seconds between two messages, log-uniform in (low, high), by pace and (from, to) direction.
_GAPS: dict[str, dict[tuple[bool, bool], tuple[int, int]]] = {
    _CHAT: {
        (True, False): (40, 4 * 3600),
        (False, True): (20, 20 * 3600),
        (True, True): (4, 120),
        (False, False): (30, 3 * 3600),
    },
    _EMAIL: {
        (True, False): (600, 30 * 3600),
        (False, True): (900, 3 * _DAY),
        (True, True): (300, _DAY),
        (False, False): (120, 2 * 3600),
    },
    _SOCIAL: {
        (True, False): (300, 10 * 3600),
        (False, True): (120, 2 * _DAY),
        (True, True): (60, 6 * 3600),
        (False, False): (60, 1800),
    },
    _REVIEW: {
        (True, False): (3600, 4 * _DAY),
        (False, True): (3600, _DAY),
        (True, True): (3600, _DAY),
        (False, False): (600, 3600),
    },
}
_LOG_GAPS = {
    pace: {k: (math.log(lo), math.log(hi) - math.log(lo)) for k, (lo, hi) in table.items()}
    for pace, table in _GAPS.items()
}

# (synchronizationStatus, synchronizationError, published) of a content the channel has.
_SYNCED = ("Success", None, True)
# Why an outbound message failed to reach the channel, in the words channels use.
_SYNC_ERRORS = {
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

# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------

_LOCALES = ("en", "es", "fr", "de", "pt", "ar", "he", "ja", "zh", "hi", "ru")
_LOCALE_WEIGHTS = (55, 10, 7, 6, 6, 3, 2, 3, 3, 3, 2)
_LANGUAGE_CODES = {loc: loc.capitalize() for loc in _LOCALES}
_LOCALE_CUMULATIVE = tuple(itertools.accumulate(_LOCALE_WEIGHTS))


def _locale(rng: random.Random) -> str:
    return _LOCALES[bisect.bisect(_LOCALE_CUMULATIVE, rng.random() * _LOCALE_CUMULATIVE[-1])]


@dataclass(frozen=True, slots=True)
class _Names:
    firsts: tuple[tuple[str, ...], tuple[str, ...]]  # men's, women's
    lasts: tuple[tuple[str, ...], tuple[str, ...]]  # the same for both unless the language inflects
    family_first: bool  # written family name first, as in Japanese and Chinese
    phone_prefix: str
    fb_locale: str
    country: str


def _names(men: str, women: str, lasts: str, family_first: bool, phone: str, fb: str) -> _Names:
    """Name pools from ``", "``-separated lists; ``lasts`` may be ``"men's | women's"``."""
    last_groups = [tuple(group.strip().split(", ")) for group in lasts.split("|")]
    return _Names(
        (tuple(men.split(", ")), tuple(women.split(", "))),
        (last_groups[0], last_groups[-1]),
        family_first,
        phone,
        fb,
        fb[-2:],
    )


_NAMES: dict[str, _Names] = {
    "en": _names(
        "James, Liam, Noah, Ethan, Mason, Lucas, Ben, Ryan, Tyler, Kevin, Jamal, Connor, Deshawn",
        "Olivia, Emma, Ava, Sophia, Chloe, Grace, Hannah, Zoe, Megan, Aisha, Siobhan, Mia",
        "Smith, Johnson, Williams, Brown, Miller, Davis, Wilson, Taylor, Anderson, O'Connor, "
        "Nguyen, Patel, Kim, Murphy, Robinson, Walker, Hughes, Clarke, Okonkwo, Fitzgerald",
        False,
        "+1",
        "en_US",
    ),
    "es": _names(
        "Mateo, Santiago, Diego, Alejandro, Javier, Íñigo",
        "Sofía, Valentina, Lucía, Camila, María José, Ximena",
        "García, Rodríguez, Martínez, López, Hernández, Pérez, Sánchez, Ramírez, Torres, "
        "Flores, Muñoz, Ibáñez",
        False,
        "+34",
        "es_ES",
    ),
    "fr": _names(
        "Louis, Hugo, Théo, François, Mathéo",
        "Camille, Léa, Chloé, Manon, Inès, Élodie, Zoé, Anaïs",
        "Martin, Bernard, Dubois, Thomas, Robert, Petit, Durand, Leroy, Moreau, Lefèvre, Faure",
        False,
        "+33",
        "fr_FR",
    ),
    "de": _names(
        "Lukas, Felix, Jonas, Maximilian, Jürgen",
        "Anna, Lena, Marie, Käthe",
        "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Groß",
        False,
        "+49",
        "de_DE",
    ),
    "pt": _names(
        "João, Pedro, Gabriel, Rafael",
        "Ana, Beatriz, Mariana, Conceição",
        "Silva, Santos, Oliveira, Souza, Costa, Pereira, Almeida, Gonçalves",
        False,
        "+55",
        "pt_BR",
    ),
    "ar": _names(
        "محمد, أحمد, علي, يوسف",
        "فاطمة, مريم, نور, ليلى",
        "العلي, حسن, الخطيب, منصور, السيد, حداد",
        False,
        "+971",
        "ar_AE",
    ),
    "he": _names(
        "דוד, יוסי, אבי",
        "נועה, מיכל, תמר, שירה",
        "כהן, לוי, מזרחי, פרץ, ביטון, אברהם",
        False,
        "+972",
        "he_IL",
    ),
    "ja": _names(
        "健太, 大輔, 蓮, 翔太",
        "美咲, 陽子, さくら, 結衣",
        "佐藤, 鈴木, 高橋, 田中, 伊藤, 渡辺, 山本, 中村",
        True,
        "+81",
        "ja_JP",
    ),
    "zh": _names(
        "伟, 磊, 洋", "芳, 娜, 敏, 静, 婷", "王, 李, 张, 刘, 陈, 杨, 黄, 赵", True, "+86", "zh_CN"
    ),
    "hi": _names(
        "Aarav, Rohan, Vikram, अमित",
        "Priya, Ananya, Kavya, सुनीता",
        "Sharma, Patel, Gupta, Iyer, Reddy, Singh, शर्मा, वर्मा",
        False,
        "+91",
        "hi_IN",
    ),
    "ru": _names(
        "Дмитрий, Сергей, Иван, Алексей",
        "Анна, Ольга, Екатерина, Наталья",
        "Смирнов, Кузнецов, Попов, Соколов, Лебедев, Новиков | "
        "Смирнова, Кузнецова, Попова, Соколова, Лебедева, Новикова",
        False,
        "+7",
        "ru_RU",
    ),
}

# Display names people really choose: with emoji, or very long.
_EMOJI_NAME_FORMS = ("{name} 🌸", "✨{name}✨", "{name} 🇧🇷", "🐶 {name}", "{name} 🏔️⛺", "{name} 💙")
_LONG_NAMES = (
    ("María Fernanda de los Ángeles", "García-Villanueva y Montenegro de la Santísima Trinidad"),
    ("Hubert Blaine", "Wolfeschlegelsteinhausenbergerdorff Sr."),
    ("Sir Reginald Bartholomew", "Featherstonehaugh-Cholmondeley III"),
    ("Anh Thư Nguyễn Thị", "Phương Thảo (Customer since 2009, please read my whole message)"),
)
_COMPANIES = (
    "Globex Corporation",
    "Initech",
    "Umbrella Logistics",
    "Stark Outdoor Club",
    "Wayne Events GmbH",
    "Tyrell Trading SARL",
)
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.example")
_TW_DESCRIPTIONS = (
    "Trail runner 🏃‍♀️ | coffee ☕ | views my own",
    "Dad of 3. Fixing things that aren't broken.",
    "Photographer 📷 mountains & rivers",
    None,
    "ملابس، سفر، قهوة",
    "山が好き 🏔️",
)
_TW_LOCATIONS = ("Seattle, WA", "London", "Madrid", "Berlin", "São Paulo", "Tokyo", "", None)
_DEVICES = (
    "iPhone (iPhone); iOS 18.1",
    "Samsung SM-S918B; Android 15",
    "Chrome 131 on Windows 11",
    "Safari 18 on macOS 15",
    "Pixel 9; Android 15",
)


@dataclass(slots=True)
class _Person:
    first: str
    last: str | None
    display: str
    plain: str  # first and last without decoration, for greetings in CJK languages
    locale: str
    group_id: str
    handle: str
    email: str
    phone: str
    company: str | None
    gender: str | None


@dataclass(slots=True)
class _Identity:
    record: dict
    person: _Person
    oldest: int = 0  # age in seconds of its oldest content
    newest: int = _MAX_AGE * 10  # age of its newest content
    lead: int = 0  # how long before its first content it was created


@dataclass(slots=True)
class _Channel:
    record: dict
    type: str
    weight: float
    pace: str
    max_body: int
    visibility: Visibility
    initiation: Initiation
    identity_type: str
    uri: str | None
    caps: tuple[str, ...]
    agents: list[_Identity] = field(default_factory=list)
    customers: list[_Identity] = field(default_factory=list)


@cache
def _ascii(text: str) -> str:
    """Letters and digits of ``text`` folded to ASCII (empty for scripts that do not fold)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _new_person(rng: random.Random, locale: str | None = None) -> _Person:
    r = rng.random
    if locale is None:
        locale = _locale(rng)
    names = _NAMES[locale]
    woman = r() < 0.5
    firsts, lasts = names.firsts[woman], names.lasts[woman]
    first = firsts[int(r() * len(firsts))]
    last = lasts[int(r() * len(lasts))]
    roll = r()
    if roll < 0.015:
        first, last = _LONG_NAMES[int(r() * len(_LONG_NAMES))]
        plain = f"{first} {last}"
    elif names.family_first:
        plain = f"{last} {first}" if locale == "ja" else f"{last}{first}"
    else:
        plain = f"{first} {last}"
    display = plain
    if 0.015 <= roll < 0.075:
        form = _EMOJI_NAME_FORMS[int(r() * len(_EMOJI_NAME_FORMS))]
        display = form.format(name=plain if r() < 0.5 else first)
    base = _ascii(first) + _ascii(last)
    digits = str(int(r() * 9000) + 100)
    handle = f"{base[:15] or 'acmefan'}{digits if r() < 0.6 or not base else ''}"
    # Names in scripts that do not fold to ASCII get their handle as the mailbox name.
    local = f"{_ascii(first)}.{_ascii(last)}" if _ascii(first) and _ascii(last) else handle
    email = f"{local}@{_EMAIL_DOMAINS[int(r() * len(_EMAIL_DOMAINS))]}"
    phone = f"{names.phone_prefix}{int(r() * 9e9) + 10**9}"
    company = _COMPANIES[int(r() * len(_COMPANIES))] if r() < 0.06 else None
    gender = "Woman" if woman else "Man"
    return _Person(
        first, last, display, plain, locale, object_id(rng), handle, email, phone, company, gender
    )


def _uuid4(rng: random.Random) -> str:
    """A random (version 4) UUID string drawn from ``rng``."""
    h = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def _avatar(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{TENANT_URL}/files/identities/{h[:3]}/{h[3:6]}/{h[6:32]}/avatar/photo.jpg?{h[-6:]}"


def _identity_record(
    rng: random.Random, person: _Person, identity_type: str, user_ids: list[str]
) -> dict:
    """An IdentityModel with every common field (null where the channel has no such data)."""
    r = rng.random
    agent = bool(user_ids)
    t = identity_type
    display = person.display
    screen = person.first
    if person.last:
        family_first = _NAMES[person.locale].family_first
        screen = person.plain if family_first else f"{person.first} {person.last[0]}."
    if t in ("Twitter", "Instagram", "Youtube"):
        screen = person.handle
        if t == "Youtube" and not agent:
            display = person.handle.capitalize()
    elif t == "GoogleMyBusiness":
        display = screen
    record: dict[str, Any] = {
        "id": object_id(rng),
        "creationTime": None,
        "lastModifiedTime": None,
        "type": t,
        "identityType": "Agent" if agent else "Customer",
        "displayName": display,
        "screenName": screen,
        "firstName": person.first,
        "lastName": person.last,
        "company": "Acme Outfitters" if agent else person.company,
        "emailAddress": person.email if t == "Email" or agent else None,
        "gender": person.gender if t == "Facebook" and not agent else None,
        "homePhone": None,
        "mobilePhone": person.phone if t in ("WhatsApp", "Viber") and not agent else None,
        "avatarUri": _avatar(rng) if agent or r() < 0.55 else None,
        "identityGroupId": person.group_id,
        "extraValues": {},
        "userIds": user_ids,
        "uuid": _uuid4(rng),
    }
    if agent:
        return record
    info = _NAMES[person.locale]
    if t == "Facebook":
        record["fbLocale"] = info.fb_locale
    elif t == "Instagram":
        record["igFollowersCount"] = int(r() ** 4 * 50_000)
    elif t == "Twitter":
        record["twDescription"] = _TW_DESCRIPTIONS[int(r() * len(_TW_DESCRIPTIONS))]
        record["twLocation"] = _TW_LOCATIONS[int(r() * len(_TW_LOCATIONS))]
        record["twFollowersCount"] = int(r() ** 4 * 120_000)
        record["twFollowingCount"] = int(r() * 2_000)
        record["twStatusesCount"] = int(r() ** 2 * 40_000)
    elif t == "Viber":
        record.update(
            apiVersion="10",
            country=info.country,
            deviceType="SM-G970U1" if r() < 0.5 else "iPhone15,2",
            language=info.fb_locale.replace("_", "-"),
            mcc="310",
            mnc="260",
            primaryDeviceOs="Android 14" if r() < 0.5 else "iOS 18.1",
            viberVersion="24.6.0",
        )
    elif t == "EngageMessaging":
        record["mobileDeviceInfo"] = _DEVICES[int(r() * len(_DEVICES))]
    return record


def customer_identity(rng: random.Random, channel: dict, now: datetime) -> dict:
    """A new customer's IdentityModel on ``channel``, created and last modified at ``now``."""
    person = _new_person(rng)
    record = _identity_record(rng, person, channel_info(channel.get("type")).identity_type, [])
    record["creationTime"] = record["lastModifiedTime"] = isoformat(now)
    return record


# --------------------------------------------------------------------------------------------
# What people write
# --------------------------------------------------------------------------------------------


_FileSpec = tuple[str, tuple[str, ...], tuple[int, int]]
# (content type, file name forms, size range in bytes) of what customers and agents attach.
_PHOTO: _FileSpec = (
    "image/jpeg",
    ("IMG_{n}.jpg", "PXL_{n}.jpg", "photo_{n}.jpeg", "WhatsApp Image {n}.jpeg"),
    (80_000, 4_500_000),
)
_SCREENSHOT: _FileSpec = (
    "image/png",
    ("Screenshot_{n}.png", "screenshot {n}.png"),
    (40_000, 1_800_000),
)
_RECEIPT: _FileSpec = ("application/pdf", ("receipt_{n}.pdf", "Invoice-{n}.pdf"), (30_000, 900_000))
_VOICE: _FileSpec = ("audio/ogg", ("voice_note_{n}.ogg", "PTT-{n}.opus"), (6_000, 400_000))
_VIDEO: _FileSpec = ("video/mp4", ("VID_{n}.mp4", "video_{n}.mov"), (1_500_000, 45_000_000))
_LABEL: _FileSpec = (
    "application/pdf",
    ("return_label_{n}.pdf", "invoice_{n}.pdf"),
    (25_000, 250_000),
)
_GUIDE: _FileSpec = (
    "image/png",
    ("size_guide.png", "care_instructions_{n}.png"),
    (60_000, 600_000),
)
_BANNER: _FileSpec = ("image/jpeg", ("acme_post_{n}.jpg", "banner_{n}.jpg"), (150_000, 2_500_000))
_CAPTIONS = ("📷", "See attached", "This is what arrived")


@dataclass(frozen=True, slots=True)
class _Topic:
    subject: str
    openers: tuple[str, ...]
    replies: tuple[str, ...]
    followups: tuple[str, ...] = ()  # a customer's next questions...
    agent_followups: tuple[str, ...] = ()  # ...and their answers, in the same order
    public: bool = True  # fits a public comment as well as a private message
    shared: bool = False  # a problem other customers chime in on in public
    attach: float = 0.12  # how often a first message on this topic carries a file
    files: tuple[_FileSpec, ...] = (_PHOTO, _SCREENSHOT, _RECEIPT)
    agent_files: tuple[_FileSpec, ...] = ()  # what an agent's first answer may attach


@dataclass(frozen=True, slots=True)
class _Language:
    topics: tuple[_Topic, ...]
    waiting: tuple[str, ...]  # a customer still waiting for a first answer
    followups: tuple[str, ...]  # a customer answering the agent
    agent_followups: tuple[str, ...]
    thanks: tuple[str, ...]
    closings: tuple[str, ...]
    short_reply: str  # an answer that fits a tweet
    customer_email: str
    agent_email: str
    items: tuple[str, ...]
    amounts: tuple[str, ...]


_EN = _Language(
    topics=(
        _Topic(
            "Where is my order {order}?",
            (
                "Hi, I ordered a {item} last week (order {order}) and it still says "
                "'processing'. When will it ship?",
                "Hello! Any update on order {order}? The tracking hasn't changed in 4 days 📦",
                "where is my order?? {order}",
                "Hey there, quick question: my order {order} was supposed to arrive "
                "yesterday. Can you check what's going on?",
            ),
            (
                "Hi {first}, thanks for reaching out! I checked order {order}: it left our "
                "warehouse this morning and should arrive within 2-3 business days. Tracking "
                "number: {tracking}.",
                "Hi {first}, sorry for the wait. Order {order} was held up at the carrier's "
                "hub; it's moving again and the new estimate is Friday. I'll keep an eye on it "
                "for you.",
                "Thanks {first}! Your {item} is packed and ships today. You'll get an email "
                "with the tracking link as soon as the carrier scans it.",
                "Hi {first}, I'm sorry! Order {order} is with the local courier and out for "
                "delivery today. You'll get a text with a 2-hour window.",
            ),
            (
                "Ok thanks. Can I change the delivery address? I won't be home that day.",
                "The tracking number {tracking} only says 'label created'. Is that normal?",
                "Still nothing today...",
            ),
            (
                "I've updated the delivery address on order {order}. The carrier will have "
                "the change within a few hours.",
                "Yes, that's normal for the first 24 hours: it updates at the first scan at "
                "the hub.",
                "I've asked the carrier to investigate (ref {ticket}). If it hasn't moved by "
                "tomorrow, we'll send a replacement at no cost.",
            ),
            shared=True,
            attach=0.1,
            files=(_SCREENSHOT,),
        ),
        _Topic(
            "Refund for order {order}",
            (
                "I returned the {item} two weeks ago and haven't seen my refund yet. Order "
                "{order}.",
                "Hi, I'd like to return my {item}, it doesn't fit. How do I get a return label?",
                "Can I get the refund on a different card? The one I used has expired.",
            ),
            (
                "Hi {first}, your return for order {order} arrived at our warehouse on "
                "Monday. The refund of {amount} was issued today; banks usually show it within "
                "3-5 business days.",
                "Of course! I've emailed you a prepaid return label for order {order}. Drop "
                "the parcel at any post office within 30 days and we'll refund you as soon as "
                "it arrives.",
                "Refunds always go back to the original payment method, but if the card is "
                "closed your bank passes it on to your new one. If it bounces, we'll send you "
                "store credit instead.",
            ),
            (
                "Got the label, thanks. Do I need the original box?",
                "It's been 5 days and still no refund 😕",
            ),
            (
                "No need for the original box: any sturdy packaging works.",
                "I checked with our payments team: the refund (ref {ticket}) left our side on "
                "Tuesday. Could you ask your bank with that reference?",
            ),
            public=False,
            attach=0.15,
            files=(_RECEIPT, _SCREENSHOT),
            agent_files=(_LABEL,),
        ),
        _Topic(
            "Damaged item, order {order}",
            (
                "My {item} arrived damaged: the zipper is broken and there's a tear on the "
                "sleeve. Photos attached.",
                "The box was completely crushed and the {item} inside is scratched. Not happy 😡",
                "Received the wrong size. I ordered M and got XL. Order {order}",
            ),
            (
                "I'm so sorry about that, {first}! I've sent a replacement {item} by express "
                "shipping at no cost. You can keep or recycle the damaged one.",
                "That's not the experience we want you to have. Could you send a photo of the "
                "label on the box? I'll open a claim with the carrier right away.",
                "Sorry for the mix-up! I've arranged an exchange for the right size; a prepaid "
                "return label is on its way to your email.",
            ),
            ("Here's the photo of the label.", "Thanks, that was quick!"),
            (
                "Thank you! Claim {ticket} is open and your replacement ships tomorrow.",
                "You're welcome, {first}! Sorry again for the trouble.",
            ),
            shared=True,
            attach=0.6,
            files=(_PHOTO, _PHOTO, _VIDEO),
            agent_files=(_LABEL,),
        ),
        _Topic(
            "Can't log in to my account",
            (
                "I can't log in to my account, the password reset email never arrives.",
                "How do I delete my account and all my data?",
                "Someone placed an order on my account that I didn't make!! Please help",
            ),
            (
                "Hi {first}, I've resent the reset link: please check your spam folder too. "
                "The link is valid for 30 minutes.",
                "I can help with that. For your security, please confirm the email address on "
                "the account and the postcode of your last delivery.",
                "I've locked the account and cancelled order {order} before it shipped. Please "
                "set a new password with the link we just emailed you.",
            ),
            ("Found it in spam, thanks!", "It's the same email I'm writing from."),
            (
                "Great! Let me know if the link gives you any trouble.",
                "Thanks, verified. Your account and its data will be deleted within 30 days.",
            ),
            public=False,
            attach=0.12,
            files=(_SCREENSHOT,),
        ),
        _Topic(
            "Opening hours",
            (
                "What time does the {store} store open on Sunday?",
                "Are you open on the public holiday next Monday?",
                "Hi! Is the {store} store wheelchair accessible? 🙂",
            ),
            (
                "Hi {first}! The {store} store is open on Sundays from 10am to 6pm.",
                "We're open 11am-5pm on public holidays at every store except Airport, which "
                "keeps its normal hours.",
                "Yes, {store} has step-free access, a lift to both floors and an accessible "
                "fitting room.",
            ),
            attach=0.0,
        ),
        _Topic(
            "Question about the {item}",
            (
                "Does the {item} come in navy? I can only see black on the website.",
                "Is the {item} waterproof or just water resistant?",
                "Do you ship to Canada? And how much are the customs fees?",
                "Does the {item} run small? I'm usually between M and L 🤔",
            ),
            (
                "Hi {first}! Navy is coming back in stock next week. Tap 'notify me' on the "
                "product page and we'll email you the moment it's available.",
                "It's fully waterproof (20,000 mm rating) with taped seams, so you're covered "
                "even in heavy rain ☔",
                "We do ship to Canada! Orders over $150 include duties and taxes, so there's "
                "nothing extra to pay on delivery.",
                "It's a regular fit; if you're between sizes and like to layer, go for the L.",
            ),
            attach=0.07,
            files=(_SCREENSHOT, _PHOTO),
            agent_files=(_GUIDE,),
        ),
        _Topic(
            "Complaint about order {order}",
            (
                "I have been a loyal customer for over five years, but this experience has "
                "been really disappointing.\n\nI ordered a {item} for my daughter's birthday, "
                "paid for express delivery, and was promised it would arrive in two days. It "
                "arrived nine days later, after the birthday, and the box was open.\n\nWhen I "
                "called, I waited 45 minutes and was then disconnected. Nobody called me "
                "back.\n\nI would like a refund of the express shipping at the very least, and "
                "an explanation of what happened. Order {order}.",
                "Third time I'm writing about this. Nobody answers. Order {order}, paid "
                "{amount}, nothing received. I want my money back today or I'm disputing the "
                "charge 😤",
            ),
            (
                "Hi {first}, I'm truly sorry: you paid for express delivery and it didn't "
                "arrive in time for the birthday. I've refunded the express shipping and added "
                "a $20 credit to your account. I've also reported the opened box to the "
                "carrier (claim {ticket}).",
                "I'm sorry you've had to chase us, {first}. I've refunded {amount} in full to "
                "your original payment method just now; you'll get a confirmation email "
                "within the hour.",
            ),
            ("Thank you for actually reading it. Appreciated.",),
            ("I've also passed your feedback to our delivery team. Thank you for your patience.",),
            shared=True,
            attach=0.25,
            files=(_PHOTO, _RECEIPT),
        ),
        _Topic(
            "Charged twice for order {order}",
            (
                "I was charged twice for order {order}!",
                "Can I get a VAT invoice for my company? Order {order}",
                "The code WELCOME10 isn't working at checkout",
            ),
            (
                "I see the two charges: one is a pre-authorisation your bank will release "
                "within 5 days. Only one payment of {amount} was taken.",
                "Sure! I've attached the invoice for order {order} with your company details.",
                "That code applies to full-price items only and your basket has a sale item. "
                "I've made you a one-time code, {promo}, that works on everything.",
            ),
            ("Ok, I'll wait and see then.",),
            ("Let me know if the second charge is still there after Friday and I'll escalate.",),
            public=False,
            attach=0.3,
            files=(_RECEIPT, _SCREENSHOT),
            agent_files=(_LABEL,),
        ),
        _Topic(
            "Thank you!",
            (
                "Just wanted to say the staff at {store} were amazing today! ❤️",
                "Love my new {item}, best purchase this year 🙌",
                "Shoutout to your support team, problem solved in 5 minutes 👏",
            ),
            (
                "That's so lovely to hear, thank you {first}! I've shared your message with "
                "the {store} team 😊",
                "Thank you {first}! Enjoy it, and tag us in your adventures 🏔️",
                "Thanks {first}, that made our day! 🙌 We'll pass it on to the team.",
            ),
            attach=0.2,
            files=(_PHOTO,),
        ),
    ),
    waiting=(
        "Any update?",
        "Hello? Is anyone there?",
        "Sorry, forgot to say: I'm away from Thursday to Sunday.",
        "Also, I need it before the weekend if possible 🙏",
    ),
    followups=(
        "Ok, great",
        "I'll wait then.",
        "Can you please check again?",
        "Thanks.\nOne more thing: can I add a gift message to the order?",
        "Ok. How long will that take roughly?",
    ),
    agent_followups=(
        "I'm still checking with the warehouse and will get back to you within the hour.",
        "Just following up: did you get a chance to look at my previous message?",
        "Happy to help! Is there anything else I can do for you?",
        "Good news: it's sorted. You'll get a confirmation email shortly.",
    ),
    thanks=(
        "Thank you, that's all!",
        "Great, thanks for your help",
        "👍",
        "Perfect, thank you so much 🙏",
    ),
    closings=(
        "You're welcome, {first}! Have a great day 😊",
        "Anytime! Take care, {first}.",
    ),
    short_reply="Sorry about this, {first}! Please DM us your order number so we can help 🙏",
    customer_email="Hello,\n\n{body}\n\nThanks,\n{full}\n\nSent from my iPhone",
    agent_email="Hi {first},\n\n{body}\n\nKind regards,\n{agent}\nAcme Customer Care",
    items=(
        "rain jacket",
        "pair of hiking boots",
        "wool sweater",
        "backpack",
        "pair of running shoes",
        "down vest",
        "fleece hoodie",
        "beanie",
    ),
    amounts=("$84.90", "$129.00", "$39.95", "$249.99", "$64.50"),
)


def _simple(
    subject: str,
    pairs: tuple[tuple[str, str], ...],
    waiting: tuple[str, ...],
    followups: tuple[str, ...],
    agent_followups: tuple[str, ...],
    thanks: tuple[str, ...],
    closings: tuple[str, ...],
    short_reply: str,
    emails: tuple[str, str],
    items: tuple[str, ...],
    amounts: tuple[str, ...],
) -> _Language:
    """A language with one opener and one answer per topic."""
    return _Language(
        tuple(_Topic(subject, (opener,), (reply,)) for opener, reply in pairs),
        waiting,
        followups,
        agent_followups,
        thanks,
        closings,
        short_reply,
        emails[0],
        emails[1],
        items,
        amounts,
    )


_LANGUAGES: dict[str, _Language] = {
    "en": _EN,
    "es": _simple(
        "Pedido {order}",
        (
            (
                "Hola, hice un pedido hace una semana ({order}) y todavía no me ha llegado. "
                "¿Me podéis decir algo?",
                "Hola {first}, gracias por escribirnos. Tu pedido {order} salió ayer de "
                "nuestro almacén y llegará en 2-3 días laborables. Seguimiento: {tracking}.",
            ),
            (
                "Quiero devolver la {item}, no me queda bien. ¿Cómo lo hago?",
                "¡Claro! Te acabo de enviar por correo una etiqueta de devolución prepagada. "
                "Tienes 30 días para dejar el paquete en cualquier oficina de correos.",
            ),
            (
                "Devolví mi pedido {order} hace dos semanas y aún no he recibido el reembolso 😕",
                "He comprobado tu devolución: el reembolso de {amount} se emitió hoy y lo "
                "verás en tu cuenta en 3-5 días hábiles.",
            ),
            (
                "¿A qué hora abre la tienda de {store} el domingo?",
                "¡Hola {first}! La tienda de {store} abre los domingos de 10:00 a 18:00.",
            ),
        ),
        ("¿Alguna novedad? 🙏", "Sigo sin noticias...", "¿Hola? ¿Hay alguien ahí?"),
        ("Vale, gracias.", "Entendido. ¿Cuánto tardará más o menos?", "Perfecto, espero entonces."),
        (
            "Lo sigo revisando con el almacén y te escribo en cuanto sepa algo.",
            "¡De nada, {first}! ¿Puedo ayudarte en algo más?",
            "Ya está solucionado: te llegará un correo de confirmación en breve.",
        ),
        ("¡Muchas gracias por la ayuda! 😊", "Perfecto, gracias"),
        ("¡A ti, {first}! Que tengas un buen día.",),
        "Hola {first}, lo sentimos. Escríbenos por mensaje directo con tu número de pedido 🙏",
        (
            "Hola:\n\n{body}\n\nUn saludo,\n{full}",
            "Hola {first}:\n\n{body}\n\nUn saludo,\n{agent}\nAtención al cliente de Acme",
        ),
        ("chaqueta impermeable", "mochila", "sudadera"),
        ("84,90 €", "129,00 €", "39,95 €"),
    ),
    "fr": _simple(
        "Commande {order}",
        (
            (
                "Bonjour, j'ai passé commande il y a une semaine ({order}) et je n'ai toujours "
                "rien reçu. Pouvez-vous vérifier ?",
                "Bonjour {first}, merci pour votre message. Votre commande {order} a quitté "
                "notre entrepôt hier et arrivera sous 2 à 3 jours ouvrés. Suivi : {tracking}.",
            ),
            (
                "Je voudrais retourner la {item}, la taille ne va pas. Comment faire ?",
                "Bien sûr ! Je viens de vous envoyer une étiquette de retour prépayée par "
                "e-mail. Vous avez 30 jours pour déposer le colis.",
            ),
            (
                "Où en est ma commande {order} ? Le suivi n'a pas bougé depuis 4 jours 📦",
                "Votre colis était bloqué au centre de tri ; il est reparti ce matin. "
                "Livraison prévue vendredi.",
            ),
            (
                "Le magasin de {store} est-il ouvert le dimanche ?",
                "Bonjour {first} ! Le magasin de {store} est ouvert le dimanche de 10 h à 18 h.",
            ),
        ),
        ("Des nouvelles ? 🙏", "Toujours rien reçu...", "Bonjour ? Il y a quelqu'un ?"),
        (
            "D'accord, merci.",
            "Très bien. Ça prendra combien de temps ?",
            "Parfait, j'attends alors.",
        ),
        (
            "Je vérifie encore avec l'entrepôt et je reviens vers vous dès que possible.",
            "Avec plaisir, {first} ! Puis-je vous aider pour autre chose ?",
            "C'est réglé : vous allez recevoir un e-mail de confirmation.",
        ),
        ("Merci beaucoup pour votre aide ! 😊", "Parfait, merci"),
        ("Merci à vous, {first}. Bonne journée !",),
        "Bonjour {first}, désolés ! Envoyez-nous votre numéro de commande en message privé 🙏",
        (
            "Bonjour,\n\n{body}\n\nCordialement,\n{full}",
            "Bonjour {first},\n\n{body}\n\nBien cordialement,\n{agent}\nService client Acme",
        ),
        ("veste imperméable", "doudoune", "polaire"),
        ("84,90 €", "129,00 €", "39,95 €"),
    ),
    "de": _simple(
        "Bestellung {order}",
        (
            (
                "Hallo, ich habe vor einer Woche bestellt ({order}) und noch nichts bekommen. "
                "Können Sie nachsehen?",
                "Hallo {first}, danke für Ihre Nachricht. Ihre Bestellung {order} hat gestern "
                "unser Lager verlassen und kommt in 2–3 Werktagen an. Sendungsnummer: "
                "{tracking}.",
            ),
            (
                "Ich möchte die {item} zurückschicken, sie passt nicht. Wie geht das?",
                "Gerne! Ich habe Ihnen gerade ein kostenloses Rücksendeetikett per E-Mail "
                "geschickt. Sie haben 30 Tage Zeit für die Rücksendung.",
            ),
            (
                "Ich habe meine Bestellung {order} vor zwei Wochen zurückgeschickt und noch "
                "keine Erstattung erhalten.",
                "Ihre Rücksendung ist angekommen: Die Erstattung über {amount} wurde heute "
                "veranlasst und ist in 3–5 Werktagen auf Ihrem Konto.",
            ),
            (
                "Hat die Filiale {store} am Sonntag geöffnet?",
                "Hallo {first}! Die Filiale {store} hat sonntags von 10 bis 18 Uhr geöffnet.",
            ),
        ),
        (
            "Gibt es schon Neuigkeiten? 🙏",
            "Immer noch nichts angekommen...",
            "Hallo? Ist da jemand?",
        ),
        ("Okay, danke.", "Alles klar. Wie lange dauert das ungefähr?", "Gut, dann warte ich."),
        (
            "Ich kläre das noch mit dem Lager und melde mich, sobald ich mehr weiß.",
            "Gern geschehen, {first}! Kann ich sonst noch helfen?",
            "Erledigt: Sie bekommen gleich eine Bestätigung per E-Mail.",
        ),
        ("Vielen Dank für die schnelle Hilfe! 😊", "Super, danke"),
        ("Sehr gerne, {first}. Einen schönen Tag noch!",),
        "Hallo {first}, das tut uns leid. Schicken Sie uns Ihre Bestellnummer per DM 🙏",
        (
            "Hallo,\n\n{body}\n\nViele Grüße\n{full}",
            "Hallo {first},\n\n{body}\n\nFreundliche Grüße\n{agent}\nAcme Kundenservice",
        ),
        ("Regenjacke", "Daunenweste", "Fleecejacke"),
        ("84,90 €", "129,00 €", "39,95 €"),
    ),
    "pt": _simple(
        "Pedido {order}",
        (
            (
                "Oi, fiz um pedido há uma semana ({order}) e ainda não chegou. Podem verificar?",
                "Olá {first}, obrigado pelo contato! Seu pedido {order} saiu do nosso centro de "
                "distribuição ontem e chega em 2 a 3 dias úteis. Rastreio: {tracking}.",
            ),
            (
                "Quero devolver a {item}, não serviu. Como faço?",
                "Claro! Acabei de enviar por e-mail uma etiqueta de devolução pré-paga. Você "
                "tem 30 dias para postar o pacote.",
            ),
            (
                "Devolvi o pedido {order} há duas semanas e até agora nada do reembolso.",
                "Sua devolução chegou: o reembolso de {amount} foi feito hoje e aparece na sua "
                "conta em 3 a 5 dias úteis.",
            ),
            (
                "A loja do {store} abre no domingo?",
                "Oi {first}! A loja do {store} abre aos domingos das 10h às 18h.",
            ),
        ),
        ("Alguma novidade? 🙏", "Ainda não chegou nada...", "Oi? Tem alguém aí?"),
        ("Ok, obrigado.", "Entendi. Demora mais ou menos quanto tempo?", "Perfeito, vou aguardar."),
        (
            "Ainda estou verificando com o estoque e te aviso assim que tiver novidades.",
            "Por nada, {first}! Posso ajudar em mais alguma coisa?",
            "Pronto, resolvido! Você vai receber um e-mail de confirmação.",
        ),
        ("Muito obrigada pela ajuda! 😊", "Perfeito, valeu!"),
        ("Nós que agradecemos, {first}. Tenha um ótimo dia!",),
        "Oi {first}, sentimos muito! Manda o número do pedido por mensagem direta 🙏",
        (
            "Olá,\n\n{body}\n\nAtenciosamente,\n{full}",
            "Olá {first},\n\n{body}\n\nAtenciosamente,\n{agent}\nAtendimento Acme",
        ),
        ("jaqueta impermeável", "mochila", "blusa de lã"),
        ("R$ 249,90", "R$ 89,90", "R$ 399,00"),
    ),
    "ar": _simple(
        "الطلب {order}",
        (
            (
                "مرحباً، طلبت منذ أسبوع (رقم الطلب {order}) ولم يصلني شيء حتى الآن. "
                "هل يمكنكم التحقق؟",
                "مرحباً {first}، شكراً لتواصلك معنا. غادر طلبك {order} المستودع أمس وسيصل "
                "خلال 2-3 أيام عمل. رقم التتبع: {tracking}.",
            ),
            (
                "أريد إرجاع {item} لأن المقاس غير مناسب. كيف أفعل ذلك؟",
                "بالتأكيد! أرسلنا لك ملصق إرجاع مدفوع مسبقاً عبر البريد الإلكتروني. لديك 30 "
                "يوماً لإرسال الطرد.",
            ),
            (
                "هل فرع {store} مفتوح يوم الجمعة؟",
                "مرحباً {first}! فرع {store} مفتوح يوم الجمعة من الساعة 2 ظهراً حتى 10 مساءً.",
            ),
        ),
        ("هل من جديد؟ 🙏", "ما زلت أنتظر الرد..."),
        ("حسناً، شكراً.", "فهمت. كم من الوقت سيستغرق ذلك تقريباً؟"),
        (
            "ما زلت أتابع الأمر مع المستودع وسأعود إليك قريباً.",
            "على الرحب والسعة يا {first}! هل هناك شيء آخر يمكنني مساعدتك به؟",
            "تم حل المشكلة، ستصلك رسالة تأكيد عبر البريد الإلكتروني قريباً.",
        ),
        ("شكراً جزيلاً على المساعدة! 😊",),
        ("شكراً لك يا {first}، نتمنى لك يوماً سعيداً!",),
        "مرحباً {first}، نعتذر عن ذلك. أرسل لنا رقم الطلب في رسالة خاصة وسنساعدك 🙏",
        (
            "مرحباً،\n\n{body}\n\nمع التحية،\n{full}",
            "مرحباً {first}،\n\n{body}\n\nمع أطيب التحيات،\n{agent}\nخدمة عملاء Acme",
        ),
        ("السترة المقاومة للماء", "حقيبة الظهر"),
        ("349 درهم", "129 درهم"),
    ),
    "he": _simple(
        "הזמנה {order}",
        (
            (
                "שלום, הזמנתי לפני שבוע (הזמנה {order}) ועדיין לא קיבלתי כלום. אפשר לבדוק?",
                "היי {first}, תודה שפנית אלינו. ההזמנה {order} יצאה מהמחסן אתמול ותגיע תוך "
                "2-3 ימי עסקים. מספר מעקב: {tracking}.",
            ),
            (
                "אני רוצה להחזיר את {item}, המידה לא מתאימה. איך עושים את זה?",
                "בטח! שלחנו לך במייל תווית החזרה בתשלום מראש. יש לך 30 יום לשלוח את החבילה.",
            ),
            (
                "האם סניף {store} פתוח ביום שישי?",
                "היי {first}! סניף {store} פתוח בימי שישי בין 9:00 ל-14:00.",
            ),
        ),
        ("יש חדש? 🙏", "עדיין מחכה לתשובה..."),
        ("אוקיי, תודה.", "הבנתי. כמה זמן זה ייקח בערך?"),
        (
            "אני עדיין בודק מול המחסן ואחזור אליך בהקדם.",
            "בשמחה, {first}! אפשר לעזור במשהו נוסף?",
            "הכול מסודר! תקבל מייל אישור בקרוב.",
        ),
        ("תודה רבה על העזרה! 😊",),
        ("תודה לך, {first}. יום נעים!",),
        "היי {first}, מצטערים על זה. שלח לנו את מספר ההזמנה בהודעה פרטית ונטפל בזה 🙏",
        (
            "שלום,\n\n{body}\n\nתודה,\n{full}",
            "שלום {first},\n\n{body}\n\nבברכה,\n{agent}\nשירות הלקוחות של Acme",
        ),
        ("מעיל הגשם", "התרמיל"),
        ("₪ 329", "₪ 149"),
    ),
    "ja": _simple(
        "ご注文 {order} について",
        (
            (
                "こんにちは。1週間前に注文した商品（注文番号 {order}）がまだ届きません。"
                "確認していただけますか？",
                "{last}様、お問い合わせありがとうございます。ご注文 {order} は昨日倉庫から"
                "発送されました。2〜3営業日でお届けの予定です。追跡番号：{tracking}",
            ),
            (
                "{item}を返品したいです。サイズが合いませんでした。",
                "かしこまりました。返品用の伝票をメールでお送りしました。30日以内にご返送ください。",
            ),
            (
                "{store}店は日曜日も営業していますか？",
                "{last}様、{store}店は日曜日も10時から18時まで営業しております。",
            ),
        ),
        ("その後どうなりましたか？🙏", "まだ返信をお待ちしています…"),
        ("わかりました、ありがとうございます。", "承知しました。どのくらいかかりますか？"),
        (
            "引き続き倉庫に確認しております。分かり次第ご連絡いたします。",
            "どういたしまして。ほかにご不明な点はございますか？",
            "対応が完了いたしました。確認メールをお送りしております。",
        ),
        ("ご対応ありがとうございました！😊",),
        ("こちらこそありがとうございました、{last}様。",),
        "{last}様、ご迷惑をおかけして申し訳ございません。DMにてご注文番号をお知らせください🙏",
        (
            "お世話になっております。\n\n{body}\n\n{full}",
            "{last}様\n\n{body}\n\nAcme カスタマーサポート\n{agent}",
        ),
        ("レインジャケット", "リュック", "登山靴"),
        ("12,800円", "6,490円"),
    ),
    "zh": _simple(
        "订单 {order}",
        (
            (
                "你好，我一周前下的订单（{order}）到现在还没收到，能帮我查一下吗？",
                "{full}您好，感谢您的咨询。您的订单 {order} 已于昨天从仓库发出，预计2-3个"
                "工作日送达。快递单号：{tracking}。",
            ),
            (
                "我想退货，{item}尺码不合适，请问怎么操作？",
                "好的！我们已通过邮件发送预付退货标签，请在30天内寄回包裹。",
            ),
            ("{store}门店周日营业吗？", "{full}您好！{store}门店周日营业时间为上午10点至下午6点。"),
        ),
        ("有进展了吗？🙏", "还在等回复……"),
        ("好的，谢谢。", "明白了，大概需要多久？"),
        (
            "我还在和仓库确认，有消息会第一时间通知您。",
            "不客气！还有什么可以帮您的吗？",
            "已经处理好了，确认邮件稍后会发到您的邮箱。",
        ),
        ("非常感谢你们的帮助！😊",),
        ("不客气，祝您生活愉快！",),
        "{full}您好，非常抱歉给您带来不便。请私信发送订单号，我们马上处理🙏",
        ("你好，\n\n{body}\n\n{full}", "{full}您好：\n\n{body}\n\nAcme 客服\n{agent}"),
        ("冲锋衣", "双肩包", "登山鞋"),
        ("¥599", "¥1,299"),
    ),
    "hi": _simple(
        "ऑर्डर {order}",
        (
            (
                "नमस्ते, मैंने एक हफ्ते पहले ऑर्डर किया था ({order}) लेकिन अभी तक नहीं मिला। कृपया चेक करें।",
                "नमस्ते {first}, संपर्क करने के लिए धन्यवाद। आपका ऑर्डर {order} कल वेयरहाउस से "
                "निकल गया है और 2-3 कार्यदिवसों में पहुँच जाएगा। ट्रैकिंग नंबर: {tracking}",
            ),
            (
                "मुझे {item} वापस करना है, साइज़ सही नहीं है। क्या करना होगा?",
                "ज़रूर! हमने आपको ईमेल पर प्रीपेड रिटर्न लेबल भेज दिया है। आप 30 दिनों के अंदर पार्सल भेज सकते हैं।",
            ),
            (
                "क्या {store} स्टोर रविवार को खुला रहता है?",
                "नमस्ते {first}! {store} स्टोर रविवार को सुबह 10 बजे से शाम 6 बजे तक खुला रहता है।",
            ),
        ),
        ("कोई अपडेट? 🙏", "मैं अभी भी जवाब का इंतज़ार कर रहा हूँ..."),
        ("ठीक है, धन्यवाद।", "समझ गया। इसमें लगभग कितना समय लगेगा?"),
        (
            "मैं अभी भी वेयरहाउस से पता कर रहा हूँ, जानकारी मिलते ही बताऊँगा।",
            "आपका स्वागत है, {first}! क्या मैं और कुछ मदद कर सकता हूँ?",
            "हो गया! आपको जल्द ही पुष्टि का ईमेल मिल जाएगा।",
        ),
        ("मदद के लिए बहुत-बहुत धन्यवाद! 😊",),
        ("धन्यवाद {first}, आपका दिन शुभ हो!",),
        "नमस्ते {first}, असुविधा के लिए खेद है। कृपया अपना ऑर्डर नंबर DM करें 🙏",
        (
            "नमस्ते,\n\n{body}\n\nधन्यवाद,\n{full}",
            "नमस्ते {first},\n\n{body}\n\nसादर,\n{agent}\nAcme ग्राहक सेवा",
        ),
        ("रेन जैकेट", "बैकपैक"),
        ("₹4,999", "₹1,299"),
    ),
    "ru": _simple(
        "Заказ {order}",
        (
            (
                "Здравствуйте! Неделю назад оформила заказ {order}, а он до сих пор не пришёл. "
                "Можете проверить?",
                "Здравствуйте, {first}! Спасибо за обращение. Ваш заказ {order} вчера "
                "отправлен со склада и будет доставлен за 2–3 рабочих дня. Трек-номер: "
                "{tracking}.",
            ),
            (
                "Хочу вернуть {item}, не подошёл размер. Как это сделать?",
                "Конечно! Мы отправили вам на почту предоплаченную этикетку для возврата. "
                "Отправить посылку можно в течение 30 дней.",
            ),
            (
                "Магазин {store} работает в воскресенье?",
                "Здравствуйте, {first}! Магазин {store} работает в воскресенье с 10:00 до 18:00.",
            ),
        ),
        ("Есть новости? 🙏", "Всё ещё жду ответа..."),
        ("Хорошо, спасибо.", "Понятно. Сколько примерно это займёт?"),
        (
            "Я ещё уточняю на складе и напишу, как только что-то узнаю.",
            "Пожалуйста, {first}! Могу ли я ещё чем-то помочь?",
            "Готово! Подтверждение придёт вам на почту в ближайшее время.",
        ),
        ("Большое спасибо за помощь! 😊",),
        ("Спасибо вам, {first}! Хорошего дня!",),
        "Здравствуйте, {first}! Приносим извинения. Напишите номер заказа в личные сообщения 🙏",
        (
            "Здравствуйте!\n\n{body}\n\nС уважением,\n{full}",
            "Здравствуйте, {first}!\n\n{body}\n\nС уважением,\n{agent}\nСлужба поддержки Acme",
        ),
        ("куртку", "рюкзак", "ботинки"),
        ("5 990 ₽", "12 490 ₽"),
    ),
}

# A paragraph some customers add to an email, making it several paragraphs long.
_EMAIL_EXTRAS = (
    "\n\nFor context: I've ordered from you many times and never had an issue before. I tried "
    "the live chat first but it kept disconnecting, and the phone line said the wait was over "
    "an hour. I'm writing here because I'd like this resolved in writing.\n\nI've attached "
    "what I have. Please let me know if you need anything else from me.",
    "\n\nP.S. The delivery driver left the parcel in the rain outside the building door, "
    "which probably didn't help. Maybe pass that on to the courier as well.",
)

_STORES = ("Downtown", "Riverside Mall", "Airport", "Harbor Point", "Lakeside", "Old Town")

# Google reviews: (rating, text) per language; the response depends on whether it is good.
_REVIEWS: dict[str, tuple[tuple[int, str], ...]] = {
    "en": (
        (
            5,
            "Great store, friendly staff and they helped me find the right boots. Will be back! ⭐",
        ),
        (5, "Best outdoor shop in town. Ask for Sam, he knows everything about tents."),
        (4, "Good selection, a bit pricey. Parking is a nightmare on weekends."),
        (3, "Okay experience. Long queue at the checkout and only one till open."),
        (2, "Ordered online for in-store pickup, waited 40 minutes while they searched for it."),
        (
            1,
            "Terrible customer service. Returned a faulty jacket and was told to come back "
            "another day.\n\nWhen I came back, nobody knew anything about it and the manager "
            "was 'on a break'. Never again.",
        ),
    ),
    "es": (
        (5, "Personal muy amable y buena calidad. ¡Repetiré!"),
        (2, "Precios altos y poca variedad de tallas."),
    ),
    "fr": (
        (5, "Accueil au top et de très bons conseils. Je recommande !"),
        (1, "Attente interminable en caisse, personne pour aider."),
    ),
    "de": (
        (4, "Gute Beratung, aber leider etwas teuer."),
        (2, "Umtausch war kompliziert, Kassenbon wurde zweimal verlangt."),
    ),
    "pt": (
        (5, "Atendimento excelente, voltarei com certeza!"),
        (3, "Loja bonita, mas demoraram muito para me atender."),
    ),
}
_REVIEW_RESPONSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        (
            "Thank you so much, {first}! We're thrilled you found what you needed. See you on "
            "the trails 🏔️",
            "Thanks for the lovely review, {first}! We'll pass it on to the team.",
        ),
        (
            "Hi {first}, we're sorry your visit fell short. We'd like to make it right: please "
            "email care@acme-demo.example with your receipt and we'll follow up personally.",
            "Thank you for the honest feedback, {first}. We've shared it with the store manager "
            "and are adding staff at peak times.",
        ),
    ),
    "es": (("¡Gracias, {first}! Nos alegra mucho.",), ("Lo sentimos, {first}. Lo revisaremos.",)),
    "fr": (("Merci beaucoup, {first} !",), ("Nous sommes désolés, {first}. Nous allons voir.",)),
    "de": (("Vielen Dank, {first}!",), ("Das tut uns leid, {first}. Wir kümmern uns darum.",)),
    "pt": (("Obrigado, {first}!",), ("Sentimos muito, {first}. Vamos verificar.",)),
}

# Posts an agent starts on public channels: (post, comments, answers to comments).
_POSTS: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = {
    "Twitter": (
        (
            "Our winter sale starts now ❄️ Up to 40% off jackets, boots and more, in stores and "
            "online until Sunday.",
            ("Does the sale include the {item}?", "Finally!! 😍", "Is this in stores too?"),
            (
                "Yes, {first}! It applies to everything in stores and online.",
                "See you there, {first} 😊",
            ),
        ),
        (
            "Heads up: our website will be down for maintenance tonight from 1am to 3am ET. "
            "Orders already placed are not affected.",
            ("Will the app work during that time?", "Thanks for the heads up 👍"),
            ("The app will be read-only during that window, {first}.",),
        ),
        (
            "We're aware some customers can't log in to the app right now. Our team is on it "
            "and we'll update you here. Sorry for the trouble 🙏",
            ("Still broken for me", "Same here, can't see my orders", "Works now, thanks!"),
            ("Thanks {first}, a fix is rolling out now. Please try again in 10 minutes.",),
        ),
    ),
    "Facebook": (
        (
            "🎉 Our new Riverside Mall store opens this Saturday at 10am!\n\nThe first 100 "
            "visitors get a free beanie, and there'll be coffee and live music all day. Come "
            "say hi to the team!",
            (
                "Will there be parking?",
                "Can't wait!! 😍",
                "Is it open on Sundays too?",
                "Finally a store on this side of town",
            ),
            (
                "Yes, {first}: free parking for 3 hours in the mall's north garage.",
                "See you Saturday, {first}! 🎉",
                "Sundays 11am-5pm, {first}.",
            ),
        ),
        (
            "Holiday shipping deadlines 📦\n\n• Standard delivery: order by December 16\n"
            "• Express: order by December 20\n• Click & collect: until 2pm on December 23\n\n"
            "Happy holidays from all of us at Acme!",
            ("Does this apply to Canada?", "Do you gift wrap? 🎁"),
            (
                "For Canada please allow 3 extra days, {first}.",
                "We do! Tick 'gift wrap' at checkout.",
            ),
        ),
    ),
    "Linkedin": (
        (
            "We're hiring! Acme is looking for three Customer Care Specialists to join our "
            "remote team. Experience with social and messaging channels is a plus. Apply via "
            "the link in our profile.",
            ("Is the role open to applicants in Canada?", "Shared with my network 👍"),
            ("Yes, {first}: the roles are remote across the US and Canada.", "Thank you!"),
        ),
        (
            "We're proud to share that Acme Outfitters is now a certified B Corporation. Thank "
            "you to our team, partners and customers who made this possible.",
            ("Congratulations to the whole team! 👏", "Well deserved."),
            ("Thank you, {first}!",),
        ),
    ),
}

# What an agent sends to start a private conversation: (email subject, body, customer answers).
_OUTREACH: dict[str, tuple[tuple[str | None, str, tuple[str, ...]], ...]] = {
    "WhatsApp": (
        (
            None,
            "Hi {first}, your order {order} has shipped 📦 Track it here: "
            "https://track.acme-demo.example/{tracking}",
            ("Thanks!", "Great, thank you 😊", "Can you deliver it to my office instead?"),
        ),
        (
            None,
            "Hi {first}, your {item} is ready for pickup at our {store} store.",
            ("Can someone else pick it up for me?", "Thanks! I'll come by tomorrow."),
        ),
        (
            None,
            "Hi {first}, sorry, your order {order} is running late. New estimate: Friday.",
            ("Ok, thanks for letting me know.", "Friday is too late, I need it for Thursday 😕"),
        ),
    ),
    "Viber": (
        (
            None,
            "Hi {first}, your order {order} is ready for pickup at our {store} store.",
            ("Can someone else pick it up for me?", "Thanks! I'll come by tomorrow."),
        ),
        (
            None,
            "Hi {first}, how was your recent purchase? Reply 1-5 to rate us.",
            ("5", "4, quick delivery but the box was damaged", "1. Still waiting for my refund."),
        ),
    ),
    "Email": (
        (
            "Your return {order}: next steps",
            "We've received the {item} you sent back. Your refund of {amount} will be "
            "processed within 2 business days, and you'll get a confirmation email when it's "
            "done.",
            ("Thanks for the update!", "Wait, didn't I already get a refund for this?"),
        ),
        (
            "About your recent message",
            "I'm following up on the issue you reported with order {order}. Could you confirm "
            "whether the replacement has arrived?",
            ("Yes, it arrived yesterday. All good.", "No, nothing yet 😕"),
        ),
    ),
}
# A second message in a row from the agent.
_NUDGES: dict[str, tuple[str, ...]] = {
    "en": (
        "Just following up: did you get a chance to look at my previous message?",
        "PS: I've added a note to your order so any of my colleagues can pick this up too.",
        "One more thing: you'll get an email confirmation within the hour.",
    ),
    "es": ("¿Has podido ver mi mensaje anterior?",),
    "fr": ("Avez-vous pu voir mon message précédent ?",),
    "de": ("Konnten Sie meine letzte Nachricht schon lesen?",),
    "pt": ("Conseguiu ver minha mensagem anterior?",),
    "ar": ("هل اطلعت على رسالتي السابقة؟",),
    "he": ("הספקת לראות את ההודעה הקודמת שלי?",),
    "ja": ("先ほどのメッセージはご確認いただけましたでしょうか？",),
    "zh": ("请问您看到我之前的消息了吗？",),
    "hi": ("क्या आपने मेरा पिछला संदेश देखा?",),
    "ru": ("Вы успели посмотреть моё предыдущее сообщение?",),
}
# Other people joining a public complaint.
_CHIME_INS = (
    "Same here!! 😡",
    "+1, same problem",
    "Following, I have the same issue",
    "Any update on this? Waiting too 🙄",
)


# --------------------------------------------------------------------------------------------
# Hostile input (always present with 50 contents or more)
# --------------------------------------------------------------------------------------------

_MARKUP_BODY = "[@click=app.quit]click me[/] [b]bold[/b] [red]red[/red]"
_ANSI_BODY = "\x1b[31mred\x1b[0m \x1b[2J\x1b]0;title\x07 and a C1 CSI: \x9b31mstill red?\x9b0m"
_BIDI_BODY = (
    "Refund for order \u202e0123-CA\u202c please. Isolated: \u2066שלום\u2069, "
    "embedded \u202bעברית\u202c, marks \u200fRLM\u200e LRM, override \u202dLTR\u202c."
)
_CONTROL_BODY = (
    "NUL:\x00 SOH:\x01 BEL:\x07 BS:\x08 TAB:\t VT:\x0b FF:\x0c end\r"
    "carriage-returned line\r\nCRLF line\x1f US \x7f DEL"
)
_MEGA_SUBJECT = "Full export from the app (sorry, it's long)"
_HOSTILE_MARKUP_NAME = ("Eve", None, "[bold]Eve[/bold]")
_HOSTILE_BIDI_NAME = ("Mallory", "Exe", "Mallory \u202egnp.exe\u202c")


@cache
def _megabyte_body() -> str:
    head = (
        "Hello,\n\nYou asked for the full log from the app, so here is everything it wrote. "
        "Sorry it's so long!\n\n"
    )
    line = "2026-11-02 10:14:55 DEBUG sync: retry request=5f2a9c status=503 Service Unavailable\n"
    body = head + line * (MEGABYTE // len(line) + 1)
    return body[:MEGABYTE]


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def _fit(body: str, limit: int) -> str:
    return body if len(body) <= limit else body[: limit - 1] + "…"


@cache
def _day_prefix(day: int) -> str:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)).strftime("%Y-%m-%dT")


class _DayPrefixes(dict[int, str]):
    """``YYYY-MM-DDT`` by day number since the epoch, computed once per day."""

    def __missing__(self, day: int) -> str:
        self[day] = prefix = _day_prefix(day)
        return prefix


@cache
def _clock_suffixes() -> tuple[str, ...]:
    """``HH:MM:SSZ`` for every second of a day: formatting 200k timestamps becomes a lookup."""
    return tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(_DAY))


def _iso(ts: int) -> str:
    day, second = divmod(ts, _DAY)
    return _day_prefix(day) + _clock_suffixes()[second]


def _epoch(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return math.floor(dt.timestamp())


def _context(rng: random.Random, lang: _Language) -> dict[str, str]:
    """Values a thread's templates are filled with (person fields are set by the caller)."""
    r = rng.random
    return {
        "order": f"AC-{int(r() * 900_000) + 100_000}",
        "tracking": f"1Z{int(r() * 9e11) + 10**11}",
        "ticket": f"CS-{int(r() * 90_000) + 10_000}",
        "promo": f"SORRY{int(r() * 9000) + 1000}",
        "item": lang.items[int(r() * len(lang.items))],
        "amount": lang.amounts[int(r() * len(lang.amounts))],
        "store": _STORES[int(r() * len(_STORES))],
        "first": "",
        "last": "",
        "full": "",
        "handle": "",
        "agent": "",
    }


def _address(ctx: dict[str, str], person: _Person) -> None:
    ctx["first"] = person.first
    ctx["last"] = person.last or person.first
    ctx["full"] = person.plain
    ctx["handle"] = person.handle


# How greetings start, in every language we write; an email body that has one needs no other.
_GREETINGS = (
    "Hi",
    "Hello",
    "Hey",
    "Hola",
    "Bonjour",
    "Hallo",
    "Oi",
    "Olá",
    "مرحباً",
    "שלום",
    "こんにちは",
    "你好",
    "नमस्ते",
    "Здравствуйте",
)


def _email(template: str, body: str, ctx: dict[str, str], greeted: bool) -> str:
    """``body`` in the language's email frame, without its greeting if ``body`` has one."""
    if greeted:
        template = template.partition("\n\n")[2]
    ctx["body"] = body
    return template.format_map(ctx)


def _pick(rng: random.Random, options: Sequence[_T]) -> _T:
    return options[int(rng.random() * len(options))]


def inbound_body(rng: random.Random, channel_type: str) -> str:
    """A fresh customer message for a channel of this type, within the channel's body limit."""
    info = channel_info(channel_type)
    locale = _locale(rng)
    lang = _LANGUAGES[locale]
    ctx = _context(rng, lang)
    _address(ctx, _new_person(rng, locale))
    if channel_type == "GoogleMyBusiness":
        return _fit(_pick_review(rng, locale)[1], info.max_body)
    topic = lang.topics[int(rng.random() * len(lang.topics))]
    if rng.random() < 0.3:
        template = _pick(rng, topic.followups or lang.followups)
    else:
        template = _pick(rng, topic.openers)
    body = template.format_map(ctx)
    if channel_type == "Email":
        body = _email(lang.customer_email, body, ctx, body.startswith(_GREETINGS))
    elif channel_type == "Twitter":
        body = f"@AcmeSupport {body}"
    return _fit(body, info.max_body)


def _pick_review(rng: random.Random, locale: str) -> tuple[int, str]:
    reviews = _REVIEWS.get(locale, _REVIEWS["en"])
    return reviews[int(rng.random() * len(reviews))]


@dataclass(slots=True)
class _Thread:
    """One conversation being generated: its cast, its script and what has been written."""

    channel: _Channel
    id: str
    hostile: str | None
    agent_start: bool
    seq: list[bool]  # True: the customer's (inbound) message; False: an agent's
    ages: list[int]  # seconds before now, strictly decreasing
    next_out: list[int]  # index of the first agent message after each position, or -1
    public: bool
    in_type: str
    out_type: str
    customer: _Identity
    lead_agent: _Identity
    lang: _Language
    locale: str
    language: str
    topic: _Topic
    ctx: dict[str, str]
    title: str | None
    post: tuple[str, tuple[str, ...], tuple[str, ...]] | None
    review: tuple[int, str] | None
    commenters: list[_Identity] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    authors: list[_Identity] = field(default_factory=list)
    last_in: int = -1
    last_out: int = -1
    thanked: bool = False
    used: set[str] = field(default_factory=set)  # templates already used in this thread
    answers: tuple[str, ...] = ()  # what the customer may answer to an agent's first message
    asked: int = -1  # the topic follow-up the customer asked last, until an agent answers it
    opener: int = 0  # which of the topic's openers started the thread
    template: dict = field(default_factory=dict)  # the fields all its contents share


# A thread to write: (channel, an agent starts it, contents, age of its last content, hostile kind).
_Plan = tuple[_Channel, bool, int, int, str | None]


class _Generator:
    """One run of ``generate``: all its state, every draw from one ``random.Random``."""

    def __init__(self, seed: int, now_ts: int) -> None:
        self.rng = random.Random(seed)
        self.now_ts = now_ts
        self.identities: list[_Identity] = []
        self.persons: list[_Person] = []
        self.known: dict[str, dict[str, _Identity]] = {}  # group id -> channel id -> identity
        self.contents: list[dict] = []
        self.owner_id = ""
        self.team: list[tuple[str, _Person]] = []
        self.channels: list[_Channel] = []
        self.clock_suffixes = _clock_suffixes()
        self.day_prefixes = _DayPrefixes()

    # -- the business -----------------------------------------------------------------------

    def make_team(self) -> None:
        rng = self.rng
        self.owner_id = str(rng.randrange(62_000_000_000, 64_000_000_000))
        for i, (first, last) in enumerate(rng.sample(_AGENT_NAMES, _COLLEAGUES + 1)):
            ext = self.owner_id if i == 0 else str(rng.randrange(62_000_000_000, 64_000_000_000))
            local = f"{_ascii(first)}.{_ascii(last)}"
            name = f"{first} {last}"
            email = f"{local}@acme-demo.example"
            handle = f"Acme{_ascii(first).capitalize()}"  # the account they post as
            person = _Person(
                first, last, name, name, "en", object_id(rng), handle, email, "", None, None
            )
            self.team.append((ext, person))

    def make_channels(self) -> None:
        rng = self.rng
        for ctype, name, weight in _CHANNEL_SPECS:
            info = CHANNELS[ctype]
            ch = _Channel(
                {"id": object_id(rng), "type": ctype, "name": name},
                ctype,
                weight,
                _PACE.get(ctype, _CHAT),
                info.max_body,
                info.visibility,
                info.initiation,
                info.identity_type,
                channel_uri(ctype),
                _CAPABILITIES.get(ctype, ()),
            )
            self.channels.append(ch)
            colleagues = rng.sample(self.team[1:], rng.randint(4, _COLLEAGUES))
            for ext, person in [self.team[0], *colleagues]:
                ident = _Identity(_identity_record(rng, person, info.identity_type, [ext]), person)
                # Agents' identities predate every conversation by months.
                ident.oldest = _MAX_AGE + rng.randrange(300 * _DAY)
                ident.newest = rng.randrange(ident.oldest)
                ch.agents.append(ident)
                self.identities.append(ident)

    # -- customers --------------------------------------------------------------------------

    def new_customer(self, ch: _Channel, person: _Person | None = None) -> _Identity:
        rng = self.rng
        if person is None:
            person = _new_person(rng)
            self.persons.append(person)
            self.known[person.group_id] = {}
        ident = _Identity(_identity_record(rng, person, ch.identity_type, []), person)
        # A returning person was known long before; a new one is created as their message lands.
        ident.lead = int(rng.random() * (30 * _DAY if rng.random() < 0.1 else 3))
        ch.customers.append(ident)
        self.known[person.group_id][ch.record["id"]] = ident
        self.identities.append(ident)
        return ident

    def customer(self, ch: _Channel) -> _Identity:
        """Mostly a new person; sometimes a returning customer, or someone known elsewhere."""
        r = self.rng.random
        roll = r()
        if roll < 0.04 and ch.customers:
            return ch.customers[int(r() * len(ch.customers))]
        if roll < 0.16 and self.persons:
            person = self.persons[int(r() * len(self.persons))]
            return self.known[person.group_id].get(ch.record["id"]) or self.new_customer(ch, person)
        return self.new_customer(ch)

    def hostile_customer(self, ch: _Channel, name: tuple[str, str | None, str]) -> _Identity:
        person = _new_person(self.rng, "en")
        person.first, person.last, person.display = name
        person.gender = None
        person.plain = f"{name[0]} {name[1]}" if name[1] else name[0]
        self.persons.append(person)
        self.known[person.group_id] = {}
        return self.new_customer(ch, person)

    # -- the shape of the inbox -------------------------------------------------------------

    def plan(self, total: int) -> list[_Plan]:
        """(channel, agent starts it, contents, age of its last content, hostile kind)."""
        rng = self.rng
        r = rng.random
        if total <= 0:
            return []
        count = max(1, total // _CONTENTS_PER_THREAD)
        channels = self.channels
        # Every channel gets a thread first; reviews go last, they hold at most two contents.
        cover = channels[:]
        rng.shuffle(cover)
        cover.sort(key=lambda c: c.pace == _REVIEW)
        picks = cover[:count]
        if count > len(cover):
            picks += rng.choices(channels, [c.weight for c in channels], k=count - len(cover))
        hostile: dict[int, str] = {}
        if total >= 50:
            # Keep the hostile threads off the channel-covering ones when there is room.
            low = len(cover) if count >= len(cover) + 5 else 1
            chats = [c for c in channels if c.pace == _CHAT]
            kinds = ("mega", "markup", "ansi", "bidi", "controls")
            for kind, index in zip(kinds, rng.sample(range(low, count), 5), strict=True):
                hostile[index] = kind
                if kind == "mega":
                    picks[index] = next(c for c in channels if c.type == "Email")
                else:
                    picks[index] = chats[int(r() * len(chats))]
        starts: list[bool] = []
        sizes: list[int] = []
        weights: list[float] = []
        for index, ch in enumerate(picks):
            starts.append(
                ch.initiation is not Initiation.NOT_ALLOWED
                and index not in hostile
                and r() < _AGENT_STARTS.get(ch.type, _AGENT_STARTS_DEFAULT)
            )
            if ch.pace == _REVIEW:
                sizes.append(2 if r() < 0.75 else 1)
                weights.append(0.0)
            else:
                sizes.append(1)
                weights.append((rng.expovariate(1.0) + 0.01) * (0.7 if ch.pace == _EMAIL else 1))
        rest = total - sum(sizes)
        while rest < 0:  # a tiny total cannot afford two contents on every review
            sizes[sizes.index(2)] = 1
            rest += 1
        weight_sum = sum(weights)
        for i, w in enumerate(weights):
            sizes[i] += int(rest * w / weight_sum)
        for i in rng.choices(range(count), weights, k=total - sum(sizes)):
            sizes[i] += 1
        span = _MAX_AGE - _MIN_AGE
        ages = [_MIN_AGE + int(span * r() ** _RECENCY) for _ in range(count)]
        ages[0] = _MIN_AGE + rng.randrange(300)
        return [(picks[i], starts[i], sizes[i], ages[i], hostile.get(i)) for i in range(count)]

    def directions(self, size: int, agent_start: bool, review: bool) -> list[bool]:
        r = self.rng.random
        seq = [not agent_start]
        if size == 1:
            return seq
        if review:
            return [True, False]  # a review and its response
        if agent_start:
            seq.append(True)
        unanswered = r() < _UNANSWERED
        while len(seq) < size - 1:
            prev = seq[-1]
            # Mostly turn-taking; now and then two messages in a row from the same side.
            seq.append(not prev if r() < (0.75 if prev else 0.88) else prev)
        if len(seq) < size:
            seq.append(unanswered)
        return seq

    def ages(self, seq: list[bool], pace: str, last_age: int) -> list[int]:
        r = self.rng.random
        exp = math.exp
        table = _LOG_GAPS[pace]
        ages = [last_age] * len(seq)
        for j in range(len(seq) - 2, -1, -1):
            low, width = table[(seq[j], seq[j + 1])]
            ages[j] = ages[j + 1] + 1 + int(exp(low + width * r()))
        if ages[0] > _MAX_AGE:
            # Too long a conversation for the window: squeeze it, keeping the order strict.
            duration, room = ages[0] - last_age, _MAX_AGE - last_age
            ages = [last_age + (a - last_age) * room // duration for a in ages]
            for j in range(len(ages) - 2, -1, -1):
                ages[j] = max(ages[j], ages[j + 1] + 1)
        return ages

    @staticmethod
    def template(ch: _Channel, thread_id: str, language: str) -> dict:
        """Every ContentModel field in the API's order; ``None`` where each content differs."""
        return {
            "id": None,
            "creationTime": None,
            "lastModifiedTime": None,
            "authorIdentityId": None,
            "body": None,
            "bodyFormatted": None,
            "bodyInputFormat": "Text",
            "categoryIds": None,
            "contentDirection": None,
            "contextData": None,
            "createdFrom": None,
            "creatorId": None,
            "firstInThread": None,
            "inReplyToAuthorIdentityId": None,
            "inReplyToContentId": None,
            "interventionId": None,
            "language": language,
            "public": None,
            "published": None,
            "rating": None,
            "remotelyDeleted": False,
            "channelId": ch.record["id"],
            "channelType": ch.type,
            "channelUri": ch.uri,
            "status": None,
            "synchronizationStatus": None,
            "synchronizationError": None,
            "threadId": thread_id,
            "title": None,
            "type": None,
            "attachments": None,
            "autoSubmitted": False,
            "identityGroupId": None,
            "structuredContentSupported": bool(ch.caps),
            "capabilitiesSupported": None,
        }

    def start_thread(
        self, ch: _Channel, agent_start: bool, size: int, last_age: int, hostile: str | None
    ) -> _Thread:
        rng = self.rng
        r = rng.random
        ctype = ch.type
        seq = self.directions(size, agent_start, ch.pace == _REVIEW)
        next_out = [-1] * size
        following = -1
        for j in range(size - 1, -1, -1):
            next_out[j] = following
            if not seq[j]:
                following = j
        post = None
        if agent_start and ch.initiation is Initiation.PUBLIC_POST:
            post = _POSTS[ctype][int(r() * len(_POSTS[ctype]))]
        public = ch.visibility is not Visibility.PRIVATE_ONLY
        in_type = out_type = "Message"
        if ctype == "Email":
            in_type = out_type = "Email"
        elif ctype == "Twitter":
            public = post is not None or r() < 0.6
            in_type = out_type = "Tweet" if public else "PrivateTweet"
        elif ctype in ("Instagram", "Facebook", "Youtube", "Linkedin"):
            in_type = out_type = "Comment"
        elif ctype == "GoogleMyBusiness":
            in_type, out_type = "Review", "ReviewResponse"

        if hostile == "markup":
            customer = self.hostile_customer(ch, _HOSTILE_MARKUP_NAME)
        elif hostile == "bidi":
            customer = self.hostile_customer(ch, _HOSTILE_BIDI_NAME)
        else:
            customer = self.customer(ch)
        agents = ch.agents
        # The demo agent handles a good share of the conversations.
        lead_agent = agents[0] if r() < 0.4 else agents[1 + int(r() * (len(agents) - 1))]
        locale = customer.person.locale if r() < 0.85 and not agent_start else "en"
        review = _pick_review(rng, locale) if ch.pace == _REVIEW else None
        if review is not None and locale not in _REVIEWS:
            locale = "en"
        lang = _LANGUAGES[locale]
        topics = [t for t in lang.topics if t.public] if public else lang.topics
        topic = topics[int(r() * len(topics))]
        ctx = _context(rng, lang)
        _address(ctx, customer.person)
        title = None
        if ctype == "Email":
            title = _MEGA_SUBJECT if hostile == "mega" else topic.subject.format_map(ctx)
        thread_id = object_id(rng)
        return _Thread(
            ch,
            thread_id,
            hostile,
            agent_start,
            seq,
            self.ages(seq, ch.pace, last_age),
            next_out,
            public,
            in_type,
            out_type,
            customer,
            lead_agent,
            lang,
            locale,
            _LANGUAGE_CODES[locale],
            topic,
            ctx,
            title,
            post,
            review,
            [customer],
            template=self.template(ch, thread_id, _LANGUAGE_CODES[locale]),
        )

    # -- what each message says -------------------------------------------------------------

    def inbound(self, t: _Thread, j: int) -> dict:
        rng = self.rng
        r = rng.random
        ch = t.channel
        lang, ctx, seq = t.lang, t.ctx, t.seq
        author = t.customer
        if t.post is not None or (t.public and t.topic.shared and j > 0 and r() < 0.2):
            # Public conversations draw other people in.
            joined = len(t.commenters)
            if joined < 6 and ((joined == 1 and t.post is None) or r() < 0.5):
                t.commenters.append(self.new_customer(ch))
            author = t.commenters[int(r() * len(t.commenters))]
        chiming_in = author is not t.customer and t.post is None
        kind = t.in_type
        rating = None
        if j == 0:
            body = self.opener(t)
            if t.review is not None:
                rating = t.review[0]
        elif t.post is not None:
            body = self.fresh(t, t.post[1]).format_map(ctx)
        elif chiming_in:
            body = self.fresh(t, _CHIME_INS)
        elif t.agent_start and j == 1:
            body = self.fresh(t, t.answers)
        elif t.last_out < 0:
            body = self.fresh(t, lang.waiting)
        elif j == len(seq) - 1 and not seq[j - 1] and r() < 0.4:
            body = self.fresh(t, lang.thanks)
            t.thanked = True
        elif t.topic.followups and not t.agent_start and r() < 0.55:
            body = self.fresh(t, t.topic.followups)
            t.asked = t.topic.followups.index(body)
            body = body.format_map(ctx)
        else:
            body = self.fresh(t, lang.followups)
        if ch.type == "Email" and (j > 0 or t.hostile is None):
            body = _email(lang.customer_email, body, ctx, body.startswith(_GREETINGS))
            if j == 0 and t.locale == "en" and r() < 0.12:
                body += _pick(rng, _EMAIL_EXTRAS)
        elif kind == "Tweet":
            body = f"@AcmeSupport {body}"
        if j > 0 or t.hostile is None:
            body = _fit(body, ch.max_body)
        attachments: list[dict] = []
        if t.hostile is None and ch.pace != _REVIEW:
            if ch.pace == _CHAT and r() < 0.015:
                attachments, kind, body = self.attachments((_VOICE,), t.public), "Media", ""
            elif (j == 0 or t.asked >= 0) and r() < t.topic.attach:
                # Files come with the first message or an answer to the agent's question.
                attachments, kind, body = self.inbound_media(t, kind, body, j)
        created = self.now_ts - t.ages[j]
        if t.next_out[j] >= 0:
            status, modified = "Replied", self.now_ts - t.ages[t.next_out[j]]
        elif t.thanked:
            status, modified = "Ignored", created + min(t.ages[j] - 1, int(r() * 3600))
        else:
            status, modified = "New", created + int(r() * 3)
        reply_to = t.last_out if t.last_out >= 0 else None
        t.last_in = j
        return self.record(
            t, j, author, body, kind, t.public, status, created, modified, reply_to,
            "Synchronizer", None, _SYNCED, rating, attachments, None,
        )  # fmt: skip

    def opener(self, t: _Thread) -> str:
        if t.hostile is not None:
            return {
                "mega": _megabyte_body(),
                "markup": _MARKUP_BODY,
                "ansi": _ANSI_BODY,
                "bidi": _BIDI_BODY,
                "controls": _CONTROL_BODY,
            }[t.hostile]
        if t.review is not None:
            return t.review[1]
        t.opener = int(self.rng.random() * len(t.topic.openers))
        return t.topic.openers[t.opener].format_map(t.ctx)

    def inbound_media(
        self, t: _Thread, kind: str, body: str, j: int
    ) -> tuple[list[dict], str, str]:
        """Attach what this customer would send: photos, screenshots, receipts, videos."""
        r = self.rng.random
        files = t.topic.files
        if t.channel.pace not in (_CHAT, _EMAIL):
            # Public comments carry pictures, not documents.
            files = tuple(f for f in files if f[0].startswith("image/")) or (_PHOTO,)
        attachments = self.attachments(files, t.public)
        if t.channel.pace == _CHAT:
            kind = "Media"
            if j > 0 and t.locale == "en" and r() < 0.3:
                body = _pick(self.rng, _CAPTIONS)  # the picture says the rest
        return attachments, kind, body

    def fresh(self, t: _Thread, options: tuple[str, ...]) -> str:
        """A random option this thread has not used yet (people rarely repeat themselves)."""
        count = len(options)
        start = int(self.rng.random() * count)
        for k in range(count):
            option = options[(start + k) % count]
            if option not in t.used:
                t.used.add(option)
                return option
        return options[start]

    def attachments(self, specs: tuple[_FileSpec, ...], public: bool) -> list[dict]:
        rng = self.rng
        r = rng.random
        result = []
        content_type, names, (low, high) = specs[int(r() * len(specs))]
        # People send a few photos at once, other files one at a time.
        count = 1 if not content_type.startswith("image/") or r() < 0.8 else 2 + int(r() * 3)
        for _ in range(count):
            attachment_id = object_id(rng)
            name = names[int(r() * len(names))].format(n=1000 + int(r() * 99000))
            result.append(
                {
                    "id": attachment_id,
                    "contentType": content_type,
                    "creationTime": None,
                    "lastModifiedTime": None,
                    "embedded": False,
                    "filename": name,
                    "public": public,
                    "size": low + int(r() * (high - low)),
                    "uri": f"{TENANT_URL}/files/attachments/{attachment_id}",
                    "attachableId": None,
                    "attachableType": "Content",
                }
            )
        return result

    def outbound(self, t: _Thread, j: int) -> dict:
        rng = self.rng
        r = rng.random
        ch = t.channel
        lang, ctx = t.lang, t.ctx
        agent = t.lead_agent if r() < 0.85 else ch.agents[int(r() * len(ch.agents))]
        ctx["agent"] = agent.person.first
        kind, public = t.out_type, t.public
        structured = None
        reply_to = None
        first_reply = False
        if j == 0:
            status = "UserInitiated"
            # The person it is addressed to (or a follower) was known before it was sent.
            t.customer.oldest = max(t.customer.oldest, t.ages[0])
            t.customer.newest = min(t.customer.newest, t.ages[0])
            if t.post is not None:
                body = t.post[0]
                kind = "Status" if ch.type in ("Facebook", "Linkedin") else kind
            else:
                subject, body, t.answers = _pick(rng, _OUTREACH[ch.type])
                body = body.format_map(ctx)
                if subject is not None:
                    t.title = subject.format_map(ctx)
                if ch.type == "WhatsApp":
                    # Template sends carry their text in structuredContent.subtitle.
                    kind = "OutboundMessage"
                    structured = {"subtitle": body}
        else:
            status = "UserReply"
            reply_to = t.last_in
            _address(ctx, t.authors[reply_to].person)
            first_reply = t.last_out < 0 and not t.agent_start
            if t.review is not None:
                good, bad = _REVIEW_RESPONSES[t.locale]
                body = _pick(rng, good if t.review[0] >= 4 else bad).format_map(ctx)
            elif t.post is not None:
                body = self.fresh(t, t.post[2]).format_map(ctx)
            elif t.thanked:
                body = self.fresh(t, lang.closings).format_map(ctx)
            elif first_reply:
                # Openers and first replies are written in pairs.
                body = t.topic.replies[t.opener % len(t.topic.replies)].format_map(ctx)
            elif t.last_out == j - 1:
                body = self.fresh(t, _NUDGES[t.locale])  # a second message in a row
            elif 0 <= t.asked < len(t.topic.agent_followups):
                body = t.topic.agent_followups[t.asked].format_map(ctx)
                t.asked = -1
            else:
                body = self.fresh(t, lang.agent_followups).format_map(ctx)
            if ch.type in ("Instagram", "Facebook") and r() < 0.12:
                kind, public = "Message", False  # a private reply to a public comment
        if ch.type == "Email":
            # Replies that already greet the customer by name skip the template's greeting.
            named = ctx["first"] in body[:40] or ctx["full"] in body[:40]
            body = _email(lang.agent_email, body, ctx, named)
        elif kind == "Tweet" and j > 0:
            body = f"@{ctx['handle']} {body}"
        if len(body) > ch.max_body:
            body = lang.short_reply.format_map(ctx)
        body = _fit(body, ch.max_body)
        sync = _SYNCED if r() >= 0.02 else ("Failed", _SYNC_ERRORS[ch.type], False)
        attachments: list[dict] = []
        if t.post is not None and j == 0 and ch.type == "Facebook" and r() < 0.5:
            attachments, kind = self.attachments((_BANNER,), True), "Photo"
        elif j > 0 and first_reply and t.topic.agent_files and r() < 0.3:
            attachments = self.attachments(t.topic.agent_files, public)
        created = self.now_ts - t.ages[j]
        created_from = "Interface" if r() < 0.85 else "Api"
        t.last_out = j
        return self.record(
            t, j, agent, body, kind, public, status, created, created + 1 + int(r() * 5),
            reply_to, created_from, agent.record["userIds"][0], sync, None, attachments,
            structured,
        )  # fmt: skip

    def record(
        self,
        t: _Thread,
        j: int,
        author: _Identity,
        body: str,
        kind: str,
        public: bool,
        status: str,
        created: int,
        modified: int,
        reply_to: int | None,
        created_from: str,
        creator: str | None,
        sync: tuple[str, str | None, bool],
        rating: int | None,
        attachments: list[dict],
        structured: dict | None,
    ) -> dict:
        """The content at position ``j`` of ``t``, as the API returns it."""
        age = t.ages[j]
        if age > author.oldest:
            author.oldest = age
        if age < author.newest:
            author.newest = age
        content_id = object_id(self.rng)
        # _iso inlined: two timestamps per content add up at 100k contents.
        suffixes, prefixes = self.clock_suffixes, self.day_prefixes
        created_iso = prefixes[created // _DAY] + suffixes[created % _DAY]
        for attachment in attachments:
            attachment["creationTime"] = attachment["lastModifiedTime"] = created_iso
            attachment["attachableId"] = content_id
        title = t.title
        if title is not None and j > 0:
            title = f"Re: {title}"
        # Copying the thread's template and filling in the rest is about twice as fast as a
        # dict display of all 35 fields.
        record = t.template.copy()
        record["id"] = content_id
        record["creationTime"] = created_iso
        record["lastModifiedTime"] = prefixes[modified // _DAY] + suffixes[modified % _DAY]
        record["authorIdentityId"] = author.record["id"]
        record["body"] = body
        record["bodyFormatted"] = {"Text": body, "Html": f"<p>{escape(body)}</p>"}
        record["categoryIds"] = []
        record["contentDirection"] = "Incoming" if t.seq[j] else "Outgoing"
        record["createdFrom"] = created_from
        record["creatorId"] = creator
        record["firstInThread"] = j == 0
        if reply_to is not None:
            record["inReplyToAuthorIdentityId"] = t.authors[reply_to].record["id"]
            record["inReplyToContentId"] = t.ids[reply_to]
        record["public"] = public
        record["synchronizationStatus"], record["synchronizationError"], record["published"] = sync
        record["rating"] = rating
        record["status"] = status
        record["title"] = title
        record["type"] = kind
        record["attachments"] = attachments
        record["identityGroupId"] = author.person.group_id
        record["capabilitiesSupported"] = capabilities_supported(t.channel.type)
        if structured is not None:
            record["structuredContent"] = structured
        t.ids.append(content_id)
        t.authors.append(author)
        return record

    def thread(self, plan: _Plan) -> None:
        t = self.start_thread(*plan)
        append = self.contents.append
        for j, inbound in enumerate(t.seq):
            append(self.inbound(t, j) if inbound else self.outbound(t, j))

    def finish(self) -> SeedData:
        now_ts = self.now_ts
        records = []
        for ident in self.identities:
            record = ident.record
            created = now_ts - ident.oldest - ident.lead
            record["creationTime"] = _iso(created)
            record["lastModifiedTime"] = _iso(max(created, now_ts - ident.newest))
            records.append(record)
        records.sort(key=itemgetter("creationTime", "id"))
        # Timestamps have one fixed width, so one concatenated string sorts as the pair would.
        self.contents.sort(key=lambda c: c["creationTime"] + c["id"])
        return SeedData(self.owner_id, [c.record for c in self.channels], records, self.contents)


def generate(seed: int = 1, contents: int = 2000, now: datetime | None = None) -> SeedData:
    """The demo inbox for ``seed``: ``contents`` contents in about ``contents / 6`` threads.

    Every timestamp lies before ``now`` (default ``DEFAULT_NOW``): the newest thread is minutes
    old, the oldest content about 90 days. Same arguments, same data, byte for byte.
    """
    generator = _Generator(seed, _epoch(now or DEFAULT_NOW))
    # Building 100k records triggers the cyclic collector hundreds of times for nothing (the
    # records hold no cycles); pausing it makes generation about twice as fast.
    collecting = gc.isenabled()
    gc.disable()
    try:
        generator.make_team()
        generator.make_channels()
        for plan in generator.plan(contents):
            generator.thread(plan)
        return generator.finish()
    finally:
        if collecting:
            gc.enable()
