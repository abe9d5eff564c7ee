"""What to write to the terminal when a new inbound message arrives: ``ui.notifications``.

``bell`` (the default) is BEL, which works everywhere, through SSH and tmux (tmux raises its own
bell alert and passes it on as its ``bell-action`` says). ``osc9`` is ``ESC ] 9 ; text BEL``, a
desktop notification in terminals that support it (iTerm2, WezTerm, kitty, Windows Terminal);
inside tmux it is wrapped in tmux's passthrough (tmux 3.3+ needs ``allow-passthrough on``).
``off`` writes nothing.

The text may carry a customer's name: only printable characters get into the sequence (no ESC,
BEL, C1 or bidi controls that could end it early or act on the terminal), and it always starts
with "rcinbox: " so that no customer text can be read as an OSC 9 sub-command such as "4;"
(progress). Never imports Textual; the TUI writes the returned string through its driver.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping

from rcinbox.config import NOTIFICATIONS

_MAX_TEXT = 200


def alert_sequence(kind: str, text: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    """The escape sequence for one new-message alert (empty for ``off``)."""
    if kind not in NOTIFICATIONS:
        raise ValueError(f"notifications must be one of {', '.join(NOTIFICATIONS)}")
    if kind == "off":
        return ""
    if kind == "bell":
        return "\a"
    env = os.environ if environ is None else environ
    words = "".join(
        c for c in text if not unicodedata.category(c).startswith(("C", "Z")) or c == " "
    )
    sequence = f"\x1b]9;rcinbox: {words[:_MAX_TEXT]}\x07"
    if env.get("TMUX"):
        # tmux passes a DCS "tmux;" payload to the outer terminal, with each ESC doubled.
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence
