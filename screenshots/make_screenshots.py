"""Write the README's screenshots (SVG) of the TUI on the seeded demo data.

Run from the repository root:  .venv/bin/python screenshots/make_screenshots.py

It starts the seeded emulator on loopback, fills a store from it (every content and every name,
so no placeholder shows), then drives the app headless with a pilot, one scene per file, each on
a fresh copy of the store. The clock is fixed at the seed's instant and the time zone is UTC, so
the same code gives the same pictures. This is not a test: pytest never runs it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path

from textual.pilot import Pilot

from rcinbox.api import OAuthSession, SocialMessagingClient, new_http_client
from rcinbox.config import Credentials
from rcinbox.emulator import Emulator, EmulatorConfig
from rcinbox.emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rcinbox.emulator.seed import DEFAULT_NOW
from rcinbox.inbox.engine import BackgroundWork, EngineSettings
from rcinbox.inbox.store import Store
from rcinbox.tui.app import InboxApp
from rcinbox.wiring.accounts import Account
from rcinbox.wiring.inbox import open_inbox

HERE = Path(__file__).resolve().parent
NOW = DEFAULT_NOW.astimezone(UTC)
# One sync at start, then none while the scene is taken.
QUIET = EngineSettings(poll_active=3600.0, poll_idle=3600.0, idle_after=3600.0)

Scene = Callable[[Pilot], Awaitable[None]]


async def _fill(emulator: Emulator, store_path: Path) -> None:
    async with new_http_client() as http:
        auth = OAuthSession(
            emulator.url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, http=http, jwt=DEMO_JWT
        )
        client = SocialMessagingClient(emulator.url, auth, http=http)
        store = Store.open(store_path)
        try:
            async for page in client.iter_content_pages(per_page=1000):
                store.merge_contents(page.records)
            async for page in client.iter_identity_pages(per_page=1000):
                store.save_identities(page.records, fetched_at=time.time())
        finally:
            store.close()


async def _settle(pilot: Pilot) -> None:
    """Until the first sync has answered and no work of the app's is left running."""
    app = pilot.app
    for _ in range(200):
        if app.status.online is not None:
            break
        await pilot.pause(0.05)
    busy = [w for w in app.workers if w.group != "events" and not w.is_finished]
    if busy:
        await app.workers.wait_for_complete(busy)
    await pilot.pause(0.3)


async def _inbox(pilot: Pilot) -> None:
    await _settle(pilot)


async def _thread_open(pilot: Pilot) -> None:
    await _settle(pilot)
    await pilot.press(*["j"] * 6, "enter")  # Siobhan M. on WhatsApp
    await _settle(pilot)


async def _composing(pilot: Pilot) -> None:
    await _settle(pilot)
    await pilot.press(*["j"] * 4, "enter", "r", *"Hi Emma, it ships today.")
    await _settle(pilot)


async def _narrow(pilot: Pilot) -> None:
    await _settle(pilot)
    await pilot.press(*["j"] * 6, "enter")
    await _settle(pilot)


async def _help(pilot: Pilot) -> None:
    await _settle(pilot)
    await pilot.press("question_mark")
    await _settle(pilot)


SCENES: list[tuple[str, tuple[int, int], Scene]] = [
    ("inbox-120x40.svg", (120, 40), _inbox),
    ("thread-open.svg", (120, 40), _thread_open),
    ("composing.svg", (120, 40), _composing),
    ("narrow-80x24.svg", (80, 24), _narrow),
    ("help.svg", (120, 40), _help),
]


async def _shoot(
    emulator: Emulator, store: Path, name: str, size: tuple[int, int], scene: Scene
) -> None:
    credentials = Credentials(emulator.url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT)
    account = Account(credentials, store)
    app = InboxApp(
        lambda: open_inbox(account, settings=QUIET),
        clock=lambda: NOW,
        work=BackgroundWork(names=False),
    )
    async with app.run_test(size=size) as pilot:
        await scene(pilot)
        app.save_screenshot(name, str(HERE))


def main() -> int:
    os.environ["TZ"] = "UTC"
    time.tzset()
    # Every scene logs in once; the default allows five logins a minute per client.
    with (
        tempfile.TemporaryDirectory(prefix="rcinbox-shots-") as scratch,
        Emulator(EmulatorConfig(auth_rate_limit=100)).start() as emulator,
    ):
        warm = Path(scratch) / "warm.sqlite3"
        asyncio.run(_fill(emulator, warm))
        for index, (name, size, scene) in enumerate(SCENES):
            store = Path(scratch) / f"scene-{index}.sqlite3"
            shutil.copyfile(warm, store)
            asyncio.run(_shoot(emulator, store, name, size, scene))
            print(HERE / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
