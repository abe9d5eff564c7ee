"""`rcinbox web`: the TUI in a browser via textual-serve: the page, its websocket, the screen."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rcinbox.cli.main import main

pytest.importorskip("textual_serve", reason="the rcinbox[web] extra is not installed")
# aiohttp comes with textual-serve (it is its server): its websocket client plays the browser.
aiohttp = pytest.importorskip("aiohttp")
pyte = pytest.importorskip("pyte")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def first_screen(url: str) -> str:
    """Open the app's websocket as the page's script would; the screen once it is online."""
    screen = pyte.Screen(120, 40)
    stream = pyte.ByteStream(screen)
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        async with asyncio.timeout(60):  # only stops a broken test from hanging
            while "online" not in "\n".join(screen.display):
                message = await websocket.receive()
                assert message.type == aiohttp.WSMsgType.BINARY, message
                stream.feed(message.data)
    return "\n".join(screen.display)


def test_the_page_and_its_websocket_serve_the_first_screen(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "RCINBOX_DATA_DIR": str(tmp_path / "data"),
        "RCINBOX_LOG_DIR": str(tmp_path / "log"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "rcinbox", "web", "--demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "rcinbox web never listened"
                time.sleep(0.1)
        assert page.status_code == 200
        assert f"http://127.0.0.1:{port}/static/js/textual.js" in page.text
        sockets = re.findall(r"data-session-websocket-url=\"([^\"]+)\"", page.text)
        assert sockets == [f"ws://127.0.0.1:{port}/ws"]
        screen = asyncio.run(first_screen(sockets[0] + "?width=120&height=40"))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    assert "All" in screen and "Unread" in screen
    assert "● online" in screen


def test_a_public_address_needs_public(capsys) -> None:
    assert main(["web", "--host", "0.0.0.0", "--demo"]) == 2
    assert "add --public" in capsys.readouterr().err


def test_without_the_extra_the_error_names_it(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["web", "--demo"]) == 78
    err = capsys.readouterr().err
    assert err == "rcinbox: rcinbox web needs the web extra: pip install 'rcinbox[web]'\n"


def test_secrets_reach_the_tabs_through_the_environment_only() -> None:
    from rcinbox.cli.parser import build_parser
    from rcinbox.cli.web import child_command

    account = ["--server", "https://example.com", "--client-id", "id"]
    secrets = ["--client-secret", "s3cret-value", "--jwt", "jwt-value"]
    args = build_parser().parse_args(["web", *account, *secrets, "--no-mouse"])
    command, environment = child_command(args)
    assert "s3cret-value" not in command and "jwt-value" not in command
    assert command.endswith("-m rcinbox --server https://example.com --client-id id --no-mouse")
    assert environment == {"RCINBOX_CLIENT_SECRET": "s3cret-value", "RCINBOX_JWT": "jwt-value"}
