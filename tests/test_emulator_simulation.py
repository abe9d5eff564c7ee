"""Simulated customers write in their own thread: its language, its topic, as its customer.

The texts are checked against the corpus's templates (placeholders match any text), so a message
in another language, or one of another topic's follow-ups, does not match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import httpx
import pytest

from rcinbox.api.channels import Initiation, channel_info
from rcinbox.emulator import Emulator
from rcinbox.emulator.corpus.languages import LANGUAGES
from rcinbox.emulator.corpus.model import Language, Topic
from rcinbox.emulator.corpus.social import GREETINGS, POSTS, REVIEWS

CONTENTS = "/cx/social-messaging/v1/contents"
ORDER = re.compile(r"AC-\d{6}")


def pattern(template: str) -> str:
    """A regex for ``template`` filled in: each ``{placeholder}`` matches any text."""
    return ".+?".join(re.escape(part) for part in re.split(r"\{\w+\}", template))


def either(templates: Iterable[str]) -> str:
    return "(?:" + "|".join(pattern(t) for t in templates) + ")"


def as_sent(inner: str, lang: Language, channel_type: str, public: bool) -> re.Pattern[str]:
    """What a customer's message in ``inner`` looks like on the channel: in the language's email
    frame (without its greeting when the message greets), after a public tweet's mention."""
    if channel_type == "Email":
        before, after = lang.customer_email.split("{body}")
        rest = before.partition("\n\n")[2]
        inner = f"(?:{pattern(before)}{inner}|{pattern(rest)}(?={either(GREETINGS)}){inner})"
        inner += pattern(after)
    elif channel_type == "Twitter" and public:
        inner = "@AcmeSupport " + inner
    return re.compile(inner, re.DOTALL)


def locale_of(content: dict) -> str:
    return content["language"].lower()


def follow_ups(lang: Language, topics: Iterable[Topic]) -> list[str]:
    """Everything a customer may write next in a thread on one of ``topics``."""
    return [*lang.waiting, *lang.followups, *(f for topic in topics for f in topic.followups)]


def topic_of(first: dict, lang: Language) -> list[Topic]:
    """The topics whose opener began the thread (all of the language's when none matches)."""
    opener = first["body"][:4000]  # the 1 MB hostile email opens no topic
    found = [t for t in lang.topics if re.search(either(t.openers), opener, re.DOTALL)]
    return found or list(lang.topics)


def started_by_a_post(thread: list[dict]) -> bool:
    first = thread[0]
    initiation = channel_info(first["channelType"]).initiation
    return first["contentDirection"] == "Outgoing" and initiation is Initiation.PUBLIC_POST


def customer_of(thread: list[dict]) -> str:
    """The thread's customer: under a post the follower who commented last, otherwise whoever
    wrote its first customer message."""
    inbound = [c for c in thread if c["contentDirection"] == "Incoming"]
    return (inbound[-1] if started_by_a_post(thread) else inbound[0])["authorIdentityId"]


def threads(emulator: Emulator) -> dict[str, list[dict]]:
    by_thread: dict[str, list[dict]] = {}
    for content in emulator.contents_where():
        by_thread.setdefault(content["threadId"], []).append(content)
    return by_thread


def assert_written_in(thread: list[dict], written: dict, emulator: Emulator) -> None:
    """``written`` continues ``thread``: same language, same customer, one of the thread's
    topic's follow-ups (or a post's comments), the thread's order number, the email's subject."""
    first = thread[0]
    assert written["threadId"] == first["threadId"]
    assert written["language"] == first["language"]
    assert written["authorIdentityId"] == customer_of(thread)
    lang = LANGUAGES[locale_of(first)]
    if started_by_a_post(thread):
        options = [c for post in POSTS.get(first["channelType"], ()) for c in post[1]]
    elif first["type"] == "Review":
        options = follow_ups(lang, ())
    else:
        options = follow_ups(lang, topic_of(first, lang))
    expected = as_sent(either(options), lang, first["channelType"], written["public"])
    assert expected.fullmatch(written["body"]), (first["language"], written["body"])
    orders = {o for c in thread for o in ORDER.findall(c["body"] + (c["title"] or ""))}
    assert orders.issuperset(ORDER.findall(written["body"])) or not orders
    if first["channelType"] == "Email":
        assert written["title"] == f"Re: {first['title']}"
        customer = emulator.identity(written["authorIdentityId"])
        assert customer is not None and customer["firstName"] in written["body"]
    assert written["firstInThread"] is False and written["contentDirection"] == "Incoming"


def test_a_follow_up_speaks_its_threads_language_as_its_customer(emulator: Emulator) -> None:
    """One thread of every channel type in every language it has: a customer writes twice."""
    chosen: dict[tuple[str, str], list[dict]] = {}
    for thread in threads(emulator).values():
        first = thread[0]
        if any(c["contentDirection"] == "Incoming" for c in thread):
            chosen.setdefault((first["channelType"], first["language"]), thread)
    assert {t for t, _ in chosen} >= {"Email", "WhatsApp", "Twitter", "GoogleMyBusiness"}
    assert len({language for _, language in chosen}) >= 8
    for thread in chosen.values():
        for _ in range(2):
            written = emulator.add_inbound(thread[0]["threadId"])
            assert_written_in(thread, written, emulator)
            thread = [*thread, written]


def test_english_follow_ups_stay_on_their_threads_topic(emulator: Emulator) -> None:
    """Topic follow-ups ("the tracking number only says 'label created'") belong to their topic."""
    english = [
        thread
        for thread in threads(emulator).values()
        if thread[0]["language"] == "En"
        and thread[0]["contentDirection"] == "Incoming"
        and thread[0]["type"] != "Review"
        and len(topic_of(thread[0], LANGUAGES["en"])) == 1
    ]
    assert len(english) >= 30
    topical = 0
    for thread in english[:30]:
        (topic,) = topic_of(thread[0], LANGUAGES["en"])
        for _ in range(3):
            written = emulator.add_inbound(thread[0]["threadId"])
            assert_written_in(thread, written, emulator)
            topical += bool(re.search(either(topic.followups or ["\x00"]), written["body"]))
            thread = [*thread, written]
    assert topical > 0


def test_a_customer_who_starts_a_thread_keeps_to_it(emulator: Emulator) -> None:
    """New threads open on one of their language's topics; what follows is in that language,
    by the same customer, under the same subject."""
    languages, channels = set(), set()
    for _ in range(60):
        opened = emulator.add_inbound()
        lang = LANGUAGES[locale_of(opened)]
        customer = emulator.identity(opened["authorIdentityId"])
        assert customer is not None
        if opened["type"] == "Review":
            reviews = REVIEWS.get(locale_of(opened), ())
            assert (opened["rating"], opened["body"]) in reviews
        else:
            openers = either(o for topic in lang.topics for o in topic.openers)
            sent = as_sent(openers, lang, opened["channelType"], opened["public"])
            assert sent.fullmatch(opened["body"]), (opened["language"], opened["body"])
        if opened["channelType"] == "Email":
            subjects = re.compile(either(topic.subject for topic in lang.topics))
            assert subjects.fullmatch(opened["title"])
            assert customer["firstName"] in opened["body"]
        thread = [opened]
        for _ in range(2):
            written = emulator.add_inbound(opened["threadId"])
            assert_written_in(thread, written, emulator)
            thread.append(written)
        # Nobody has answered yet: "any update?", then something else, never the same twice.
        assert len({c["body"] for c in thread}) == len(thread)
        languages.add(opened["language"])
        channels.add(opened["channelType"])
    assert len(languages) >= 3 and len(channels) >= 8


def test_a_thread_an_agent_started_gets_answers_in_its_language(
    make_emulator: Callable[..., Emulator], api_for: Callable[[Emulator], httpx.Client]
) -> None:
    emulator = make_emulator(rate_limit=100_000)
    client = api_for(emulator)
    channel_id = emulator.contents_where(channelType="Facebook")[0]["channelId"]
    response = client.post(CONTENTS, json={"channelId": channel_id, "body": "New arrivals!"})
    assert response.status_code == 201, response.text
    post = response.json()
    first = emulator.add_inbound(post["threadId"])
    second = emulator.add_inbound(post["threadId"])
    assert first["language"] == second["language"] == post["language"]
    assert first["authorIdentityId"] == second["authorIdentityId"]
    assert emulator.identity(first["authorIdentityId"])["identityType"] == "Customer"
    lang = LANGUAGES[locale_of(post)]
    for written in (first, second):
        assert re.fullmatch(either(follow_ups(lang, ())), written["body"], re.DOTALL)


@pytest.mark.parametrize("seed", [1, 7])
def test_simulated_customers_replay_under_a_seed(
    make_emulator: Callable[..., Emulator], seed: int
) -> None:
    def run() -> list[tuple]:
        emulator = make_emulator(seed=seed)
        thread_id = emulator.contents_where(contentDirection="Incoming")[-1]["threadId"]
        written = [emulator.add_inbound(thread_id if i % 2 else None) for i in range(12)]
        return [(w["body"], w["language"], w["title"], w["channelId"]) for w in written]

    assert run() == run()
