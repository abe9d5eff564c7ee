"""Conversation exports (``rcinbox export`` and :mod:`rcinbox.export`): what they hold, and that
customer text in them is never interpreted, by a Markdown renderer or by a terminal."""

from __future__ import annotations

import html
import json
import re
import stat
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import httpx
from markdown_it import MarkdownIt

from rcinbox.cli.errors import ExitCode
from rcinbox.emulator import Emulator
from rcinbox.emulator.corpus.hostile import ANSI_BODY, BIDI_BODY, MARKUP_BODY
from rcinbox.export import Transcript, file_name, markdown_text, render, write_new
from rcinbox.inbox.types import Content, Identity
from tests.cli_helpers import run, use

HOSTILE_REPLY = (
    "[x](javascript:alert(1)) <script>alert(2)</script> <b>bold</b> &amp; *em* _em_ `code`\n"
    "# not a heading\n- not a list\n1. not a list\n    not code\n| a | b |\n"
    "https://evil.example www.evil.example a@evil.example :smile: ![img](http://x/y.png)"
)
SOCIAL = "/cx/social-messaging/v1"
# What a renderer makes of markup, links, images and HTML; none of it may come from a body.
MARKUP_TAGS = re.compile(r"<(a|em|strong|code|img|script|b|h[1-6]|ul|ol|li|table|pre|del)\b")


def _gfm(markdown: str) -> str:
    """HTML as a GitHub-like renderer makes it (tables, strikethrough, bare links linkified)."""
    return MarkdownIt("gfm-like").render(markdown)


def _text_of(rendered: str) -> str:
    """The HTML's text, tags dropped and entities read, line breaks as newlines."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered.replace("<br />\n", "\n")))


def _hostile_thread(emulator: Emulator, api: httpx.Client) -> str:
    """The seeded thread whose customer wrote markup, with an agent's reply full of Markdown."""
    first = emulator.contents_where(body=MARKUP_BODY)[0]
    response = api.post(
        f"{SOCIAL}/contents", json={"inReplyToContentId": first["id"], "body": HOSTILE_REPLY}
    )
    response.raise_for_status()
    return first["threadId"]


def _transcript(*bodies: str) -> Transcript:
    customer = Identity.from_json({"id": "cust-1", "firstName": "Eve", "identityType": "Customer"})
    contents = [
        Content.from_json(
            {
                "id": f"c{i}",
                "threadId": "t-1",
                "channelType": "WhatsApp",
                "direction": "Incoming",
                "authorIdentityId": "cust-1",
                "creationTime": f"2026-11-02T10:1{i}:00Z",
                "body": body,
            }
        )
        for i, body in enumerate(bodies)
    ]
    return Transcript(
        thread_id="t-1",
        contents=contents,
        raw={c.id: c.raw for c in contents},
        identities={"cust-1": customer},
        exported_at=datetime(2026, 11, 3, tzinfo=UTC),
    )


# ---------------------------------------------------------------------------------- pure


def test_markdown_of_hostile_text_renders_as_the_text_itself() -> None:
    for text in (HOSTILE_REPLY, MARKUP_BODY, "Total: $5 ~~off~~ {x} 10:45 > quoted\n===\n---"):
        rendered = _gfm(markdown_text(text))
        assert not MARKUP_TAGS.search(rendered), rendered
        # Every character survives as itself (leading spaces as no-break spaces).
        assert _text_of(rendered).replace("\u00a0", " ").strip() == text


def test_control_and_bidi_characters_become_visible_symbols_in_md_and_txt() -> None:
    transcript = _transcript(ANSI_BODY, BIDI_BODY)
    for fmt in ("md", "txt"):
        text = render(transcript, fmt)
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
        assert "␛" in text and "⟨RLO⟩" in text


def test_json_keeps_the_data_exact_with_dangerous_characters_escaped() -> None:
    transcript = _transcript(ANSI_BODY, BIDI_BODY)
    text = render(transcript, "json")
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text
    data = json.loads(text)
    assert [m["body"] for m in data["messages"]] == [ANSI_BODY, BIDI_BODY]
    assert data["messages"][0]["raw"]["body"] == ANSI_BODY
    assert data["messages"][0]["author"] == {"id": "cust-1", "name": "Eve", "role": "customer"}


def test_a_new_export_never_overwrites_a_file_and_is_private(tmp_path: Path) -> None:
    transcript = _transcript("hello")
    name = file_name(transcript, "md")
    assert name == "rcinbox-t-1-20261103-000000.md"
    first = write_new(tmp_path, name, "one")
    second = write_new(tmp_path, name, "two")
    assert first.read_text() == "one" and second.read_text() == "two"
    assert second.name == "rcinbox-t-1-20261103-000000-2.md"
    assert stat.S_IMODE(second.stat().st_mode) == 0o600


# ---------------------------------------------------------------------------------- the command


def test_export_markdown_names_authors_and_interprets_nothing(
    emulator: Emulator, api: httpx.Client, capsys, monkeypatch
) -> None:
    use(monkeypatch, emulator.url)
    thread_id = _hostile_thread(emulator, api)
    code, out, err = run(capsys, "export", thread_id)
    assert code == ExitCode.OK, err
    rendered = _gfm(out)
    bodies = re.findall(r"<blockquote>(.*?)</blockquote>", rendered, re.DOTALL)
    assert len(bodies) == len(emulator.contents_where(threadId=thread_id))
    for body in bodies:
        assert not MARKUP_TAGS.search(body), body
    texts = [_text_of(body).strip().replace("\u00a0", " ") for body in bodies]
    assert HOSTILE_REPLY in texts and MARKUP_BODY in texts
    # Headings name who wrote, their role and the direction; the facts name the channel.
    assert re.search(r"<h3>.+ · customer · incoming</h3>", rendered)
    assert re.search(r"<h3>.+ · agent · outgoing</h3>", rendered)
    assert "Channel:</strong> Apple Messages" in rendered


def test_export_json_to_a_file_by_its_suffix_is_private_and_whole(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    first = emulator.contents_where(body=BIDI_BODY)[0]
    target = tmp_path / "conversation.json"
    code, out, err = run(capsys, "export", first["threadId"], "-o", str(target))
    assert code == ExitCode.OK, err
    assert out == "" and str(target) in err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = json.loads(target.read_text(encoding="utf-8"))
    server = emulator.contents_where(threadId=first["threadId"])
    assert [m["id"] for m in data["messages"]] == [c["id"] for c in server]
    assert [m["raw"] for m in data["messages"]] == server
    assert "\u202e" not in target.read_text(encoding="utf-8")


def test_export_txt_and_md_show_escape_sequences_and_bidi_as_symbols(
    emulator: Emulator, capsys, monkeypatch
) -> None:
    use(monkeypatch, emulator.url)
    for body in (ANSI_BODY, BIDI_BODY):
        thread_id = emulator.contents_where(body=body)[0]["threadId"]
        for fmt in ("txt", "md"):
            code, out, err = run(capsys, "export", thread_id, "--format", fmt)
            assert code == ExitCode.OK, err
            assert not any(c in out for c in "\x1b\x9b\x07\u202e\u202b\u2066"), fmt
    code, out, _ = run(capsys, "export", thread_id, "--format", "txt")
    assert out.startswith("Conversation with ") and "⟨RLO⟩" in out
    ansi_thread = emulator.contents_where(body=ANSI_BODY)[0]["threadId"]
    code, out, _ = run(capsys, "export", ansi_thread, "--format", "txt")
    assert "␛[31mred␛[0m" in out


def test_attachments_are_links_in_markdown(emulator: Emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    with_file = next(
        c
        for c in emulator.contents_where()
        if any(str(a.get("uri", "")).startswith("http") for a in c.get("attachments") or [])
    )
    code, out, err = run(capsys, "export", with_file["threadId"])
    assert code == ExitCode.OK, err
    attachment = next(a for a in with_file["attachments"] if a.get("uri"))
    links = re.findall(r'<a href="([^"]+)">([^<]*)</a>', _gfm(out))
    # The same file: a signed link's expiry (and so its signature) moves with the second it
    # was served in.
    assert (_unsigned(attachment["uri"]), html.escape(attachment["filename"], quote=False)) in [
        (_unsigned(html.unescape(href)), label) for href, label in links
    ]


def _unsigned(uri: str) -> str:
    return urllib.parse.urlsplit(uri)._replace(query="").geturl()


def test_export_of_an_unknown_thread_exits_66_in_one_line(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    target = tmp_path / "never.md"
    code, out, err = run(capsys, "export", "no-such-thread", "-o", str(target))
    assert code == ExitCode.NOT_FOUND
    assert out == "" and err.count("\n") == 1 and "no-such-thread" in err
    assert not target.exists()


def test_export_to_a_directory_that_does_not_exist_fails_in_one_line(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    thread_id = emulator.contents_where(body=MARKUP_BODY)[0]["threadId"]
    code, _, err = run(capsys, "export", thread_id, "-o", str(tmp_path / "missing" / "x.md"))
    assert code == ExitCode.ERROR
    assert err.startswith("rcinbox: cannot write") and err.count("\n") == 1
