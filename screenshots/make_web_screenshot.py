"""Write the README's browser screenshot: `rcinbox web --demo` in headless Chromium (PNG).

Run from the repository root:  .venv/bin/python screenshots/make_web_screenshot.py

Needs the web extra (``pip install -e '.[web]'``) and Chromium (Debian: ``apt-get install
chromium``; another binary with ``CHROMIUM=/path``). It serves the demo on a free loopback port
in a throwaway data directory, lets Chromium load the page (which opens the websocket and starts
the TUI), waits until the TUI has painted and settled, and writes ``web-1280x800.png``. The
demo's clock is the real one, so unlike the SVGs this picture changes from run to run. For the
customers' scripts and emoji, install fonts (Debian: fonts-noto-cjk, fonts-noto-color-emoji).
Not a test.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "web-1280x800.png"
SIZE = (1280, 800)
# Seconds between the TUI's first paint and the shot (the first sync, names, fades).
SETTLE = 6.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"rcinbox web did not answer on {url}") from None
            time.sleep(0.2)


async def shoot(chromium: str, url: str, profile: Path) -> bytes:
    """Load ``url`` in headless Chromium and return a PNG once the TUI has painted.

    Driven over the DevTools protocol (aiohttp, which the web extra brings, is the websocket
    client) rather than ``--screenshot``, which fires at page load: the TUI paints later, when
    the websocket's first bytes arrive. Google Fonts (which the page asks for) is mapped to
    nowhere, so nothing leaves the machine; the terminal falls back to a local monospace font.
    """
    import aiohttp

    debug_port = free_port()
    browser = subprocess.Popen(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP fonts.googleapis.com 0.0.0.0, MAP fonts.gstatic.com 0.0.0.0",
            f"--remote-debugging-port={debug_port}",
            f"--user-data-dir={profile}",
            f"--window-size={SIZE[0]},{SIZE[1]}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with aiohttp.ClientSession() as session:
            targets = f"http://127.0.0.1:{debug_port}/json"
            for _ in range(100):
                try:
                    async with session.get(targets) as answer:
                        pages = [t for t in await answer.json() if t["type"] == "page"]
                    break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            else:
                raise SystemExit("chromium did not open its DevTools port")
            async with session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                calls = iter(range(1, 1_000_000))

                async def call(method: str, **params: object) -> dict:
                    number = next(calls)
                    await ws.send_json({"id": number, "method": method, "params": params})
                    while True:
                        message = await ws.receive_json()
                        if message.get("id") == number:
                            return message.get("result", {})

                await call("Page.enable")
                # The window's size includes room for a browser's frame: the page gets exactly
                # SIZE instead, so the picture is SIZE.
                await call(
                    "Emulation.setDeviceMetricsOverride",
                    width=SIZE[0],
                    height=SIZE[1],
                    deviceScaleFactor=1,
                    mobile=False,
                )
                await call("Page.navigate", url=url)
                painted = "document.body.classList.contains('-first-byte')"
                deadline = time.monotonic() + 60
                while not (await call("Runtime.evaluate", expression=painted))["result"].get(
                    "value"
                ):
                    if time.monotonic() > deadline:
                        raise SystemExit("the TUI never painted in the browser")
                    await asyncio.sleep(0.5)
                # The first sync and the names arrive within a few seconds of the first paint.
                await asyncio.sleep(SETTLE)
                shot = await call("Page.captureScreenshot", format="png")
                return base64.b64decode(shot["data"])
    finally:
        browser.terminate()
        browser.wait(timeout=20)


def main() -> int:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no chromium: apt-get install chromium, or set CHROMIUM=/path")
    port = free_port()
    url = f"http://127.0.0.1:{port}/?fontsize=14"
    with tempfile.TemporaryDirectory(prefix="rcinbox-web-shot-") as scratch:
        env = {
            **os.environ,
            "RCINBOX_DATA_DIR": str(Path(scratch) / "data"),
            "RCINBOX_CONFIG_DIR": str(Path(scratch) / "config"),
            "RCINBOX_LOG_DIR": str(Path(scratch) / "log"),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "rcinbox", "web", "--demo", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            wait_for(url)
            OUTPUT.write_bytes(asyncio.run(shoot(chromium, url, Path(scratch) / "chromium")))
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
