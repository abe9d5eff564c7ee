"""Callbacks told of each event of one kind, any of them removable: one list and its rule, for
the client's retries and for the deferred client that stands in for it before it is built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Observers(Generic[T]):
    """Observers of one kind of event, told in the order they were added."""

    def __init__(self) -> None:
        self._observers: list[Callable[[T], None]] = []

    def add(self, observer: Callable[[T], None]) -> Callable[[], None]:
        """Tell ``observer`` of each event from now on; returns the function that stops it."""
        self._observers.append(observer)

        def stop() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return stop

    def tell(self, event: T) -> None:
        # A copy: an observer may stop itself (or another) while being told.
        for observer in list(self._observers):
            observer(event)
