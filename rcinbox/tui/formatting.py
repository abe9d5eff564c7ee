"""Small pure helpers that turn engine rows into the words and glyphs the TUI shows.

Kept apart from the widgets so they can be tested without a terminal, and so that every place
that shows a time, a reply state or a name says it the same way.

Outside text (a customer's, the server's, the config's, the environment's) is never markup: it
passes through :func:`rcinbox.text.visible` and then goes into a Rich ``Text`` piece or, where
Textual would read a ``str`` as markup (a palette entry's title and help, a toast), into the
:class:`~textual.content.Content` that :func:`plain` makes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from textual.content import Content

from rcinbox.inbox.events import HistoryCoverage
from rcinbox.inbox.types import ReplyState, channel_info
from rcinbox.text import visible

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def relative_time(moment: datetime, now: datetime) -> str:
    """Short and stable: "now", "5m", "3h", "Tue", "Nov 20", "2025-11-20"."""
    try:
        return _relative_time(moment, now)
    except (OverflowError, ValueError, OSError):
        # A moment at the edge of the calendar: shown as it is rather than computed on.
        return _edge(moment)


def _edge(moment: datetime) -> str:
    try:
        return moment.strftime("%Y-%m-%d")
    except (ValueError, OverflowError):
        return "?"


def _relative_time(moment: datetime, now: datetime) -> str:
    delta = now - moment
    if delta < timedelta(minutes=1):
        return "now"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}m"
    if delta < timedelta(hours=24):
        return f"{int(delta.total_seconds() // 3600)}h"
    local = moment.astimezone()
    if delta < timedelta(days=6):
        return local.strftime("%a")
    if local.year == now.astimezone().year:
        return f"{local.strftime('%b')} {local.day}"
    return local.strftime("%Y-%m-%d")


def full_time(moment: datetime | None, now: datetime) -> str:
    """For message headers: "14:02" today, "Tue 14:02" this week, "Nov 3 14:02" this year,
    else the full date."""
    if moment is None:
        return ""
    try:
        return _full_time(moment, now)
    except (OverflowError, ValueError, OSError):
        return _edge(moment)


def _full_time(moment: datetime, now: datetime) -> str:
    local = moment.astimezone()
    today = now.astimezone().date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if today - local.date() < timedelta(days=6):
        return local.strftime("%a %H:%M")
    if local.year == today.year:
        return f"{local.strftime('%b')} {local.day} {local.strftime('%H:%M')}"
    return local.strftime("%Y-%m-%d %H:%M")


# Outbox and delivery states in the agent's words, with a glyph that reads at a glance.
REPLY_STATES: dict[str, tuple[str, str]] = {
    "draft": ("✎", "draft"),
    ReplyState.QUEUED: ("◷", "queued"),
    ReplyState.SENDING: ("↑", "sending"),
    ReplyState.UNKNOWN: ("?", "checking"),
    ReplyState.ACCEPTED: ("✓", "sent"),
    ReplyState.DELIVERED: ("✓✓", "delivered"),
    ReplyState.FAILED: ("✗", "failed"),
}


def wait_label(wait: timedelta) -> str:
    """How long a customer has waited, in the largest whole unit: "waiting 3 h"."""
    seconds = wait.total_seconds()
    if seconds < 60:
        return "waiting <1 min"
    if seconds < 3600:
        return f"waiting {int(seconds // 60)} min"
    if seconds < 2 * 86400:
        return f"waiting {int(seconds // 3600)} h"
    return f"waiting {int(seconds // 86400)} d"


def reply_state_label(state: str | None) -> tuple[str, str]:
    if not state:
        return ("", "")
    return REPLY_STATES.get(state, ("·", state))


def plain(text: str | None, style: str = "", *, multiline: bool = False) -> Content:
    """``text`` as Textual content that shows exactly what it says.

    Textual parses a ``str`` as content markup in most places it takes one: ``[/]`` then raises
    MarkupError (the app exits) and ``[@click=app.quit]x[/]`` becomes a link that runs the
    action. A ``Content`` is taken as it is; its controls are made visible here first.
    """
    return Content.styled(visible(text, multiline=multiline), style)


def channel_label(channel_type: str | None) -> str:
    # A type this version does not know is labelled with the server's own string.
    return visible(channel_info(channel_type).label, multiline=False)


# A thread's title when no customer has written in it: a post or a message the agent started
# that nobody has answered. The API says nothing of whom it went to; its first answer names them.
NO_CUSTOMER_TITLE = "No reply yet"


def short_id(identifier: str | None) -> str:
    return f"…{visible(identifier[-4:], multiline=False)}" if identifier else "unknown"


def human_size(size: int | None) -> str:
    """Bytes for people: "512 B", "1.5 MB", "3.0 GB"; sizes beyond a petabyte are not real."""
    if size is None or isinstance(size, bool) or not isinstance(size, int | float):
        return "size unknown"
    if not 0 <= size < _MAX_SIZE:
        return "size unknown" if size < 0 or size != size else "huge"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


# A petabyte: no attachment is this big; a server saying so is shown "huge", not computed.
_MAX_SIZE = 1024**5


def days_loaded(history: HistoryCoverage) -> str:
    """How much of the horizon the store holds ("6 of 14 days") while back-fill goes on."""
    return f"{history.days or '<1'} of {history.horizon_days} days"


def searched(history: HistoryCoverage) -> str:
    return f"searched {days_loaded(history)} so far"
