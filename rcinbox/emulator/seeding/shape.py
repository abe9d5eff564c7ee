"""The business (team, channels), its customers, and the shape of the inbox: which threads,
on which channel, how many contents, who starts them, and when each message was written."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from rcinbox.api.channels import CHANNELS, Initiation, Visibility

from ..corpus.business import AGENT_NAMES, CAPABILITIES, CHANNEL_SPECS
from .basics import (
    CONTENTS_PER_THREAD,
    DAY,
    MAX_AGE,
    MIN_AGE,
    RECENCY,
    UNANSWERED,
    ClockSuffixes,
    DayPrefixes,
    channel_uri,
    object_id,
)
from .persons import Identity, Person, ascii_fold, identity_record, new_person
from .writing import Voice

COLLEAGUES = 5

# How a thread's channel behaves: gaps between messages and what agents may start.
CHAT, EMAIL, SOCIAL, REVIEW = "chat", "email", "social", "review"
PACE = {
    "Email": EMAIL,
    "Instagram": SOCIAL,
    "Twitter": SOCIAL,
    "Facebook": SOCIAL,
    "Linkedin": SOCIAL,
    "Youtube": SOCIAL,
    "GoogleMyBusiness": REVIEW,
}
# Share of a channel's threads that an agent starts (only where the channel allows it).
AGENT_STARTS = {"Twitter": 0.25, "Facebook": 0.3, "Linkedin": 0.5, "Email": 0.12, "Viber": 0.2}
AGENT_STARTS_DEFAULT = 0.1
# Seconds between two messages, log-uniform in (low, high), by pace and (from, to) direction.
GAPS: dict[str, dict[tuple[bool, bool], tuple[int, int]]] = {
    CHAT: {
        (True, False): (40, 4 * 3600),
        (False, True): (20, 20 * 3600),
        (True, True): (4, 120),
        (False, False): (30, 3 * 3600),
    },
    EMAIL: {
        (True, False): (600, 30 * 3600),
        (False, True): (900, 3 * DAY),
        (True, True): (300, DAY),
        (False, False): (120, 2 * 3600),
    },
    SOCIAL: {
        (True, False): (300, 10 * 3600),
        (False, True): (120, 2 * DAY),
        (True, True): (60, 6 * 3600),
        (False, False): (60, 1800),
    },
    REVIEW: {
        (True, False): (3600, 4 * DAY),
        (False, True): (3600, DAY),
        (True, True): (3600, DAY),
        (False, False): (600, 3600),
    },
}
LOG_GAPS = {
    pace: {k: (math.log(lo), math.log(hi) - math.log(lo)) for k, (lo, hi) in table.items()}
    for pace, table in GAPS.items()
}

# (synchronizationStatus, synchronizationError, published) of a content the channel has.
SYNCED = ("Success", None, True)


@dataclass(slots=True)
class Channel:
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
    agents: list[Identity] = field(default_factory=list)
    customers: list[Identity] = field(default_factory=list)


Plan = tuple[Channel, bool, int, int, str | None]


class Cast:
    """The business and its customers for one run of ``generate``: its state and its one
    ``random.Random``, shared with the conversations written by :class:`~.threads.Generator`."""

    def __init__(self, seed: int, now_ts: int) -> None:
        self.rng = random.Random(seed)
        self.now_ts = now_ts
        self.identities: list[Identity] = []
        self.persons: list[Person] = []
        self.known: dict[str, dict[str, Identity]] = {}  # group id -> channel id -> identity
        self.contents: list[dict] = []
        self.voices: dict[str, Voice] = {}  # thread id -> how its customer writes
        self.owner_id = ""
        self.team: list[tuple[str, Person]] = []
        self.channels: list[Channel] = []
        self.clock_suffixes = ClockSuffixes()
        self.day_prefixes = DayPrefixes()

    # -- the business -----------------------------------------------------------------------

    def make_team(self) -> None:
        rng = self.rng
        self.owner_id = str(rng.randrange(62_000_000_000, 64_000_000_000))
        for i, (first, last) in enumerate(rng.sample(AGENT_NAMES, COLLEAGUES + 1)):
            ext = self.owner_id if i == 0 else str(rng.randrange(62_000_000_000, 64_000_000_000))
            local = f"{ascii_fold(first)}.{ascii_fold(last)}"
            name = f"{first} {last}"
            email = f"{local}@acme-demo.example"
            handle = f"Acme{ascii_fold(first).capitalize()}"  # the account they post as
            person = Person(
                first, last, name, name, "en", object_id(rng), handle, email, "", None, None
            )
            self.team.append((ext, person))

    def make_channels(self) -> None:
        rng = self.rng
        for ctype, name, weight in CHANNEL_SPECS:
            info = CHANNELS[ctype]
            ch = Channel(
                {"id": object_id(rng), "type": ctype, "name": name},
                ctype,
                weight,
                PACE.get(ctype, CHAT),
                info.max_body,
                info.visibility,
                info.initiation,
                info.identity_type,
                channel_uri(ctype),
                CAPABILITIES.get(ctype, ()),
            )
            self.channels.append(ch)
            colleagues = rng.sample(self.team[1:], rng.randint(4, COLLEAGUES))
            for ext, person in [self.team[0], *colleagues]:
                ident = Identity(identity_record(rng, person, info.identity_type, [ext]), person)
                # Agents' identities predate every conversation by months.
                ident.oldest = MAX_AGE + rng.randrange(300 * DAY)
                ident.newest = rng.randrange(ident.oldest)
                ch.agents.append(ident)
                self.identities.append(ident)

    # -- customers --------------------------------------------------------------------------

    def new_customer(self, ch: Channel, person: Person | None = None) -> Identity:
        rng = self.rng
        if person is None:
            person = new_person(rng)
            self.persons.append(person)
            self.known[person.group_id] = {}
        ident = Identity(identity_record(rng, person, ch.identity_type, []), person)
        # A returning person was known long before; a new one is created as their message lands.
        ident.lead = int(rng.random() * (30 * DAY if rng.random() < 0.1 else 3))
        ch.customers.append(ident)
        self.known[person.group_id][ch.record["id"]] = ident
        self.identities.append(ident)
        return ident

    def customer(self, ch: Channel) -> Identity:
        """Mostly a new person; sometimes a returning customer, or someone known elsewhere."""
        r = self.rng.random
        roll = r()
        if roll < 0.04 and ch.customers:
            return ch.customers[int(r() * len(ch.customers))]
        if roll < 0.16 and self.persons:
            person = self.persons[int(r() * len(self.persons))]
            return self.known[person.group_id].get(ch.record["id"]) or self.new_customer(ch, person)
        return self.new_customer(ch)

    def hostile_customer(self, ch: Channel, name: tuple[str, str | None, str]) -> Identity:
        person = new_person(self.rng, "en")
        person.first, person.last, person.display = name
        person.gender = None
        person.plain = f"{name[0]} {name[1]}" if name[1] else name[0]
        self.persons.append(person)
        self.known[person.group_id] = {}
        return self.new_customer(ch, person)

    # -- the shape of the inbox -------------------------------------------------------------

    def plan(self, total: int) -> list[Plan]:
        """(channel, agent starts it, contents, age of its last content, hostile kind)."""
        rng = self.rng
        r = rng.random
        if total <= 0:
            return []
        count = max(1, total // CONTENTS_PER_THREAD)
        channels = self.channels
        # Every channel gets a thread first; reviews go last, they hold at most two contents.
        cover = channels[:]
        rng.shuffle(cover)
        cover.sort(key=lambda c: c.pace == REVIEW)
        picks = cover[:count]
        if count > len(cover):
            picks += rng.choices(channels, [c.weight for c in channels], k=count - len(cover))
        hostile: dict[int, str] = {}
        if total >= 50:
            # Keep the hostile threads off the channel-covering ones when there is room.
            low = len(cover) if count >= len(cover) + 5 else 1
            chats = [c for c in channels if c.pace == CHAT]
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
                and r() < AGENT_STARTS.get(ch.type, AGENT_STARTS_DEFAULT)
            )
            if ch.pace == REVIEW:
                sizes.append(2 if r() < 0.75 else 1)
                weights.append(0.0)
            else:
                sizes.append(1)
                weights.append((rng.expovariate(1.0) + 0.01) * (0.7 if ch.pace == EMAIL else 1))
        rest = total - sum(sizes)
        while rest < 0:  # a tiny total cannot afford two contents on every review
            sizes[sizes.index(2)] = 1
            rest += 1
        weight_sum = sum(weights)
        for i, w in enumerate(weights):
            sizes[i] += int(rest * w / weight_sum)
        for i in rng.choices(range(count), weights, k=total - sum(sizes)):
            sizes[i] += 1
        span = MAX_AGE - MIN_AGE
        ages = [MIN_AGE + int(span * r() ** RECENCY) for _ in range(count)]
        ages[0] = MIN_AGE + rng.randrange(300)
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
        unanswered = r() < UNANSWERED
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
        table = LOG_GAPS[pace]
        ages = [last_age] * len(seq)
        for j in range(len(seq) - 2, -1, -1):
            low, width = table[(seq[j], seq[j + 1])]
            ages[j] = ages[j + 1] + 1 + int(exp(low + width * r()))
        if ages[0] > MAX_AGE:
            # Too long a conversation for the window: squeeze it, keeping the order strict.
            duration, room = ages[0] - last_age, MAX_AGE - last_age
            ages = [last_age + (a - last_age) * room // duration for a in ages]
            for j in range(len(ages) - 2, -1, -1):
                ages[j] = max(ages[j], ages[j + 1] + 1)
        return ages
