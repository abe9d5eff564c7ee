"""Secrets from a command: ``client_secret_command`` and ``jwt_command`` in a profile.

For people who keep secrets in ``pass``, a keychain or a vault: the command is split like a
shell would (:func:`shlex.split`) but run without one, so nothing in it is expanded or chained;
its standard output, trimmed, is the secret. It gets :data:`TIMEOUT` seconds. A failure is one
line naming the setting and what went wrong (exit status, timeout, no output), never a word
of what the command printed: that may be the secret, or part of it.
"""

from __future__ import annotations

import shlex
import subprocess

from rcinbox.config.errors import ConfigError

TIMEOUT = 30.0
_MAX_OUTPUT = 64 * 1024


def secret_from_command(command: str, setting: str) -> str:
    """Run ``command`` (no shell) and return its trimmed output; ConfigError on any failure."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise ConfigError(f"{setting}: cannot split the command ({error})") from None
    if not argv:
        raise ConfigError(f"{setting} is empty")
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(f"{setting}: {argv[0]} not found") from None
    except PermissionError:
        raise ConfigError(f"{setting}: {argv[0]} cannot be run (permission denied)") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{setting}: {argv[0]} did not finish within {TIMEOUT:g} s") from None
    except OSError as error:
        raise ConfigError(f"{setting}: {argv[0]} cannot be run ({error.strerror})") from None
    if done.returncode != 0:
        raise ConfigError(f"{setting}: {argv[0]} exited with status {done.returncode}")
    if len(done.stdout) > _MAX_OUTPUT:
        raise ConfigError(f"{setting}: {argv[0]} printed more than a secret could be")
    try:
        secret = done.stdout.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"{setting}: {argv[0]} printed something that is not UTF-8") from None
    if not secret:
        raise ConfigError(f"{setting}: {argv[0]} printed nothing")
    return secret
