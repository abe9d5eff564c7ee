"""How a message is worded: a thread's context, the email frame, and what a customer writes in a
thread (its voice: language, topic, who they are) when it starts and when it goes on."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass

from rcinbox.api.channels import channel_info

from ..corpus.business import STORES
from ..corpus.languages import LANGUAGES
from ..corpus.model import Language, Topic
from ..corpus.social import GREETINGS, REVIEWS
from .basics import fit, pick
from .persons import LANGUAGE_CODES, Person, draw_locale, new_person


def thread_context(rng: random.Random, lang: Language) -> dict[str, str]:
    """Values a thread's templates are filled with (person fields are set by the caller)."""
    r = rng.random
    return {
        "order": f"AC-{int(r() * 900_000) + 100_000}",
        "tracking": f"1Z{int(r() * 9e11) + 10**11}",
        "ticket": f"CS-{int(r() * 90_000) + 10_000}",
        "promo": f"SORRY{int(r() * 9000) + 1000}",
        "item": lang.items[int(r() * len(lang.items))],
        "amount": lang.amounts[int(r() * len(lang.amounts))],
        "store": STORES[int(r() * len(STORES))],
        "first": "",
        "last": "",
        "full": "",
        "handle": "",
        "agent": "",
    }


def address(ctx: dict[str, str], person: Person) -> None:
    ctx["first"] = person.first
    ctx["last"] = person.last or person.first
    ctx["full"] = person.plain
    ctx["handle"] = person.handle


def email_frame(template: str, body: str, ctx: dict[str, str], greeted: bool) -> str:
    """``body`` in the language's email frame, without its greeting if ``body`` has one."""
    if greeted:
        template = template.partition("\n\n")[2]
    ctx["body"] = body
    return template.format_map(ctx)


@dataclass(frozen=True, slots=True)
class Voice:
    """How a thread's customer writes: in the thread's language, on its topic, as themselves.

    The seed keeps one per thread and the simulated customers one per thread they start, so that
    what a customer writes later still fits the conversation.
    """

    locale: str  # the thread's language, which may differ from the customer's own
    topic: Topic | None  # None for a thread an agent started through the API
    ctx: dict[str, str]  # the thread's order number, item, store...: shared with its templates
    person: Person  # who signs: names are filled from here, not from ``ctx``
    customer_id: str  # the identity that writes
    comments: tuple[str, ...] = ()  # what followers comment, when an agent's public post began it

    @property
    def language(self) -> str:
        """The ContentModel ``language`` of the thread's contents (``"En"``, ``"Zh"``...)."""
        return LANGUAGE_CODES[self.locale]


@dataclass(frozen=True, slots=True)
class Opening:
    """A customer's first message of a new thread, and the voice to continue it in."""

    voice: Voice
    title: str | None  # the email subject, None on other channels
    body: str
    rating: int | None  # stars, for a review


def open_thread(
    rng: random.Random, person: Person, customer_id: str, channel_type: str, public: bool
) -> Opening:
    """``person`` starts a thread on a channel of this type: a review on Google My Business, a
    topic's opener elsewhere, in their own language (English for a review where none is kept)."""
    locale = person.locale
    review = None
    if channel_type == "GoogleMyBusiness":
        review = pick_review(rng, locale)
        if locale not in REVIEWS:
            locale = "en"
    lang = LANGUAGES[locale]
    topics = [topic for topic in lang.topics if topic.public] if public else lang.topics
    topic = pick(rng, topics)
    ctx = thread_context(rng, lang)
    address(ctx, person)
    title = topic.subject.format_map(ctx) if channel_type == "Email" else None
    body = review[1] if review is not None else pick(rng, topic.openers).format_map(ctx)
    voice = Voice(locale, topic, ctx, person, customer_id)
    return Opening(
        voice,
        title,
        dress(body, lang, ctx, channel_type, public),
        None if review is None else review[0],
    )


def follow_up(
    rng: random.Random,
    voice: Voice,
    channel_type: str,
    public: bool,
    answered: bool,
    said: Collection[str] = (),
) -> str:
    """What the thread's customer writes next: still waiting for an answer, or answering one, on
    the thread's topic (its order number, its item) when the topic has follow-ups, signed by them.
    What the thread already ``said`` (its bodies) is not repeated while there is something else.
    """
    lang = LANGUAGES[voice.locale]
    ctx = dict(voice.ctx)
    address(ctx, voice.person)
    topic = voice.topic
    if voice.comments:
        options = voice.comments
    elif not answered:
        options = lang.waiting
    elif topic is not None and topic.followups and rng.random() < 0.55:
        options = topic.followups
    else:
        options = lang.followups
    start = int(rng.random() * len(options))
    bodies = (
        dress(options[(start + k) % len(options)].format_map(ctx), lang, ctx, channel_type, public)
        for k in range(len(options))
    )
    first = next(bodies)
    return next((body for body in bodies if body not in said), first) if first in said else first


def dress(body: str, lang: Language, ctx: dict[str, str], channel_type: str, public: bool) -> str:
    """A customer's ``body`` as the channel carries it: in an email frame signed with their name,
    after the mention a public tweet starts with, within the channel's length limit."""
    if channel_type == "Email":
        body = email_frame(lang.customer_email, body, ctx, body.startswith(GREETINGS))
    elif channel_type == "Twitter" and public:
        body = f"@AcmeSupport {body}"
    return fit(body, channel_info(channel_type).max_body)


def inbound_body(rng: random.Random, channel_type: str) -> str:
    """A customer message for a channel of this type, within the channel's body limit, in a
    random language by a random new person, belonging to no thread. The simulated customers do not
    use it (their messages must fit their thread: see ``open_thread`` and ``follow_up``)."""
    info = channel_info(channel_type)
    locale = draw_locale(rng)
    lang = LANGUAGES[locale]
    ctx = thread_context(rng, lang)
    address(ctx, new_person(rng, locale))
    if channel_type == "GoogleMyBusiness":
        return fit(pick_review(rng, locale)[1], info.max_body)
    topic = lang.topics[int(rng.random() * len(lang.topics))]
    if rng.random() < 0.3:
        template = pick(rng, topic.followups or lang.followups)
    else:
        template = pick(rng, topic.openers)
    body = template.format_map(ctx)
    if channel_type == "Email":
        body = email_frame(lang.customer_email, body, ctx, body.startswith(GREETINGS))
    elif channel_type == "Twitter":
        body = f"@AcmeSupport {body}"
    return fit(body, info.max_body)


def pick_review(rng: random.Random, locale: str) -> tuple[int, str]:
    reviews = REVIEWS.get(locale, REVIEWS["en"])
    return reviews[int(rng.random() * len(reviews))]
