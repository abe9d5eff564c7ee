"""``o`` and ``s`` on a message's attachments and ``i``'s customer panel, driven by keys on the
emulator (real HTTP for the files; the desktop launcher is replaced, so nothing launches)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import OptionList
from tui_harness import copy_store, make_app, pin_time_zone, settle, until, warm_store

from rcinbox.emulator import Emulator, EmulatorConfig
from rcinbox.emulator.files import file_bytes
from rcinbox.tui.app import InboxApp
from rcinbox.tui.widgets.customer_panel import CustomerPanel
from rcinbox.tui.widgets.files import AttachmentPicker, DownloadScreen, SavedFileScreen

WIDE = (120, 40)
LOGINS = 1000


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, Path]]:
    pin_time_zone()
    emulator = Emulator(EmulatorConfig(auth_rate_limit=LOGINS)).start()
    yield emulator, warm_store(emulator, tmp_path_factory.mktemp("store") / "inbox.sqlite3")
    emulator.stop()


@pytest.fixture
def seeded(shared: tuple[Emulator, Path], tmp_path: Path) -> tuple[Emulator, Path]:
    emulator, store = shared
    return emulator, copy_store(store, tmp_path)


def specimen(emulator: Emulator) -> dict:
    """The seeded message with five attachments: hostile names and a 23 MB video."""
    found = [
        c
        for c in emulator.contents_where(channelType="WhatsApp")
        if any(a["filename"] == "../../etc/passwd" for a in c["attachments"])
    ]
    assert len(found) == 1
    return found[0]


def expected(message: dict, index: int) -> bytes:
    attachment = message["attachments"][index]
    return b"".join(file_bytes(1, attachment["id"], attachment["contentType"], attachment["size"]))


async def open_specimen(pilot, app: InboxApp, message: dict) -> None:
    """Open the specimen's conversation and select the specimen message, as j/k would."""
    await settle(pilot)
    app.open_thread(message["threadId"])
    await until(
        pilot, lambda: any(i.content and i.content.id == message["id"] for i in app.view.items)
    )
    app.view.selected = next(
        n for n, i in enumerate(app.view.items) if i.content and i.content.id == message["id"]
    )
    app.screen.set_focus(app.view)
    await pilot.pause()


async def pick(pilot, app: InboxApp, index: int) -> None:
    await until(pilot, lambda: isinstance(app.screen, AttachmentPicker))
    await pilot.press(*["down"] * index, "enter")


# ---------------------------------------------------------------------------------- attachments


async def test_s_saves_the_chosen_attachment_in_the_downloads_folder(
    seeded, isolated_dirs: Path
) -> None:
    emulator, store = seeded
    message = specimen(emulator)
    app = make_app(emulator, store)
    downloads = isolated_dirs / "downloads"
    async with app.run_test(size=WIDE) as pilot:
        await open_specimen(pilot, app, message)
        await pilot.press("s")
        await pick(pilot, app, 3)
        await until(pilot, lambda: (downloads / "_CON.txt").exists())
        await settle(pilot)
        assert (downloads / "_CON.txt").read_bytes() == expected(message, 3)
        assert [p.name for p in downloads.iterdir()] == ["_CON.txt"]
        # The hostile name saves inside the folder under its safe form.
        await pilot.press("s")
        await pick(pilot, app, 0)
        await until(pilot, lambda: (downloads / "passwd").exists())
        await settle(pilot)
        assert sorted(p.name for p in downloads.iterdir()) == ["_CON.txt", "passwd"]


async def test_o_hands_the_cached_file_to_the_desktop_once_fetched(
    seeded, isolated_dirs: Path
) -> None:
    emulator, store = seeded
    message = specimen(emulator)
    app = make_app(emulator, store)
    launched: list[Path] = []
    app.find_launcher = lambda: launched.append
    async with app.run_test(size=WIDE) as pilot:
        await open_specimen(pilot, app, message)
        await pilot.press("o")
        await pick(pilot, app, 1)
        await until(pilot, lambda: len(launched) == 1)
        path = launched[0]
        assert path.name == "x.txt"
        assert path.is_relative_to(isolated_dirs / "cache")
        assert path.read_bytes() == expected(message, 1)
        # Opened again: the cached file, without a second download.
        downloads = emulator.stats.requests["GET /files/attachments/{id}"]
        await settle(pilot)
        await pilot.press("o")
        await pick(pilot, app, 1)
        await until(pilot, lambda: len(launched) == 2)
        assert launched[1] == path
        assert emulator.stats.requests["GET /files/attachments/{id}"] == downloads
        assert not (isolated_dirs / "downloads").exists()


async def test_o_over_ssh_shows_where_the_file_is_and_launches_nothing(
    seeded, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
    monkeypatch.setenv("DISPLAY", ":0")
    emulator, store = seeded
    message = specimen(emulator)
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await open_specimen(pilot, app, message)
        await pilot.press("o")
        await pick(pilot, app, 2)
        await until(pilot, lambda: isinstance(app.screen, SavedFileScreen))
        screen = app.screen
        assert isinstance(screen, SavedFileScreen)
        assert screen.path.name == "statementfdp.exe[31m.pdf"
        assert screen.path.read_bytes() == expected(message, 2)
        shown = str(screen.query_one("#saved-path").visual)
        assert shown == str(screen.path)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SavedFileScreen))


@pytest.fixture
def own(tmp_path: Path) -> Iterator[tuple[Emulator, Path]]:
    """An emulator of its own (the test slows it down) and a warm store."""
    pin_time_zone()
    with Emulator(EmulatorConfig(auth_rate_limit=LOGINS)).start() as emulator:
        yield emulator, warm_store(emulator, tmp_path / "inbox.sqlite3")


async def test_a_large_download_shows_progress_and_esc_leaves_nothing_behind(
    own, isolated_dirs: Path
) -> None:
    emulator, store = own
    message = specimen(emulator)
    app = make_app(emulator, store)
    downloads = isolated_dirs / "downloads"
    async with app.run_test(size=WIDE) as pilot:
        await open_specimen(pilot, app, message)
        # The answer waits three seconds on the server: long enough to see the dialog, cancel.
        emulator.config.faults.latency_ms = 3000
        await pilot.press("s")
        await pick(pilot, app, 4)
        await until(pilot, lambda: isinstance(app.screen, DownloadScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not any(w.group == "attachment" for w in app.workers))
        assert not downloads.exists() or list(downloads.iterdir()) == []
        # Once more, whole this time.
        emulator.config.faults.latency_ms = 0
        await pilot.press("s")
        await pick(pilot, app, 4)
        await until(pilot, lambda: (downloads / "site_visit.mp4").exists(), timeout=60)
        assert (downloads / "site_visit.mp4").stat().st_size == 24_117_248
        assert [p.name for p in downloads.iterdir()] == ["site_visit.mp4"]


async def test_a_message_without_attachments_says_so(seeded) -> None:
    emulator, store = seeded
    message = specimen(emulator)
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await open_specimen(pilot, app, message)
        plain = next(
            n for n, i in enumerate(app.view.items) if i.content and not i.content.attachments
        )
        app.view.selected = plain
        await pilot.press("o")
        await until(pilot, lambda: any("no attachment" in n.message for n in app._notifications))
        assert not isinstance(app.screen, AttachmentPicker)


# ---------------------------------------------------------------------------------- customer


def customer_on_several_channels(emulator: Emulator) -> tuple[str, list[str]]:
    """A seeded customer group with conversations on two channels or more: (an identity of it
    that wrote, the group's thread ids)."""
    threads: dict[str, set[str]] = defaultdict(set)
    channels: dict[str, set[str]] = defaultdict(set)
    authors: dict[str, str] = {}
    for content in emulator.contents_where(contentDirection="Incoming"):
        group = content["identityGroupId"]
        threads[group].add(content["threadId"])
        channels[group].add(content["channelId"])
        authors.setdefault(group, content["authorIdentityId"])
    group = next(g for g in sorted(channels) if len(channels[g]) >= 2 and len(threads[g]) <= 9)
    return authors[group], sorted(threads[group])


async def test_i_shows_the_customer_their_other_identities_and_conversations(seeded) -> None:
    emulator, store = seeded
    identity_id, thread_ids = customer_on_several_channels(emulator)
    identity = emulator.identity(identity_id)
    assert identity is not None
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        first = next(
            t
            for t in thread_ids
            if any(
                c["authorIdentityId"] == identity_id for c in emulator.contents_where(threadId=t)
            )
        )
        app.open_thread(first)
        await until(pilot, lambda: bool(app.view.items))
        app.view.selected = next(
            n
            for n, i in enumerate(app.view.items)
            if i.content and i.content.author_identity_id == identity_id
        )
        app.screen.set_focus(app.view)
        await pilot.press("i")
        panel = app.query_one(CustomerPanel)
        await until(pilot, lambda: panel.has_class("shown"))
        await settle(pilot)
        profile = panel.profile
        assert profile is not None and profile.identity_id == identity_id
        assert profile.identity is not None
        assert profile.identity.display_name == identity["displayName"]
        assert len(profile.others) >= 1
        assert all(o.identity_group_id == identity["identityGroupId"] for o in profile.others)
        shown = [row.id for row in profile.conversations]
        assert sorted(shown) == thread_ids
        assert len({row.channel_id for row in profile.conversations}) >= 2
        text = str(panel.query_one("#customer-identity").visual)
        assert identity["displayName"] in text
        assert app.focused is panel.query_one(OptionList)
        # One key away: the number of another conversation opens it.
        target = next(n for n, row in enumerate(profile.conversations) if row.id != first)
        await pilot.press(str(target + 1))
        await until(pilot, lambda: app._open_thread is not None and app._open_thread.id != first)
        assert app._open_thread.id == profile.conversations[target].id
        assert not panel.has_class("shown")
        # And i toggles it away again.
        await pilot.press("i")
        await until(pilot, lambda: panel.has_class("shown"))
        await pilot.press("i")
        await until(pilot, lambda: not panel.has_class("shown"))


async def test_the_new_keys_are_in_the_help(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_text = "\n".join(str(s.visual) for s in app.screen.query("Static"))
        for words in ("Open attachment", "Save attachment", "Customer", "Open conversation 1"):
            assert words in help_text
        for binding in ("view.open_attachment", "view.save_attachment", "app.customer"):
            assert binding in help_text
