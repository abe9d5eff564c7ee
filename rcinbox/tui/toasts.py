"""Toasts that show text as it is: a mixin of :class:`~rcinbox.tui.app.InboxApp`.

Textual reads a toast's message as content markup unless told otherwise, and a toast often
quotes someone else: the server's reason a reply was refused, a theme named in the environment.
``[/bold]`` there would end the app with a MarkupError and ``[@click=app.quit]`` would make the
toast quit it when clicked. So every toast of this app, whoever raises it, is plain text with its
controls made visible (:func:`rcinbox.text.visible`); rcinbox's own toasts use no markup.
Textual's ctrl+c hint is said here in plain words; its screenshot toast (from the palette's
Screenshot) shows its colour tag as text, a small price for a path that may hold brackets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcinbox.text import visible
from rcinbox.tui.keys import key_label

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from rcinbox.tui.app import InboxApp

    _Base = InboxApp
else:
    _Base = object


class PlainToasts(_Base):
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        # ``markup`` is accepted (Textual's own callers pass it) and not honoured.
        super().notify(
            visible(message),
            title=visible(title, multiline=False),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_help_quit(self) -> None:
        # Textual's own version of this hint (ctrl+c) is markup: said in plain words here.
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key_label(key)} to quit the app", title="Do you want to quit?")
                return
