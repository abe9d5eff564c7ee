"""Identities: the names of customers and agents, cached with the time they were fetched."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from rcinbox.api.models import Identity
from rcinbox.inbox.store.base import (
    Tables,
)
from rcinbox.inbox.store.storable import storable_json
from rcinbox.inbox.types import (
    CachedIdentity,
)


class IdentityTables(Tables):
    """Identities, with the time each was fetched (the directory's TTL)."""

    def save_identities(self, identities: Iterable[Identity], fetched_at: float) -> list[str]:
        """Cache identities; returns the ids whose displayed name is new or changed."""
        changed: list[str] = []
        with self.transaction() as db:
            for identity in identities:
                raw, repaired = storable_json(identity.raw)
                if repaired is not None:
                    identity = Identity.from_json(repaired)
                if not identity.id:
                    continue
                name = identity.display_label
                old = db.execute(
                    "SELECT name FROM identities WHERE id = ?", (identity.id,)
                ).fetchone()
                db.execute(
                    "INSERT INTO identities (id, name, is_agent, raw, fetched_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
                    " is_agent = excluded.is_agent, raw = excluded.raw,"
                    " fetched_at = excluded.fetched_at",
                    (
                        identity.id,
                        name,
                        int(identity.is_agent),
                        raw,
                        fetched_at,
                    ),
                )
                if old is None or old[0] != name:
                    changed.append(identity.id)
        return changed

    def cached_identities(self, ids: Iterable[str]) -> dict[str, CachedIdentity]:
        ids = list(dict.fromkeys(ids))
        found: dict[str, CachedIdentity] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT id, name, is_agent, fetched_at FROM identities WHERE id IN ({marks})",
                chunk,
            ):
                found[row[0]] = CachedIdentity(row[0], row[1], bool(row[2]), row[3])
        return found

    def identity_ids_of_user(self, user_id: str) -> list[str]:
        """Cached identities a user (an agent's extension id) may write as."""
        rows = self._db.execute(
            "SELECT i.id FROM identities AS i, json_each(i.raw, '$.userIds') AS u"
            " WHERE u.value = ? ORDER BY i.id",
            (user_id,),
        ).fetchall()
        return [row[0] for row in rows]

    def identity(self, identity_id: str) -> Identity | None:
        row = self._db.execute("SELECT raw FROM identities WHERE id = ?", (identity_id,)).fetchone()
        return Identity.from_json(json.loads(row[0])) if row else None

    def unresolved_author_ids(self, thread_ids: Sequence[str]) -> list[str]:
        """Authors of these threads' contents that have no cached identity."""
        if not thread_ids:
            return []
        marks = ",".join("?" * len(thread_ids))
        rows = self._db.execute(
            "SELECT DISTINCT c.author_identity_id FROM contents AS c"
            " LEFT JOIN identities AS i ON i.id = c.author_identity_id"
            f" WHERE c.thread_id IN ({marks}) AND c.author_identity_id IS NOT NULL"
            " AND i.id IS NULL",
            list(thread_ids),
        ).fetchall()
        return [row[0] for row in rows]

    def author_channels(self, identity_ids: Iterable[str]) -> dict[str, set[str]]:
        """The channels each identity wrote on, or was written to on as a thread's customer,
        as far as the stored contents show; identities the store never saw are left out."""
        ids = list(dict.fromkeys(identity_ids))
        found: dict[str, set[str]] = {}
        for start in range(0, len(ids), 400):
            chunk = ids[start : start + 400]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT a.author_identity_id, c.channel_id FROM thread_authors AS a"
                " JOIN contents AS c ON c.thread_id = a.thread_id"
                " AND c.author_identity_id = a.author_identity_id"
                f" WHERE a.author_identity_id IN ({marks}) AND c.channel_id <> ''"
                " UNION SELECT customer_id, channel_id FROM threads"
                f" WHERE customer_id IN ({marks}) AND channel_id <> ''",
                chunk + chunk,
            )
            for identity_id, channel_id in rows:
                found.setdefault(identity_id, set()).add(channel_id)
        return found

    def identities_in_group(self, group_id: str) -> list[Identity]:
        """Cached identities of one identity group (one person on several channels), oldest
        first."""
        rows = self._db.execute(
            "SELECT raw FROM identities WHERE json_extract(raw, '$.identityGroupId') = ?"
            " ORDER BY json_extract(raw, '$.creationTime'), id",
            (group_id,),
        ).fetchall()
        return [Identity.from_json(json.loads(row[0])) for row in rows]
