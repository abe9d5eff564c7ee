"""Keys: how the help, the hints and the toasts name them (:func:`key_label`), and alt+enter
made to reach the app from terminals that send it as ESC CR.

Most terminals (and tmux and SSH sessions in general) send alt+enter as ``ESC`` then ``CR``.
Textual 8.2.8 reads that pair as a plain ``enter``, dropping the alt, so the composer would
insert a newline instead of sending. Terminals speaking the kitty keyboard protocol already
report ``alt+enter``. Adding the legacy pair to Textual's table of sequences fixes the rest;
Textual is pinned exactly, and a test feeds the sequence to its parser to prove this holds.
"""

from __future__ import annotations

from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

from rcinbox.text import visible


def key_label(keys: str) -> str:
    """Keys as the help and the hints show them: ``question_mark`` is ``?``."""
    names = {
        "question_mark": "?",
        "slash": "/",
        "pagedown": "PgDn",
        "pageup": "PgUp",
        "escape": "esc",
        "enter": "enter",
    }
    # Keys come from the config's [keymap]: shown as they are, whatever they hold.
    return visible(
        " / ".join(names.get(k.strip(), k.strip()) for k in keys.split(",")), multiline=False
    )


class _AltEnter:
    """Stands in for a ``Keys`` member: the parser only reads ``.value``."""

    value = "alt+enter"


def teach_alt_enter() -> None:
    ANSI_SEQUENCES_KEYS.setdefault("\x1b\r", (_AltEnter,))  # type: ignore[arg-type]
