"""Attachment files: each attachment's bytes, served at a signed link that expires.

The real API gives an attachment's ``uri`` on the tenant's file host with a signed query; the
link works without a bearer token and stops working after a while. The emulator does the same on
its own address: every time a content is presented its attachments get a fresh link,
``/files/attachments/<id>?expires=<epoch seconds>&signature=<hex>``, the signature being an
HMAC-SHA256 over the path and the expiry with a secret made for this emulator instance. A link
whose signature does not match (tampered, or from another instance) or whose expiry has passed
is answered 403, before anything says whether the attachment exists.

The bytes are generated, not stored: the same seed and attachment id give the same bytes (text
lines for ``text/*``, random bytes otherwise), exactly as many as the attachment's ``size``, and
they are streamed in chunks, so a 45 MB video costs no memory.

For tests, :meth:`AttachmentFiles.expire_links` makes every link handed out so far expired (as
waiting out the lifetime would), and :meth:`AttachmentFiles.serve_as` makes the server send a
different number of bytes than the content declares (a lying server).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import errors
from .protocol import Request, Response

PATH = "/files/attachments/"
CHUNK = 64 * 1024
# Downloads are not in the API's rate groups; this only stops a runaway client.
FILES_RATE_LIMIT = 600


class AttachmentFiles:
    """Signs attachment links and serves the bytes behind them."""

    def __init__(
        self,
        contents: Iterable[dict[str, Any]],
        *,
        seed: int,
        link_ttl: float,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secrets.token_bytes(32)
        self._seed = seed
        self._ttl = link_ttl
        self._now = now
        self._lock = threading.Lock()
        self._skew = 0.0
        self._served_size: dict[str, int] = {}
        self._attachments: dict[str, dict[str, Any]] = {
            attachment["id"]: attachment
            for content in contents
            for attachment in content.get("attachments") or ()
            if attachment.get("id")
        }
        # Set once the server listens: links point at the emulator itself.
        self.base_url = ""

    # ------------------------------------------------------------------ links

    def signed(self, content: dict[str, Any]) -> dict[str, Any]:
        """``content`` with a fresh signed ``uri`` on each attachment (a copy when it has any)."""
        attachments = content.get("attachments")
        if not attachments:
            return content
        return {**content, "attachments": [self._sign(dict(a)) for a in attachments]}

    def _sign(self, attachment: dict[str, Any]) -> dict[str, Any]:
        path = f"{PATH}{attachment['id']}"
        expires = int(self._clock() + self._ttl)
        signature = self._signature(path, expires)
        attachment["uri"] = f"{self.base_url}{path}?expires={expires}&signature={signature}"
        return attachment

    def _signature(self, path: str, expires: int) -> str:
        message = f"{path}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _clock(self) -> float:
        with self._lock:
            return self._now() + self._skew

    # ------------------------------------------------------------------ test controls

    def expire_links(self) -> None:
        """Every link handed out so far is expired from now on; new links work."""
        with self._lock:
            self._skew += self._ttl + 1

    def serve_as(self, attachment_id: str, size: int) -> None:
        """Serve ``size`` bytes for this attachment, whatever its declared size."""
        with self._lock:
            self._served_size[attachment_id] = size

    # ------------------------------------------------------------------ serving

    def download(self, request: Request, attachment_id: str) -> Response:
        path = f"{PATH}{attachment_id}"
        if request.header("Authorization"):
            # As object stores answer a signed link that also carries a token: the link is the
            # credential, and a client sending its bearer token here leaks it to the file host.
            raise errors.platform(400, "CMN-101", "Only one authorization mechanism is allowed")
        expires_text = (request.query.get("expires") or [""])[-1]
        signature = (request.query.get("signature") or [""])[-1]
        if not expires_text.isdigit() or not hmac.compare_digest(
            self._signature(path, int(expires_text)), signature
        ):
            raise errors.platform(403, "CMN-408", "The link to this file is not valid")
        if int(expires_text) < self._clock():
            raise errors.platform(403, "CMN-408", "The link to this file has expired")
        attachment = self._attachments.get(attachment_id)
        if attachment is None:
            raise errors.platform(404, "CMN-102", "Resource not found")
        with self._lock:
            size = self._served_size.get(attachment_id, int(attachment.get("size") or 0))
        kind = str(attachment.get("contentType") or "application/octet-stream")
        return Response(
            200,
            headers={"Content-Type": kind, "Content-Length": str(size)},
            stream=file_bytes(self._seed, attachment_id, kind, size),
        )


def file_bytes(seed: int, attachment_id: str, kind: str, size: int) -> Iterator[bytes]:
    """The bytes of an attachment, in chunks: the same for the same seed, id, type and size."""
    rng = random.Random(f"file:{seed}:{attachment_id}")
    left = size
    if kind.startswith("text/"):
        line_number = 0
        pending = b""
        while left > 0:
            while len(pending) < min(CHUNK, left):
                line_number += 1
                pending += f"{line_number:06d} {rng.getrandbits(64):016x} emulated file\n".encode()
            piece, pending = pending[: min(CHUNK, left)], pending[min(CHUNK, left) :]
            left -= len(piece)
            yield piece
        return
    while left > 0:
        piece = rng.randbytes(min(CHUNK, left))
        left -= len(piece)
        yield piece
