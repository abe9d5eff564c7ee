"""The pieces under ``o``, ``s``, ``i`` and ``rcinbox attachment``, each on its own: safe file
names, the desktop launcher, the store's view of re-signed links, the customer profile."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from pathlib import Path

import pytest
from tui_harness import credentials

from rcinbox.api.models import Content, Identity
from rcinbox.inbox.customers import CustomerQueries
from rcinbox.inbox.store import Store
from rcinbox.text import MAX_FILE_NAME_BYTES, file_name
from rcinbox.tui.opener import desktop_launcher
from rcinbox.wiring.accounts import Account
from rcinbox.wiring.inbox import open_inbox


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ("IMG_1234.jpg", "IMG_1234.jpg"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\x.txt", "x.txt"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("C:\\Users\\me\\evil.bat", "evil.bat"),
        ("statement\u202efdp.exe\x1b[31m\x00.pdf", "statementfdp.exe[31m.pdf"),
        ("zero\u200bwidth\u200f.txt", "zerowidth.txt"),
        (".bashrc", "bashrc"),
        ("..", "attachment"),
        ("", "attachment"),
        (None, "attachment"),
        ("...   ", "attachment"),
        ("CON.txt", "_CON.txt"),
        ("lpt1", "_lpt1"),
        ("com¹.log", "_com¹.log"),
        ('a<b>c:d"e|f?g*.txt', "a_b_c_d_e_f_g_.txt"),
        ("trailing dots...", "trailing dots"),
        ("line\nbreak.txt", "linebreak.txt"),
    ],
)
def test_a_sent_file_name_becomes_one_safe_name(sent: str | None, saved: str) -> None:
    assert file_name(sent) == saved


def test_a_long_name_is_cut_in_bytes_keeping_its_extension() -> None:
    name = file_name("é" * 400 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode("utf-8")) <= MAX_FILE_NAME_BYTES
    assert "\ufffd" not in name


def test_no_launcher_over_ssh_or_without_a_display() -> None:
    which = {"xdg-open": "/usr/bin/xdg-open", "open": "/usr/bin/open"}.get
    assert desktop_launcher({"SSH_CONNECTION": "a b c d", "DISPLAY": ":0"}, "linux", which) is None
    assert desktop_launcher({"SSH_TTY": "/dev/pts/1"}, "darwin", which) is None
    assert desktop_launcher({}, "linux", which) is None
    assert desktop_launcher({"DISPLAY": ":0"}, "linux", lambda _: None) is None
    assert desktop_launcher({"WAYLAND_DISPLAY": "wayland-0"}, "linux", which) is not None
    assert desktop_launcher({}, "darwin", which) is not None


def content(uri: str, *, body: str = "Photos attached") -> Content:
    return Content.from_json(
        {
            "id": "c1",
            "threadId": "t1",
            "body": body,
            "creationTime": "2026-11-01T10:00:00Z",
            "contentDirection": "Incoming",
            "authorIdentityId": "i1",
            "attachments": [{"id": "a1", "filename": "x.jpg", "size": 10, "uri": uri}],
        }
    )


def test_a_re_signed_link_alone_is_no_change(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "inbox.sqlite3")
    try:
        store.merge_contents([content("https://files/a1?expires=1&signature=aa")])
        result = store.merge_contents([content("https://files/a1?expires=2&signature=bb")])
        assert result.changed_thread_ids == ()
        stored = store.content("c1")
        assert stored is not None
        assert stored.attachments[0].uri == "https://files/a1?expires=1&signature=aa"
        # Anything else that changes still counts.
        result = store.merge_contents([content("https://files/a1?x", body="edited")])
        assert result.changed_thread_ids == ("t1",)
    finally:
        store.close()


def test_the_customer_profile_joins_the_identity_group_and_its_threads(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "inbox.sqlite3")
    try:

        def identity(identity_id: str, kind: str, group: str | None) -> Identity:
            return Identity.from_json(
                {"id": identity_id, "type": kind, "displayName": identity_id,
                 "identityGroupId": group, "creationTime": "2026-01-01T00:00:00Z"}
            )  # fmt: skip

        store.save_identities(
            [identity("wa", "WhatsApp", "g"), identity("fb", "Facebook", "g"),
             identity("other", "Email", "h")],
            time.time(),
        )  # fmt: skip
        for thread, author in (("t-wa", "wa"), ("t-fb", "fb"), ("t-x", "other")):
            store.merge_contents(
                [Content.from_json({"id": f"c-{thread}", "threadId": thread, "body": "hi",
                                    "creationTime": "2026-11-01T10:00:00Z",
                                    "contentDirection": "Incoming",
                                    "authorIdentityId": author})]
            )  # fmt: skip
        queries = CustomerQueries()
        queries.store = store
        profile = queries.customer("wa")
        assert profile.identity is not None and profile.identity.type == "WhatsApp"
        assert [o.id for o in profile.others] == ["fb"]
        assert sorted(row.id for row in profile.conversations) == ["t-fb", "t-wa"]
        unknown = queries.customer("nobody")
        assert unknown.identity is None and unknown.others == () and unknown.conversations == ()
    finally:
        store.close()


def test_loading_a_customer_asks_the_server_for_their_identity_group(
    emulator, tmp_path: Path
) -> None:
    channels: dict[str, set[str]] = defaultdict(set)
    author: dict[str, str] = {}
    for record in emulator.contents_where(contentDirection="Incoming"):
        channels[record["identityGroupId"]].add(record["channelId"])
        author.setdefault(record["identityGroupId"], record["authorIdentityId"])
    group = next(g for g in sorted(channels) if len(channels[g]) >= 2)

    async def load() -> tuple:
        account = Account(credentials(emulator), tmp_path / "inbox.sqlite3")
        async with open_inbox(account) as inbox:
            before = inbox.customer(author[group])
            return before, await inbox.load_customer(author[group])

    before, after = asyncio.run(load())
    # An empty store knows nobody; one identity read and one group listing later, it does.
    assert before.identity is None and before.others == ()
    assert after.identity is not None and after.identity.identity_group_id == group
    assert len(after.others) >= 1
    assert {o.identity_group_id for o in after.others} == {group}
    assert emulator.stats.requests["GET /identities"] == 1
    assert emulator.stats.requests["GET /identities/{id}"] == 1
