"""Issue 13 item 4: a refresh token is never spent when its successor could not be saved."""

from __future__ import annotations

import dataclasses
import errno
import time
from pathlib import Path

import pytest
from textual.widgets._toast import Toast
from tui_harness import QUIET, credentials, settle, until

from rcinbox.api.client import new_http_client
from rcinbox.auth.flows import jwt_login
from rcinbox.auth.session import LoginNotSaved, StoredSession
from rcinbox.auth.store import LoginStore
from rcinbox.cli.errors import ExitCode, exit_code
from rcinbox.emulator import Emulator
from rcinbox.inbox.engine import BackgroundWork
from rcinbox.tui.app import InboxApp
from rcinbox.wiring.accounts import Account
from rcinbox.wiring.inbox import open_inbox

SECRET = "rcinbox-demo-secret"
JWT = "rcinbox-demo-jwt"


async def logged_in(emulator: Emulator) -> tuple[LoginStore, object]:
    store = LoginStore("work")
    async with new_http_client() as http:
        login = await jwt_login(
            profile="work",
            server=emulator.url,
            client_id="rcinbox-demo",
            client_secret=SECRET,
            jwt=JWT,
            naming="channel",
            http=http,
        )
    store.save(login)
    return store, login


def unwritable(store: LoginStore) -> None:
    # A directory where the save's probe goes fails the write even for root (no chmod games).
    store.path.with_name(".token.json.probe").mkdir()


async def test_an_expired_token_is_not_renewed_when_the_renewal_could_not_be_saved(
    emulator: Emulator,
) -> None:
    store, login = await logged_in(emulator)
    expired = dataclasses.replace(
        login.token, expires_at=time.time() - 10, issued_at=time.time() - 3600
    )
    store.save(dataclasses.replace(login, token=expired))
    unwritable(store)
    grants_before = dict(emulator.stats.grants)
    async with new_http_client() as http:
        session = StoredSession(store, store.load(), http=http)
        with pytest.raises(LoginNotSaved) as failure:
            await session.bearer()
    assert "kept unspent" in str(failure.value)
    assert exit_code(failure.value) == ExitCode.ERROR
    assert dict(emulator.stats.grants) == grants_before
    # The stored refresh token still works once the directory is fixed.
    store.path.with_name(".token.json.probe").rmdir()
    async with new_http_client() as http:
        session = StoredSession(store, store.load(), http=http)
        assert await session.bearer() != expired.access_token
    assert emulator.stats.grants["refresh_token"] == grants_before.get("refresh_token", 0) + 1


async def test_a_token_due_for_renewal_but_valid_keeps_working_unsaved(
    emulator: Emulator,
) -> None:
    store, login = await logged_in(emulator)
    due = dataclasses.replace(
        login.token, expires_at=time.time() + 30, issued_at=time.time() - 3570
    )
    store.save(dataclasses.replace(login, token=due))
    unwritable(store)
    grants_before = dict(emulator.stats.grants)
    async with new_http_client() as http:
        session = StoredSession(store, store.load(), http=http)
        assert await session.bearer() == due.access_token
    assert dict(emulator.stats.grants) == grants_before


async def test_a_renewal_that_could_not_be_saved_is_told_once_per_reason(
    emulator: Emulator,
) -> None:
    store, login = await logged_in(emulator)
    due = dataclasses.replace(
        login.token, expires_at=time.time() + 30, issued_at=time.time() - 3570
    )
    store.save(dataclasses.replace(login, token=due))
    unwritable(store)
    told: list[str] = []
    async with new_http_client() as http:
        session = StoredSession(store, store.load(), http=http)
        session.on_not_saved = told.append
        for _ in range(3):
            assert await session.bearer() == due.access_token
    # Once, however many requests found the renewal due: a UI shows it, it does not repeat it.
    assert len(told) == 1
    assert "cannot save a renewed login for profile work" in told[0]


async def test_a_renewed_login_the_disk_refused_is_told_and_kept_in_memory(
    emulator: Emulator,
) -> None:
    store, login = await logged_in(emulator)
    expired = dataclasses.replace(
        login.token, expires_at=time.time() - 10, issued_at=time.time() - 3600
    )
    store.save(dataclasses.replace(login, token=expired))
    told: list[str] = []
    async with new_http_client() as http:
        session = StoredSession(store, store.load(), http=http)
        session.on_not_saved = told.append

        def disk_full(_login: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        # The probe before the renewal passed; the save after it finds the disk full.
        store.save = disk_full  # type: ignore[method-assign]
        fresh = await session.bearer()
        assert fresh != expired.access_token
        assert await session.bearer() == fresh
    assert told == [
        "could not save the renewed login of profile work (No space left on device);"
        " rcinbox goes on with it, but the next start may ask you to log in again"
    ]


async def test_the_tui_says_a_renewed_login_was_not_saved_and_goes_on(
    emulator: Emulator, tmp_path: Path
) -> None:
    store, login = await logged_in(emulator)
    # Due for renewal (inside the last minute), still valid for the rest of the test.
    due = dataclasses.replace(
        login.token, expires_at=time.time() + 55, issued_at=time.time() - 3545
    )
    store.save(dataclasses.replace(login, token=due))
    unwritable(store)
    account = Account(credentials(emulator), tmp_path / "inbox.sqlite3", login=store.load())
    app = InboxApp(
        lambda: open_inbox(account, settings=QUIET),
        work=BackgroundWork(names=False, history=False),
    )
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)

        def told() -> bool:
            words = [str(toast.render()) for toast in app.screen.query(Toast)]
            return any("cannot save a renewed login for profile work" in w for w in words)

        await until(pilot, told)
        # It goes on: online, on the token it holds, with the inbox synced.
        assert app.status.online is True
        assert app.conversation_list.total > 0
        assert app.is_running and app.return_code is None
