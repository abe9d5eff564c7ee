"""The --demo child (``rcinbox demo-server`` in a subprocess): it stops cleanly when its parent
is done with it."""

from __future__ import annotations

from rcinbox.wiring.demo import DemoServer


def test_the_demo_child_stops_cleanly_when_closed() -> None:
    """Closed, the child stops by itself (its standard input ends) and exits 0. It used to be
    terminated while a thread of its was reading that input, and its interpreter aborted."""
    server = DemoServer()
    server.credentials()  # waits until it listens
    server.close()
    assert server.returncode == 0
    assert not server.store_path.parent.exists()
