"""The new-conversation form (``c``) and WhatsApp's window in the TUI: pilot tests on the emulator.

Each test runs the real app (engine, store, outbox, loopback HTTP) in Textual's pilot and waits
for conditions, never for a fixed time.
"""

from __future__ import annotations

from textual.widgets import Select
from tui_harness import FIXED_NOW, make_app, server, settle, until

from rcinbox.api.channels import WHATSAPP_WINDOW
from rcinbox.config import TemplateConfig
from rcinbox.emulator import Emulator
from rcinbox.emulator.clock import epoch
from rcinbox.inbox.types import ReplyState, ThreadFilter
from rcinbox.tui.app import InboxApp, UISettings
from rcinbox.tui.new_conversation import NewConversationScreen

WIDE = (120, 40)
TEMPLATES = (
    TemplateConfig("order_update", "en", 2, "Hi {{1}}, your order {{2}} has shipped."),
    TemplateConfig("welcome", "en", 0, "Welcome to Acme!"),
)


def channel_of(emulator: Emulator, channel_type: str) -> str:
    return emulator.contents_where(channelType=channel_type)[0]["channelId"]


def closed_whatsapp_thread(emulator: Emulator) -> str:
    """A WhatsApp thread whose customer last wrote a day or two before the fixed clock."""
    newest: dict[str, float] = {}
    for content in emulator.contents_where(channelType="WhatsApp", contentDirection="Incoming"):
        newest[content["threadId"]] = epoch(content["creationTime"])
    now = FIXED_NOW.timestamp()
    return next(
        thread
        for thread, wrote in sorted(newest.items(), key=lambda item: -item[1])
        if now - wrote > WHATSAPP_WINDOW + 3600
    )


def form(app: InboxApp) -> NewConversationScreen:
    screen = app.screen
    assert isinstance(screen, NewConversationScreen)
    return screen


@server()
async def test_c_opens_the_form_and_a_sent_email_appears_as_a_new_thread(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        before = app.inbox.thread_count(ThreadFilter())
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, NewConversationScreen))
        screen = form(app)
        screen.query_one("#channel", Select).value = channel_of(emulator, "Email")
        await pilot.pause()
        assert not screen.query_one("#title").has_class("hidden")
        assert screen.query_one("#template").has_class("hidden")
        screen.query_one("#to").focus()
        await pilot.press(*"ann@example.com", "tab", *"Your order", "tab", *"It shipped today.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, NewConversationScreen))
        entry = app.inbox.outbox_entries()[-1]
        await until(
            pilot,
            lambda: (
                app.inbox.outbox_entries()[-1].state in (ReplyState.ACCEPTED, ReplyState.DELIVERED)
            ),
            timeout=30,
        )
        created = emulator.content(app.inbox.outbox_entries()[-1].content_id or "")
        assert created is not None and entry.id == app.inbox.outbox_entries()[-1].id
        assert (created["title"], created["body"]) == ("Your order", "It shipped today.")
        await until(pilot, lambda: app.conversation_list.total == before + 1, timeout=30)
        newest = app.inbox.threads(ThreadFilter(), 0, 1)[0]
        assert newest.id == created["threadId"]


@server()
async def test_the_form_refuses_what_the_channel_needs_before_queueing(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, NewConversationScreen))
        screen = form(app)
        screen.query_one("#channel", Select).value = channel_of(emulator, "WhatsApp")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(screen.query_one("#error").render()) == "Choose a template."
        assert app.inbox.outbox_entries() == []
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, NewConversationScreen))


@server()
async def test_a_closed_whatsapp_thread_sends_a_template_from_the_composer(seeded) -> None:
    emulator, store = seeded
    app = make_app(emulator, store, ui=UISettings(templates=TEMPLATES))
    thread_id = closed_whatsapp_thread(emulator)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.open_thread(thread_id)
        await settle(pilot)
        assert "closed: send a template" in str(app.view.query_one("#thread-title").render())
        await pilot.press("r", *"Still there?", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, NewConversationScreen))
        screen = form(app)
        assert screen.query_one("#channel", Select).value == app.inbox.thread(thread_id).channel_id
        screen.query_one("#template", Select).value = 0
        await until(pilot, lambda: len(screen.query(".param")) == 2)
        screen.query(".param").first().focus()
        await pilot.press(*"Ann", "tab", *"#1234")
        await until(
            pilot,
            lambda: (
                "Hi Ann, your order #1234 has shipped."
                in str(screen.query_one("#preview").render())
            ),
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, NewConversationScreen))
        # Free text never left: only the template, to the customer's number.
        entry = app.inbox.outbox_entries()[-1]
        assert entry.template is not None and entry.template.params == ("Ann", "#1234")
        assert entry.to and entry.to[0].startswith("+")
        await until(pilot, lambda: app.inbox.outbox_entries()[-1].content_id is not None)
        created = emulator.content(app.inbox.outbox_entries()[-1].content_id or "")
        assert created["structuredContent"]["templateName"] == "order_update"
        assert emulator.count_contents(body="Still there?") == 0


@server()
async def test_the_header_counts_down_and_the_composer_turns_to_templates_at_the_close(
    seeded,
) -> None:
    emulator, store = seeded
    newest: dict[str, float] = {}
    for content in emulator.contents_where(channelType="WhatsApp", contentDirection="Incoming"):
        newest[content["threadId"]] = epoch(content["creationTime"])
    thread_id, wrote = max(newest.items(), key=lambda item: item[1])
    closes = wrote + WHATSAPP_WINDOW
    now = [closes - 30.0]
    app = make_app(emulator, store, engine_clock=lambda: now[0])

    def header() -> str:
        return str(app.view.query_one("#thread-title").render())

    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.open_thread(thread_id)
        await until(pilot, lambda: "window closes in less than a minute" in header())
        now[0] = closes  # the moment 24 hours have passed since the customer wrote
        await until(pilot, lambda: "closed: send a template" in header(), timeout=30)
        assert "ctrl+s picks an approved template" in str(
            app.composer.query_one("#reply-to").render()
        )
