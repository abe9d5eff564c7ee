"""The create operation's rules that need no server state: a body, a WhatsApp template,
recipients, and the customer-service window, with the API's EDI errors.

Where the API's catalogue leaves the choice to us (INFERRED, like the rest of the emulator's
error choices; see :mod:`rcinbox.emulator.contents`):

* ``templateName`` on a channel without templates (anything but WhatsApp) is 422 EDI-005
  "Source does not support this type of structured content": a template is a structured
  message, and only WhatsApp sends them. ``templateLanguage`` alone is ignored, as the API's
  own sample sends it along with plain replies.
* free text (a reply) on WhatsApp more than 24 hours after the customer's newest message in
  the thread is 403 EDI-024 "You cannot create the content (channel-specific validations)",
  with details saying the window is closed: WhatsApp itself refuses such a message, and the
  catalogue's channel-specific refusal is the one that fits.
"""

from __future__ import annotations

import re
from typing import Any

from rcinbox.api.channels import ChannelInfo, Initiation

from . import errors
from .clock import epoch
from .fields import Fields

OUTBOUND_PARAMETERS = (
    "channelId",
    "sourceId",
    "to",
    "templateName",
    "templateLanguage",
    "components",
    "public",
    "autoSubmitted",
    "contextData",
    "authorIdentityId",
)
PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WINDOW_CLOSED = (
    "The 24-hour customer service window is closed: only an approved template can be sent"
)


def refuse_template_elsewhere(fields: Fields, info: ChannelInfo) -> None:
    """422 EDI-005 for a template on a channel that has none."""
    if fields.string("templateName") is not None and info.initiation is not Initiation.TEMPLATE:
        raise errors.edi(422, "EDI-005", "Source does not support this type of structured content")


def check_window(info: ChannelInfo, thread: list[dict[str, Any]], now: float) -> None:
    """403 EDI-024 for free text after the channel's window since the customer's newest
    message in ``thread`` (its contents) has closed."""
    if info.free_text_window is None:
        return
    customer = [epoch(c["creationTime"]) for c in thread if c["contentDirection"] == "Incoming"]
    if not customer or now >= max(customer) + info.free_text_window:
        raise errors.edi(
            403,
            "EDI-024",
            "You cannot create the content (channel-specific validations).",
            details=WINDOW_CLOSED,
        )


def body_of(fields: Fields, max_body: int) -> str:
    body = fields.string("body")
    if body is None:
        raise errors.edi(400, "EDI-009", "[body] is required", parameter="body")
    if not body.strip():
        raise errors.edi(
            422, "EDI-033", "[Content] cannot be saved", details="Message cannot be blank"
        )
    if len(body) > max_body:
        raise errors.edi(
            422,
            "EDI-033",
            "[Content] cannot be saved",
            details=f"Body is too long (maximum is {max_body} characters)",
        )
    return body


def template_of(fields: Fields) -> dict[str, Any]:
    extra = sorted(
        name
        for name, value in fields.data.items()
        if value is not None and name not in OUTBOUND_PARAMETERS
    )
    if extra:
        raise errors.edi(
            422,
            "EDI-012",
            "Only allowed parameters when sending an outbound message are "
            f"[{', '.join(OUTBOUND_PARAMETERS)}]",
            details=f"Not allowed: {', '.join(extra)}",
        )
    name = fields.string("templateName")
    language = fields.string("templateLanguage")
    to = fields.strings("to")
    for value, parameter in (
        (name, "templateName"),
        (language, "templateLanguage"),
        (to, "to"),
    ):
        if not value:
            raise missing(parameter)
    check_phones(to or [])
    words = []
    for component in fields.objects("components"):
        for parameter in component.get("parameters") or ():
            if isinstance(parameter, dict) and isinstance(parameter.get("text"), str):
                words.append(parameter["text"])
    return {
        "templateName": name,
        "templateLanguage": language,
        "subtitle": " ".join([f"[{name}]", *words]),
    }


def check_recipients(fields: Fields, channel_type: str) -> None:
    to = fields.strings("to")
    if not to:
        raise missing("to")
    if channel_type == "Email":
        if not fields.string("title"):
            raise missing("title")
        for address in [*to, *(fields.strings("cc") or ()), *(fields.strings("bcc") or ())]:
            if not EMAIL.fullmatch(address):
                raise errors.edi(
                    422,
                    "EDI-033",
                    "[Content] cannot be saved",
                    details="Email format is invalid",
                )
    else:
        check_phones(to)


def missing(name: str) -> errors.ApiError:
    return errors.edi(400, "EDI-025", f'Missing required parameter: "[{name}]"', parameter=name)


def public_refused() -> errors.ApiError:
    return errors.edi(
        403,
        "EDI-024",
        "You cannot create the content (channel-specific validations).",
        details="Public content is not supported on this channel",
    )


def check_phones(numbers: list[str]) -> None:
    for number in numbers:
        if not PHONE.fullmatch(number):
            raise errors.edi(
                422, "EDI-033", "[Content] cannot be saved", details="Phone number is invalid"
            )
