"""One plain Textual Input with focus: what typing a character costs in Textual."""

from textual.app import App, ComposeResult
from textual.widgets import Input


class InputBox(App):
    def compose(self) -> ComposeResult:
        box = Input(placeholder="Type here")
        # As in rcinbox's text boxes: no blinking cursor repainting twice a second.
        box.cursor_blink = False
        yield box


if __name__ == "__main__":
    InputBox().run()
