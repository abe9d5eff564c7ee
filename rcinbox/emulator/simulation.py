"""Simulated customers: inbound contents that appear while the emulator runs.

A customer mostly writes again in a recent conversation and sometimes starts a new one (a new
customer identity on a random channel). Each inbound content is stored like an imported one
(``status: New``, ``createdFrom: Synchronizer``, ``creatorId: null``), shaped like the seed data's,
and announced with the ``Imported`` notification. Every choice comes from a ``random.Random``
seeded from the emulator seed, so a run can be replayed.

What a customer writes fits the conversation, as in a real inbox: each thread has a voice (see
``seeding.writing.Voice``: the thread's language, topic and order, and its customer), kept by the
seed for seeded threads and here for the threads customers start. A follow-up is written in that
language, on that topic, by that customer; an email keeps its subject ("Re: ..."). A thread an
agent started through the API gets a voice on first use, from its language and its customer.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable, Mapping
from typing import Any

from rcinbox.api.channels import Visibility, channel_info

from .clock import iso_seconds
from .contents import ContentsApi
from .corpus.languages import LANGUAGES
from .scheduler import Scheduler
from .seeding.basics import capabilities_supported, channel_uri
from .seeding.persons import new_customer, person_of
from .seeding.writing import Voice, follow_up, open_thread, thread_context
from .state import State
from .subscriptions import PREFIX

NEW_THREAD_SHARE = 0.2
RECENT = 30  # a customer writes again in one of the conversations among this many newest contents
JITTER = 0.3
# Type of a customer's content by channel type (as in the seed data); others write a Message.
INBOUND_TYPES = {
    "Email": "Email",
    "Instagram": "Comment",
    "Facebook": "Comment",
    "Youtube": "Comment",
    "Linkedin": "Comment",
    "GoogleMyBusiness": "Review",
}


class Customers:
    """Writes inbound contents on demand (``write``) or every ~``every`` seconds (``start``)."""

    def __init__(
        self,
        state: State,
        contents: ContentsApi,
        publish: Callable[[str, dict[str, Any]], None],
        seed: int,
        voices: Mapping[str, Voice] | None = None,
    ) -> None:
        self._state = state
        # Thread id -> how its customer writes; grows with the threads customers start.
        self._voices = dict(voices or {})
        self._contents = contents
        self._publish = publish
        self._rng = random.Random(f"customers:{seed}")
        self._every = 0.0
        self._scheduler: Scheduler | None = None

    def start(self, scheduler: Scheduler, every: float) -> None:
        """Write every ``every`` seconds, give or take 30 %, until the scheduler stops."""
        self._scheduler = scheduler
        self._every = every
        self._schedule_next()

    def _schedule_next(self) -> None:
        if self._scheduler is None:
            return
        with self._state.lock:
            delay = self._every * self._rng.uniform(1 - JITTER, 1 + JITTER)
        self._scheduler.call_later(delay, self._tick)

    def _tick(self) -> None:
        try:
            with self._state.lock:
                thread_id = None
                if self._rng.random() >= NEW_THREAD_SHARE:
                    recent, _ = self._state.contents.page(
                        "creationTime", True, None, {}, None, RECENT
                    )
                    if recent:
                        thread_id = self._rng.choice(recent)["threadId"]
            self.write(thread_id)
        finally:
            self._schedule_next()

    def write(self, thread_id: str | None = None) -> dict[str, Any]:
        """A customer writes now: in ``thread_id``, or in a new thread when None.

        Raises KeyError for an unknown thread. Returns the content as the API presents it.
        """
        with self._state.lock:
            content = self._first_content() if thread_id is None else self._follow_up(thread_id)
            self._state.add_content(content)
        self._publish(PREFIX + "Imported", self._contents.summary(content))
        return self._contents.present(content)

    def _first_content(self) -> dict[str, Any]:
        state = self._state
        channel = self._rng.choice(sorted(state.channels.values(), key=lambda c: c["id"]))
        person, customer = new_customer(self._rng, channel, state.clock.now())
        state.add_identity(customer, channel["id"])
        public = channel_info(channel["type"]).visibility is not Visibility.PRIVATE_ONLY
        kind = INBOUND_TYPES.get(channel["type"], "Message")
        if channel["type"] == "Twitter":
            public = self._rng.random() < 0.6
            kind = "Tweet" if public else "PrivateTweet"
        opening = open_thread(self._rng, person, customer["id"], channel["type"], public)
        thread_id = state.ids.next()
        self._voices[thread_id] = opening.voice
        return self._inbound(
            channel,
            customer,
            thread_id,
            opening.body,
            kind=kind,
            public=public,
            title=opening.title,
            language=opening.voice.language,
            first=True,
            rating=opening.rating,
        )

    def _follow_up(self, thread_id: str) -> dict[str, Any]:
        state = self._state
        thread = state.thread_contents(thread_id)
        if not thread:
            raise KeyError(f"no thread {thread_id!r}")
        channel = state.channels[thread[0]["channelId"]]
        voice = self._voices.get(thread_id) or self._voice_of(thread, channel)
        customer = state.identities.get(voice.customer_id)
        kind = INBOUND_TYPES.get(channel["type"], "Message")
        if kind == "Review":  # one review per customer; what follows comments on it
            kind = "Comment"
        public = bool(thread[0].get("public"))
        if channel["type"] == "Twitter":
            kind = "Tweet" if public else "PrivateTweet"
        outbound = [c for c in thread if c["contentDirection"] == "Outgoing"]
        said = {c["body"] for c in thread}
        body = follow_up(self._rng, voice, channel["type"], public, bool(outbound), said)
        title = thread[0].get("title")
        return self._inbound(
            channel,
            customer,
            thread_id,
            body,
            kind=kind,
            public=public,
            title=f"Re: {title}" if title else None,
            answering=outbound[-1] if outbound else None,
            language=voice.language,
            first=False,
        )

    def _voice_of(self, thread: list[dict[str, Any]], channel: dict[str, Any]) -> Voice:
        """A voice for a thread the seed did not write (an agent started it through the API): its
        language, its customer (the last who wrote in it, or someone new), and no topic.
        """
        state = self._state
        language = str(thread[0].get("language") or "En").lower()
        locale = language if language in LANGUAGES else "en"
        customer = None
        for content in reversed(thread):
            identity = state.identities.get(content["authorIdentityId"])
            if identity is not None and content["contentDirection"] == "Incoming":
                customer = identity
                break
        if customer is None:  # nobody has answered the agent yet: someone new does
            _, customer = new_customer(self._rng, channel, state.clock.now())
            state.add_identity(customer, channel["id"])
        ctx = thread_context(self._rng, LANGUAGES[locale])
        voice = Voice(locale, None, ctx, person_of(customer, locale), customer["id"])
        self._voices[thread[0]["threadId"]] = voice
        return voice

    def _inbound(
        self,
        channel: dict[str, Any],
        customer: dict[str, Any],
        thread_id: str,
        body: str,
        *,
        kind: str,
        public: bool,
        title: str | None,
        language: str,
        first: bool,
        answering: dict[str, Any] | None = None,
        rating: int | None = None,
    ) -> dict[str, Any]:
        state = self._state
        now = iso_seconds(state.clock.now())
        capabilities = capabilities_supported(channel["type"])
        return {
            "id": state.ids.next(),
            "creationTime": now,
            "lastModifiedTime": now,
            "authorIdentityId": customer["id"],
            "body": body,
            "bodyFormatted": {"Text": body, "Html": f"<p>{html.escape(body)}</p>"},
            "bodyInputFormat": "Text",
            "categoryIds": [],
            "contentDirection": "Incoming",
            "contextData": None,
            "createdFrom": "Synchronizer",
            "creatorId": None,
            "firstInThread": first,
            "inReplyToAuthorIdentityId": answering["authorIdentityId"] if answering else None,
            "inReplyToContentId": answering["id"] if answering else None,
            "interventionId": None,
            "language": language,
            "public": public,
            "published": True,
            "rating": rating,
            "remotelyDeleted": False,
            "channelId": channel["id"],
            "channelType": channel["type"],
            "channelUri": channel_uri(channel["type"]),
            "status": "New",
            "synchronizationStatus": "Success",
            "synchronizationError": None,
            "threadId": thread_id,
            "title": title,
            "type": kind,
            "attachments": [],
            "autoSubmitted": False,
            "identityGroupId": customer.get("identityGroupId"),
            "structuredContentSupported": bool(capabilities),
            "capabilitiesSupported": capabilities,
        }
