"""The raw JSON of a content, packed: what the inspector and ``--json`` show, in a third the room.

A content's raw JSON was two thirds of the store: about 1,200 bytes for a 76-byte body, since
every record spells out three dozen field names, most of them null or false, and carries its body
twice more (``bodyFormatted``'s Text and Html). Deflate removes the twins (they are back
references within the record); a preset dictionary of the API's field names and common values
removes the names, which a record alone is too short to learn. The JSON comes back byte for byte.

Format: one version byte, then raw deflate with :data:`_DICTIONARY_V1`. The dictionary is part
of the format: never edit it; a better one is a new version byte, and both stay readable. Text
(a database written before packing) reads as it always did.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_V1 = 1
_LEVEL = 6
# Contents a thread packs at a time when two share a page (see pack_page).
_SHARE = 25
# Field names and values of the API's content records, the most common last (deflate finds the
# nearest match cheapest). Frozen: see the module docstring.
_DICTIONARY_V1 = (
    b'"attachableType":"Content","attachableId":"","embedded":false,"size":,"uri":"https://'
    b'"contentType":"image/jpeg","contentType":"application/pdf","filename":"'
    b'"structuredContent":{"structuredContentSupported":true,'
    b'"synchronizationStatus":"Failed","synchronizationError":"'
    b'"status":"New","status":"Assigned","status":"Ignored","status":"UserInitiated",'
    b'"channelType":"Twitter","channelType":"Facebook","channelType":"Instagram",'
    b'"channelType":"WhatsApp","channelType":"Email","channelType":"Viber","channelType":"Sms",'
    b'"channelType":"GoogleBusinessMessages","channelType":"Messenger","channelType":"LinkedIn",'
    b'"createdFrom":"Interface","createdFrom":"Synchronizer","createdFrom":"Api",'
    b'"type":"Message","type":"Email","type":"Comment","type":"Review",'
    b'"language":"En","language":"Fr","language":"De","language":"Es",'
    b'"sourceId":"","sourceType":"","sourceUri":null,'
    b'{"id":"","creationTime":"2026-01-01T00:00:00Z","lastModifiedTime":"2026-01-01T00:00:00Z",'
    b'"authorIdentityId":"","body":"","bodyFormatted":{"Text":"","Html":"<p></p>"},'
    b'"bodyInputFormat":"Text","categoryIds":[],"contentDirection":"Incoming",'
    b'"contentDirection":"Outgoing","contextData":null,"creatorId":null,"firstInThread":false,'
    b'"firstInThread":true,"inReplyToAuthorIdentityId":null,"inReplyToAuthorIdentityId":"",'
    b'"inReplyToContentId":null,"inReplyToContentId":"","interventionId":null,'
    b'"public":false,"public":true,"published":true,"rating":null,"remotelyDeleted":false,'
    b'"channelId":"","channelUri":null,"status":"Replied","status":"UserReply",'
    b'"synchronizationStatus":"Success","synchronizationError":null,"threadId":"",'
    b'"title":null,"type":"Message","attachments":[],"autoSubmitted":false,"identityGroupId":"",'
    b'"structuredContentSupported":false,"capabilitiesSupported":[]}'
)


def pack(text: str) -> bytes:
    """Compact JSON text (as :func:`~rcinbox.inbox.store.storable.storable_json` writes it),
    packed for the ``raw`` column."""
    # memLevel 8 (zlib's default) packs these short records as small as 9 does, a little faster;
    # level and memLevel are the packer's choice alone: any of them unpacks the same way.
    packer = zlib.compressobj(
        _LEVEL, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, _DICTIONARY_V1
    )
    return bytes((_V1,)) + packer.compress(text.encode("utf-8")) + packer.flush()


def pack_page(texts: list[str]) -> Callable[[], list[bytes]]:
    """Starts packing ``texts`` on the packing thread; what it returns packs those still waiting
    on the caller's thread too, and returns them all, in order.

    Deflate lets go of the GIL, so the packing thread works while the caller's runs statements
    (merging.py). When the caller has nothing else to do, it packs rather than waits: the rest
    of the page goes twice as fast, on two cores."""
    packed: list[bytes] = [b""] * len(texts)
    # Shared by both threads: next() on a count is atomic, so each share is packed once.
    starts = itertools.count(0, _SHARE)

    def work() -> None:
        for start in starts:
            if start >= len(texts):
                return
            packed[start : start + _SHARE] = [pack(text) for text in texts[start : start + _SHARE]]

    done = _packer().submit(work)

    def result() -> list[bytes]:
        work()
        done.result()
        return packed

    return result


_executor: ThreadPoolExecutor | None = None


def _packer() -> ThreadPoolExecutor:
    """The one thread that packs pages of contents, started when first needed."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rcinbox-pack")
    return _executor


def _forget_packer() -> None:
    # A forked child has no packing thread, only the executor that believes it has one: work
    # handed to it would wait forever. The child starts its own.
    global _executor
    _executor = None


os.register_at_fork(after_in_child=_forget_packer)


def unpack(stored: bytes | str) -> str:
    """The JSON text a ``raw`` column holds, packed or (from before packing) plain."""
    if isinstance(stored, str):
        return stored
    if stored[:1] == bytes((_V1,)):
        unpacker = zlib.decompressobj(-15, _DICTIONARY_V1)
        return (unpacker.decompress(stored[1:]) + unpacker.flush()).decode("utf-8")
    # A blob that is not packed is JSON text stored as bytes.
    return bytes(stored).decode("utf-8")


def load(stored: bytes | str) -> Any:
    """The record a ``raw`` column holds."""
    return json.loads(unpack(stored))


def register(connection: sqlite3.Connection) -> None:
    """``pack_raw(text)`` and ``raw_json(raw)`` in SQL, for migrations and reports."""
    connection.create_function(
        "pack_raw",
        1,
        lambda raw: raw if raw is None or isinstance(raw, bytes) else pack(raw),
        deterministic=True,
    )
    connection.create_function(
        "raw_json", 1, lambda raw: None if raw is None else unpack(raw), deterministic=True
    )
