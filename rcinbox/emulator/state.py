"""The emulator's data: channels, identities and contents, indexed, behind one lock.

Stored dicts are never changed in place: an update stores a new dict (copy on write). A reader may
therefore take references under the lock and serialise them after releasing it. Contents are
indexed by channel, thread, author, author's identity group, intervention, status and direction;
identities by channel, identity group, type, agent user id and uuid (see ``collection.py``).

Identities carry no channel field, yet the identity list filters by channel. The link is what the
data shows: an identity belongs to the channels it has authored contents on; in addition, the
owner's default agent identity on each channel (the one replies are written as) belongs to it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from rcinbox.api.channels import channel_info

from .clock import Clock
from .collection import Collection, Item, Terms

CUSTOMER, AGENT = "Customer", "Agent"


def is_agent(identity: Mapping[str, Any]) -> bool:
    """Agent identities have ``identityType: Agent``, or (older servers) a non-empty ``userIds``."""
    kind = identity.get("identityType")
    return kind == AGENT if kind else bool(identity.get("userIds"))


def _present(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


class ObjectIds:
    """Mongo-style ids: 4 bytes of (emulated) time, 5 seeded bytes, a 3-byte counter.

    Like the real server's ids they grow with time, so contents made in the same second still
    sort in creation order.
    """

    def __init__(self, clock: Clock, rng: random.Random) -> None:
        self._clock = clock
        self._machine = rng.getrandbits(40)
        self._counter = rng.getrandbits(24)

    def next(self) -> str:
        self._counter = (self._counter + 1) % (1 << 24)
        seconds = int(self._clock.now().timestamp()) % (1 << 32)
        return f"{seconds:08x}{self._machine:010x}{self._counter:06x}"


class State:
    """Everything the API serves. Hold ``lock`` around any sequence of reads and writes."""

    def __init__(
        self,
        owner_id: str,
        channels: Iterable[dict[str, Any]],
        identities: Iterable[dict[str, Any]],
        contents: Iterable[dict[str, Any]],
        clock: Clock,
        seed: int,
    ) -> None:
        self.lock = threading.RLock()
        self.owner_id = owner_id
        self.clock = clock
        self.ids = ObjectIds(clock, random.Random(f"ids:{seed}"))
        self.channels: dict[str, dict[str, Any]] = {c["id"]: c for c in channels}
        contents = list(contents)
        identities = list(identities)
        self._identity_channels: dict[str, set[str]] = {}
        for content in contents:
            self._link(content["authorIdentityId"], content["channelId"])
        self._agent_by_channel = self._agents_for_channels(identities)
        for channel_id, identity_id in self._agent_by_channel.items():
            self._link(identity_id, channel_id)
        self.identities = Collection(self._identity_terms)
        self.identities.load(identities)
        self.contents = Collection(self._content_terms)
        self.contents.load(contents)

    # ------------------------------------------------------------------ indexing

    def _identity_terms(self, identity: Item) -> Terms:
        return {
            "channel": tuple(self._identity_channels.get(identity["id"], ())),
            "group": _present(identity.get("identityGroupId")),
            "type": (AGENT if is_agent(identity) else CUSTOMER,),
            "user": tuple(str(user) for user in identity.get("userIds") or ()),
            "uuid": _present(identity.get("uuid")),
        }

    def _content_terms(self, content: Item) -> Terms:
        return {
            "channel": (content["channelId"],),
            "thread": (content["threadId"],),
            "author": (content["authorIdentityId"],),
            "group": _present(self._content_group(content)),
            "intervention": _present(content.get("interventionId")),
            "status": (content["status"],),
            "direction": (content["contentDirection"],),
        }

    def _content_group(self, content: Item) -> str:
        group = content.get("identityGroupId")
        if group:
            return group
        author = self.identities.get(content["authorIdentityId"])
        return (author or {}).get("identityGroupId") or ""

    def _link(self, identity_id: str, channel_id: str) -> bool:
        linked = self._identity_channels.setdefault(identity_id, set())
        if channel_id in linked:
            return False
        linked.add(channel_id)
        return True

    def _agents_for_channels(self, identities: list[dict[str, Any]]) -> dict[str, str]:
        """The owner's agent identity answering on each channel: the one that already wrote
        there, else one of the channel's account type not yet answering elsewhere."""
        mine = sorted(
            (i for i in identities if is_agent(i) and self.owner_id in (i.get("userIds") or ())),
            key=lambda identity: identity["id"],
        )
        chosen: dict[str, str] = {}
        for channel_id in sorted(self.channels):
            for identity in mine:
                if channel_id in self._identity_channels.get(identity["id"], ()):
                    chosen[channel_id] = identity["id"]
                    break
        for channel_id in sorted(set(self.channels) - set(chosen)):
            wanted = channel_info(self.channels[channel_id]["type"]).identity_type
            fitting = [i["id"] for i in mine if i.get("type") == wanted]
            unused = [i for i in fitting if i not in chosen.values()]
            if unused or fitting:
                chosen[channel_id] = (unused or fitting)[0]
        return chosen

    # ------------------------------------------------------------------ queries

    def agent_identity(self, channel_id: str) -> dict[str, Any] | None:
        """The owner's agent identity used by default on ``channel_id``."""
        identity_id = self._agent_by_channel.get(channel_id)
        return self.identities.get(identity_id) if identity_id else None

    def may_author(self, identity: Mapping[str, Any], channel_id: str) -> bool:
        """Whether the owner may write on ``channel_id`` as ``identity``."""
        return (
            is_agent(identity)
            and self.owner_id in (identity.get("userIds") or ())
            and (
                channel_id in self._identity_channels.get(identity["id"], ())
                or identity.get("type")
                == channel_info(self.channels[channel_id]["type"]).identity_type
            )
        )

    def thread_contents(self, thread_id: str) -> list[Item]:
        """The thread's contents, oldest first."""
        found, _ = self.contents.page(
            "creationTime", False, None, {"thread": frozenset([thread_id])}, None, 1_000_000
        )
        return found

    # ------------------------------------------------------------------ writes

    def add_identity(self, identity: dict[str, Any], channel_id: str) -> None:
        self._link(identity["id"], channel_id)
        self.identities.add(identity)

    def add_content(self, content: dict[str, Any]) -> None:
        if self._link(content["authorIdentityId"], content["channelId"]):
            author = self.identities.get(content["authorIdentityId"])
            if author is not None:
                self.identities.add(author)
        self.contents.add(content)

    def update_content(self, content_id: str, **changes: Any) -> dict[str, Any]:
        """Store a changed copy of a content and return it."""
        current = self.contents.get(content_id)
        if current is None:
            raise KeyError(content_id)
        updated = {**current, **changes}
        self.contents.add(updated)
        return updated
