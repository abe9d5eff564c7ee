"""The sender lock: one process at a time sends from a store's outbox."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows: no advisory lock, so one sender per store is not enforced there.
    fcntl = None  # type: ignore[assignment]


class SenderLock:
    """Held for the life of the process; the operating system releases it when the process dies."""

    _path: Path | None
    _sender_lock: BinaryIO | None

    def hold_sender_lock(self) -> bool:
        """Become this store's one sender, or say another live process already is.

        The outbox treats an entry left in ``sending`` as a crashed send and looks for it before
        sending again. That is only safe when no other process is sending right now, so one
        process at a time (the TUI, or a headless command) owns the outbox, held with an
        advisory lock that the operating system releases when the process dies, SIGKILL too.
        """
        if self._sender_lock is not None:
            return True
        if self._path is None or fcntl is None:
            return True
        lock = open(f"{self._path}.sender-lock", "a+b")  # noqa: SIM115 - held for the process life
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            return False
        self._sender_lock = lock
        return True

    def _release_sender_lock(self) -> None:
        if self._sender_lock is not None:
            self._sender_lock.close()
            self._sender_lock = None
