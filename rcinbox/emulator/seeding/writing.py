"""How a message is worded: a thread's context, the email frame, a fresh customer message."""

from __future__ import annotations

import random

from rcinbox.api.channels import channel_info

from ..corpus.business import STORES
from ..corpus.languages import LANGUAGES
from ..corpus.model import Language
from ..corpus.social import GREETINGS, REVIEWS
from .basics import draw_locale, fit, pick
from .persons import Person, new_person


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


def inbound_body(rng: random.Random, channel_type: str) -> str:
    """A fresh customer message for a channel of this type, within the channel's body limit."""
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
