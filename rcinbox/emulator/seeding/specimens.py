"""The specimen files (:mod:`..corpus.specimens`) put on one customer message of an older thread.

They replace the attachments of one incoming WhatsApp message that already had some, chosen
with a random generator of its own among the older half of the inbox: the main generator's
draws, and so every other content, stay exactly as they were, and the newest conversations
(the first screen) are untouched.
"""

from __future__ import annotations

import random
from datetime import datetime

from ..corpus.specimens import SPECIMEN_FILES
from .basics import TENANT_URL, epoch, object_id


def add_specimen_files(contents: list[dict], seed: int) -> None:
    """Give one older incoming WhatsApp message with attachments the specimen files
    (``contents`` sorted oldest first); nothing happens when there is none."""
    older = contents[: len(contents) // 2]
    candidates = [
        c
        for c in older
        if c["attachments"]
        and c["channelType"] == "WhatsApp"
        and c["contentDirection"] == "Incoming"
    ]
    if not candidates:
        return
    rng = random.Random(f"specimens:{seed}")
    content = candidates[int(rng.random() * len(candidates))]
    created = epoch(datetime.fromisoformat(content["creationTime"]))
    attachments = []
    for name, kind, size in SPECIMEN_FILES:
        attachment_id = object_id(rng, created)
        attachments.append(
            {
                "id": attachment_id,
                "contentType": kind,
                "creationTime": content["creationTime"],
                "lastModifiedTime": content["creationTime"],
                "embedded": False,
                "filename": name,
                "public": content["public"],
                "size": size,
                "uri": f"{TENANT_URL}/files/attachments/{attachment_id}",
                "attachableId": content["id"],
                "attachableType": "Content",
            }
        )
    content["attachments"] = attachments
