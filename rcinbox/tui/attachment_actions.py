"""``o`` and ``s`` on a message: open an attachment with the desktop's application, or save it.

A mixin of :class:`~rcinbox.tui.app.InboxApp`. The engine decides where files go (the cache for
opening, the downloads folder for saving) and fetches them (:meth:`Inbox.save_attachment`,
:meth:`Inbox.fetch_attachment_to_open`); this module chooses the attachment (a picker when the
message has several), shows progress for a large file in a small modal (esc cancels: nothing is
left behind), and hands the file to the desktop. Where there is no desktop to hand it to (over
SSH, no display, no opener) it shows the saved path, also as a ``file://`` hyperlink.

The launcher is :attr:`AttachmentActions.find_launcher`, replaced in tests so nothing launches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from rcinbox.inbox.types import Content
from rcinbox.text import one_line, visible
from rcinbox.tui.opener import Launcher, desktop_launcher
from rcinbox.tui.widgets.conversation_view import ConversationView

if TYPE_CHECKING:
    from collections.abc import Callable

    from rcinbox.tui.app import InboxApp
    from rcinbox.tui.widgets.files import DownloadScreen

    _Base = InboxApp
else:
    _Base = object

# Files from this size on show a progress bar; smaller ones arrive before it could be read.
PROGRESS_FROM = 1024 * 1024


class AttachmentActions(_Base):
    """Open or save the selected message's attachment."""

    find_launcher: Callable[[], Launcher | None] = staticmethod(desktop_launcher)

    def on_conversation_view_attachment_wanted(
        self, message: ConversationView.AttachmentWanted
    ) -> None:
        content = message.content
        if content is None:
            self.notify("Select a message first (j/k).", timeout=3)
            return
        if not content.attachments:
            self.notify("This message has no attachment.", timeout=3)
            return
        if len(content.attachments) == 1:
            self._get_attachment(content, 0, message.open)
            return
        from rcinbox.tui.widgets.files import AttachmentPicker  # the dialogs load on first use

        def chosen(index: int | None) -> None:
            if index is not None:
                self._get_attachment(content, index, message.open)

        verb = "Open" if message.open else "Save"
        self.push_screen(AttachmentPicker(content.attachments, verb), chosen)

    @work(group="attachment", exit_on_error=False)
    async def _get_attachment(self, content: Content, index: int, open: bool) -> None:
        # The dialogs load with the first attachment, not at start-up.
        from rcinbox.tui.widgets.files import DownloadScreen, SavedFileScreen

        attachment = content.attachments[index]
        screen: DownloadScreen | None = None
        if (attachment.size or 0) >= PROGRESS_FROM:
            screen = DownloadScreen(attachment, on_cancel=get_current_worker().cancel)
            self.push_screen(screen)
        fetch = self.inbox.fetch_attachment_to_open if open else self.inbox.save_attachment
        try:
            saved = await fetch(content.id, index, on_progress=screen.advance if screen else None)
        except Exception as error:
            # A refused or expired link, a size that does not match, a full disk: one line.
            self.notify(one_line(str(error), 300), severity="error", markup=False, timeout=8)
            return
        finally:
            if screen is not None and screen.is_active:
                screen.dismiss()
        where = visible(str(saved.path), multiline=False)
        if not open:
            self.notify(f"Saved {where}", markup=False, timeout=6)
            return
        launcher = self.find_launcher()
        if launcher is None:
            self.push_screen(SavedFileScreen(saved.path, "No desktop here to open it on."))
            return
        try:
            launcher(saved.path)
        except OSError as error:
            why = one_line(error.strerror or str(error), 120)
            self.push_screen(SavedFileScreen(saved.path, f"It could not be opened ({why})."))
            return
        self.notify(f"Opened {where}", markup=False, timeout=4)
