"""Writing tools: the reply in $EDITOR (ctrl+g), snippets (ctrl+o), the raw JSON inspector (i),
exporting the open conversation (E), and the question before a reply with a placeholder left.

A mixin of :class:`~rcinbox.tui.app.InboxApp`, like :mod:`rcinbox.tui.reply_actions`: each
action reads the engine through the ``Inbox`` facade and leaves the work to its own module
(:mod:`rcinbox.tui.editor`, :mod:`rcinbox.tui.snippet_picker`, :mod:`rcinbox.tui.inspector`,
:mod:`rcinbox.export`). Named ``action_*`` methods only: Textual collects ``@on`` handlers
from message pumps, not from a plain mixin.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work

from rcinbox.config.paths import downloads_dir, snippets_dir
from rcinbox.config.snippets import Snippet, load_snippets, unfilled
from rcinbox.text import json_text, one_line
from rcinbox.tui.formatting import channel_label, short_id

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = object


class WritingActions(_Base):
    """$EDITOR, snippets, the inspector, export."""

    # ------------------------------------------------------------------ $EDITOR

    async def action_edit_in_editor(self) -> None:
        # Each tool's module loads when it is first used: the first frame needs none of them.
        from rcinbox.tui.editor import edit_in_editor, editor_command

        if self._open_thread is None:
            return
        try:
            command = editor_command(os.environ)
        except ValueError as error:
            self.notify(one_line(str(error), 200), severity="error")
            return
        edited = await edit_in_editor(self, self.composer.text, command)
        if edited.text is None:
            self.notify(edited.problem or "The reply is unchanged.", severity="warning")
        elif edited.text != self.composer.text:
            self.composer.replace_text(edited.text)
        self._focus_now(self.composer.area)

    # ------------------------------------------------------------------ snippets

    def action_insert_snippet(self) -> None:
        from rcinbox.tui.snippet_picker import SnippetPicker  # on first use, as the editor

        thread = self._open_thread
        if thread is None:
            return
        directory = self.settings.snippets_dir or snippets_dir()
        snippets, problems = load_snippets(directory)
        for problem in problems[:3]:
            self.notify(one_line(problem, 200), title="Snippets", severity="warning")
        if not snippets:
            self.notify(
                f"No snippets yet: put NAME.txt files in {one_line(str(directory), 80)}.",
                timeout=6,
            )
            return
        customer = self.inbox.identity(thread.customer_id)
        values = {
            "first_name": customer.first_name if customer else None,
            "name": thread.customer_name or self._name_of(thread.customer_id),
            "agent_name": self.inbox.own_name(thread.channel_id),
            "channel": channel_label(thread.channel_type),
        }

        def chosen(snippet: Snippet | None) -> None:
            if snippet is not None:
                self.composer.insert_text(snippet.text)
                left = unfilled(snippet.text)
                if left:
                    self.notify(
                        f"Not filled in: {one_line(', '.join(dict.fromkeys(left)), 80)}",
                        severity="warning",
                        timeout=4,
                    )
            self._focus_now(self.composer.area)

        self.push_screen(SnippetPicker(snippets, values), chosen)

    def _asks_before_sending(self, text: str, send: Callable[[], None]) -> bool:
        """A reply still holding a placeholder asks first; True when it asked (``send`` then
        runs on yes)."""
        left = list(dict.fromkeys(unfilled(text)))
        if not left:
            return False
        from rcinbox.tui.screens import ConfirmScreen  # on first use, as the editor

        def answered(yes: bool | None) -> None:
            if yes:
                send()
            else:
                self._focus_now(self.composer.area)

        shown = one_line(", ".join(left), 60)
        self.push_screen(
            ConfirmScreen(
                f"Send with {shown} not filled in?", yes="send as it is", no="keep editing"
            ),
            answered,
        )
        return True

    # ------------------------------------------------------------------ the inspector

    def action_inspect_raw(self) -> None:
        """The raw JSON of the message selected in the conversation (else its newest), or,
        from the list, of the newest message of the thread selected there."""
        from rcinbox.tui.inspector import RawJsonScreen  # on first use, as the editor

        content_id = self._inspected_content()
        raw = self.inbox.raw_content(content_id) if content_id else None
        if raw is None:
            words = (
                "This reply is not on the server yet: it has no JSON."
                if content_id == ""
                else "Select a message (or a conversation) to see its JSON."
            )
            self.notify(words, timeout=3)
            return
        self.push_screen(RawJsonScreen(f"Raw JSON · content {content_id}", json_text(raw)))

    def _inspected_content(self) -> str | None:
        """The content id ``J`` shows ("" for a reply still in the outbox)."""
        if self._open_thread is not None and self.focused is not self.conversation_list:
            selected = self.view.selected_item
            if selected is not None:
                return selected.content.id if selected.content is not None else ""
            contents = [i.content for i in self.view.items if i.content is not None]
            return contents[-1].id if contents else None
        row = self.conversation_list.selected
        return row.latest_content_id if row is not None else None

    # ------------------------------------------------------------------ export

    def action_export_thread(self) -> None:
        from rcinbox.tui.export_screen import ExportScreen  # on first use, as the editor

        if self._open_thread is None:
            row = self.conversation_list.selected
            if row is None:
                self.notify("Select a conversation to export it.", timeout=3)
                return
            self.open_thread(row.id)
            if self._open_thread is None:
                return
        thread_id = self._open_thread.id
        directory = self.settings.downloads_dir or downloads_dir()

        def chosen(fmt: str | None) -> None:
            if fmt is not None:
                self._export(thread_id, fmt)

        self.push_screen(ExportScreen(directory), chosen)

    @work(group="export", exclusive=True, exit_on_error=False)
    async def _export(self, thread_id: str, fmt: str) -> None:
        from rcinbox.export import Transcript, file_name, render, write_new  # on first use

        # The whole thread: what the store lacks of it is fetched first (the thread is open,
        # so it is read already).
        await self.inbox.open_thread(thread_id)
        contents = self.inbox.messages(thread_id)
        authors = {c.author_identity_id for c in contents if c.author_identity_id}
        transcript = Transcript(
            thread_id=thread_id,
            contents=contents,
            raw={c.id: self.inbox.raw_content(c.id) or c.raw for c in contents},
            identities={i: found for i in authors if (found := self.inbox.identity(i))},
            exported_at=self.clock(),
        )
        directory = self.settings.downloads_dir or downloads_dir()
        try:
            path = write_new(directory, file_name(transcript, fmt), render(transcript, fmt))
        except OSError as error:
            self.notify(
                one_line(f"Cannot write the export in {directory}: {error.strerror or error}", 200),
                title="Not exported",
                severity="error",
            )
            return
        count = len(contents)
        self.notify(
            one_line(f"{count} message{'s' if count != 1 else ''} in {path}", 200),
            title=f"Exported {short_id(thread_id)}",
            timeout=6,
        )
