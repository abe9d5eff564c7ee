"""Issue 13 item 8: customer, server, config and environment text is never markup on screen.

Hypothesis feeds every surface that shows outside text (the palette's entries, the status line,
a message bubble, the help, the sidebar's names) strings built to break markup (``[/]``,
``[@click=app.quit]x[/]``, ``[bold``), to act on the terminal (escape sequences, C1 controls,
bidi overrides), lone surrogates and very long strings: each renders, shows the text, and holds
no action link and no control. Pilot tests put such strings in the store, the config and the
theme setting, and drive the app: nothing crashes, nothing quits, the text is shown as it is.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.text import Text
from textual.command import CommandList
from textual.content import Content
from textual.fuzzy import Matcher
from textual.style import Style
from textual.widgets import Input, Static
from textual.widgets._toast import Toast
from tui_harness import FIXED_NOW, copy_store, make_app, settle, until

from rcinbox.api.models import Content as ApiContent
from rcinbox.config import TemplateConfig
from rcinbox.emulator import Emulator
from rcinbox.inbox.events import ConnectionState, OutboxChanged
from rcinbox.inbox.store import Store
from rcinbox.inbox.types import ChannelRow, OutboxRow, ReplyState, ThreadRow
from rcinbox.text import flat, one_line, visible
from rcinbox.tui.app import InboxApp, UISettings
from rcinbox.tui.commands import TITLE_CELLS, channel_title, matched, thread_entry
from rcinbox.tui.engine_messages import OutboxChangedMessage
from rcinbox.tui.formatting import plain
from rcinbox.tui.keys import key_label
from rcinbox.tui.new_conversation import NewConversationScreen, template_label
from rcinbox.tui.screens import help_text, login_required_text
from rcinbox.tui.widgets.conversation_view import ConversationView, MessageBubble, ViewItem
from rcinbox.tui.widgets.scope_line import ScopeLine
from rcinbox.tui.widgets.sidebar import channel_name
from rcinbox.tui.widgets.status_line import StatusLine

HOSTILE = [
    "[/]",
    "[@click=app.quit]x[/]",
    "zebra: see [/docs] page",
    "[bold",
    "[/bold]",
    "Support [/b] EU",
    "[link=https://example.com]x[/link]",
    "[$text-success]x",
    "\\[/]",
    "[b]",
    "\x1b[2J\x1b]0;title\x07",
    "\x9b31m",
    "\u202etxt.exe",
    "\ud83d",
    "a\u2028b",
    "\r\n\t\x00",
]
pieces = (
    st.sampled_from(HOSTILE)
    | st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12)
    | st.text(alphabet="[]/@=.:$#\\abq ", max_size=12)
)
hostile = st.lists(pieces, max_size=6).map("".join) | st.sampled_from(HOSTILE).map(
    lambda s: s * 4000
)

# What visible() leaves nowhere: C0 (but the line feed), DEL, C1, bidi controls, separators,
# surrogates.
CONTROLS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)

QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def inert(visual: Content | Text) -> Content:
    """``visual`` as Content, after checking it holds no link, no action and no control."""
    content = visual if isinstance(visual, Content) else Content.from_rich_text(visual)
    for span in content.spans:
        style = span.style if isinstance(span.style, Style) else Style.parse(span.style)
        assert style.link is None and not style.meta, span
    assert not CONTROLS.search(content.plain)
    return content


def test_the_hostile_strings_would_break_markup() -> None:
    # The cases below are worth trying: read as markup, they crash or make an action link.
    with pytest.raises(Exception, match="closing tag"):
        Content.from_markup("zebra: see [/docs] page")
    link = Content.from_markup("[@click=app.quit]x[/]")
    assert any("@click" in Style.parse(str(s.style)).meta for s in link.spans)


@QUICK
@given(hostile)
def test_plain_shows_any_string_as_it_is(text: str) -> None:
    content = inert(plain(text, "bold"))
    assert content.plain == visible(text, multiline=False)
    # Where Textual parses a str as markup (a palette entry's help), a Content goes through.
    assert Content.from_markup(content) is content


@QUICK
@given(hostile, hostile, hostile)
def test_palette_entries_show_any_thread_and_channel(text: str, name: str, query: str) -> None:
    row = _thread(preview=text, channel_type=name, customer_id=text)
    for who in (name, None):
        label, help_line = thread_entry(row, who)
        # As the palette builds each option: the title, then the help parsed "as markup".
        inert(Content.from_markup(label))
        assert inert(Content.from_markup(help_line)).plain == one_line(text, 80)
    channel = ChannelRow(id=text, type=name, thread_count=1, unread_count=0)
    for names in ({}, {text: name}):
        title = channel_title(channel, names)
        assert title == one_line(f"Channel: {channel_name(channel, names)}", TITLE_CELLS)
        _, shown = matched(Matcher(query), title)
        assert inert(shown).plain == title
        assert not CONTROLS.search(title)
        # A query made of the title's own letters, in order, always matches it.
        assert matched(Matcher(title[::3]), title)[0] > 0


def test_a_channel_title_made_to_stall_textuals_matcher_is_matched_in_one_pass() -> None:
    # Textual's matcher tries every way 10 "a"s then 10 "b"s fit 50 alternating letters:
    # seconds for this one keystroke, and each letter more multiplies it.
    channel = ChannelRow(id="c1", type="ab" * 2000, thread_count=1, unread_count=0)
    title = channel_title(channel, {})
    score, shown = matched(Matcher("a" * 10 + "b" * 10), title)
    assert score > 0 and shown.plain == title
    assert matched(Matcher("zz"), title)[0] == 0


@QUICK
@given(hostile)
def test_the_status_line_shows_any_reason_error_or_note(text: str) -> None:
    line = StatusLine(clock=lambda: FIXED_NOW)
    line.reason = line.error = line.note = line.webhooks = line.wait_reason = text
    line.last_sync = FIXED_NOW.timestamp()
    for state in (ConnectionState.ONLINE, ConnectionState.OFFLINE):
        line.connection = state
        line.error = text
        shown = inert(line.render()).plain
        assert one_line(text, 40)[:-1] in shown


@QUICK
@given(hostile, hostile)
def test_a_message_bubble_shows_any_body_name_and_error(text: str, other: str) -> None:
    view = ConversationView(
        clock=lambda: FIXED_NOW, name_of=lambda identity: other, is_agent=lambda identity: None
    )
    record = {
        "id": "c1",
        "threadId": "t1",
        "channelType": other,
        "body": text,
        "title": other,
        "type": other,
        "authorIdentityId": other,
        "creationTime": "2025-11-20T10:00:00Z",
        "synchronizationError": text,
        "attachments": [{"id": other, "filename": text, "contentType": other, "size": 10}],
    }
    content = ApiContent.from_json(record)
    shown = inert(view._render_item(ViewItem("c1", content=content))).plain
    assert visible(text[:1000]) in shown
    pending = OutboxRow(
        id="o1", thread_id="t1", in_reply_to="c1", channel_type=other, body=text, public=None,
        state=ReplyState.FAILED, attempts=1, created_at=0.0, updated_at=0.0, sent_at=None,
        next_attempt_at=None, content_id=None, error_code=other, error_message=text,
    )  # fmt: skip
    shown = inert(view._render_item(ViewItem("o1", pending=pending))).plain
    assert visible(text[:1000], multiline=False)[:200] in shown
    thread = _thread(preview=text, channel_type=other, customer_id=other, customer_name=text)
    inert(view._title(thread))


@QUICK
@given(hostile, hostile)
def test_the_new_conversation_form_names_any_channel_and_template(text: str, name: str) -> None:
    channel = ChannelRow(id=text, type=name, thread_count=1, unread_count=0)
    for names in ({}, {text: name}):
        form = NewConversationScreen(None, [channel], [], names)  # type: ignore[arg-type]
        inert(form._channel_label(channel))
    inert(Text(template_label(TemplateConfig(text, name))))


@QUICK
@given(hostile, hostile)
def test_the_log_in_again_screen_shows_any_reason(reason: str, profile: str) -> None:
    shown = inert(login_required_text(reason, profile)).plain
    assert visible(reason, multiline=False) in shown


@QUICK
@given(hostile)
def test_the_help_shows_any_key_the_keymap_gives(keys: str) -> None:
    assert not CONTROLS.search(key_label(keys))
    body = help_text([("Everywhere", InboxApp.BINDINGS)], {"app.quit": keys, "app.help": keys})
    inert(body)


def _thread(**fields: object) -> ThreadRow:
    values: dict[str, object] = {
        "id": "t1",
        "channel_id": "ch1",
        "channel_type": None,
        "latest_at": FIXED_NOW,
        "latest_content_id": "c1",
        "latest_incoming": True,
        "preview": "",
        "customer_id": None,
        "customer_name": None,
        "latest_inbound_id": "c1",
        "reply_state": None,
        "content_count": 1,
        "unread": True,
    }
    values.update(fields)
    return ThreadRow(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------- the app

WIDE = (120, 40)
BODY = "zebra: see [/docs] page [@click=app.quit]quit[/] \x1b[2J\x1b]0;owned\x07 [bold"
CHANNEL_ID = "hostile-channel[/b]"
CHANNEL_TYPE = "Weird[/b]\x1b[31m"
AUTHOR = "[@click=app.quit]who[/]"
CHANNEL_NAME = "Support [/b] EU"
THEME = "[/] x"


@pytest.fixture
def planted(shared: tuple[Emulator, Path], tmp_path: Path) -> tuple[Emulator, Path]:
    """The shared emulator (conftest) and a copy of its warm store with one hostile thread: in a
    channel of its own, newest of all, which no sync touches (the server never had it)."""
    emulator, store_path = shared
    copy = copy_store(store_path, tmp_path)
    store = Store.open(copy)
    try:
        store.merge_contents(
            [
                ApiContent.from_json(
                    {
                        "id": "hostile-content",
                        "threadId": "hostile-thread",
                        "channelId": CHANNEL_ID,
                        "channelType": CHANNEL_TYPE,
                        "authorIdentityId": AUTHOR,
                        "contentDirection": "Inbound",
                        "body": BODY,
                        "creationTime": (FIXED_NOW - timedelta(minutes=1)).isoformat(),
                    }
                )
            ]
        )
    finally:
        store.close()
    return emulator, copy


def toasts(app: InboxApp) -> list[str]:
    return [inert(toast.render()).plain for toast in app.screen.query(Toast)]


async def test_hostile_text_in_the_store_config_and_theme_is_shown_as_it_is(planted) -> None:
    emulator, store = planted
    some_channel = next(c.id for c in _channels(store) if c.id != CHANNEL_ID)
    ui = UISettings(theme=THEME, channel_names={some_channel: CHANNEL_NAME})
    app = make_app(emulator, store, ui=ui)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await until(pilot, lambda: any(THEME in words for words in toasts(app)))
        # The sidebar names both channels as they are.
        labels = [
            inert(app.sidebar.get_option_at_index(i).prompt).plain
            for i in range(app.sidebar.option_count)
        ]
        assert any(CHANNEL_NAME in label for label in labels)
        assert any(visible(CHANNEL_ID[-4:]) in label for label in labels)
        # The palette finds the body and shows its preview literally.
        await pilot.press("ctrl+p")
        commands = app.screen.query_one(CommandList)
        app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"zebra")
        await until(pilot, lambda: commands.option_count > 0)
        await settle(pilot, online=False)
        prompts = [
            inert(commands.get_option_at_index(i).prompt).plain
            for i in range(commands.option_count)
        ]
        assert one_line(BODY, 80) in prompts[0], prompts
        # Clicking the hit (below the list's blank top border) opens the thread; nothing in
        # its text is an action.
        await pilot.click(CommandList, offset=(4, 1))
        await settle(pilot, online=False)
        assert app.is_running and app.return_code is None
        await until(pilot, lambda: app.view.thread is not None)
        assert app.view.thread.id == "hostile-thread"
        bubbles = list(app.view.query(MessageBubble))
        assert visible(BODY) in inert(bubbles[-1].render()).plain
        assert visible(AUTHOR[-4:]) in inert(bubbles[-1].render()).plain
        # The composer's line names the message the reply answers, its text as it is.
        answering = app.composer.query_one("#reply-to", Static)
        assert one_line(BODY, 300)[:40] in inert(answering.render()).plain
        # The list's row for it (selected by the palette) previews the body as it is.
        listing = app.conversation_list
        preview = listing.render_line(listing.cursor * 2 + 1 - round(listing.scroll_y)).text
        assert flat(BODY)[:12] in preview, preview
        # Clicking the message runs nothing (the app is still there at the end).
        await pilot.click(MessageBubble)
        await settle(pilot, online=False)
        # The palette again: the channel named in the config, and the one with markup in its
        # type and id, each highlighted where the query matched.
        for query, title in (("Support", f"Channel: {CHANNEL_NAME}"), ("Weird", "Weird[/b]")):
            await pilot.press("escape", "ctrl+p")
            commands = app.screen.query_one(CommandList)
            await pilot.press(*query)
            await until(pilot, lambda commands=commands: commands.option_count > 0)
            prompts = [
                inert(commands.get_option_at_index(i).prompt).plain
                for i in range(commands.option_count)
            ]
            assert any(title in prompt for prompt in prompts), prompts
        # Chosen, that channel is named above the list as it is.
        await pilot.press("enter")
        scope = app.query_one(ScopeLine)
        await until(pilot, lambda: "Weird[/b]" in inert(scope.render()).plain)
        await settle(pilot, online=False)
        assert app.is_running and app.return_code is None


async def test_a_reply_the_server_refused_with_markup_in_its_reason_is_told_as_it_is(
    seeded,
) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    reason = "[/bold] refused [@click=app.quit]click me[/] \x1b]0;owned\x07"
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        thread = app.conversation_list.selected
        assert thread is not None
        entry = OutboxRow(
            id="o1", thread_id=thread.id, in_reply_to=thread.latest_content_id,
            channel_type=thread.channel_type, body="Thanks", public=None,
            state=ReplyState.FAILED, attempts=1, created_at=0.0, updated_at=0.0, sent_at=None,
            next_attempt_at=None, content_id=None, error_code="X", error_message=reason,
        )  # fmt: skip
        # As the engine's event worker delivers an outbox change.
        app.post_message(OutboxChangedMessage(OutboxChanged(entry)))
        await until(pilot, lambda: any(one_line(reason, 200) in t for t in toasts(app)))
        await pilot.click(Toast)
        await settle(pilot, online=False)
        assert app.is_running and app.return_code is None
        assert not any(one_line(reason, 200) in t for t in toasts(app))
        # Textual's own hint, which it writes in markup, is said in plain words.
        app.conversation_list.focus()
        await pilot.press("ctrl+c")
        await until(pilot, lambda: any("Press ctrl+q to quit the app" in t for t in toasts(app)))
        assert app.is_running and app.return_code is None


def _channels(store_path: Path) -> list[ChannelRow]:
    store = Store.open(store_path)
    try:
        return store.channels()
    finally:
        store.close()
