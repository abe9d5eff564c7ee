"""The snooze picker: a few common times, or one the agent types ("2h", "2026-12-24 09:00").

It answers with the moment chosen (epoch seconds, on the engine's clock) or None when
dismissed. What a typed time means is the engine's rule (``snooze_until``, handed in as
``parse``); a time it cannot read keeps the picker open with the engine's one-line reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from rcinbox.text import visible


class SnoozePicker(ModalScreen[float | None]):
    BINDINGS = [Binding("escape", "dismiss_picker", "Cancel", id="snooze.cancel")]

    DEFAULT_CSS = """
    SnoozePicker { align: center middle; }
    SnoozePicker > Vertical {
        width: 52;
        height: auto;
        border: round $accent;
        background: $panel;
        padding: 0 1;
    }
    SnoozePicker #snooze-title { text-style: bold; }
    SnoozePicker OptionList { height: auto; border: none; padding: 0; }
    SnoozePicker #snooze-error { color: $text-error; height: auto; }
    """

    def __init__(
        self, title: str, choices: Sequence[tuple[str, str]], parse: Callable[[str], float]
    ) -> None:
        super().__init__()
        self._title = title
        self._choices = list(choices)
        self._parse = parse

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(visible(self._title, multiline=False), end=""), id="snooze-title")
            yield OptionList(
                *(Option(label, id=value) for value, label in self._choices), id="snooze-choices"
            )
            yield Input(placeholder="or type: 2h, 17:30, 2026-12-24 09:00", id="snooze-when")
            yield Static(id="snooze-error")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = 0
        choices.focus()

    @on(OptionList.OptionSelected, "#snooze-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._answer(event.option.id or "")

    @on(Input.Submitted, "#snooze-when")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer(event.value)

    def _answer(self, when: str) -> None:
        try:
            until = self._parse(when)
        except ValueError as error:
            self.query_one("#snooze-error", Static).update(
                Text(visible(str(error), multiline=False), end="")
            )
            return
        self.dismiss(until)

    def action_dismiss_picker(self) -> None:
        self.dismiss(None)
