"""Where rcinbox keeps its files, and how a private file is written.

The data directory (stores, stored logins), the config directory (with its ``snippets/``), the
log directory and the downloads directory (exports) come from platformdirs, unless
``RCINBOX_DATA_DIR`` / ``RCINBOX_CONFIG_DIR`` / ``RCINBOX_LOG_DIR`` / ``RCINBOX_DOWNLOADS_DIR``
say otherwise (tests and portable setups).
platformdirs is imported only when asked for a path, so importing this module costs nothing.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from rcinbox.config.errors import ConfigError

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


def downloads_dir() -> Path:
    """Where the TUI saves exports (``RCINBOX_DOWNLOADS_DIR`` overrides the user's Downloads)."""
    override = os.environ.get("RCINBOX_DOWNLOADS_DIR")
    if override:
        return Path(override)
    from platformdirs import user_downloads_path

    return user_downloads_path()


def snippets_dir() -> Path:
    """The agent's reply snippets: one ``NAME.txt`` file each, in the config directory."""
    return config_dir() / "snippets"


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
    make_private_dir(directory)
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


def make_private_dir(directory: Path) -> Path:
    """Create ``directory`` (and its missing parents) 0700 whatever the umask, and check it.

    ``mkdir(mode=0o700)`` is filtered through the umask and gives parents the default mode, so
    each directory made here is chmodded after it is made. What is there already is left as it
    is, except the last directory itself: a symbolic link there is refused rather than followed
    (its target could be anybody's), and so is anything that is not a directory. ConfigError
    says which, in one line.
    """
    missing: list[Path] = []
    probe = directory
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass  # made meanwhile by another process: checked below like any other
        except OSError as error:
            raise ConfigError(f"cannot create the directory {path} ({error.strerror})") from None
        else:
            with contextlib.suppress(OSError):
                os.chmod(path, 0o700)
    _check_directory(directory)
    return directory


def _check_directory(directory: Path) -> None:
    try:
        status = os.lstat(directory)
    except OSError as error:
        raise ConfigError(f"cannot use the directory {directory} ({error.strerror})") from None
    if stat.S_ISLNK(status.st_mode):
        raise ConfigError(
            f"{directory} is a symbolic link; rcinbox keeps private files only in a real directory"
        )
    if not stat.S_ISDIR(status.st_mode):
        raise ConfigError(f"{directory} is not a directory")


def read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of the regular file ``path`` (None when it does not exist).

    Anything else (a FIFO, which would block the read forever, a directory, a device) and a
    file larger than ``limit`` bytes is a ConfigError in one line. The file is opened without
    blocking and checked on the open descriptor, so it cannot be swapped in between.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise ConfigError(f"{path}: not a regular file")
    with os.fdopen(handle, "rb") as file:
        try:
            content = file.read(limit + 1)
        except OSError as error:
            raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    if len(content) > limit:
        raise ConfigError(f"{path}: larger than {limit} bytes")
    return content
