"""`token_store = "keyring"`: a profile's login in the OS keyring, the file as the fallback.

The keyring here is a fake backend installed through keyring's own API (``set_keyring``), so
the code under test talks to it exactly as it would to the Keychain or the Secret Service.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from rcinbox.auth.keyring_store import SERVICE, KeyringLoginStore, for_profile
from rcinbox.auth.store import LoginStore
from rcinbox.cli.main import main
from rcinbox.config import config_path, data_dir
from rcinbox.emulator import Emulator

keyring = pytest.importorskip("keyring", reason="the rcinbox[keyring] extra is not installed")
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.backends import fail  # noqa: E402
from keyring.errors import PasswordSetError  # noqa: E402

SECRET = "rcinbox-demo-secret"
JWT = "rcinbox-demo-jwt"


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict; ``refuse`` makes every write fail like a locked keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.refuse = False

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.refuse:
            raise PasswordSetError("locked")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.items[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def use_keyring_in_config() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[profiles.default]\ntoken_store = "keyring"\n')


def login_argv(emulator: Emulator) -> list[str]:
    return [
        "login",
        "--server",
        emulator.url,
        "--client-id",
        "rcinbox-demo",
        "--client-secret",
        SECRET,
        "--jwt",
        JWT,
    ]


def token_file():
    return data_dir() / "profiles" / "default" / "token.json"


def test_a_login_goes_to_the_keyring_and_commands_use_it(
    emulator: Emulator, memory_keyring: MemoryKeyring, capsys
) -> None:
    use_keyring_in_config()
    assert main(login_argv(emulator)) == 0
    stored = json.loads(memory_keyring.items[(SERVICE, "profile:default")])
    assert stored["jwt"] == JWT and stored["token"]["access_token"]
    assert not token_file().exists()
    assert main(["contents", "--limit", "1"]) == 0
    assert main(["logout"]) == 0
    assert memory_keyring.items == {}
    capsys.readouterr()


def test_a_refusing_keyring_leaves_the_login_in_the_file(
    emulator: Emulator, memory_keyring: MemoryKeyring, capsys
) -> None:
    use_keyring_in_config()
    memory_keyring.refuse = True
    assert main(login_argv(emulator)) == 0
    assert token_file().exists() and memory_keyring.items == {}
    assert main(["whoami"]) == 0
    capsys.readouterr()


def test_without_a_real_keyring_the_file_store_is_used() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert type(for_profile("default", token_store="keyring")) is LoginStore
    finally:
        keyring.set_keyring(previous)


def test_the_file_store_stays_the_default(memory_keyring: MemoryKeyring) -> None:
    assert type(for_profile("default")) is LoginStore
    assert isinstance(for_profile("default", token_store="keyring"), KeyringLoginStore)
