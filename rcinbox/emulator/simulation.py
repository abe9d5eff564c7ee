"""Simulated customers: inbound contents that appear while the emulator runs.

A customer mostly writes again in a recent conversation and sometimes starts a new one (a new
customer identity on a random channel). Each inbound content is stored like an imported one
(``status: New``, ``createdFrom: Synchronizer``, ``creatorId: null``), shaped like the seed data's,
and announced with the ``Imported`` notification. Texts and identities come from the seed module
and every choice from a ``random.Random`` seeded from the emulator seed, so a run can be replayed.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable
from typing import Any

from rcinbox.api.channels import Visibility, channel_info

from . import seed as seed_data
from .clock import iso_seconds
from .contents import ContentsApi
from .scheduler import Scheduler
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
SUBJECTS = ("Question about my order", "Delivery problem", "Refund request", "Size exchange")


class Customers:
    """Writes inbound contents on demand (``write``) or every ~``every`` seconds (``start``)."""

    def __init__(
        self,
        state: State,
        contents: ContentsApi,
        publish: Callable[[str, dict[str, Any]], None],
        seed: int,
    ) -> None:
        self._state = state
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
        customer = seed_data.customer_identity(self._rng, channel, state.clock.now())
        state.add_identity(customer, channel["id"])
        public = channel_info(channel["type"]).visibility is not Visibility.PRIVATE_ONLY
        kind = INBOUND_TYPES.get(channel["type"], "Message")
        if channel["type"] == "Twitter":
            public = self._rng.random() < 0.6
            kind = "Tweet" if public else "PrivateTweet"
        title = self._rng.choice(SUBJECTS) if channel["type"] == "Email" else None
        return self._inbound(
            channel, customer, state.ids.next(), kind=kind, public=public, title=title, first=True
        )

    def _follow_up(self, thread_id: str) -> dict[str, Any]:
        state = self._state
        thread = state.thread_contents(thread_id)
        if not thread:
            raise KeyError(f"no thread {thread_id!r}")
        channel = state.channels[thread[0]["channelId"]]
        inbound = [c for c in thread if c["contentDirection"] == "Incoming"]
        customer = state.identities.get(inbound[-1]["authorIdentityId"]) if inbound else None
        if customer is None:
            customer = seed_data.customer_identity(self._rng, channel, state.clock.now())
            state.add_identity(customer, channel["id"])
        kind = INBOUND_TYPES.get(channel["type"], "Message")
        if kind == "Review":  # one review per customer; what follows comments on it
            kind = "Comment"
        public = bool(thread[0].get("public"))
        if channel["type"] == "Twitter":
            kind = "Tweet" if public else "PrivateTweet"
        title = thread[0].get("title")
        outbound = [c for c in thread if c["contentDirection"] == "Outgoing"]
        return self._inbound(
            channel,
            customer,
            thread_id,
            kind=kind,
            public=public,
            title=f"Re: {title}" if title else None,
            first=False,
            answering=outbound[-1] if outbound else None,
            language=thread[-1].get("language"),
        )

    def _inbound(
        self,
        channel: dict[str, Any],
        customer: dict[str, Any],
        thread_id: str,
        *,
        kind: str,
        public: bool,
        title: str | None,
        first: bool,
        answering: dict[str, Any] | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        state = self._state
        body = seed_data.inbound_body(self._rng, channel["type"])
        now = iso_seconds(state.clock.now())
        capabilities = seed_data.capabilities_supported(channel["type"])
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
            "language": language or "En",
            "public": public,
            "published": True,
            "rating": self._rng.randint(1, 5) if kind == "Review" else None,
            "remotelyDeleted": False,
            "channelId": channel["id"],
            "channelType": channel["type"],
            "channelUri": seed_data.channel_uri(channel["type"]),
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
