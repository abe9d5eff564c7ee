"""Exit codes and the one map from a failure to its exit code and its line on stderr.

Every command, and the TUI launcher, ends a failure the same way: ``rcinbox: <one line>`` on
stderr and a code from :class:`ExitCode` (sysexits(3), so scripts can tell failures apart),
never a traceback. :func:`exit_code` is the only place an error becomes a code; the table it
follows, which ``--help`` prints and the README repeats, is :data:`MEANINGS`:

- a login the server refuses *while logging in* (wrong JWT, secret or code) is 77, and a stored
  login that expired or was revoked (``invalid_grant`` on renewal) is 67;
- any other 401/403 is 77, 404 is 66, 400/409/413/422 is 65, 429 is 75, other statuses 69;
- a reply the server would refuse (to an agent's message where no customer wrote, free text
  outside WhatsApp's 24-hour window) or a new conversation the channel does not allow is 65,
  and nothing is queued; an attachment the message does not have is 66;
- a request that never reached the server is 69; one that left without an answer (timeout,
  dropped connection) is 75, since the server may have acted on it: try again later;
- an answer that cannot be understood is 76; a missing or bad setting is 78;
- the demo server or the loopback listener failing to start is 69; anything else we expect
  (a store that cannot be opened, a file that cannot be written) is 1.

Exceptions this module does not know are bugs: they are left to end in a traceback.
"""

from __future__ import annotations

import contextlib
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rcinbox.api.errors import RCError


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    DATAERR = 65
    NOT_FOUND = 66
    LOGIN = 67
    UNAVAILABLE = 69
    TEMPFAIL = 75
    PROTOCOL = 76
    NOPERM = 77
    CONFIG = 78


# Ctrl+C, as shells report a process ended by SIGINT.
INTERRUPTED = 130

MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.ERROR: (
        "any other failure (a local store that cannot be opened or written, a file not written)"
    ),
    ExitCode.USAGE: "bad command-line usage",
    ExitCode.DATAERR: (
        "the server refused the request (400/422), e.g. a reply longer than the channel allows;"
        " `outbox flush`: a reply failed"
    ),
    ExitCode.NOT_FOUND: "not found (404), or no such attachment",
    ExitCode.LOGIN: "login expired or revoked (or not logged in): run `rcinbox login`",
    ExitCode.UNAVAILABLE: "server unreachable or failing (5xx)",
    ExitCode.TEMPFAIL: (
        "rate limited, a wait longer than --wait-limit, no answer in time, or a reply not yet"
        " accepted or the server out of reach (the reply stays queued), or a reply's outcome the"
        " local store could not record (it is looked for before any resend)"
    ),
    ExitCode.PROTOCOL: "malformed or oversized answer from the server",
    ExitCode.NOPERM: "not allowed: login refused (401) or the action is forbidden (403)",
    ExitCode.CONFIG: "no account configured or a bad setting",
}

EXIT_CODES_HELP = "exit codes:\n" + "".join(
    f"  {int(code):<3} {meaning}\n" for code, meaning in MEANINGS.items()
)


class CommandError(Exception):
    """A failure a command reports itself: one line for stderr and its exit code."""

    def __init__(self, message: str, exit_code: int = ExitCode.ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def exit_code(error: BaseException) -> int | None:
    """The exit code for ``error``, or None when it is not a failure we expect (a bug)."""
    # Imported here: each is light, but only a failure needs them (and the parser, which
    # imports this module for its help text, comes before --demo starts its server).
    import sqlite3

    from rcinbox.api.errors import RCError
    from rcinbox.auth.flows import LoginFailed
    from rcinbox.auth.loopback import CannotListen
    from rcinbox.config import ConfigError
    from rcinbox.inbox.engine import ReplyNotRecorded, ReplyRefused, StartRefused, StoreError
    from rcinbox.inbox.types import AttachmentMissing, VisibilityRefused
    from rcinbox.wiring.demo import DemoError

    if isinstance(error, CommandError):
        return error.exit_code
    if isinstance(error, ConfigError):
        return ExitCode.CONFIG
    if isinstance(error, LoginFailed):
        return ExitCode.NOPERM
    if isinstance(error, CannotListen | DemoError):
        return ExitCode.UNAVAILABLE
    if isinstance(error, ReplyNotRecorded):
        # It may be on the server: `outbox flush` (or the same reply again) looks before sending.
        return ExitCode.TEMPFAIL
    if isinstance(error, StoreError | OSError | sqlite3.Error):
        # sqlite3.Error: the local store failed mid-command (a full disk, a locked or damaged
        # file); whatever was committed stays, and the command says so in one line.
        return ExitCode.ERROR
    if isinstance(error, VisibilityRefused):
        # --public or --private where the channel has no such replies: the command line's fault.
        return ExitCode.USAGE
    if isinstance(error, ReplyRefused | StartRefused):
        return ExitCode.DATAERR
    if isinstance(error, AttachmentMissing):
        return ExitCode.NOT_FOUND
    if isinstance(error, RCError):
        return _api_exit_code(error)
    return None


def _api_exit_code(error: RCError) -> int:
    from rcinbox.api.errors import (
        APIError,
        InvalidGrant,
        MalformedResponse,
        OAuthError,
        RateLimited,
        TransportError,
    )

    if isinstance(error, InvalidGrant):
        return ExitCode.LOGIN
    if isinstance(error, OAuthError | APIError) and error.status in (401, 403):
        return ExitCode.NOPERM
    if isinstance(error, RateLimited):
        return ExitCode.TEMPFAIL
    if isinstance(error, APIError):
        if error.status == 404:
            return ExitCode.NOT_FOUND
        if error.status in (400, 409, 413, 422):
            return ExitCode.DATAERR
        return ExitCode.UNAVAILABLE
    if isinstance(error, MalformedResponse):
        return ExitCode.PROTOCOL
    if isinstance(error, TransportError):
        return ExitCode.TEMPFAIL if error.request_sent else ExitCode.UNAVAILABLE
    return ExitCode.ERROR


def message(error: BaseException, *, profile: str | None = None) -> str:
    """The one line to print for ``error`` (after ``rcinbox: ``)."""
    import sqlite3

    from rcinbox.api.errors import InvalidGrant
    from rcinbox.auth.flows import LoginFailed
    from rcinbox.auth.store import login_command
    from rcinbox.text import one_line

    if isinstance(error, InvalidGrant):
        why = "; ".join(part for part in (error.message, error.code) if part)
        return f"login expired or revoked: run `{login_command(_profile(profile))}` ({why})"
    if isinstance(error, LoginFailed):
        return f"login failed: {error}"
    if isinstance(error, sqlite3.Error):
        return f"the local store failed: {one_line(str(error), 200) or type(error).__name__}"
    return one_line(str(error), 2000)


def _profile(flag: str | None) -> str:
    from rcinbox.config import DEFAULT_PROFILE, ConfigError, selected_profile

    with contextlib.suppress(ConfigError):
        return selected_profile(flag)
    return DEFAULT_PROFILE
