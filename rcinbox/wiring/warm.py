"""A warm start: a new store's first sync in another process, while the TUI loads.

A returning user's first frame is painted from the store. A first start (an account's first run,
and every ``--demo``) has an empty store and nothing to paint until the server has answered: the
login, the newest page, the names on it, with httpx, its async stack and the OAuth session loaded
first (a third of a Textual launch on their own). None of that needs the UI, so
:class:`WarmStart` has another process do it (the engine's own
:meth:`~rcinbox.inbox.engine.Inbox.warm_up`, on the same store) while this one imports Textual and
builds the screen. That process is the demo server for ``--demo`` (it is running already:
``demo-server --warm-store``), a ``python -m rcinbox.wiring.warm`` child otherwise. A process, not
a thread: both halves are mostly Python work, and a thread shares the interpreter's one lock
(measured, a thread gained 3% on ``--demo``); a process has the other core.

The UI's engine is opened with it as its ``prior_sync``: its own network work waits until the
warm start has ended, so no page is asked for twice, and the login is not repeated (the token is
handed back through a pipe). A slow warm start (a far server) never holds the UI back: the screen
opens on the empty store and fills when it ends. One that fails leaves the engine to try as it
always does, and to say what is wrong. The account, secrets included, goes to a child through a
pipe, never its command line or environment; its requests go to the log file as any
command's do (:mod:`rcinbox.wiring.logs`). Never imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rcinbox.text import one_line

if TYPE_CHECKING:
    from rcinbox.api.tokens import Token
    from rcinbox.wiring.accounts import Account
    from rcinbox.wiring.demo import DemoServer

log = logging.getLogger(__name__)

# The longest a warm start may take; the UI's engine starts its own work after it either way.
WARM_LIMIT = 30.0
# How long a child told to stop (the UI is closing) has before it is killed.
STOP_WAIT = 2.0
# What starts the demo server's line that gives its warm start's outcome.
WARMED = "warmed"


class WarmStart:
    """The first sync of the store of the account ``account()`` returns, in a child process.

    ``account`` is called on a thread of this process: a demo server's account waits for the
    server to listen, and the main thread goes on importing meanwhile (:meth:`account` hands it
    over). Use it as the UI engine's ``prior_sync`` (:class:`~rcinbox.inbox.engine.PriorSync`).
    """

    def __init__(
        self,
        account: Callable[[], Account],
        *,
        limit: float = WARM_LIMIT,
        demo: DemoServer | None = None,
    ) -> None:
        self._account_source = account
        self._limit = limit
        # A demo server started with warm_naming does the warm start itself (it has a process
        # already): its answer is read, no child is started.
        self._demo = demo
        self._account: Account | None = None
        self._account_error: BaseException | None = None
        self._account_known = threading.Event()
        self._ended = threading.Event()
        self._lock = threading.Lock()
        self._wakers: list[tuple[asyncio.AbstractEventLoop, Callable[[], None]]] = []
        self._child: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self.synced: float | None = None
        self.token: Token | None = None
        self._thread = threading.Thread(target=self._run, name="rcinbox-warm-start", daemon=True)

    @staticmethod
    def wanted(store_path: Path) -> bool:
        """Whether the store at ``store_path`` has nothing to paint yet (no store, or no
        content in it): a start that a warm start helps."""
        # Imported here: SQLite is no part of what the launcher loads before it decides.
        from rcinbox.inbox.store import Store

        return not Store.holds_contents(store_path)

    @classmethod
    def for_demo(cls, demo: DemoServer, *, naming: str | None = None) -> WarmStart:
        """The warm start the demo server (started with ``warm``, and this ``naming``) does
        itself."""
        # Imported here: the demo's account is built where the demo's credentials are.
        from rcinbox.wiring.accounts import demo_account

        return cls(lambda: demo_account(demo, naming=naming), demo=demo)

    def start(self) -> WarmStart:
        if self._demo is None:
            # The child starts at once: it loads the engine and the HTTP client while the
            # account is still being found, and reads it when it is ready for it.
            self._child = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        self._thread.start()
        return self

    def account(self) -> Account:
        """The account, once known (a demo server's raises its DemoError here)."""
        self._account_known.wait()
        if self._account_error is not None:
            raise self._account_error
        assert self._account is not None
        return self._account

    # ------------------------------------------------------------------ as a PriorSync

    def done(self) -> bool:
        return self._ended.is_set()

    async def wait(self) -> float | None:
        """Once the warm start has ended (without holding the event loop): when it merged the
        newest page, or None if it did not."""
        if not self._ended.is_set():
            loop = asyncio.get_running_loop()
            ended = loop.create_future()

            def wake() -> None:
                if not ended.done():
                    ended.set_result(None)

            with self._lock:
                if not self._ended.is_set():
                    self._wakers.append((loop, wake))
                else:
                    wake()
            await ended
        return self.synced

    def stop(self) -> None:
        """Cut the warm start short (the UI is closing): the child is stopped, then killed. A
        demo server's warm start ends with the demo server, which its owner stops."""
        with self._lock:
            self._stopped = True
            child = self._child
        if child is None:
            return
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(STOP_WAIT)
            except subprocess.TimeoutExpired:
                child.kill()
        if self._thread.is_alive():
            self._thread.join(STOP_WAIT)

    # ------------------------------------------------------------------ this process's side

    def _run(self) -> None:
        try:
            self._account = self._account_source()
        except BaseException as error:  # said by the main thread, which asks for the account
            self._account_error = error
            self._end()
            return
        finally:
            self._account_known.set()
        try:
            if self._demo is not None:
                self._take(_answer_line(self._demo.warm_answer()))
            else:
                self._take(self._ask_child(self._account))
        except Exception as error:
            if not self._stopped:
                log.warning("warm start failed: %s", one_line(str(error), 200))
        finally:
            self._end()

    def _ask_child(self, account: Account) -> dict[str, Any]:
        assert self._child is not None
        request = {
            "account": account_to_json(account),
            "limit": self._limit,
            # The child logs as this process does: DEBUG with --debug.
            "debug": logging.getLogger().isEnabledFor(logging.DEBUG),
        }
        try:
            out, err = self._child.communicate(
                json.dumps(request).encode(), timeout=self._limit + STOP_WAIT
            )
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.communicate()
            raise RuntimeError("it did not end in time") from None
        if self._child.returncode != 0:
            raise RuntimeError(
                f"exit {self._child.returncode}: {one_line(err.decode(errors='replace'), 300)}"
            )
        return json.loads(out)

    def _take(self, answer: dict[str, Any]) -> None:
        from rcinbox.api.tokens import Token

        if answer.get("error"):
            # The UI's engine tries again and says what is wrong, where the agent sees it.
            log.info("warm start: %s", one_line(str(answer["error"]), 200))
        synced = answer.get("synced")
        self.synced = float(synced) if isinstance(synced, (int, float)) else None
        if answer.get("token") is not None:
            self.token = Token.from_json(answer["token"])

    def _end(self) -> None:
        with self._lock:
            self._ended.set()
            wakers, self._wakers = self._wakers, []
        for loop, wake in wakers:
            with contextlib.suppress(RuntimeError):  # that loop has closed: nobody waits
                loop.call_soon_threadsafe(wake)


def _answer_line(line: str) -> dict[str, Any]:
    if not line.startswith(f"{WARMED} "):
        raise RuntimeError(f"the demo server said {one_line(line, 80)!r}")
    return json.loads(line.removeprefix(f"{WARMED} "))


# ---------------------------------------------------------------------- the account, piped


def account_to_json(account: Account) -> dict[str, Any]:
    """The account for the child, secrets included (it goes through a pipe only)."""
    credentials = account.credentials
    return {
        "server": credentials.server,
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "jwt": credentials.jwt,
        "naming": credentials.naming,
        "store_path": str(account.store_path),
        "demo": account.demo,
        "profile": account.profile,
        "login": account.login.to_json() if account.login is not None else None,
        "cache_tokens": account.cache_tokens,
        "max_response_bytes": account.max_response_bytes,
        "request_deadline": account.request_deadline,
        "max_attachment_bytes": account.max_attachment_bytes,
    }


def account_from_json(data: dict[str, Any]) -> Account:
    from rcinbox.auth.store import StoredLogin
    from rcinbox.config import Credentials
    from rcinbox.wiring.accounts import Account

    profile = data["profile"]
    login = data["login"]
    return Account(
        Credentials(
            data["server"], data["client_id"], data["client_secret"], data["jwt"], data["naming"]
        ),
        Path(data["store_path"]),
        demo=data["demo"],
        profile=profile,
        login=StoredLogin.from_json(profile, login) if login is not None else None,
        cache_tokens=data["cache_tokens"],
        max_response_bytes=data["max_response_bytes"],
        request_deadline=data["request_deadline"],
        max_attachment_bytes=data["max_attachment_bytes"],
    )


# ---------------------------------------------------------------------- the child's side


async def warm_up(account: Account, limit: float) -> dict[str, Any]:
    """The store's first sync (the child's work); what the parent is told."""
    from rcinbox.api.errors import RCError
    from rcinbox.inbox.store import StoreError
    from rcinbox.wiring.inbox import open_inbox

    answer: dict[str, Any] = {"synced": None, "token": None, "error": None}
    try:
        async with asyncio.timeout(limit), open_inbox(account) as inbox:
            answer["synced"] = await inbox.warm_up()
            token = inbox.login_token()
            answer["token"] = token.to_json() if token is not None else None
    except (RCError, StoreError, OSError, TimeoutError) as error:
        answer["error"] = one_line(str(error) or type(error).__name__, 300)
    return answer


def warm_demo_store(url: str, store: str, naming: str | None) -> dict[str, Any]:
    """The demo server's side (``demo-server --warm-store``): the store's first sync as the
    ``--demo`` parent's client would do it, against the demo server at ``url``."""
    from rcinbox.wiring.accounts import Account
    from rcinbox.wiring.demo import demo_credentials

    account = Account(demo_credentials(url, naming), Path(store), demo=True)
    return asyncio.run(warm_up(account, WARM_LIMIT))


def main() -> int:
    # A short life: the collector's passes over what the imports make would be wasted.
    import gc

    gc.disable()
    # What the sync needs is loaded before the account is read: the parent may still be
    # finding it (a demo server starting), and the two overlap.
    import rcinbox.api.client
    import rcinbox.wiring.inbox  # noqa: F401
    from rcinbox.wiring import logs

    request = json.load(sys.stdin)
    account = account_from_json(request["account"])
    # The child's requests go to the log file beside the parent's (its lines carry its own
    # pid), at the parent's level, with the secrets it was handed masked; never to the
    # terminal, which the parent's UI owns.
    credentials = account.credentials
    secrets = frozenset(s for s in (credentials.client_secret, credentials.jwt) if s)
    logs.setup(debug=bool(request.get("debug")), terminal=False, secrets=secrets)
    try:
        answer = asyncio.run(warm_up(account, request["limit"]))
    finally:
        logs.remove()
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
