"""Opening a file with the desktop's own application, when there is a desktop to open it on.

``xdg-open`` (with a display) on Linux and the BSDs, ``open`` on macOS, ``os.startfile`` on
Windows. Over SSH (``SSH_CONNECTION`` or ``SSH_TTY`` set) the desktop, if any, is the remote
machine's, where nobody looks: there is no launcher then, and the UI shows where the file is
instead. The launcher never waits for the application and gives it none of our terminal.
Never imports Textual.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

Launcher = Callable[[Path], None]


def over_ssh(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"))


def desktop_launcher(
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
) -> Launcher | None:
    """How to open a file on this desktop, or None (over SSH, no display, no opener)."""
    if over_ssh(environ):
        return None
    if platform == "win32":
        return _start_file
    if platform == "darwin":
        command = which("open")
    elif environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        command = which("xdg-open")
    else:
        command = None
    if command is None:
        return None
    found = command

    def launch(path: Path) -> None:
        subprocess.Popen(
            [found, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    return launch


def _start_file(path: Path) -> None:
    os.startfile(path)  # type: ignore[attr-defined]  # Windows only
