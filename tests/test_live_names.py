"""Names for customers who write while the engine runs, and for "you" (issue 8, finding 3).

The whole engine against the emulator over loopback: what the list and the open conversation
ask for is resolved without one view taking the other's place; authors of news are found with
one listing per poll, never a request per arrival; the logged-in user's own identities are
known from the start, before any reply is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from engine_helpers import engine, own_identity_ids, until

from rcinbox.api.models import Identity
from rcinbox.emulator import Emulator
from rcinbox.inbox.engine import EngineSettings, Inbox
from rcinbox.inbox.store import ThreadFilter

LIVE = EngineSettings(poll_active=0.3, poll_idle=0.3)
POLL_EVERY_SECOND = EngineSettings(poll_active=1.0, poll_idle=1.0)
SCREEN = 20  # rows a list shows


def identity_requests(emulator: Emulator) -> tuple[int, int]:
    """(listings, one-by-one reads) of identities the emulator answered."""
    requests = emulator.stats.requests
    return requests["GET /identities"], requests["GET /identities/{id}"]


def unnamed_rows(inbox: Inbox) -> list[str]:
    """Customers of the rows on screen that would show as an id fragment (asks for them too,
    as the list does whenever it paints)."""
    rows = inbox.threads(ThreadFilter(), 0, SCREEN)
    return [r.customer_id for r in rows if r.customer_id and inbox.name(r.customer_id) is None]


def true_name(emulator: Emulator, identity_id: str) -> str:
    record = emulator.identity(identity_id)
    assert record is not None
    return Identity.from_json(record).display_label


async def test_customers_who_write_while_the_engine_runs_are_named_with_one_listing_per_poll(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with engine(emulator.url, tmp_path / "inbox.db", settings=POLL_EVERY_SECOND) as inbox:
        await inbox.start(send=False)
        await until(lambda: inbox.store.content_count() > 0 and not unnamed_rows(inbox))
        # The first screen's bulk page and the user's own identities: two listings.
        await until(lambda: identity_requests(emulator)[0] >= 2)
        await asyncio.sleep(1.5)  # past the first polls; everyone on screen is named
        assert identity_requests(emulator) == (2, 0)
        # Now new customers write, three at once.
        listings, reads = identity_requests(emulator)
        polls = emulator.stats.requests["GET /contents"]
        written = [emulator.add_inbound() for _ in range(3)]
        authors = {content["authorIdentityId"] for content in written}
        took = await until(lambda: all(inbox.name(a) is not None for a in authors))
        assert {inbox.name(a) for a in authors} == {true_name(emulator, a) for a in authors}
        assert not unnamed_rows(inbox)
        assert took < 3.0, "an id fragment stayed on screen for seconds"
        assert emulator.stats.requests["GET /contents"] - polls <= 2, "named within a poll or two"
        assert identity_requests(emulator) == (listings + 1, reads), "one batch, not one each"


async def test_a_customer_writing_into_the_open_conversation_is_named_in_both_views(
    emulator: Emulator, tmp_path: Path
) -> None:
    """The list and the open conversation each say what they show: neither set replaces the
    other (before, whichever asked last won, and the other kept its id fragments)."""
    async with engine(emulator.url, tmp_path / "inbox.db", settings=LIVE) as inbox:
        await inbox.start(send=False)
        await until(lambda: inbox.store.content_count() > 0 and not unnamed_rows(inbox))
        # An agent-started thread: the next customer to write in it is a new identity.
        opened = next(
            row for row in inbox.threads(ThreadFilter(), 0, 100) if row.customer_id is None
        )
        written = emulator.add_inbound(opened.id)
        author = written["authorIdentityId"]

        def both_views_ask() -> bool:
            inbox.messages(opened.id)  # the open conversation paints...
            unnamed_rows(inbox)  # ...and so does the list, after it
            # (The simulated customer may be one the store already knows by name: wait for
            # the message itself too.)
            thread = inbox.thread(opened.id)
            arrived = thread is not None and thread.latest_inbound_id == written["id"]
            return arrived and inbox.name(author) is not None

        await until(both_views_ask)
        assert inbox.thread(opened.id).customer_id == author
        assert inbox.name(author) == true_name(emulator, author)


async def test_the_users_own_identities_are_known_before_any_reply(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator(contents=300)
    own = own_identity_ids(emulator)
    assert own, "the seeded data has replies by the user"
    async with engine(emulator.url, tmp_path / "inbox.db", settings=LIVE) as inbox:
        await inbox.start(send=False)
        await until(lambda: all(inbox.is_own(i) for i in own))
        colleagues = {
            c["authorIdentityId"] for c in emulator.contents_where(contentDirection="Outgoing")
        } - own
        assert colleagues and not any(inbox.is_own(i) for i in colleagues)
        assert all(inbox.name(i) for i in own)
    assert emulator.stats.requests["POST /contents"] == 0


async def test_authors_met_in_older_pages_are_named_in_the_background_by_listings_only(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = make_emulator(contents=20_000)
    async with engine(emulator.url, tmp_path / "inbox.db", settings=LIVE) as inbox:
        await inbox.start(poll=False, send=False)
        # The list scrolled a long way down; nothing on screen asks for these names.
        await inbox.ensure_threads(ThreadFilter(), 400)
        authors = {
            c.author_identity_id
            for row in inbox.store.threads_window(ThreadFilter(), 0, 400)
            for c in inbox.store.thread_contents(row.id)
        }
        assert len(authors) > 300

        def unnamed() -> int:
            return sum(inbox.name(a) is None for a in authors)

        await until(lambda: unnamed() < len(authors) / 20, timeout=30)
    listings, reads = identity_requests(emulator)
    assert reads == 0, "no request per author"
    assert listings < len(authors) / 20
