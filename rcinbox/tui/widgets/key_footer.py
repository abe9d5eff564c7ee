"""The key bar at the bottom: Textual's footer, rebuilt only when the keys it shows change.

Textual's :class:`~textual.widgets.Footer` recomposes every time the screen's bindings are
refreshed: on each focus move, and twice while the app starts. Each time it mounts a widget per
key again (seventeen here) and restyles them, 10 to 15 ms, most of them for the same keys: a
first start's names reached the screen a recompose later, and opening a conversation paid for
one. This footer compares what it would show with what it shows, and skips the rebuild when
they are the same.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that recomposes only when its keys change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        # The footer recomposes in just this case (see Footer.bindings_changed); otherwise it
        # waits, and what it shows is not known yet.
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = keys_shown(screen)
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)


def keys_shown(screen: Screen) -> tuple[Any, ...]:
    """Everything of the screen's bindings that the footer's compose reads."""
    return tuple(
        (key, binding.action, binding.description, binding.show, binding.group, enabled, tooltip)
        for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
    )
