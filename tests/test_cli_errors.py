"""One error -> exit-code map for every command, and the table the help and the README print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rcinbox.api.errors import (
    APIError,
    InvalidGrant,
    MalformedResponse,
    NotFound,
    OAuthError,
    RateLimited,
    ServerError,
    TransportError,
    error_from_response,
)
from rcinbox.auth.flows import LoginAborted, LoginRefused
from rcinbox.auth.loopback import CannotListen
from rcinbox.cli.errors import EXIT_CODES_HELP, MEANINGS, CommandError, ExitCode, exit_code
from rcinbox.config import ConfigError
from rcinbox.inbox.engine import StoreError
from rcinbox.wiring.demo import DemoError

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (CommandError("bad flag", ExitCode.USAGE), ExitCode.USAGE),
        (ConfigError("no account"), ExitCode.CONFIG),
        (InvalidGrant(400, error="invalid_grant"), ExitCode.LOGIN),
        (LoginRefused("wrong JWT"), ExitCode.NOPERM),
        (LoginAborted("no login within 600 s"), ExitCode.NOPERM),
        (OAuthError(401, error="invalid_client"), ExitCode.NOPERM),
        (APIError(403), ExitCode.NOPERM),
        (NotFound(404), ExitCode.NOT_FOUND),
        (APIError(422), ExitCode.DATAERR),
        (RateLimited(429), ExitCode.TEMPFAIL),
        (ServerError(503), ExitCode.UNAVAILABLE),
        (MalformedResponse("truncated"), ExitCode.PROTOCOL),
        (TransportError("refused", request_sent=False), ExitCode.UNAVAILABLE),
        (TransportError("timed out", request_sent=True), ExitCode.TEMPFAIL),
        (CannotListen("port taken"), ExitCode.UNAVAILABLE),
        (DemoError("did not start"), ExitCode.UNAVAILABLE),
        (StoreError("newer schema"), ExitCode.ERROR),
        (OSError(28, "No space left on device"), ExitCode.ERROR),
    ],
)
def test_every_expected_failure_has_one_exit_code(error: BaseException, code: int) -> None:
    assert exit_code(error) == code


def test_an_error_nobody_expects_is_left_to_end_in_a_traceback() -> None:
    assert exit_code(KeyError("a bug")) is None


def test_a_refused_token_request_is_a_login_failure_only_while_logging_in() -> None:
    answer = error_from_response(400, b'{"error": "invalid_grant"}')
    assert exit_code(answer) == ExitCode.LOGIN  # a stored login that expired
    assert exit_code(LoginRefused(str(answer))) == ExitCode.NOPERM  # `rcinbox login` refused


def test_the_help_lists_every_exit_code_once() -> None:
    listed = [int(line.split()[0]) for line in EXIT_CODES_HELP.splitlines()[1:]]
    assert listed == [int(code) for code in ExitCode]
    assert set(MEANINGS) == set(ExitCode)


def test_the_readme_table_lists_the_same_exit_codes() -> None:
    table = re.findall(r"^\| (\d+) \| ", README.read_text(encoding="utf-8"), re.MULTILINE)
    assert [int(code) for code in table] == [int(code) for code in ExitCode]
