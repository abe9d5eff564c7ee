"""A conversation written out as Markdown, JSON or plain text, for ``rcinbox export`` and the TUI.

Both front ends gather a :class:`Transcript` (the CLI from the server, the TUI from the store)
and this module alone decides what an export holds: who wrote each message (name and role),
when, on which channel, in which direction, its attachments as links, and for JSON the typed
fields beside the record as the server sent it.

Every piece of text in an export came from a stranger (bodies, names, file names, even ids),
so none of it is ever interpreted. Markdown escapes everything its renderers act on (emphasis,
links, HTML, tables, headings and list markers at a line's start, autolinks, entities, emoji
shortcodes); plain text and Markdown show control and bidi characters as visible symbols
(:func:`rcinbox.text.visible`); JSON keeps the data exact with those characters as escapes
(:func:`rcinbox.text.json_text`). Exports hold customer data, so files are written 0600.

Pure apart from :func:`write_export` / :func:`write_new`; never imports Textual.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from rcinbox.inbox.types import Content, Identity, channel_info
from rcinbox.text import json_text, visible

FORMATS = ("md", "json", "txt")


@dataclass(frozen=True)
class Transcript:
    """One thread to export: its contents oldest first, each one's record as the server sent
    it (``raw``, by content id), and the identities of the authors that are known."""

    thread_id: str
    contents: Sequence[Content]
    raw: Mapping[str, Mapping[str, Any]]
    identities: Mapping[str, Identity]
    exported_at: datetime

    @property
    def channel_type(self) -> str | None:
        return next((c.channel_type for c in self.contents if c.channel_type), None)

    @property
    def channel_id(self) -> str | None:
        return next((c.channel_id for c in self.contents if c.channel_id), None)

    @property
    def customer_id(self) -> str | None:
        """The author of the first customer message (None: nobody has answered yet)."""
        return next(
            (c.author_identity_id for c in self.contents if c.is_incoming and c.author_identity_id),
            None,
        )

    def author(self, content: Content) -> tuple[str, str]:
        """(name, role) of a content's author; role is "customer" or "agent"."""
        identity = self.identities.get(content.author_identity_id or "")
        if identity is not None:
            return identity.display_label, "agent" if identity.is_agent else "customer"
        role = "customer" if content.is_incoming else "agent"
        short = (content.author_identity_id or "")[-6:]
        return (f"{role} …{short}" if short else f"unknown {role}"), role


def render(transcript: Transcript, fmt: str) -> str:
    """The export in ``fmt`` ("md", "json" or "txt"); ValueError for another format."""
    if fmt == "md":
        return _markdown(transcript)
    if fmt == "json":
        return json_text(_as_json(transcript)) + "\n"
    if fmt == "txt":
        return _plain(transcript)
    raise ValueError(f"no export format {fmt!r} (one of {', '.join(FORMATS)})")


def file_name(transcript: Transcript, fmt: str) -> str:
    """``rcinbox-<thread>-<UTC time>.<fmt>``: the thread id kept to safe characters."""
    thread = re.sub(r"[^A-Za-z0-9_-]", "", transcript.thread_id)[-24:] or "thread"
    moment = transcript.exported_at.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return f"rcinbox-{thread}-{moment}.{fmt}"


# ---------------------------------------------------------------------------------- writing


def write_export(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (replacing it), readable by the owner only (0600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    handle = os.open(path, flags, 0o600)
    # A file that existed keeps its mode through O_CREAT: made private here all the same.
    os.fchmod(handle, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)


def write_new(directory: Path, name: str, text: str) -> Path:
    """Write ``text`` to a new file called ``name`` in ``directory`` (``name-2``, ``name-3``...
    when taken), 0600, never over another file; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stem, dot, suffix = name.rpartition(".")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for attempt in range(1, 1000):
        candidate = directory / (name if attempt == 1 else f"{stem}-{attempt}{dot}{suffix}")
        try:
            handle = os.open(candidate, flags, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        return candidate
    raise FileExistsError(f"{directory / name} and its numbered copies all exist")


# ---------------------------------------------------------------------------------- Markdown

# ASCII punctuation a Markdown renderer may act on anywhere in a line (CommonMark lets any of
# it be escaped with a backslash): emphasis, code, links and images, HTML and entities, tables,
# strikethrough, math, e-mail autolinks ("@"); and a colon where it would make an autolink
# ("https://") or an emoji shortcode (":smile:"), not in "10:45".
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>#|!~{}&$@]|:(?=/)|:(?=[A-Za-z_+-][\w+-]*:))")
# At a line's start: list items, block quotes, setext underlines, thematic breaks, ordered items.
_MD_LINE_START = re.compile(r"^([-+=>])|^(\d+)([.)])")
# GFM links "www.example.com" without a scheme; the dot after www is escaped.
_MD_WWW = re.compile(r"(?i)\b(www)\.")


def markdown_text(text: str | None, *, multiline: bool = True) -> str:
    """``text`` as Markdown that renders exactly as ``text`` reads, with nothing interpreted.

    Line breaks stay line breaks (a hard break at each); leading spaces, which would make a
    code block, become no-break spaces; controls and bidi characters become visible symbols.
    """
    lines = visible(text, multiline=multiline).split("\n")
    escaped = [_markdown_line(line) for line in lines]
    out: list[str] = []
    for index, line in enumerate(escaped):
        following = escaped[index + 1] if index + 1 < len(escaped) else ""
        # A backslash at a line's end is a hard line break, where a line follows in the same
        # paragraph; a blank line already ends the paragraph.
        out.append(line + "\\" if line and following else line)
    return "\n".join(out)


def _markdown_line(line: str) -> str:
    body = line.lstrip(" ")
    indent = "\u00a0" * (len(line) - len(body))
    body = _MD_WWW.sub(r"\1\\.", _MD_SPECIAL.sub(r"\\\1", body))
    body = _MD_LINE_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", body
    )
    return indent + body


def _link(label: str, uri: str | None) -> str:
    """A Markdown link to ``uri`` when it is a web address, else the escaped label alone."""
    text = markdown_text(label, multiline=False)
    if not uri or urlsplit(uri).scheme.lower() not in ("http", "https"):
        return text
    # Anything that could end the destination or start markup is percent-encoded.
    target = quote(uri, safe=":/?#@!$&'*+,;=%~-._")
    return f"[{text}]({target})"


def _markdown(transcript: Transcript) -> str:
    customer = _customer_name(transcript)
    out = [f"# Conversation with {markdown_text(customer, multiline=False)}", ""]
    for label, value in _facts(transcript):
        out.append(f"- **{label}:** {markdown_text(value, multiline=False)}")
    for content in transcript.contents:
        name, role = transcript.author(content)
        out += ["", "---", ""]
        out.append(f"### {markdown_text(name, multiline=False)} · {role} · {_direction(content)}")
        out.append("")
        out.append(markdown_text(" · ".join(_details(content)), multiline=False))
        out.append("")
        if content.title:
            out += [f"**Subject:** {markdown_text(content.title, multiline=False)}", ""]
        body = content.body or content.body_text or ""
        quoted = markdown_text(body).split("\n") if body else ["*(no text)*"]
        out += [f"> {line}" if line else ">" for line in quoted]
        if content.attachments:
            out += ["", "**Attachments:**", ""]
            for attachment in content.attachments:
                label = attachment.filename or attachment.id or "attachment"
                extra = markdown_text(_attachment_details(attachment), multiline=False)
                out.append(f"- {_link(label, attachment.uri)} ({extra})")
        if content.synchronization_error:
            error = markdown_text(content.synchronization_error, multiline=False)
            out += ["", f"**Not delivered:** {error}"]
    out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------- plain text


def _plain(transcript: Transcript) -> str:
    out = [f"Conversation with {visible(_customer_name(transcript), multiline=False)}"]
    out += [f"{label}: {visible(value, multiline=False)}" for label, value in _facts(transcript)]
    for content in transcript.contents:
        name, role = transcript.author(content)
        header = " · ".join([*_details(content)[:1], f"{name} ({role})", _direction(content)])
        out += ["", f"── {visible(header, multiline=False)}"]
        if content.title:
            out.append(f"Subject: {visible(content.title, multiline=False)}")
        out.append(visible(content.body or content.body_text or ""))
        for attachment in content.attachments:
            label = visible(attachment.filename or attachment.id or "attachment", multiline=False)
            where = f" {visible(attachment.uri, multiline=False)}" if attachment.uri else ""
            details = visible(_attachment_details(attachment), multiline=False)
            out.append(f"  Attachment: {label} ({details}){where}")
        if content.synchronization_error:
            error = visible(content.synchronization_error, multiline=False)
            out.append(f"  Not delivered: {error}")
    out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------- JSON


def _as_json(transcript: Transcript) -> dict[str, Any]:
    customer_id = transcript.customer_id
    return {
        "thread": {
            "id": transcript.thread_id,
            "channel": {
                "id": transcript.channel_id,
                "type": transcript.channel_type,
                "label": channel_info(transcript.channel_type).label,
            },
            "customer": {"id": customer_id, "name": _customer_name(transcript)}
            if customer_id
            else None,
        },
        "exportedAt": _iso(transcript.exported_at),
        "messages": [_message_json(transcript, content) for content in transcript.contents],
    }


def _message_json(transcript: Transcript, content: Content) -> dict[str, Any]:
    name, role = transcript.author(content)
    return {
        "id": content.id,
        "creationTime": _iso(content.creation_time),
        "direction": "incoming" if content.is_incoming else "outgoing",
        "author": {"id": content.author_identity_id, "name": name, "role": role},
        "type": content.type,
        "status": content.status,
        "public": content.public,
        "inReplyToContentId": content.in_reply_to_content_id,
        "title": content.title,
        "body": content.body,
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "contentType": a.content_type,
                "size": a.size,
                "uri": a.uri,
            }
            for a in content.attachments
        ],
        "synchronizationStatus": content.synchronization_status,
        "synchronizationError": content.synchronization_error,
        "raw": transcript.raw.get(content.id, content.raw),
    }


# ---------------------------------------------------------------------------------- shared


def _customer_name(transcript: Transcript) -> str:
    for content in transcript.contents:
        if content.is_incoming:
            return transcript.author(content)[0]
    return "nobody yet"


def _facts(transcript: Transcript) -> list[tuple[str, str]]:
    contents = transcript.contents
    times = [c.creation_time for c in contents if c.creation_time is not None]
    span = f"{_when(min(times))} to {_when(max(times))}" if times else "no dates"
    count = f"{len(contents)} message{'s' if len(contents) != 1 else ''}, {span}"
    channel = channel_info(transcript.channel_type).label
    if transcript.channel_id:
        channel += f" (channel {transcript.channel_id})"
    return [
        ("Channel", channel),
        ("Thread", transcript.thread_id),
        ("Messages", count),
        ("Exported", f"{_when(transcript.exported_at)} by rcinbox"),
    ]


def _details(content: Content) -> list[str]:
    details = [_when(content.creation_time) or "no date"]
    if content.type:
        details.append(content.type)
    if content.public is not None:
        details.append("public" if content.public else "private")
    if not content.is_incoming and content.synchronization_status:
        details.append(content.synchronization_status)
    return details


def _direction(content: Content) -> str:
    return "incoming" if content.is_incoming else "outgoing"


def _attachment_details(attachment: Any) -> str:
    size = f"{attachment.size:,} bytes" if isinstance(attachment.size, int) else "size unknown"
    return f"{attachment.content_type or 'unknown type'}, {size}"


def _when(moment: datetime | None) -> str:
    """A moment in UTC, for people: exports are read elsewhere and later."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None
