"""Webhook delivery: the validation handshake and at-least-once notification POSTs.

Deliveries run on their own scheduler thread, so a slow or dead receiver never delays an API
answer. A delivery that fails (no answer within 3 s, or a status other than 2xx) is retried with
backoff, then abandoned; a receiver may therefore see the same ``uuid`` twice, as the real
platform warns. Only loopback addresses are ever contacted (the subscription endpoint refuses
others), and the verification token travels only in the ``Validation-Token`` header.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .scheduler import Scheduler

USER_AGENT = "RingCentral-Webhook/8.3"
TIMEOUT = 3.0
RETRY_DELAYS = (0.25, 1.0)  # after the first and second failed attempt; then give up


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    size: int  # header lines and body, about what the receiver sent


def post(address: str, body: bytes, headers: dict[str, str]) -> Reply | None:
    """POST to ``address``; None when it cannot be reached or does not answer in time."""
    parts = urlsplit(address)
    try:
        port = parts.port
        if parts.scheme == "https":
            context = ssl.create_default_context()
            # Loopback only, where receivers use self-signed certificates.
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname or "", port, timeout=TIMEOUT, context=context
            )
        else:
            connection = http.client.HTTPConnection(parts.hostname or "", port, timeout=TIMEOUT)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            connection.request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/json; charset=UTF-8",
                    "User-Agent": USER_AGENT,
                    **headers,
                },
            )
            response = connection.getresponse()
            payload = response.read(64 * 1024)
            received = {name.lower(): value for name, value in response.getheaders()}
            size = len(payload) + sum(len(n) + len(v) + 4 for n, v in response.getheaders())
            return Reply(response.status, received, size)
        finally:
            connection.close()
    except (OSError, ValueError, http.client.HTTPException):
        return None


class Dispatcher:
    """Queues notifications and delivers them in the background, retrying failures."""

    def __init__(self, count: Callable[[str], None]) -> None:
        self._count = count
        self._scheduler = Scheduler("emulator-webhooks")

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        self._scheduler.stop()

    def send(
        self,
        address: str,
        body: bytes,
        headers: dict[str, str],
        still_wanted: Callable[[], bool],
    ) -> None:
        """Deliver ``body`` to ``address`` soon, as long as ``still_wanted()`` stays true."""
        self._scheduler.call_later(
            0, lambda: self._attempt(address, body, headers, still_wanted, 0)
        )

    def _attempt(
        self,
        address: str,
        body: bytes,
        headers: dict[str, str],
        still_wanted: Callable[[], bool],
        failures: int,
    ) -> None:
        if not still_wanted():
            return
        reply = post(address, body, headers)
        if reply is not None and 200 <= reply.status < 300:
            self._count("delivered")
            return
        if failures >= len(RETRY_DELAYS):
            self._count("abandoned")
            return
        self._count("retried")
        self._scheduler.call_later(
            RETRY_DELAYS[failures],
            lambda: self._attempt(address, body, headers, still_wanted, failures + 1),
        )
