"""The status line's words for the rate budget: quiet while plenty is left, then the figure,
and the wait while the server holds requests back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rcinbox.inbox.events import ConnectionState
from rcinbox.inbox.types import RateState
from rcinbox.tui.widgets.status_line import StatusLine


def line(rate: RateState) -> str:
    status = StatusLine(clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    status.set_reactive(StatusLine.connection, ConnectionState.ONLINE)
    status.set_reactive(StatusLine.rate, rate)
    return status.render().plain


def budget(available: int, *, blocked_for: float = 0.0) -> RateState:
    return RateState(
        group="Light",
        limit=50,
        remaining=available,
        window=60.0,
        blocked_until=None,
        retry_after=None,
        blocked_for=blocked_for,
        available=available,
    )


@pytest.mark.parametrize("available", [50, 49, 26])
def test_a_budget_mostly_left_is_not_shown(available: int) -> None:
    assert "requests left" not in line(budget(available))


@pytest.mark.parametrize("available", [25, 3, 0])
def test_a_budget_half_spent_or_more_is_shown(available: int) -> None:
    assert f"{available}/50 requests left" in line(budget(available))


def test_a_rate_limit_wait_is_shown_whatever_the_budget() -> None:
    assert "waiting 12s (rate limit)" in line(budget(40, blocked_for=12.0))
