"""Running the real ``rcinbox`` command in the test process against an emulator.

The demo credentials the emulator accepts, set as ``RCINBOX_*`` like a script would, and
:func:`run`, which returns the exit code with what the command printed.
"""

from __future__ import annotations

import pytest

from rcinbox.cli.main import main

CLIENT_ID = "rcinbox-demo"
SECRET = "rcinbox-demo-secret"
JWT = "rcinbox-demo-jwt"


def use(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Credentials for the server at ``url`` from the environment, as the README offers."""
    monkeypatch.setenv("RCINBOX_SERVER", url)
    monkeypatch.setenv("RCINBOX_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("RCINBOX_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("RCINBOX_JWT", JWT)


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
