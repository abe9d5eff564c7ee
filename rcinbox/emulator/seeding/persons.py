"""People (customers and agents) and their identity records, as the API returns them."""

from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from rcinbox.api.channels import channel_info

from ..corpus.people import (
    COMPANIES,
    DEVICES,
    EMAIL_DOMAINS,
    EMOJI_NAME_FORMS,
    LOCALE_WEIGHTS,
    LOCALES,
    LONG_NAMES,
    NAMES,
    TW_DESCRIPTIONS,
    TW_LOCATIONS,
)
from .basics import MAX_AGE, TENANT_URL, epoch, isoformat, object_id, stamped

# The ContentModel ``language`` of a thread in each locale (``"En"``, ``"Zh"``...).
LANGUAGE_CODES = {loc: loc.capitalize() for loc in LOCALES}
LOCALE_CUMULATIVE = tuple(itertools.accumulate(LOCALE_WEIGHTS))


def draw_locale(rng: random.Random) -> str:
    return LOCALES[bisect.bisect(LOCALE_CUMULATIVE, rng.random() * LOCALE_CUMULATIVE[-1])]


@dataclass(slots=True)
class Person:
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
class Identity:
    record: dict
    person: Person
    oldest: int = 0  # age in seconds of its oldest content
    newest: int = MAX_AGE * 10  # age of its newest content
    lead: int = 0  # how long before its first content it was created


@cache
def ascii_fold(text: str) -> str:
    """Letters and digits of ``text`` folded to ASCII (empty for scripts that do not fold)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def new_person(rng: random.Random, locale: str | None = None) -> Person:
    r = rng.random
    if locale is None:
        locale = draw_locale(rng)
    names = NAMES[locale]
    woman = r() < 0.5
    firsts, lasts = names.firsts[woman], names.lasts[woman]
    first = firsts[int(r() * len(firsts))]
    last = lasts[int(r() * len(lasts))]
    roll = r()
    if roll < 0.015:
        first, last = LONG_NAMES[int(r() * len(LONG_NAMES))]
        plain = f"{first} {last}"
    elif names.family_first:
        plain = f"{last} {first}" if locale == "ja" else f"{last}{first}"
    else:
        plain = f"{first} {last}"
    display = plain
    if 0.015 <= roll < 0.075:
        form = EMOJI_NAME_FORMS[int(r() * len(EMOJI_NAME_FORMS))]
        display = form.format(name=plain if r() < 0.5 else first)
    base = ascii_fold(first) + ascii_fold(last)
    digits = str(int(r() * 9000) + 100)
    handle = f"{base[:15] or 'acmefan'}{digits if r() < 0.6 or not base else ''}"
    # Names in scripts that do not fold to ASCII get their handle as the mailbox name.
    local = (
        f"{ascii_fold(first)}.{ascii_fold(last)}"
        if ascii_fold(first) and ascii_fold(last)
        else handle
    )
    email = f"{local}@{EMAIL_DOMAINS[int(r() * len(EMAIL_DOMAINS))]}"
    phone = f"{names.phone_prefix}{int(r() * 9e9) + 10**9}"
    company = COMPANIES[int(r() * len(COMPANIES))] if r() < 0.06 else None
    gender = "Woman" if woman else "Man"
    return Person(
        first, last, display, plain, locale, object_id(rng), handle, email, phone, company, gender
    )


def uuid4(rng: random.Random) -> str:
    """A random (version 4) UUID string drawn from ``rng``."""
    h = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def avatar(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{TENANT_URL}/files/identities/{h[:3]}/{h[3:6]}/{h[6:32]}/avatar/photo.jpg?{h[-6:]}"


def identity_record(
    rng: random.Random, person: Person, identity_type: str, user_ids: list[str]
) -> dict:
    """An IdentityModel with every common field (null where the channel has no such data)."""
    r = rng.random
    agent = bool(user_ids)
    t = identity_type
    display = person.display
    screen = person.first
    if person.last:
        family_first = NAMES[person.locale].family_first
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
        "avatarUri": avatar(rng) if agent or r() < 0.55 else None,
        "identityGroupId": person.group_id,
        "extraValues": {},
        "userIds": user_ids,
        "uuid": uuid4(rng),
    }
    if agent:
        return record
    info = NAMES[person.locale]
    if t == "Facebook":
        record["fbLocale"] = info.fb_locale
    elif t == "Instagram":
        record["igFollowersCount"] = int(r() ** 4 * 50_000)
    elif t == "Twitter":
        record["twDescription"] = TW_DESCRIPTIONS[int(r() * len(TW_DESCRIPTIONS))]
        record["twLocation"] = TW_LOCATIONS[int(r() * len(TW_LOCATIONS))]
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
        record["mobileDeviceInfo"] = DEVICES[int(r() * len(DEVICES))]
    return record


def customer_identity(rng: random.Random, channel: dict, now: datetime) -> dict:
    """A new customer's IdentityModel on ``channel``, created and last modified at ``now``."""
    return new_customer(rng, channel, now)[1]


def new_customer(rng: random.Random, channel: dict, now: datetime) -> tuple[Person, dict]:
    """A new person and their IdentityModel on ``channel``, created and last modified at ``now``."""
    person = new_person(rng)
    record = identity_record(rng, person, channel_info(channel.get("type")).identity_type, [])
    record["creationTime"] = record["lastModifiedTime"] = isoformat(now)
    record["id"] = stamped(record["id"], epoch(now))
    return person, record


def person_of(identity: dict, locale: str) -> Person:
    """The person behind an IdentityModel, for a thread whose seed-time person is not known (one
    an agent started through the API): the names it shows, the thread's locale."""
    first = identity.get("firstName") or identity.get("displayName") or ""
    last = identity.get("lastName")
    display = identity.get("displayName") or first
    return Person(
        first,
        last,
        display,
        f"{first} {last}" if last else first,
        locale,
        identity.get("identityGroupId") or "",
        identity.get("screenName") or first,
        identity.get("emailAddress") or "",
        identity.get("mobilePhone") or "",
        identity.get("company"),
        identity.get("gender"),
    )
