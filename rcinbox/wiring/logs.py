"""Where log records go: a rotating file always, stderr for headless commands, and never a secret.

Every process writes to ``log_path()`` (platformdirs' user log directory; ``rcinbox config path``
shows it), rotated at 1 MiB with three old files kept: the request log (method, path, status,
duration, RingCentral's request id, from :mod:`rcinbox.api.client`), announced waits, warnings.
The file takes INFO, or DEBUG with ``--debug``. A headless command also prints WARNING and above
on stderr, apart from the engine's (whose failure the command reports in its one line); ``-v``
prints INFO and ``--debug`` DEBUG from everywhere. The TUI never writes to the terminal: a
line printed under the app (or after it exits) would garble the screen.

What must never reach a log: the client secret, the JWT, tokens, message text. The code never
logs them; as a second line of defence :class:`Redact` masks the secrets this process knows of
and anything after ``Bearer``/``Basic`` in every record, whatever its level or handler.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys

from rcinbox.config import ConfigError, log_path, make_private_dir

MAX_BYTES = 1 << 20
_ENGINE = ("rcinbox.inbox", "rcinbox.api", "rcinbox.requests")
BACKUPS = 3
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_AUTH_HEADER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+")
# Third-party loggers stay at WARNING even with --debug: httpx logs whole URLs (queries hold
# search words) and httpcore traces headers.
_QUIET = ("httpx", "httpcore", "hpack", "asyncio", "aiohttp", "markdown_it")


class Redact(logging.Filter):
    """Masks known secrets and authorization values in a record's final text."""

    def __init__(self, secrets: frozenset[str] = frozenset()) -> None:
        super().__init__()
        # Short values would mask ordinary words; a real secret is longer than this.
        self.secrets = sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = _AUTH_HEADER.sub(r"\1 ***", text)
        for secret in self.secrets:
            clean = clean.replace(secret, "***")
        if clean != text:
            record.msg, record.args = clean, None
        return True


# ``extra=SAID`` on a record: the user was already told on stderr; it is for the file only.
SAID = {"said_on_stderr": True}

_installed: list[logging.Handler] = []


class _PrivateRotatingFile(logging.handlers.RotatingFileHandler):
    """Each log file is created 0600 (the ids and paths of one's inbox are no one else's),
    the first one and each one a rotation starts, whatever the umask."""

    def _open(self):  # type: ignore[override]
        handle = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(handle, "a", encoding=self.encoding, errors=self.errors)


def remove() -> None:
    """Take this module's handlers off again (a command is over; tests run many in one process)."""
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()


def setup(
    *, verbose: int = 0, debug: bool = False, terminal: bool = True, secrets: frozenset[str]
) -> None:
    """Install the handlers for this process (again: the previous ones are replaced)."""
    remove()
    root = logging.getLogger()
    redact = Redact(secrets)
    file_level = logging.DEBUG if debug else logging.INFO
    try:
        path = log_path()
        make_private_dir(path.parent)
        file_handler: logging.Handler = _PrivateRotatingFile(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        os.chmod(path, 0o600)  # a file from before this rule
    except (OSError, ConfigError) as error:
        # No log file is no reason to stop working: say so once where the user looks.
        if terminal:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            print(f"rcinbox: cannot write the log file ({reason})", file=sys.stderr)
        file_handler = logging.NullHandler()
    file_handler.setLevel(file_level)
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler.addFilter(redact)
    handlers = [file_handler]
    stderr_level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    if terminal:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(stderr_level)
        stream.setFormatter(logging.Formatter("rcinbox: %(levelname)s %(name)s: %(message)s"))
        stream.addFilter(redact)
        # Announced waits reach stderr through their own listener (one plain line each).
        stream.addFilter(lambda record: record.name != "rcinbox.api.waits")
        stream.addFilter(lambda record: not getattr(record, "said_on_stderr", False))
        if not (verbose or debug):
            # Without -v only setup warnings (a config file others can read) reach stderr: the
            # engine's failures end the command, in the one line the command prints for them.
            stream.addFilter(lambda record: not record.name.startswith(_ENGINE))
        handlers.append(stream)
    root.setLevel(min(file_level, stderr_level if terminal else file_level))
    for handler in handlers:
        root.addHandler(handler)
        _installed.append(handler)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
