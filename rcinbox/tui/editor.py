"""ctrl+g in the composer: write the reply in the agent's own editor ($VISUAL, $EDITOR, else vi).

The draft goes to a private temporary file (0600: it may quote a customer), the app suspends
(leaves the alternate screen and gives the terminal to the editor, which works over SSH as
anywhere), and what the editor saved comes back as the reply when it exits with 0. Any other
ending (a non-zero exit such as vim's ``:cq``, an editor that cannot start, a file that is no
longer UTF-8 text) leaves the draft as it was and says why in one line. The file is deleted
whatever happens.

The editor command may carry arguments (``code --wait``, ``emacsclient -t``): it is split as a
shell would split it, and run without a shell. Where the app cannot lend its terminal (in a
browser, through ``rcinbox web``) the key says so instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

from rcinbox.text import one_line

if TYPE_CHECKING:
    from textual.app import App

# A reply longer than this did not come from an agent's editor session (and no channel takes it).
MAX_EDITED_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Edited:
    """What came of an editor session: the new text, or why the draft stays as it was."""

    text: str | None = None
    problem: str | None = None


def editor_command(environ: Mapping[str, str]) -> list[str]:
    """``$VISUAL``, else ``$EDITOR``, else ``vi``, split like a shell would split it.

    ValueError (in one line) when the variable cannot be split (an unbalanced quote).
    """
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError as error:
                raise ValueError(f"${name} cannot be read ({error})") from None
            if words:
                return words
    return ["vi"]


async def edit_in_editor(app: App, text: str, command: Sequence[str]) -> Edited:
    """Open ``text`` in the editor ``command`` with the app suspended; see the module's doc."""
    handle, name = tempfile.mkstemp(prefix="rcinbox-reply-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        try:
            # Repaints wait for the editor (the engine's work goes on meanwhile); the suspend
            # ends first, so the first frame after it is painted on the app's own screen.
            with app.batch_update(), app.suspend():
                # Nothing may raise in here: Textual resumes the app only when the block ends
                # normally, so a failure is returned as words.
                problem = await asyncio.to_thread(_run, command, path)
        except SuspendNotSupported:
            return Edited(problem="No terminal to lend an editor here: edit in the composer.")
        if problem is not None:
            return Edited(problem=problem)
        return _read_back(path, text)
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def _run(command: Sequence[str], path: Path) -> str | None:
    """Run the editor on ``path`` in this terminal; None when it exited with 0."""
    try:
        result = subprocess.run([*command, str(path)], check=False)
    except OSError as error:
        reason = error.strerror or str(error)
        return f"Cannot start the editor {one_line(command[0], 60)!r} ({reason})."
    if result.returncode != 0:
        return f"The editor exited with {result.returncode}: the reply is unchanged."
    return None


def _read_back(path: Path, before: str) -> Edited:
    try:
        if path.stat().st_size > MAX_EDITED_BYTES:
            return Edited(problem="The edited reply is over 1 MB: the reply is unchanged.")
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return Edited(problem="The editor removed the file: the reply is unchanged.")
    except UnicodeDecodeError:
        return Edited(problem="The editor saved text that is not UTF-8: the reply is unchanged.")
    except OSError as error:
        return Edited(problem=f"Cannot read the edited reply ({error.strerror or error}).")
    text = text.replace("\r\n", "\n")
    # Editors end the file with a line break; the reply had none unless it ended with one.
    if not before.endswith("\n"):
        text = text.removesuffix("\n")
    return Edited(text=text)
