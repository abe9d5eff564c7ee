"""The identity directory: who wrote a content, as a name a row can show.

A name is read from memory (an LRU of ``capacity`` entries), else from the store's cache, never
from the network: a row shows a placeholder until its name arrives, then repaints on
``IdentitiesResolved``. What is unknown is fetched in the background, in as few requests as this
order allows:

1. anything fresh in memory or in the store costs nothing (a warm start asks for nothing);
2. many unknown ids at once: one unfiltered page of the 1,000 most recently modified identities,
   because the customers on screen are mostly the ones who wrote lately (it warms the cache too);
3. what is still unknown, per channel (known from the stored contents): a channel with a few
   unknown authors (three or more) is listed, 1,000 identities a page; the rest one by one;
4. an id the server does not know (404) is cached as an identity with nothing but its id: it
   shows its short id and is asked for again only when its TTL has passed.

Customers who write while the app runs are found the same way, never with a request each: the
syncer hands over every content it merges (:meth:`IdentityDirectory.arrived`). Authors of news
(a poll, a webhook) are mostly new identities, which stand at the front of the listing ordered
by ``-lastModifiedTime``: one small page of it (at most every ``FRONT_EVERY`` seconds) names
them all, whatever their number; what it misses goes the way of step 3. Authors met in older
pages (history, a whole thread) are resolved in the background by listings only (steps 2 and 3,
never one by one): what those miss is asked for when a view shows it.

Each view that shows names (the list, the open conversation) says what it shows under its own
key, so one view never takes the place of another's; a newer set from the same view replaces
its older one. The account's own agent identities (the token owner's, ``userId`` filter) are
looked up once at start (:meth:`IdentityDirectory.find_own`), so "you" is known before any
reply is sent.

The same request is never in flight twice: concurrent asks for one id, or for the same page of a
listing, share one flight. Every request goes through the account's scheduler: names on screen at
``VISIBLE``, off-screen ones and refreshes at ``BACKGROUND``. An entry older than the TTL is stale:
it still shows, and is refreshed in the background.

This module never imports Textual and never lets ``name``/``is_agent`` touch the network.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from rcinbox.api.errors import InvalidGrant, NotFound
from rcinbox.api.models import Content, Identity
from rcinbox.api.singleflight import SingleFlight
from rcinbox.inbox.events import EventBus, IdentitiesResolved, LoginRequired
from rcinbox.inbox.scheduler import Priority, RequestScheduler
from rcinbox.inbox.store import Store

if TYPE_CHECKING:
    from rcinbox.api.client import SocialMessagingClient

T = TypeVar("T")
log = logging.getLogger(__name__)

LIST_ORDER = "-lastModifiedTime"
LIST_PAGE_SIZE = 1000  # the API's maximum: one request brings as many names as it can
BULK_THRESHOLD = 8  # unknown ids that make one unfiltered page cheaper than asking around
CHANNEL_THRESHOLD = 3  # unknown ids on one channel that make a listing cheaper than one by one
MAX_CHANNEL_PAGES = 3  # pages of one channel per round, before falling back to one by one
# A listing this recent would bring back what it brought then; the next round pages on instead.
RELIST_AFTER = 600.0
BACKGROUND_BATCH = 200  # off-screen or stale ids per background round
FRONT_PAGE = 100  # the newest identities: where customers who just wrote for the first time are
FRONT_EVERY = 1.0  # seconds between two front pages: arrivals in a burst share one


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    is_agent: bool
    fetched_at: float


@dataclass(frozen=True, slots=True)
class _Listing:
    """When a listing (one channel's, or the unfiltered one) was last read, and where it
    continues."""

    at: float
    next_page_token: str | None


class IdentityDirectory:
    """Names for identity ids: instant from memory and the store, fetched in the background."""

    def __init__(
        self,
        *,
        store: Store,
        client: SocialMessagingClient,
        scheduler: RequestScheduler,
        events: EventBus,
        ttl: float = 24 * 3600,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        coalesce: float = 0.05,
        backoff: float = 1.0,
        max_backoff: float = 300.0,
        bulk_first: bool = False,
    ) -> None:
        self._store = store
        # A first start: every author of the first page of contents will be unknown.
        self._bulk_first = bulk_first
        self._client = client
        self._scheduler = scheduler
        self._events = events
        self._ttl = ttl
        self._capacity = max(1, capacity)
        self._clock = clock
        self._sleep = sleep
        self._coalesce = coalesce
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._memory: OrderedDict[str, _Entry] = OrderedDict()
        # The account's own agent identities (see find_own).
        self._own: frozenset[str] = frozenset()
        # The same request is never in flight twice (rcinbox.api.singleflight): a caller that
        # gives up leaves it to finish, and what it brings is cached for the next one.
        self._flights: SingleFlight[Any] = SingleFlight()
        self._listings: dict[str | None, _Listing] = {}
        # What want() asked for and run() has not taken yet: per view, the newest visible set
        # replaces the one before it; authors of news, off-screen ids and stale entries pile up
        # (ordered, deduplicated).
        self._visible: dict[str, list[str]] = {}
        self._fresh: dict[str, None] = {}
        self._history: dict[str, None] = {}
        self._offscreen: dict[str, None] = {}
        self._stale: dict[str, None] = {}
        self._wake = asyncio.Event()
        self._failures = 0
        self._front_at = -float("inf")
        # Set when the server answers again: a lane backing off after a failure goes at once.
        self._retry = asyncio.Event()

    def __len__(self) -> int:
        """Entries held in memory (never more than ``capacity``)."""
        return len(self._memory)

    # ------------------------------------------------------------------ instant answers

    def name(self, identity_id: str | None) -> str | None:
        """The display name to show, from memory or the store; None while unknown."""
        entry = self._entry(identity_id)
        return entry.name if entry is not None else None

    def is_agent(self, identity_id: str | None) -> bool | None:
        """Whether the identity is one of the account's agents; None while unknown."""
        entry = self._entry(identity_id)
        return entry.is_agent if entry is not None else None

    def is_own(self, identity_id: str | None) -> bool:
        """Whether the identity is one of the logged-in user's own (see :meth:`find_own`)."""
        return identity_id in self._own

    def _entry(self, identity_id: str | None) -> _Entry | None:
        if not identity_id:
            return None
        entry = self._memory.get(identity_id)
        if entry is not None:
            self._memory.move_to_end(identity_id)
        else:
            cached = self._store.cached_identities([identity_id]).get(identity_id)
            if cached is None:
                return None
            entry = _Entry(cached.name, cached.is_agent, cached.fetched_at)
            self._remember(identity_id, entry)
        if self._is_stale(entry):
            self._note_stale(identity_id)
        return entry

    # ------------------------------------------------------------------ background requests

    def want(
        self, identity_ids: Iterable[str | None], *, visible: bool = True, view: str = ""
    ) -> None:
        """Resolve these ids in the background (``run`` does it); calls in quick succession are
        taken together, and a newer visible set of a ``view`` replaces its older one not yet
        taken (another view's stays)."""
        ids = _clean(identity_ids)
        if visible:
            self._visible[view] = ids
        else:
            self._offscreen.update(dict.fromkeys(ids))
        self._wake.set()

    def arrived(self, contents: Iterable[Content], live: bool) -> None:
        """Contents were merged: resolve their unknown authors in the next batch. ``live``
        contents are news (a poll, a webhook): their authors are looked for first among the
        newest identities, at the priority of what is on screen; the others in the background,
        by listings only."""
        authors = _clean(content.author_identity_id for content in contents)
        known = self._lookup(authors)
        unknown = dict.fromkeys(i for i in authors if i not in known)
        if not unknown:
            return
        (self._fresh if live else self._history).update(unknown)
        self._wake.set()

    def retry_now(self) -> None:
        """The server answers again: names put back after a failure are asked for at once."""
        self._failures = 0
        self._retry.set()
        self._wake.set()

    async def find_own(self, owner_id: str) -> frozenset[str]:
        """The logged-in user's agent identities (``owner_id`` is the token's owner): at once
        from the store, then from the server (one listing); a UI repaints on the event."""
        self._own = frozenset(self._store.identity_ids_of_user(owner_id))
        page = await self._scheduler.run(
            Priority.VISIBLE,
            lambda: self._client.list_identities(user_id=owner_id, per_page=LIST_PAGE_SIZE),
        )
        # Kept only if the server applied the filter: one that ignored it lists everybody.
        records = [r for r in page.records if r.id and owner_id in r.user_ids]
        self._save(records, self._clock())
        self._own = frozenset(r.id for r in records) or self._own
        if self._own:
            self._events.publish(IdentitiesResolved(tuple(sorted(self._own))))
        return self._own

    async def run(self) -> None:
        """Resolve what ``want`` asked for and refresh stale entries, until cancelled.

        Visible ids and background work go in two lanes, so a screenful of names never waits
        behind a warm-up: the scheduler lets the visible lane's requests go first.
        """
        visible_lane: asyncio.Task[None] | None = None
        background_lane: asyncio.Task[None] | None = None
        first: asyncio.Task[None] | None = None
        # A store that has been filled since (a warm start's sync) knows its authors already.
        if self._bulk_first and not self._store.has_contents():
            first = asyncio.create_task(self._round(self.list_bulk_page(), lambda: None))
        try:
            while True:
                await self._wake.wait()
                await self._sleep(self._coalesce)
                self._wake.clear()
                wanted = any(self._visible.values()) or self._fresh
                if wanted and (visible_lane is None or visible_lane.done()):
                    views, self._visible = self._visible, {}
                    fresh, self._fresh = list(self._fresh), {}
                    visible_lane = asyncio.create_task(self._visible_round(views, fresh))
                if (self._offscreen or self._stale or self._history) and (
                    background_lane is None or background_lane.done()
                ):
                    background_lane = asyncio.create_task(self._background_round())
        finally:
            lanes = [lane for lane in (visible_lane, background_lane, first) if lane is not None]
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)

    async def _visible_round(self, views: dict[str, list[str]], fresh: list[str]) -> None:
        ids = _clean([*(i for ids in views.values() for i in ids), *fresh])

        def retry() -> None:
            for view, wanted in views.items():
                self._visible.setdefault(view, wanted)  # unless a newer set replaced it
            self._fresh.update(dict.fromkeys(fresh))

        await self._round(self.resolve(ids, priority=Priority.VISIBLE, fresh=fresh), retry)

    async def _background_round(self) -> None:
        offscreen = _take(self._offscreen, BACKGROUND_BATCH)
        stale = _take(self._stale, BACKGROUND_BATCH - len(offscreen))
        history = _take(self._history, BACKGROUND_BATCH)

        async def work() -> None:
            if offscreen:
                await self.resolve(offscreen, priority=Priority.BACKGROUND)
            due = [i for i in stale if (e := self._peek(i)) is None or self._is_stale(e)]
            if due:
                await self._fetch(due, Priority.BACKGROUND)
            known = self._lookup(history)
            unknown = [i for i in history if i not in known]
            if unknown:
                await self._fetch(unknown, Priority.BACKGROUND, singly=False)

        def retry() -> None:
            self._offscreen.update(dict.fromkeys(offscreen))
            self._stale.update(dict.fromkeys(stale))
            self._history.update(dict.fromkeys(history))

        await self._round(work(), retry)

    async def _round(self, work: Coroutine[Any, Any, Any], retry: Callable[[], None]) -> None:
        """Run one lane's work; a failure is logged, put back and retried after a backoff."""
        try:
            await work
            self._failures = 0
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._failures += 1
            if isinstance(error, InvalidGrant):
                self._events.publish(LoginRequired(str(error)))
            log.warning("could not resolve identities: %s", error)
            retry()
            delay = min(self._backoff * 2 ** (self._failures - 1), self._max_backoff)
            self._retry.clear()
            await self._pause(delay)
        finally:
            self._wake.set()

    async def _pause(self, delay: float) -> None:
        """Sleep ``delay`` seconds, or less if the server answers again meanwhile."""
        sleeper = asyncio.ensure_future(self._sleep(delay))
        retry = asyncio.ensure_future(self._retry.wait())
        try:
            await asyncio.wait({sleeper, retry}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (sleeper, retry):
                waiter.cancel()
            await asyncio.gather(sleeper, retry, return_exceptions=True)

    async def list_bulk_page(self) -> None:
        """The bulk page: the newest identities, a listing's longest page. A first start's
        authors are mostly on it; asked beside the first page of contents, it travels with it
        (step 2 would ask for it once that page is stored), and a round wanting those names
        joins it rather than asking again."""
        await self._list_page(None, None, Priority.VISIBLE)

    # ------------------------------------------------------------------ resolving now

    async def resolve(
        self,
        identity_ids: Iterable[str | None],
        *,
        priority: Priority = Priority.VISIBLE,
        fresh: Iterable[str] = (),
    ) -> dict[str, str]:
        """Fetch what is unknown among these ids now; returns id -> name for all known after.

        ``fresh`` ids (authors of news) are looked for first on the front page of the listing.
        Stale entries count as known (they are refreshed in the background). A failed request
        raises its ``RCError`` once the others have finished; what they brought is kept.
        """
        ids = _clean(identity_ids)
        known = self._lookup(ids)
        unknown = [i for i in ids if i not in known]
        for identity_id, entry in known.items():
            if self._is_stale(entry):
                self._note_stale(identity_id)
        if unknown:
            if not set(unknown).isdisjoint(fresh) and not self._bulk_due(unknown):
                listed = await self._list_front(priority)
                unknown = [i for i in unknown if i not in listed]
            if unknown:
                await self._fetch(unknown, priority)
            known = self._lookup(ids)
        return {i: known[i].name for i in ids if i in known}

    async def get(self, identity_id: str, *, priority: Priority = Priority.VISIBLE) -> Identity:
        """One identity: the cached one (refreshed in the background when stale), else fetched,
        with one request however many ask at once. An id the server does not know gives an
        identity with nothing but its id."""
        if self._entry(identity_id) is not None:
            return self._stored(identity_id)
        return await self._fetch_one(identity_id, priority)

    def _bulk_due(self, ids: Iterable[str]) -> bool:
        """Whether these unknown ids make the bulk page worth it (it is the front page too,
        ten times as long)."""
        return len(set(ids)) >= BULK_THRESHOLD and not self._listed_lately(None)

    async def _fetch(self, ids: list[str], priority: Priority, *, singly: bool = True) -> None:
        """Fetch these ids whatever the cache holds, with the batch strategy (without its last
        step, one request per id, unless ``singly``)."""
        pending = set(ids)
        # The bulk page in flight (a first start's) most likely brings these too: joined.
        if self._bulk_due(pending) or self._flights.running(("list", None, None)):
            listed, _ = await self._list_page(None, None, priority)
            pending -= listed
        if pending:
            channels = self._channels_to_list(pending)
            outcomes = await asyncio.gather(
                *(
                    self._list_channel(channel, members, priority)
                    for channel, members in channels.items()
                ),
                return_exceptions=True,
            )
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
                pending -= outcome
        if pending and singly:
            outcomes = await asyncio.gather(
                *(self._fetch_one(identity_id, priority) for identity_id in sorted(pending)),
                return_exceptions=True,
            )
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome

    async def _list_front(self, priority: Priority) -> set[str]:
        """The newest identities (one page, never cached: its front is what changes)."""
        wait = self._front_at + FRONT_EVERY - self._clock()
        if wait > 0:
            await self._sleep(wait)

        async def list_front() -> set[str]:
            listed, _ = await self._read_listing(priority, per_page=FRONT_PAGE)
            self._front_at = self._clock()
            return listed

        return await self._join(("front",), list_front)

    def _channels_to_list(self, ids: set[str]) -> dict[str, set[str]]:
        """Channels worth a listing, each with the unknown ids it should bring; an author seen
        on several channels counts for the one with the most unknown authors."""
        channels_of = self._store.author_channels(ids)
        crowd = Counter(channel for channels in channels_of.values() for channel in channels)
        groups: dict[str, set[str]] = {}
        for identity_id, channels in channels_of.items():
            best = max(sorted(channels), key=lambda channel: crowd[channel])
            groups.setdefault(best, set()).add(identity_id)
        return {
            channel: members
            for channel, members in groups.items()
            if len(members) >= CHANNEL_THRESHOLD
        }

    async def _list_channel(self, channel_id: str, ids: set[str], priority: Priority) -> set[str]:
        """Page through one channel's identities while enough of ``ids`` are still missing;
        returns every id the pages brought."""
        pending = set(ids)
        brought: set[str] = set()
        token: str | None = None
        last = self._listings.get(channel_id)
        if last is not None and self._listed_lately(channel_id):
            if last.next_page_token is None:
                return brought  # the whole channel was read lately: these are newer than that
            token = last.next_page_token
        for _ in range(MAX_CHANNEL_PAGES):
            listed, token = await self._list_page(channel_id, token, priority)
            brought |= listed
            pending -= listed
            if len(pending) < CHANNEL_THRESHOLD or token is None:
                break
        return brought

    def _listed_lately(self, channel_id: str | None) -> bool:
        last = self._listings.get(channel_id)
        return last is not None and self._clock() - last.at < RELIST_AFTER

    async def _list_page(
        self, channel_id: str | None, page_token: str | None, priority: Priority
    ) -> tuple[set[str], str | None]:
        async def list_page() -> tuple[set[str], str | None]:
            listed, next_token = await self._read_listing(
                priority, channel_id=channel_id, per_page=LIST_PAGE_SIZE, page_token=page_token
            )
            now = self._clock()
            self._listings[channel_id] = _Listing(now, next_token)
            if channel_id is None and page_token is None:
                self._front_at = now  # the bulk page is the front page, and more
            return listed, next_token

        return await self._join(("list", channel_id, page_token), list_page)

    async def _read_listing(
        self, priority: Priority, **filters: Any
    ) -> tuple[set[str], str | None]:
        """One page of identities, newest-modified first, saved; its ids and the next token."""
        page = await self._scheduler.run(
            priority, lambda: self._client.list_identities(order_by=LIST_ORDER, **filters)
        )
        records = [record for record in page.records if record.id]
        self._save(records, self._clock())
        return {record.id for record in records}, page.next_page_token

    async def group(self, group_id: str, *, priority: Priority = Priority.USER) -> list[Identity]:
        """Every identity of one identity group (a person on each channel they wrote on),
        listed afresh (one request however many ask) and cached; RCError when the server
        cannot be asked."""

        async def list_group() -> None:
            await self._read_listing(priority, identity_group_ids=[group_id], per_page=100)

        await self._join(("group", group_id), list_group)
        return self._store.identities_in_group(group_id)

    async def _fetch_one(self, identity_id: str, priority: Priority) -> Identity:
        async def fetch() -> Identity:
            try:
                identity = await self._scheduler.run(
                    priority, lambda: self._client.get_identity(identity_id)
                )
            except NotFound:
                log.debug("identity %s is not known to the server", identity_id)
                # Gone or never there: keep the last name we had, else show its short id.
                identity = self._stored(identity_id)
            if identity.id != identity_id:
                # The answer is filed under the id that was asked for, whatever it says.
                identity = replace(
                    identity, id=identity_id, raw={**identity.raw, "id": identity_id}
                )
            self._save([identity], self._clock())
            return identity

        return await self._join(("get", identity_id), fetch)

    # ------------------------------------------------------------------ single flight

    async def _join(self, key: Hashable, start: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Await the flight for ``key``, starting it unless one is already under way."""
        return await self._flights.run(start, key)

    async def aclose(self) -> None:
        """Stop the requests still in flight (closing: nobody waits for their names)."""
        await self._flights.cancel()

    # ------------------------------------------------------------------ memory and store

    def _save(self, identities: list[Identity], fetched_at: float) -> None:
        changed = self._store.save_identities(identities, fetched_at)
        for identity in identities:
            if identity.id in self._memory:
                self._memory[identity.id] = _Entry(
                    identity.display_label, identity.is_agent, fetched_at
                )
            self._stale.pop(identity.id, None)
        if changed:
            self._events.publish(IdentitiesResolved(tuple(changed)))

    def _stored(self, identity_id: str) -> Identity:
        identity = self._store.identity(identity_id)
        if identity is None:
            return Identity(id=identity_id, raw={"id": identity_id})
        if identity.id != identity_id:
            return replace(identity, id=identity_id)
        return identity

    def _lookup(self, ids: list[str]) -> dict[str, _Entry]:
        """Entries for these ids from memory, else the store (which fills memory)."""
        found = {i: self._memory[i] for i in ids if i in self._memory}
        for identity_id in found:
            self._memory.move_to_end(identity_id)
        absent = [i for i in ids if i not in found]
        if absent:
            for identity_id, cached in self._store.cached_identities(absent).items():
                entry = _Entry(cached.name, cached.is_agent, cached.fetched_at)
                found[identity_id] = entry
                self._remember(identity_id, entry)
        return found

    def _peek(self, identity_id: str) -> _Entry | None:
        return self._lookup([identity_id]).get(identity_id)

    def _remember(self, identity_id: str, entry: _Entry) -> None:
        self._memory[identity_id] = entry
        self._memory.move_to_end(identity_id)
        while len(self._memory) > self._capacity:
            self._memory.popitem(last=False)

    def _is_stale(self, entry: _Entry) -> bool:
        return self._clock() - entry.fetched_at > self._ttl

    def _note_stale(self, identity_id: str) -> None:
        if identity_id not in self._stale and len(self._stale) < self._capacity:
            self._stale[identity_id] = None
            self._wake.set()


def _clean(identity_ids: Iterable[str | None]) -> list[str]:
    """Distinct, non-empty string ids in the order given."""
    return [i for i in dict.fromkeys(identity_ids) if isinstance(i, str) and i.strip()]


def _take(pending: dict[str, None], count: int) -> list[str]:
    taken = list(pending)[: max(0, count)]
    for identity_id in taken:
        del pending[identity_id]
    return taken
