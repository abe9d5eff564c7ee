"""The identity directory against the emulator over real loopback HTTP (default 50 a minute)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from rcinbox.api import Identity, OAuthSession, SocialMessagingClient
from rcinbox.api.auth import Token
from rcinbox.emulator import Emulator
from rcinbox.inbox.events import Event, EventBus, IdentitiesResolved, LoginRequired, Subscription
from rcinbox.inbox.identities import IdentityDirectory
from rcinbox.inbox.scheduler import RequestScheduler
from rcinbox.inbox.store import Store, ThreadFilter

CLIENT_ID, CLIENT_SECRET, JWT = "rcinbox-demo", "rcinbox-demo-secret", "rcinbox-demo-jwt"
UNKNOWN_ID = "0123456789abcdef01234567"  # well formed, but no identity has it


class FakeClock:
    """Wall-clock seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


class ListingSpy(SocialMessagingClient):
    """The real client, noting which channel each identity listing was for (None: all)."""

    listed: list[str | None]

    async def list_identities(self, **filters: Any) -> Any:
        self.listed = [*getattr(self, "listed", []), filters.get("channel_id")]
        return await super().list_identities(**filters)


@dataclass
class Harness:
    store: Store
    client: ListingSpy
    scheduler: RequestScheduler
    events: EventBus
    directory: IdentityDirectory


@contextlib.asynccontextmanager
async def harness(
    server: str,
    path: Path,
    *,
    jwt: str = JWT,
    concurrency: int = 4,
    client_sleep: Callable[[float], Any] | None = None,
    **options: Any,
) -> AsyncIterator[Harness]:
    store = Store.open(path)
    async with httpx.AsyncClient() as http:
        auth = OAuthSession(server, CLIENT_ID, CLIENT_SECRET, http=http, jwt=jwt)
        extra = {"sleep": client_sleep} if client_sleep is not None else {}
        client = ListingSpy(server, auth, http=http, **extra)
        scheduler = RequestScheduler(client.rate, concurrency=concurrency)
        events = EventBus()
        directory = IdentityDirectory(
            store=store, client=client, scheduler=scheduler, events=events, **options
        )
        try:
            yield Harness(store, client, scheduler, events, directory)
        finally:
            store.close()


@contextlib.asynccontextmanager
async def running(directory: IdentityDirectory) -> AsyncIterator[asyncio.Task[None]]:
    """The directory's background worker, cancelled on exit; it must never end by itself."""
    task = asyncio.create_task(directory.run())
    try:
        yield task
    finally:
        assert not task.done(), "run() ended on its own"
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()


async def load_threads(
    client: SocialMessagingClient, store: Store, count: int = 100, order_by: str | None = None
) -> list[str]:
    """Put ``count`` threads of one content page into the store, as a cold start's sync does."""
    page = await client.list_contents(per_page=1000, order_by=order_by)
    thread_ids = list(dict.fromkeys(c.thread_id for c in page.records if c.thread_id))[:count]
    chosen = set(thread_ids)
    store.merge_contents(c for c in page.records if c.thread_id in chosen)
    return thread_ids


def visible_identity_ids(store: Store, thread_ids: list[str]) -> list[str]:
    """Everyone a screen of these threads names: each row's customer and every author."""
    ids = [row.customer_id for row in store.threads_window(ThreadFilter(), 0, len(thread_ids))]
    for thread_id in thread_ids:
        ids += [content.author_identity_id for content in store.thread_contents(thread_id)]
    return [i for i in dict.fromkeys(ids) if i]


def identity_requests(emulator: Emulator) -> int:
    requests = emulator.stats.requests
    return requests["GET /identities"] + requests["GET /identities/{id}"]


def true_name(emulator: Emulator, identity_id: str) -> str:
    record = emulator.identity(identity_id)
    assert record is not None
    return Identity.from_json(record).display_label


async def some_author_ids(client: SocialMessagingClient, count: int) -> list[str]:
    """Authors from different channels, so no batch listing applies to them."""
    page = await client.list_contents(per_page=200)
    by_channel: dict[str | None, str] = {}
    for content in page.records:
        if content.author_identity_id and content.is_incoming:
            by_channel.setdefault(content.channel_id, content.author_identity_id)
    ids = list(dict.fromkeys(by_channel.values()))
    assert len(ids) >= count
    return ids[:count]


async def next_event(subscription: Subscription, kind: type[Event]) -> Any:
    while True:
        event = await asyncio.wait_for(subscription.get(), timeout=10)
        if isinstance(event, kind):
            return event


async def until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout=10)


# ------------------------------------------------------------------------------ batches


async def test_cold_load_of_100_threads_names_everyone_within_12_requests_and_no_429(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with harness(emulator.url, tmp_path / "inbox.db") as h:
        threads = await load_threads(h.client, h.store)
        assert len(threads) == 100
        assert len(h.store.unresolved_author_ids(threads)) >= 80
        ids = visible_identity_ids(h.store, threads)
        agents = {
            c.author_identity_id
            for t in threads
            for c in h.store.thread_contents(t)
            if not c.is_incoming
        }
        assert agents, "the screen shows agents' replies too"
        assert all(h.directory.name(i) is None for i in ids)
        subscription = h.events.subscribe()
        async with running(h.directory):
            h.directory.want(ids)
            while any(h.directory.name(i) is None for i in ids):
                await next_event(subscription, IdentitiesResolved)
        assert identity_requests(emulator) <= 12
        assert emulator.stats.rate_limited == 0
        assert {i: h.directory.name(i) for i in ids} == {i: true_name(emulator, i) for i in ids}
        assert all(h.directory.is_agent(i) for i in agents)
        rows = h.store.threads_window(ThreadFilter(), 0, 100)
        assert all(row.customer_name for row in rows if row.customer_id)


async def test_warm_start_makes_no_identity_request(emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    async with harness(emulator.url, path) as h:
        threads = await load_threads(h.client, h.store)
        ids = visible_identity_ids(h.store, threads)
        names = await h.directory.resolve(ids)
        assert set(names) == set(ids)
    emulator.stats.reset()
    async with harness(emulator.url, path) as h:
        assert {i: h.directory.name(i) for i in ids} == names
        async with running(h.directory):
            h.directory.want(ids)
            assert await h.directory.resolve(ids) == names
            await asyncio.sleep(0.1)  # let the worker take the wanted ids too
    assert identity_requests(emulator) == 0


async def test_older_threads_beyond_the_bulk_page_cost_a_listing_per_channel_at_most(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator(contents=20_000)
    async with harness(emulator.url, tmp_path / "inbox.db") as h:
        # The oldest threads: their customers are not among the 1,000 recently modified ones.
        threads = await load_threads(h.client, h.store, order_by="+creationTime")
        ids = visible_identity_ids(h.store, threads)
        assert len(h.store.unresolved_author_ids(threads)) >= 80
        names = await h.directory.resolve(ids)
        channels = {row.channel_id for row in h.store.threads_window(ThreadFilter(), 0, 100)}
    assert names == {i: true_name(emulator, i) for i in ids}
    requests = emulator.stats.requests
    assert requests["GET /identities"] > 1, "the bulk page alone was expected to fall short"
    assert identity_requests(emulator) <= len(channels) + 5
    assert identity_requests(emulator) * 5 < len(ids)
    assert emulator.stats.rate_limited == 0


async def test_a_second_screen_of_old_threads_does_not_repeat_the_bulk_page(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator(contents=20_000)
    async with harness(emulator.url, tmp_path / "inbox.db") as h:
        threads = await load_threads(h.client, h.store, count=60, order_by="+creationTime")
        await h.directory.resolve(visible_identity_ids(h.store, threads[:10]))
        assert h.client.listed.count(None) == 1
        second = visible_identity_ids(h.store, threads[10:])
        unknown = [i for i in second if h.directory.name(i) is None]
        assert len(unknown) >= 20
        emulator.stats.reset()
        names = await h.directory.resolve(second)
    assert names == {i: true_name(emulator, i) for i in second}
    assert h.client.listed.count(None) == 1, "the first screen's bulk page is still recent"
    assert identity_requests(emulator) < len(unknown) / 2
    assert emulator.stats.rate_limited == 0


# ------------------------------------------------------------------------------ single flight


async def test_ten_concurrent_asks_for_one_id_make_one_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with harness(emulator.url, tmp_path / "inbox.db") as h:
        [author] = await some_author_ids(h.client, 1)
        emulator.stats.reset()
        answers = await asyncio.gather(*(h.directory.get(author) for _ in range(10)))
        again = await h.directory.get(author)
    assert emulator.stats.requests["GET /identities/{id}"] == 1
    assert identity_requests(emulator) == 1
    assert {answer.id for answer in [*answers, again]} == {author}
    assert {answer.display_label for answer in answers} == {true_name(emulator, author)}


async def test_concurrent_resolves_share_the_bulk_page(emulator: Emulator, tmp_path: Path) -> None:
    async with harness(emulator.url, tmp_path / "inbox.db") as h:
        threads = await load_threads(h.client, h.store)
        ids = visible_identity_ids(h.store, threads)
        first, second = await asyncio.gather(h.directory.resolve(ids), h.directory.resolve(ids))
    assert first == second
    assert set(first) == set(ids)
    assert emulator.stats.requests["GET /identities"] == 1


async def test_an_asker_that_gives_up_does_not_cancel_the_others(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with harness(emulator.url, tmp_path / "inbox.db") as h:
        [author] = await some_author_ids(h.client, 1)
        emulator.stats.reset()
        quitter = asyncio.create_task(h.directory.get(author))
        stayer = asyncio.create_task(h.directory.get(author))
        await asyncio.sleep(0)  # both have joined the one flight
        quitter.cancel()
        identity = await stayer
        assert quitter.cancelled()
        assert identity.display_label == true_name(emulator, author)
    assert identity_requests(emulator) == 1


async def test_hostile_identity_answers_are_filed_under_the_asked_id(tmp_path: Path) -> None:
    asked = [f"{n:024x}" for n in range(1, 10)]
    odd = {"id": "somebody-else", "screenName": None, "displayName": [], "firstName": " Bo "}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/identities"):
            records = [1, "x", None, {"id": None}, {"id": asked[0], "screenName": "  Ann \n B "}]
            return httpx.Response(200, json={"records": records, "paging": "nonsense"})
        if request.url.path.endswith(asked[1]):
            return httpx.Response(200, content=json.dumps(odd))
        return httpx.Response(404, json={"errors": [{"errorCode": "EDI-029"}]})

    store = Store.open(tmp_path / "inbox.db")
    token = Token("token", expires_at=time.time() + 3600)
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        auth = OAuthSession("https://rc.test", CLIENT_ID, CLIENT_SECRET, http=http, token=token)
        client = SocialMessagingClient("https://rc.test", auth, http=http)
        directory = IdentityDirectory(
            store=store,
            client=client,
            scheduler=RequestScheduler(client.rate),
            events=EventBus(),
        )
        names = await directory.resolve(asked)
    assert names[asked[0]] == "Ann B"
    assert names[asked[1]] == "Bo"
    assert store.identity(asked[1]) is not None
    assert all(names[i] == f"…{i[-4:]}" for i in asked[2:])
    store.close()


# ------------------------------------------------------------------------------ want() and run()


async def test_want_publishes_identities_resolved_for_names_that_arrived(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with harness(emulator.url, tmp_path / "inbox.db") as h:
        authors = await some_author_ids(h.client, 2)
        subscription = h.events.subscribe()
        async with running(h.directory):
            h.directory.want([None, "", *authors, authors[0]])
            arrived: set[str] = set()
            while not set(authors) <= arrived:
                event = await next_event(subscription, IdentitiesResolved)
                arrived.update(event.identity_ids)
        assert [h.directory.name(a) for a in authors] == [true_name(emulator, a) for a in authors]
    assert identity_requests(emulator) == 2


async def test_a_first_start_asks_for_the_bulk_page_before_any_name_is_wanted(
    emulator: Emulator, tmp_path: Path
) -> None:
    # On an empty store every author of the first page is unknown: the bulk page goes out as
    # the directory starts (with the first page of contents), and a round wanting those names
    # joins it instead of asking again.
    async with harness(emulator.url, tmp_path / "inbox.db", bulk_first=True) as h:
        authors = await some_author_ids(h.client, 2)
        async with running(h.directory):
            while emulator.stats.requests["GET /identities"] < 1:
                await asyncio.sleep(0.01)
            h.directory.want(authors)
            names = await h.directory.resolve(authors)
        assert names == {a: true_name(emulator, a) for a in authors}
    assert identity_requests(emulator) == 1


async def test_a_newer_visible_set_replaces_one_not_yet_taken(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with harness(emulator.url, tmp_path / "inbox.db") as h:
        scrolled_past, on_screen = await some_author_ids(h.client, 2)
        subscription = h.events.subscribe()
        h.directory.want([scrolled_past])
        h.directory.want([on_screen])
        async with running(h.directory):
            event = await next_event(subscription, IdentitiesResolved)
            assert event.identity_ids == (on_screen,)
            await asyncio.sleep(0.1)  # nothing else may follow
        assert h.directory.name(scrolled_past) is None
    assert identity_requests(emulator) == 1


async def test_visible_ids_go_before_earlier_off_screen_ones(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with harness(emulator.url, tmp_path / "inbox.db", concurrency=1) as h:
        authors = await some_author_ids(h.client, 4)
        offscreen, visible = authors[:2], authors[2:]
        subscription = h.events.subscribe()
        h.directory.want(offscreen, visible=False)
        h.directory.want(visible)
        order: list[str] = []
        async with running(h.directory):
            while len(order) < 4:
                event = await next_event(subscription, IdentitiesResolved)
                order += event.identity_ids
    assert set(order[:2]) == set(visible)
    assert set(order[2:]) == set(offscreen)


async def test_stale_name_still_shows_and_is_refreshed_in_the_background(
    emulator: Emulator, tmp_path: Path
) -> None:
    clock = FakeClock()
    async with harness(emulator.url, tmp_path / "inbox.db", clock=clock, ttl=3600) as h:
        [author] = await some_author_ids(h.client, 1)
        await h.directory.resolve([author])
        name = h.directory.name(author)
        assert name == true_name(emulator, author)
        fetched_at = clock.now
        async with running(h.directory):
            clock.now += 3000
            assert h.directory.name(author) == name
            await asyncio.sleep(0.1)
            assert identity_requests(emulator) == 1, "still fresh: nothing to refresh"
            clock.now += 1000
            assert h.directory.name(author) == name  # stale, still shown at once
            await until(lambda: h.store.cached_identities([author])[author].fetched_at > fetched_at)
        assert h.store.cached_identities([author])[author].fetched_at == clock.now
        assert h.directory.name(author) == name
    assert emulator.stats.requests["GET /identities/{id}"] == 2


async def test_unknown_id_shows_its_short_id_and_is_not_asked_again_within_the_ttl(
    emulator: Emulator, tmp_path: Path
) -> None:
    clock = FakeClock()
    path = tmp_path / "inbox.db"
    async with harness(emulator.url, path, clock=clock, ttl=3600) as h:
        assert await h.directory.resolve([UNKNOWN_ID]) == {UNKNOWN_ID: "…4567"}
        assert (await h.directory.get(UNKNOWN_ID)).display_label == "…4567"
        async with running(h.directory):
            h.directory.want([UNKNOWN_ID])
            await asyncio.sleep(0.1)
            assert await h.directory.resolve([UNKNOWN_ID]) == {UNKNOWN_ID: "…4567"}
        assert emulator.stats.requests["GET /identities/{id}"] == 1
    async with harness(emulator.url, path, clock=clock, ttl=3600) as h:
        assert h.directory.name(UNKNOWN_ID) == "…4567"
        await h.directory.resolve([UNKNOWN_ID])
        assert emulator.stats.requests["GET /identities/{id}"] == 1, "remembered across restarts"
        clock.now += 3601
        async with running(h.directory):
            assert h.directory.name(UNKNOWN_ID) == "…4567"
            await until(lambda: emulator.stats.requests["GET /identities/{id}"] == 2)


async def test_memory_holds_at_most_capacity_entries_and_falls_back_to_the_store(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with harness(emulator.url, tmp_path / "inbox.db", capacity=3) as h:
        authors = await some_author_ids(h.client, 5)
        names = await h.directory.resolve(authors)
        assert len(h.directory) == 3
        emulator.stats.reset()
        for author in authors:
            assert h.directory.name(author) == names[author] == true_name(emulator, author)
            assert len(h.directory) <= 3
        assert await h.directory.resolve(authors) == names
    assert identity_requests(emulator) == 0


# ------------------------------------------------------------------------------ failures


async def test_worker_survives_an_unreachable_server_and_backs_off(tmp_path: Path) -> None:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens here once the probe is closed

    backoffs: list[float] = []

    async def backoff(delay: float) -> None:
        if delay > 0:  # the coalescing pause is 0 here; any other pause is a backoff
            backoffs.append(delay)
        await asyncio.sleep(0)

    async def client_backoff(delay: float) -> None:
        await asyncio.sleep(0)

    async with harness(
        f"http://127.0.0.1:{port}",
        tmp_path / "inbox.db",
        sleep=backoff,
        client_sleep=client_backoff,
        coalesce=0.0,
    ) as h:
        async with running(h.directory):
            h.directory.want([UNKNOWN_ID])
            await until(lambda: len(backoffs) >= 3)
        assert backoffs[:3] == [1, 2, 4]
        assert h.directory.name(UNKNOWN_ID) is None


async def test_refused_login_asks_for_a_new_login_and_keeps_running(
    emulator: Emulator, tmp_path: Path
) -> None:
    async def no_sleep(delay: float) -> None:
        await asyncio.sleep(0)

    async with harness(
        emulator.url, tmp_path / "inbox.db", jwt="not-the-jwt", sleep=no_sleep, coalesce=0.0
    ) as h:
        subscription = h.events.subscribe()
        async with running(h.directory):
            h.directory.want([UNKNOWN_ID])
            event = await next_event(subscription, LoginRequired)
        assert "log in" in event.message.lower()
    assert identity_requests(emulator) == 0
