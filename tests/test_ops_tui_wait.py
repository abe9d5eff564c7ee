"""No silent wait in the TUI: a login limit shows as a countdown in the status line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tui_harness import make_app, pin_time_zone, settle, until, warm_store

from rcinbox.emulator import Emulator, EmulatorConfig
from rcinbox.inbox.engine import EngineSettings

LIVE = EngineSettings(poll_active=0.5, poll_idle=0.5, idle_after=3600.0)


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[Emulator, Path]]:
    """An emulator allowing one login per 3 s window, and a store whose filling spent it."""
    pin_time_zone()
    emulator = Emulator(EmulatorConfig(auth_rate_limit=1, rate_window=3.0, penalty=3.0)).start()
    yield emulator, warm_store(emulator, tmp_path / "inbox.sqlite3", pages=1, names=False)
    emulator.stop()


async def test_the_login_limit_is_counted_down_in_the_status_line(limited) -> None:
    emulator, store = limited
    app = make_app(emulator, store, settings=LIVE)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "waiting" in str(app.status.render()), timeout=15)
        line = str(app.status.render())
        assert "RingCentral's login limit (5 a minute)" in line
        wait = app.inbox.current_wait()
        assert wait is not None and "login limit" in wait.reason
        await until(pilot, lambda: app.status.online is True, timeout=20)
        await until(pilot, lambda: "waiting" not in str(app.status.render()), timeout=10)
        await settle(pilot)
