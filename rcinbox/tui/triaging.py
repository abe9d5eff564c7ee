"""Triage in the TUI: done (``d``), snooze (``z``), the needs-reply view and the wait sort (``w``).

A mixin of :class:`~rcinbox.tui.app.InboxApp`. The rules are the engine's: what done and
snoozed hide, when a snooze ends (``Inbox.wake_snoozed``, also asked by a timer here so a list
left alone brings a snoozed thread back on time), what "tomorrow" means. This module picks the
thread a key acts on, says what happened, and gives rows their note ("waiting 3 h").

It is an ``App`` subclass at run time only so that Textual collects its handlers.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App

from rcinbox.inbox.engine import SNOOZE_CHOICES, snooze_until
from rcinbox.inbox.types import ThreadFilter, ThreadOrder, ThreadRow, TriageState
from rcinbox.text import one_line
from rcinbox.tui.formatting import NO_CUSTOMER_TITLE, short_id, wait_label
from rcinbox.tui.widgets.sidebar import NEEDS_REPLY, TRIAGED, ChannelSidebar, SidebarEntry

if TYPE_CHECKING:
    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = App

# How often (seconds) the app asks the engine to end snoozes that are due.
SNOOZE_CHECK_EVERY = 30.0


class TriageActions(_Base):
    """Done, snooze, undo, the needs-reply view and the wait sort."""

    # The list's order (the wait sort), kept across the sidebar's entries.
    _wait_sort = False

    def on_mount(self) -> None:
        self.set_interval(SNOOZE_CHECK_EVERY, self._wake_snoozed)

    def _wake_snoozed(self) -> None:
        if self.inbox_ready and not self._engine_closed:
            # The engine announces what it woke (ThreadsChanged): the lists repaint from that.
            self.inbox.wake_snoozed()

    def thread_title(self, row: ThreadRow) -> str:
        """A thread's name for a notice or a palette entry: its customer, else a short id."""
        name = row.customer_name or self.inbox.name(row.customer_id)
        if name:
            return one_line(name, 40)
        return short_id(row.customer_id) if row.customer_id else NO_CUSTOMER_TITLE

    def _triage_target(self) -> ThreadRow | None:
        """The thread a triage key acts on: the open one while the agent reads it, else the
        one selected in the list."""
        if self._open_thread is not None and self.view.has_focus_within:
            return self._open_thread
        return self.conversation_list.selected or self._open_thread

    def action_mark_done(self) -> None:
        row = self._triage_target()
        if row is None or self.inbox.mark_done(row.id) is None:
            return
        self.notify(
            f"Done: {self.thread_title(row)} (back when the customer writes again).",
            timeout=3,
            # A customer's name is text, never markup.
            markup=False,
        )

    def action_snooze(self) -> None:
        from rcinbox.tui.snooze_picker import SnoozePicker  # the picker loads when it first opens

        row = self._triage_target()
        if row is None:
            return
        self.push_screen(
            SnoozePicker(
                f"Snooze {self.thread_title(row)} until…",
                SNOOZE_CHOICES,
                lambda when: snooze_until(when, self.inbox.now()),
            ),
            partial(self._snoozed, row),
        )

    def _snoozed(self, row: ThreadRow, until: float | None) -> None:
        if until is None or self.inbox.snooze(row.id, until) is None:
            return
        moment = _local(until)
        self.notify(f"Snoozed {self.thread_title(row)} until {moment}.", timeout=3, markup=False)

    def restore_thread(self, thread_id: str) -> None:
        """Undo done or snooze (from the palette)."""
        row = self.inbox.restore(thread_id)
        if row is not None:
            words = "not done any more" if row.state is TriageState.DONE else "unsnoozed"
            thread = self.inbox.thread(thread_id)
            title = self.thread_title(thread) if thread is not None else short_id(thread_id)
            self.notify(f"{title}: {words}.", timeout=3, markup=False)

    def action_needs_reply(self) -> None:
        self.sidebar.choose(NEEDS_REPLY)

    def action_show_triaged(self) -> None:
        entry = self.sidebar.entry(TRIAGED)
        if entry is not None:
            self.post_message(ChannelSidebar.Chosen(entry))

    def action_toggle_wait_sort(self) -> None:
        self._wait_sort = not self._wait_sort
        if self._entry is not None:
            self.post_message(ChannelSidebar.Chosen(self._entry))
        self.notify(
            "Longest wait first." if self._wait_sort else "Newest activity first.", timeout=2
        )

    def sorted_entry(self, entry: SidebarEntry) -> SidebarEntry:
        """The entry with the list's order (the wait sort, when on)."""
        order = ThreadOrder.WAITING if self._wait_sort else ThreadOrder.LATEST
        return dataclasses.replace(entry, where=dataclasses.replace(entry.where, order=order))

    def row_note(self, where: ThreadFilter, row: ThreadRow) -> str | None:
        """What a row of this list says on its second line: how long the customer has waited
        (needs-reply view, wait sort), or until when it is put aside (done & snoozed)."""
        if where.triaged:
            mark = self.inbox.triage(row.id)
            if mark is None:
                return None
            return "done" if mark.until is None else f"snoozed until {_local(mark.until)}"
        if where.needs_reply or where.order is ThreadOrder.WAITING:
            wait = row.waiting(self.clock())
            return wait_label(wait) if wait is not None else None
        return None


def empty_text(where: ThreadFilter) -> str:
    """What an empty list says, by what it shows."""
    if where.triaged:
        return "Nothing is done or snoozed."
    if where.needs_reply:
        return "Nobody is waiting for an answer."
    if where.unread_only:
        return "No unread conversations."
    return "No conversations here."


def _local(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).astimezone().strftime("%a %d %b %H:%M")
