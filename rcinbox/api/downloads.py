"""Downloading an attachment's bytes from its ``uri`` into a directory, whole or not at all.

The ``uri`` is a signed link on the tenant's file host (API.md: ``…/attachments/<id>?<signed
query>``), so the link itself is the credential: **no Authorization header ever goes with a
download**, whatever the host, and a redirect can take nothing of ours elsewhere. Only http(s)
links are followed.

The bytes are streamed into a temporary file in the target directory, then linked to their
final name only once complete and of the right size; on any failure (a refused link, a size
that does not match, a full disk, a cancel) the temporary file is removed, so nothing partial
is ever left under a real name. The size is checked three times: the declared ``size`` against
the cap before asking, ``Content-Length`` against both before reading, and the bytes as they
arrive (never more than declared or than the cap; exactly as many as declared at the end).

The name comes from :func:`rcinbox.text.file_name` (never a path); a name taken already gets
" (1)", " (2)"..., and an existing file is never overwritten.

Errors are the API's: a 403 (an expired or refused link) is :class:`Forbidden`, other statuses
their :class:`APIError`, a size problem :class:`MalformedResponse` (:class:`TooLarge` past the
cap), the network :class:`TransportError`. This module never logs the link's query.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

from rcinbox.api.errors import MalformedResponse, TooLarge, TransportError, error_from_response
from rcinbox.text import file_name, one_line

if TYPE_CHECKING:
    import httpx

# The default largest attachment taken ([limits] attachment_mib).
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024
# A download may take its deadline plus the time to receive its size at this rate: a large file
# on a slow line is fine, a server trickling a byte a minute is not.
MIN_BYTES_PER_SECOND = 32 * 1024
CHUNK = 64 * 1024
# Names tried with " (n)" before giving up on a crowded directory.
MAX_NAME_TRIES = 1000

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class SavedFile:
    """An attachment written to disk: where, how many bytes, the type the server gave."""

    path: Path
    size: int
    content_type: str | None


class FileDownloader:
    """Downloads over the account's shared HTTP client, without its bearer token."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
        deadline: float = 60.0,
    ) -> None:
        self._http = http
        self.max_bytes = max_bytes
        self._deadline = deadline

    async def download(
        self,
        uri: str,
        directory: Path,
        name: str | None,
        *,
        size: int | None = None,
        content_type: str | None = None,
        on_progress: Progress | None = None,
        replace: bool = False,
    ) -> SavedFile:
        """Fetch ``uri`` into ``directory`` under a safe, unused form of ``name``, or, with
        ``replace``, under ``name`` exactly as the caller chose it, replacing what is there.
        ``size`` is what the content declared (None: unknown, then only the cap applies)."""
        if urlsplit(uri).scheme.lower() not in ("http", "https"):
            raise MalformedResponse("The attachment's link is not an http(s) address")
        if size is not None and size > self.max_bytes:
            raise _too_large(self.max_bytes)
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".rcinbox-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                served_type = await self._receive(uri, file, size, on_progress)
                file.flush()
                os.fsync(file.fileno())
                written = file.tell()
            if replace and name:
                path = directory / name
                os.replace(temporary, path)
            else:
                path = _place(Path(temporary), directory, file_name(name))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return SavedFile(path, written, content_type or served_type)

    async def _receive(
        self, uri: str, file: BinaryIO, size: int | None, on_progress: Progress | None
    ) -> str | None:
        limit = self.max_bytes if size is None else min(size, self.max_bytes)
        deadline = self._deadline + limit / MIN_BYTES_PER_SECOND
        # Only the User-Agent the client carries; never the API's Authorization header.
        import httpx  # with the HTTP client, loaded already: a download needs one

        request = self._http.build_request("GET", uri, headers={"Accept-Encoding": "identity"})
        try:
            async with asyncio.timeout(deadline):
                response = await self._http.send(request, stream=True, follow_redirects=True)
                try:
                    return await self._read(response, file, size, limit, on_progress)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise TransportError(
                f"The file did not arrive within {deadline:.0f} s", request_sent=True
            ) from None
        except httpx.HTTPError as exc:
            sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            why = one_line(str(exc), 120) or type(exc).__name__
            raise TransportError(
                f"The file could not be downloaded ({why})", request_sent=sent
            ) from exc

    async def _read(
        self,
        response: httpx.Response,
        file: BinaryIO,
        size: int | None,
        limit: int,
        on_progress: Progress | None,
    ) -> str | None:
        if response.status_code != 200:
            body = await response.aread() if response.status_code < 500 else b""
            raise error_from_response(response.status_code, body[:65536], response.headers)
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit():
            if int(declared) > self.max_bytes:
                raise _too_large(self.max_bytes)
            if size is not None and int(declared) != size:
                raise _mismatch(int(declared), size)
        total = size if size is not None else (int(declared) if declared.isdigit() else None)
        received = 0
        if on_progress is not None:
            on_progress(0, total)
        async for chunk in response.aiter_raw(CHUNK):
            received += len(chunk)
            if received > limit:
                raise _too_large(self.max_bytes) if size is None else _mismatch(received, size)
            file.write(chunk)
            if on_progress is not None:
                on_progress(received, total)
        if size is not None and received != size:
            raise _mismatch(received, size)
        return response.headers.get("Content-Type")


def _place(temporary: Path, directory: Path, name: str) -> Path:
    """Give the finished file its name, never replacing a file that is there already."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    for attempt in range(MAX_NAME_TRIES):
        candidate = (
            name if attempt == 0 else f"{stem} ({attempt}){'.' if extension else ''}{extension}"
        )
        target = directory / candidate
        try:
            # A hard link fails when the name exists (a rename would silently replace it).
            os.link(temporary, target)
        except FileExistsError:
            continue
        except OSError:
            # A filesystem without hard links: check, then rename (a narrow race, no clobber
            # of anything that was there before we looked).
            if os.path.lexists(target):
                continue
            os.rename(temporary, target)
            return target
        os.unlink(temporary)
        return target
    raise OSError(f"no free name for {name} in {directory}")


def _too_large(max_bytes: int) -> TooLarge:
    return TooLarge(
        f"The file is larger than {max_bytes // (1024 * 1024)} MiB"
        " (the [limits] attachment_mib setting)"
    )


def _mismatch(received: int, declared: int) -> MalformedResponse:
    return MalformedResponse(
        f"The server sent {received:,} bytes or more for a file declared as {declared:,} bytes;"
        " nothing was saved"
        if received > declared
        else f"The server sent {received:,} bytes for a file declared as {declared:,} bytes;"
        " nothing was saved"
    )
