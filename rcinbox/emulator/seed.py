"""Deterministic demo data for the emulator: the customer-service inbox of one business, Acme.

``generate`` builds channels, identities (the demo agent, colleagues, customers) and contents
(conversations) shaped exactly as the Social Messaging API returns them, in its newer naming
(``channelId``/``channelType``/``channelUri``, ``bodyFormatted`` with ``Text``/``Html`` keys).

Determinism is the point: every random draw comes from one ``random.Random(seed)`` and is made in
*age* space (seconds before ``now``), so the same seed gives the same bodies whatever ``now`` is,
and a different ``now`` shifts the timestamps. The draws never depend on ``now``; the ids do, as
the API's do: content, thread, attachment and identity ids are Mongo ObjectIds whose first 4
bytes are the record's creation time (the other 8 are drawn), so another ``now`` changes their
first 8 hex digits and nothing else.

The data is meant to be realistic *and* hostile: international names and text (RTL scripts,
CJK, emoji, multi-paragraph emails), and, whenever there are at least 50 contents, a few bodies
and names made to break a careless terminal UI (Rich markup, ANSI and C1 escapes, bidi overrides,
NUL and other C0 controls, a 1 MB email body).

Each thread's voice (its language, topic, context and customer: ``SeedData.voices``) is kept
beside the data, so that the simulated customers continue a thread as the seed wrote it; they and
the content store reuse ``channel_uri`` and ``capabilities_supported`` too.

Speed matters (``generate(contents=100_000)`` backs load demos): timestamps are formatted from
integer ages through lookup tables, records are copied from a per-thread template, and the cyclic
garbage collector is paused while the records are built.

The text comes from :mod:`rcinbox.emulator.corpus` (data tables) and the generator lives in
:mod:`rcinbox.emulator.seeding`; this module is their public face. The generator never reads
the wall clock, the network or the disk, and never imports textual.
"""

from __future__ import annotations

from .corpus.hostile import MEGABYTE
from .seeding.basics import (
    DEFAULT_NOW,
    TENANT_URL,
    SeedData,
    capabilities_supported,
    channel_uri,
    isoformat,
    object_id,
    stamped,
)
from .seeding.persons import customer_identity
from .seeding.threads import generate
from .seeding.writing import inbound_body

__all__ = [
    "DEFAULT_NOW",
    "MEGABYTE",
    "TENANT_URL",
    "SeedData",
    "capabilities_supported",
    "channel_uri",
    "customer_identity",
    "generate",
    "inbound_body",
    "isoformat",
    "object_id",
    "stamped",
]
