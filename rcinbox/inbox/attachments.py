"""The facade's attachment methods: save a message's file, or fetch it to open.

Part of :class:`~rcinbox.inbox.engine.Inbox` (a mixin, so the facade stays one object while
its module stays small). Where files go is decided here, once, for every UI: saved files in the
user's downloads folder (``rcinbox attachment -o`` names another place), files to open in the
cache directory, one folder per attachment, where a file already fetched whole is reused.

A signed link lasts a while (API.md: the ``uri`` carries a signed query); a content stored an
hour ago holds a dead one. A 403 therefore fetches the content again, once, for a fresh link,
and tries that; a second 403 is the answer. Never imports Textual.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from rcinbox.api.downloads import FileDownloader, Progress, SavedFile
from rcinbox.api.errors import Forbidden
from rcinbox.api.models import Attachment, Content
from rcinbox.config import cache_dir, downloads_dir
from rcinbox.inbox.scheduler import Priority
from rcinbox.inbox.types import AttachmentMissing
from rcinbox.text import file_name

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from rcinbox.inbox.sync import Syncer

log = logging.getLogger(__name__)


class AttachmentActions:
    """Downloads of a message's attachments (mixed into the Inbox facade)."""

    # The facade's own (engine.py).
    downloads: FileDownloader | None
    syncer: Syncer
    content_or_fetch: Callable[[str], Awaitable[Content]]

    async def save_attachment(
        self,
        content_id: str,
        index: int,
        *,
        to: Path | None = None,
        on_progress: Progress | None = None,
    ) -> SavedFile:
        """Save attachment ``index`` (0: the first) of a message in the downloads folder, or in
        ``to``: a directory (existing, or the path ends with a separator) keeps the file's own
        name made safe; any other path is the file to write, replaced if it exists."""
        if to is None:
            return await self._download(content_id, index, downloads_dir(), None, on_progress)
        if to.is_dir() or str(to).endswith(("/", "\\")):
            return await self._download(content_id, index, to, None, on_progress)
        # The user named the file: it is written as named, like `curl -o`.
        return await self._download(content_id, index, to.parent, to.name, on_progress)

    async def fetch_attachment_to_open(
        self, content_id: str, index: int, *, on_progress: Progress | None = None
    ) -> SavedFile:
        """Attachment ``index`` of a message in the cache folder (fetched once, then reused),
        for the desktop to open."""
        content = await self.content_or_fetch(content_id)
        attachment = _pick(content, index)
        folder = cache_dir() / "attachments" / file_name(attachment.id, f"{content_id}-{index}")
        name = file_name(attachment.filename)
        cached = folder / name
        if attachment.size is not None and cached.is_file():
            if cached.stat().st_size == attachment.size:
                return SavedFile(cached, attachment.size, attachment.content_type)
            cached.unlink()
        return await self._download(content_id, index, folder, name, on_progress)

    async def _download(
        self,
        content_id: str,
        index: int,
        directory: Path,
        exact_name: str | None,
        on_progress: Progress | None,
    ) -> SavedFile:
        """Into ``directory``: as ``exact_name`` (replacing), or under the attachment's own
        name made safe and unique when it is None."""
        if self.downloads is None:
            raise RuntimeError("this inbox was built without a file downloader")
        content = await self.content_or_fetch(content_id)
        try:
            return await self._fetch(_pick(content, index), directory, exact_name, on_progress)
        except Forbidden as refused:
            log.info("attachment link refused (%s); asking for a fresh one", refused.status)
        fresh = await self.syncer.fetch_content(content_id, priority=Priority.USER)
        return await self._fetch(_pick(fresh, index), directory, exact_name, on_progress)

    async def _fetch(
        self,
        attachment: Attachment,
        directory: Path,
        exact_name: str | None,
        on_progress: Progress | None,
    ) -> SavedFile:
        assert self.downloads is not None
        if not attachment.uri:
            raise AttachmentMissing("The server gave no address for this attachment.")
        return await self.downloads.download(
            attachment.uri,
            directory,
            exact_name if exact_name is not None else attachment.filename,
            size=attachment.size,
            content_type=attachment.content_type,
            on_progress=on_progress,
            replace=exact_name is not None,
        )


def _pick(content: Content, index: int) -> Attachment:
    count = len(content.attachments)
    if not 0 <= index < count:
        has = f"it has {count}" if count else "it has none"
        raise AttachmentMissing(f"The message has no attachment number {index + 1} ({has}).")
    return content.attachments[index]
