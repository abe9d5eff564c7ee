"""The one way to run the demo: ``rcinbox demo-server`` as a child process.

``--demo`` (the TUI and every headless command) starts the emulator as a child and logs in to it
with the emulator's demo credentials. Light on purpose: the CLI starts the child before it
imports Textual and the engine, so the emulator builds its data on the other core while this
process gets ready to paint. Nothing here imports the emulator's server: only the three demo
credentials, from the emulator's config module, so they are written once; and only when the demo
logs in, as every start (``--demo`` or not) imports this module.
Tests that want an emulator in their own process start one themselves.
"""

from __future__ import annotations

import select
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rcinbox.config import Credentials

# Simulated customers in the TUI demo write about this often, so messages arrive as you watch.
TUI_INBOUND_EVERY = 20.0
# How long a child told to stop (its standard input closed) has before it is terminated.
STOP_WAIT = 3.0


def demo_credentials(url: str, naming: str | None = None) -> Credentials:
    """The demo's login on the demo server at ``url``."""
    # The emulator's config (its fault switches, its dataclasses) loads for the demo only, and
    # the profiles' code once the server is started (this module is imported before).
    from rcinbox.config import Credentials
    from rcinbox.emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT

    return Credentials(url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT, naming or "channel")


class DemoError(Exception):
    """The demo server could not be started."""


class DemoServer:
    """``rcinbox demo-server`` as a child process, with a throwaway directory for its store.

    In a child the emulator runs on the other core while the TUI imports and paints, and its
    request threads and simulated customers never hold this interpreter's lock. The child
    watches its standard input and stops when this process ends, however it ends.
    """

    def __init__(
        self, *, inbound_every: float | None = None, warm: bool = False, naming: str | None = None
    ) -> None:
        command = [sys.executable, "-m", "rcinbox", "demo-server", "--exit-with-stdin"]
        if inbound_every is not None:
            command += ["--inbound-every", str(inbound_every)]
        self._scratch = tempfile.TemporaryDirectory(prefix="rcinbox-demo-")
        if warm:
            # The child also syncs the demo's store, as a client with ``naming`` would
            # (wiring/warm.py): its answer is read by warm_answer().
            command += ["--warm-store", str(self.store_path)]
            if naming is not None:
                command += ["--warm-naming", naming]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._url: str | None = None

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def store_path(self) -> Path:
        """Where the demo's inbox lives: gone with the child."""
        return Path(self._scratch.name) / "inbox.sqlite3"

    def credentials(self, *, naming: str | None = None, timeout: float = 30.0) -> Credentials:
        """Wait for the child's address (it prints it once it listens); the demo's login."""
        return demo_credentials(self._address(timeout), naming)

    def warm_answer(self, *, timeout: float = 30.0) -> str:
        """The child's warm start outcome, the line after its address ('' if the child ends
        first). It comes within the warm start's own time limit; a read of the next line, not
        a select(): both lines may already sit in the reader's buffer."""
        self._address(timeout)
        return self._process.stdout.readline()

    def _address(self, timeout: float) -> str:
        if self._url is not None:
            return self._url
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else ""
        if not line.startswith("listening on "):
            from rcinbox.text import one_line  # with its width tables: for a failure only

            error = self._process.stderr.read() if self._process.poll() is not None else ""
            self.close()
            raise DemoError(f"the demo server did not start: {one_line(error or line, 200)}")
        self._url = line.split()[-1]
        return self._url

    def close(self) -> None:
        # Its standard input closed, the child stops by itself, cleanly. A SIGTERM while its
        # watcher thread was blocked reading that input made its interpreter abort on the way
        # out (SIGABRT, "could not acquire lock for <stdin>"); it is only the fallback now.
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
        self._scratch.cleanup()

    @property
    def returncode(self) -> int | None:
        """The child's exit status once it has stopped (None while it runs)."""
        return self._process.poll()
