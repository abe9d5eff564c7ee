"""Small Textual apps the TUI benchmark measures rcinbox against, in the same run.

Each module is a script (``python path/to/module.py``), run on a pty like ``rcinbox`` itself:
``hello`` (a hello-world app: the floor of a Textual launch), ``screen`` (the widgets of
rcinbox's first screen with fixed text: the floor of launching a screen like it),
``input_box`` (one plain ``Input``: what typing a character costs in Textual),
``option_list`` (a long ``OptionList``: what moving down a list costs). :data:`SCRIPTS`
names their files.
"""

from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = {name: HERE / f"{name}.py" for name in ("hello", "screen", "input_box", "option_list")}
HELLO_TEXT = "Hello, world"
# The screen's first row: a customer's name.
SCREEN_TEXT = "Customer 01"
# The placeholder's first letter is under the cursor, drawn apart from the rest.
INPUT_READY = "ype here"
OPTIONS_READY = "Option 0001"
