"""``rcinbox sync`` and ``watch``: fetch the newest contents into the store, or follow them.

``sync`` fills the same local store the TUI reads; ``watch`` prints each content that arrives
after it starts as one JSON line (NDJSON) until SIGINT or SIGTERM. Never imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import signal

from rcinbox.cli import aio
from rcinbox.cli.errors import CommandError, ExitCode
from rcinbox.cli.output import print_json, print_json_line, say
from rcinbox.cli.parser import account_options, webhook_settings
from rcinbox.config import Config
from rcinbox.inbox.engine import EngineSettings, Inbox
from rcinbox.inbox.events import ContentsArrived, LoginRequired, Subscription
from rcinbox.inbox.notices import WebhookState
from rcinbox.wiring.inbox import inbox_for

# `watch --demo`: simulated customers write about this often (a line every few seconds).
WATCH_INBOUND_EVERY = 5.0


def run(args: argparse.Namespace) -> int:
    return aio.run(_sync(args) if args.command == "sync" else _watch(args))


async def _sync(args: argparse.Namespace) -> int:
    webhooks = webhook_settings(args, Config.load())
    settings = EngineSettings(**webhooks) if webhooks else None
    if args.history:
        settings = dataclasses.replace(
            settings or EngineSettings(), horizon_days=Config.load().sync.horizon_days
        )
    async with inbox_for(account_options(args), settings=settings, check_login=True) as inbox:
        if webhooks:
            # Subscribes (and, on the way out, unsubscribes): a check that webhooks can work.
            subscription = inbox.subscribe()
            await inbox.start(poll=False, send=False, names=False)
            _say_webhook_state(subscription)
            inbox.unsubscribe(subscription)
        result = await inbox.sync_newest()
        history = await inbox.fill_history() if args.history else None
        if args.json:
            answer: dict[str, object] = {
                "newContentIds": list(result.new_content_ids),
                "threadIds": list(result.changed_thread_ids),
            }
            if history is not None:
                answer["historyDays"] = history.days
                answer["horizonDays"] = history.horizon_days
            print_json(answer)
        else:
            print(
                f"{len(result.new_content_ids)} new contents in"
                f" {len(result.changed_thread_ids)} threads;"
                f" {inbox.content_count()} contents stored"
                + (f"; history complete ({history.days} days)" if history is not None else "")
            )
    return ExitCode.OK


async def _watch(args: argparse.Namespace) -> int:
    settings = EngineSettings(
        poll_active=args.interval,
        poll_idle=args.interval,
        **webhook_settings(args, Config.load()),
    )
    options = account_options(args)
    # The headless demo has simulated customers too, or there would be nothing to watch.
    inbound_every = WATCH_INBOUND_EVERY if options.demo else None
    async with inbox_for(
        options, settings=settings, check_login=True, inbound_every=inbound_every
    ) as inbox:
        return await _follow(inbox)


def _say_webhook_state(subscription: Subscription) -> None:
    """Whether webhooks came up, on stderr (stdout is the command's output)."""
    while True:
        event = subscription.get_nowait()
        if event is None:
            return
        if isinstance(event, WebhookState):
            say(f"rcinbox: {event.detail}")


async def _follow(inbox: Inbox) -> int:
    """NDJSON of every content that arrives after the start, until SIGINT or SIGTERM."""
    # A first sync sets the baseline: what the server already had is not news.
    await inbox.sync_newest()
    subscription = inbox.subscribe()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    await inbox.start(send=False, names=False)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while True:
            getting = asyncio.ensure_future(subscription.get())
            done, _ = await asyncio.wait({getting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                getting.cancel()
                return ExitCode.OK
            event = getting.result()
            if isinstance(event, LoginRequired):
                raise CommandError(event.message, ExitCode.LOGIN)
            if isinstance(event, WebhookState):
                say(f"rcinbox: {event.detail}")
            if isinstance(event, ContentsArrived):
                for content_id in event.content_ids:
                    content = inbox.content(content_id)
                    if content is not None:
                        print_json_line(content.raw)
    finally:
        inbox.unsubscribe(subscription)
        stopping.cancel()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
