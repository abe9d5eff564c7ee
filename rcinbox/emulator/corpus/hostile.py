"""Bodies and names made to break a careless terminal UI (seeded with 50 contents or more)."""

from __future__ import annotations

from functools import cache

MEGABYTE = 1_048_576

MARKUP_BODY = "[@click=app.quit]click me[/] [b]bold[/b] [red]red[/red]"
ANSI_BODY = "\x1b[31mred\x1b[0m \x1b[2J\x1b]0;title\x07 and a C1 CSI: \x9b31mstill red?\x9b0m"
BIDI_BODY = (
    "Refund for order \u202e0123-CA\u202c please. Isolated: \u2066שלום\u2069, "
    "embedded \u202bעברית\u202c, marks \u200fRLM\u200e LRM, override \u202dLTR\u202c."
)
CONTROL_BODY = (
    "NUL:\x00 SOH:\x01 BEL:\x07 BS:\x08 TAB:\t VT:\x0b FF:\x0c end\r"
    "carriage-returned line\r\nCRLF line\x1f US \x7f DEL"
)
MEGA_SUBJECT = "Full export from the app (sorry, it's long)"
HOSTILE_MARKUP_NAME = ("Eve", None, "[bold]Eve[/bold]")
HOSTILE_BIDI_NAME = ("Mallory", "Exe", "Mallory \u202egnp.exe\u202c")


@cache
def megabyte_body() -> str:
    head = (
        "Hello,\n\nYou asked for the full log from the app, so here is everything it wrote. "
        "Sorry it's so long!\n\n"
    )
    line = "2026-11-02 10:14:55 DEBUG sync: retry request=5f2a9c status=503 Service Unavailable\n"
    body = head + line * (MEGABYTE // len(line) + 1)
    return body[:MEGABYTE]
