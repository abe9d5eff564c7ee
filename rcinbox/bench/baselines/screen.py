"""A screen of the kinds of widgets rcinbox's first frame has, in Textual alone, with fixed text:
the floor of launching a screen like rcinbox's, before any of rcinbox's own code runs.

The same layout (channels beside a list beside the conversation and the customer, a status line
and a footer of keys) from the same built-in widgets rcinbox uses (``OptionList``, ``Input``,
``TextArea``, ``Footer``, scrolling containers and ``Static``), but the list is one ``Static``
holding its rows' text: the cheapest list Textual can paint. Nothing is read, imported or
computed besides Textual.
"""

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, OptionList, Static, TextArea

CHANNELS = (
    "All conversations",
    "Needs reply",
    "WhatsApp",
    "Messenger",
    "Instagram",
    "Twitter/X",
    "Facebook",
    "Apple Messages",
    "Google Business",
    "LinkedIn",
    "YouTube",
    "Google reviews",
    "Viber",
    "Email",
)
ROWS = "\n".join(
    f"Customer {n:02}{'WhatsApp · ' + str(n) + 'm':>30}\n  Hello, where is my order #{1000 + n}?"
    for n in range(1, 20)
)


class Screenful(App):
    CSS = """
    #sidebar { width: 24; }
    #list-pane { width: 46; }
    #customer { width: 28; }
    #composer { height: 6; }
    #status { height: 1; }
    """
    BINDINGS = [
        ("q", "quit", "Quit"),
        ("j", "app.bell", "Down"),
        ("k", "app.bell", "Up"),
        ("r", "app.bell", "Reply"),
        ("slash", "app.bell", "Filter"),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(*CHANNELS, id="sidebar")
            with Vertical(id="list-pane"):
                yield Static("All conversations · 1,000", id="scope")
                yield Input(placeholder="Filter by name or text; esc clears")
                with VerticalScroll():
                    yield Static(ROWS)
            with Vertical():
                with VerticalScroll():
                    yield Static("12 unread conversations across 12 channels.")
                yield TextArea(id="composer")
            with Vertical(id="customer"):
                yield Static("Customer 01")
                yield Static("WhatsApp")
        yield Static("online · synced just now", id="status")
        yield Footer()


if __name__ == "__main__":
    Screenful().run()
