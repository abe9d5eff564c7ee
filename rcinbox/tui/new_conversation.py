"""The new-conversation form (``c``), and WhatsApp templates where free text is not allowed.

A :class:`NewConversationScreen` offers the channels where an agent may start a conversation
(the engine says which), then what that channel needs: a recipient (a phone number, an email
address), a subject on Email, and on WhatsApp an approved template from config.toml (the API
cannot list them) with an input per parameter and its preview filled in as they are typed. The
engine queues it durably (``Inbox.start_conversation``) and its outbox sends it once; the new
thread appears in the list when the server has accepted it.

The same form, opened on a thread's channel with the customer's number and templates only, is
the composer's template mode: outside WhatsApp's 24-hour window only a template may be sent.
Every piece of config or customer text is shown as plain text (Rich ``Text``), never markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static, TextArea

from rcinbox.config import TemplateConfig
from rcinbox.inbox.engine import StartRefused
from rcinbox.inbox.types import ChannelRow, Initiation, OutboxRow, TemplateMessage, channel_info
from rcinbox.text import one_line, visible
from rcinbox.tui.formatting import channel_label

if TYPE_CHECKING:
    from textual.app import App

    from rcinbox.inbox.engine import Inbox

_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


def filled(template: TemplateConfig, values: Sequence[str]) -> str:
    """The template's preview with the values typed so far in place of their ``{{n}}``."""

    def value(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        given = values[index] if 0 <= index < len(values) else ""
        return given or match.group(0)

    return _PLACEHOLDER.sub(value, template.preview)


def template_label(template: TemplateConfig) -> str:
    # Names from config.toml: shown as they are, whatever they hold.
    return visible(f"{template.name} ({template.language})", multiline=False)


@dataclass(frozen=True)
class Prefill:
    """The form opened from a thread: its channel and customer, and only templates (the
    composer's template mode, when the window for free text is closed)."""

    channel_id: str
    to: str = ""
    templates_only: bool = True


def open_new_conversation(
    app: App[object],
    inbox: Inbox,
    templates: Sequence[TemplateConfig],
    channel_names: Mapping[str, str],
    prefill: Prefill | None = None,
) -> None:
    """Push the form, unless no known channel lets an agent start a conversation."""
    channels = inbox.startable_channels()
    if prefill is not None:
        channels = [row for row in channels if row.id == prefill.channel_id]
    if not channels:
        app.notify(
            "None of the channels seen so far lets an agent start a conversation.",
            title="New conversation",
            severity="warning",
        )
        return
    app.push_screen(NewConversationScreen(inbox, channels, templates, channel_names, prefill))


class NewConversationScreen(ModalScreen[OutboxRow | None]):
    BINDINGS = [
        Binding("ctrl+s", "send", "Start the conversation", priority=True, id="new.send"),
        Binding("escape", "cancel", "Cancel", id="new.cancel"),
    ]

    DEFAULT_CSS = """
    NewConversationScreen { align: center middle; }
    NewConversationScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
        & > .label { color: $text-muted; height: 1; margin-top: 1; }
        & > #heading { text-style: bold; height: 1; }
        & Input { height: 3; }
        & > #params { height: auto; }
        & > #preview { color: $text-muted; height: auto; padding: 0 1; }
        & > TextArea { height: 5; }
        & > #error { color: $text-error; height: auto; }
        & > #error.empty { display: none; }
        & > #hint { color: $text-muted; height: 1; margin-top: 1; }
        & > .hidden { display: none; }
    }
    """

    def __init__(
        self,
        inbox: Inbox,
        channels: Sequence[ChannelRow],
        templates: Sequence[TemplateConfig],
        channel_names: Mapping[str, str],
        prefill: Prefill | None = None,
    ) -> None:
        super().__init__()
        self._inbox = inbox
        self._channels = {row.id: row for row in channels}
        self._templates = list(templates)
        self._names = channel_names
        self._prefill = prefill

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        prefill = self._prefill
        heading = "Send an approved template" if prefill else "New conversation"
        with Vertical():
            yield Static(Text(heading, end=""), id="heading")
            yield Static(Text("Channel", end=""), classes="label")
            options = [(self._channel_label(row), row.id) for row in self._channels.values()]
            yield Select(
                options,
                allow_blank=False,
                value=prefill.channel_id if prefill else options[0][1],
                id="channel",
            )
            yield Static(Text("To", end=""), classes="label", id="to-label")
            yield self._input(value=prefill.to if prefill else "", id="to")
            yield Static(Text("Subject", end=""), classes="label", id="title-label")
            yield self._input(id="title")
            yield Static(Text("Template", end=""), classes="label", id="template-label")
            yield Select(
                [(Text(template_label(t)), index) for index, t in enumerate(self._templates)],
                prompt="Choose an approved template",
                id="template",
            )
            yield Vertical(id="params")
            yield Static(id="preview")
            yield Static(Text("Message", end=""), classes="label", id="body-label")
            body = TextArea(
                soft_wrap=True, show_line_numbers=False, tab_behavior="focus", id="body"
            )
            body.cursor_blink = self.app.animation_level != "none"
            yield body
            yield Static(classes="empty", id="error")
            yield Static(Text("ctrl+s start · esc cancel · tab next field", end=""), id="hint")

    def _input(self, **options: str) -> Input:
        box = Input(**options)
        # A blinking cursor repaints twice a second: noise over SSH and in snapshots.
        box.cursor_blink = self.app.animation_level != "none"
        return box

    def on_mount(self) -> None:
        self._channel_changed()
        first = "#template" if self._prefill else "#channel"
        self.query_one(first).focus()

    def _channel_label(self, row: ChannelRow) -> Text:
        label = channel_label(row.type)
        named = self._names.get(row.id)
        tail = visible(row.id[-6:], multiline=False)
        return Text(
            f"{visible(named, multiline=False)} ({label})" if named else f"{label} · …{tail}"
        )

    # ------------------------------------------------------------------ what the channel needs

    @property
    def _channel(self) -> ChannelRow:
        value = self.query_one("#channel", Select).value
        return self._channels[value if isinstance(value, str) else next(iter(self._channels))]

    @property
    def _template(self) -> TemplateConfig | None:
        value = self.query_one("#template", Select).value
        return self._templates[value] if isinstance(value, int) else None

    @on(Select.Changed, "#channel")
    def _channel_changed(self) -> None:
        info = channel_info(self._channel.type)
        template = info.initiation is Initiation.TEMPLATE
        needs_to = template or info.initiation is Initiation.RECIPIENT
        email = info.type == "Email"
        shown = {
            "#to-label": needs_to,
            "#to": needs_to,
            "#title-label": email,
            "#title": email,
            "#template-label": template,
            "#template": template,
            "#params": template,
            "#preview": template,
            "#body-label": not template,
            "#body": not template,
        }
        for selector, visible_now in shown.items():
            self.query_one(selector).set_class(not visible_now, "hidden")
        self.query_one("#to", Input).placeholder = (
            "name@example.com" if email else "+15551234567 (the phone number, with its +)"
        )
        if template and not self._templates:
            self._say(
                "No templates are named in config.toml: add them under [whatsapp] templates"
                " (the API cannot list them)."
            )
        else:
            self._say(None)
        self._show_preview()

    @on(Select.Changed, "#template")
    async def _template_changed(self) -> None:
        box = self.query_one("#params", Vertical)
        await box.remove_children()
        template = self._template
        if template is not None:
            await box.mount_all(
                self._input(placeholder=f"{{{{{n}}}}}", classes="param")
                for n in range(1, template.params + 1)
            )
        self._show_preview()

    @on(Input.Changed, ".param")
    def _param_typed(self) -> None:
        self._show_preview()

    def _params(self) -> tuple[str, ...]:
        return tuple(box.value for box in self.query(".param").results(Input))

    def _show_preview(self) -> None:
        template = self._template
        preview = self.query_one("#preview", Static)
        if template is None:
            preview.update("")
            return
        text = filled(template, self._params()) or f"(no preview for {template.name} in config)"
        preview.update(Text(visible(text), end=""))

    def _say(self, problem: str | None) -> None:
        error = self.query_one("#error", Static)
        error.update(Text(one_line(problem or "", 300), end=""))
        error.set_class(problem is None, "empty")

    # ------------------------------------------------------------------ actions

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_send(self) -> None:
        channel = self._channel
        info = channel_info(channel.type)
        to = tuple(a.strip() for a in self.query_one("#to", Input).value.split(",") if a.strip())
        template: TemplateMessage | None = None
        body = ""
        if info.initiation is Initiation.TEMPLATE:
            chosen = self._template
            if chosen is None:
                self._say("Choose a template.")
                return
            params = self._params()
            if not all(value.strip() for value in params):
                self._say(f"Fill in every parameter of {chosen.name}.")
                return
            template = TemplateMessage(chosen.name, chosen.language, params)
        else:
            body = self.query_one("#body", TextArea).text
        if info.initiation is not Initiation.PUBLIC_POST and not to:
            self._say("Whom to? Give a recipient.")
            return
        title = self.query_one("#title", Input).value.strip() if info.type == "Email" else ""
        if info.type == "Email" and not title:
            self._say("An email needs a subject.")
            return
        try:
            row = self._inbox.start_conversation(
                channel.id, body, to=to, title=title or None, template=template
            )
        except StartRefused as refusal:
            self._say(str(refusal))
            return
        self.app.notify(
            "Queued: the conversation appears in the list once the server accepts it.",
            title="New conversation",
            timeout=4,
        )
        self.dismiss(row)
