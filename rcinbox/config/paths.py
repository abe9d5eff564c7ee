"""Where rcinbox keeps its files, and how a private file is written.

The data directory (stores, stored logins), the config directory and the log directory come
from platformdirs, unless ``RCINBOX_DATA_DIR`` / ``RCINBOX_CONFIG_DIR`` / ``RCINBOX_LOG_DIR`` say
otherwise (tests and portable setups).
platformdirs is imported only when asked for a path, so importing this module costs nothing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

APP_NAME = "rcinbox"
CONFIG_FILE = "config.toml"
LOG_FILE = "rcinbox.log"


def data_dir() -> Path:
    """The per-user data directory (``RCINBOX_DATA_DIR`` overrides it)."""
    override = os.environ.get("RCINBOX_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The per-user config directory (``RCINBOX_CONFIG_DIR`` overrides it)."""
    override = os.environ.get("RCINBOX_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def log_dir() -> Path:
    """The per-user log directory (``RCINBOX_LOG_DIR`` overrides it)."""
    override = os.environ.get("RCINBOX_LOG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_log_path

    return user_log_path(APP_NAME, appauthor=False)


def log_path() -> Path:
    """The log file (rotated: ``rcinbox.log.1`` and so on beside it)."""
    return log_dir() / LOG_FILE


def config_path() -> Path:
    """Where config.toml is (it need not exist)."""
    return config_dir() / CONFIG_FILE


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data``, readable by the owner only (0600).

    The bytes go to a temporary file in the same directory, are flushed to disk, then renamed
    over the old file: a crash leaves the old file or the new one, never half of either.
    """
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates the file 0600 whatever the umask: the secret is never briefly public.
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    # The rename itself is durable only once the directory is flushed (POSIX; not on Windows).
    with contextlib.suppress(OSError):
        directory_handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_handle)
        finally:
            os.close(directory_handle)
