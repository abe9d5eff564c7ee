"""``rcinbox --demo`` for the TUI: the emulator as a child process.

Light on purpose: the CLI starts the child before it imports Textual and the engine, so the
emulator builds its data on the other core while this process gets ready to paint.
"""

from __future__ import annotations

import select
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from rcinbox.text import one_line

if TYPE_CHECKING:
    from rcinbox.session import Account

DEMO_CLIENT_ID = "rcinbox-demo"
DEMO_CLIENT_SECRET = "rcinbox-demo-secret"
DEMO_JWT = "rcinbox-demo-jwt"


class DemoServer:
    """``rcinbox demo-server`` as a child process, for the TUI's ``--demo``.

    In a child the emulator runs on the other core while the TUI imports and paints, and its
    request threads and simulated customers never hold the TUI's interpreter lock. The child
    watches its standard input and stops when this process ends, however it ends.
    """

    def __init__(self, *, inbound_every: float | None = None) -> None:
        command = [sys.executable, "-m", "rcinbox", "demo-server", "--exit-with-stdin"]
        if inbound_every is not None:
            command += ["--inbound-every", str(inbound_every)]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._scratch = tempfile.TemporaryDirectory(prefix="rcinbox-demo-")

    def account(self, *, naming: str | None = None, timeout: float = 30.0) -> Account:
        """Wait for the child's address (it prints it once it serves) and describe the account."""
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else ""
        if not line.startswith("listening on "):
            error = self._process.stderr.read() if self._process.poll() is not None else ""
            self.close()
            raise DemoError(f"the demo server did not start: {one_line(error or line, 200)}")
        from rcinbox.config import Credentials
        from rcinbox.session import Account

        credentials = Credentials(
            line.split()[-1], DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT, naming or "channel"
        )
        return Account(credentials, Path(self._scratch.name) / "inbox.sqlite3", demo=True)

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
        self._scratch.cleanup()


class DemoError(Exception):
    """The demo server could not be started."""
