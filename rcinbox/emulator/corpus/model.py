"""The shapes of the corpus's tables: name pools, topics and languages."""

from __future__ import annotations

from dataclasses import dataclass

from .files import PHOTO, RECEIPT, SCREENSHOT, FileSpec


@dataclass(frozen=True, slots=True)
class Names:
    firsts: tuple[tuple[str, ...], tuple[str, ...]]  # men's, women's
    lasts: tuple[tuple[str, ...], tuple[str, ...]]  # the same for both unless the language inflects
    family_first: bool  # written family name first, as in Japanese and Chinese
    phone_prefix: str
    fb_locale: str
    country: str


def name_pools(men: str, women: str, lasts: str, family_first: bool, phone: str, fb: str) -> Names:
    """Name pools from ``", "``-separated lists; ``lasts`` may be ``"men's | women's"``."""
    last_groups = [tuple(group.strip().split(", ")) for group in lasts.split("|")]
    return Names(
        (tuple(men.split(", ")), tuple(women.split(", "))),
        (last_groups[0], last_groups[-1]),
        family_first,
        phone,
        fb,
        fb[-2:],
    )


@dataclass(frozen=True, slots=True)
class Topic:
    subject: str
    openers: tuple[str, ...]
    replies: tuple[str, ...]
    followups: tuple[str, ...] = ()  # a customer's next questions...
    agent_followups: tuple[str, ...] = ()  # ...and their answers, in the same order
    public: bool = True  # fits a public comment as well as a private message
    shared: bool = False  # a problem other customers chime in on in public
    attach: float = 0.12  # how often a first message on this topic carries a file
    files: tuple[FileSpec, ...] = (PHOTO, SCREENSHOT, RECEIPT)
    agent_files: tuple[FileSpec, ...] = ()  # what an agent's first answer may attach


@dataclass(frozen=True, slots=True)
class Language:
    topics: tuple[Topic, ...]
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


def simple(
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
) -> Language:
    """A language with one opener and one answer per topic."""
    return Language(
        tuple(Topic(subject, (opener,), (reply,)) for opener, reply in pairs),
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
