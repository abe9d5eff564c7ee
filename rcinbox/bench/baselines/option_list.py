"""A Textual OptionList of 1,000 two-line options filling the screen: what moving the
highlight down one option costs in Textual."""

from textual.app import App, ComposeResult
from textual.widgets import OptionList


class Options(App):
    def compose(self) -> ComposeResult:
        yield OptionList(
            *(
                f"Option {n:04}  customer name · channel\n  the latest message"
                for n in range(1, 1001)
            )
        )


if __name__ == "__main__":
    Options().run()
