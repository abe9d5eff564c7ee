"""An in-memory collection kept in keyset order, with postings lists for fast filtered pages.

For each sort field (``creationTime``, ``lastModifiedTime``) every item has a key
``(epoch seconds, id)``; the collection keeps one ascending list of keys for all items and one per
indexed value (e.g. per channel id). A page is a bisect to the cursor plus a walk over the
smallest candidate list, checking the other filters per item, so a filtered page of 100 costs about
100 steps however large the collection is. Keys never repeat (the id breaks ties), which is what
makes keyset paging exact while items are added: a cursor names a position, not an offset.

Not thread-safe by itself: the owner (``state.State``) holds one lock around every call.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .clock import epoch

Key = tuple[float, str]
Item = dict[str, Any]
# Index name -> the item's values under it (usually one; none when the field is empty).
Terms = dict[str, tuple[str, ...]]
Indexer = Callable[[Item], Terms]

SORT_FIELDS = ("creationTime", "lastModifiedTime")


class Collection:
    """Items by id, ordered by each sort field, indexed by the values ``indexer`` gives."""

    def __init__(self, indexer: Indexer) -> None:
        self._indexer = indexer
        self._items: dict[str, Item] = {}
        self._keys: dict[str, dict[str, Key]] = {}
        self._terms: dict[str, Terms] = {}
        self._ordered: dict[str, list[Key]] = {name: [] for name in SORT_FIELDS}
        self._postings: dict[str, dict[str, dict[str, list[Key]]]] = {}

    def get(self, item_id: str) -> Item | None:
        return self._items.get(item_id)

    def values(self) -> Iterable[Item]:
        return self._items.values()

    def load(self, items: Iterable[Item]) -> None:
        """Fill an empty collection: one sort per field instead of one insertion per item."""
        for item in items:
            self._items[item["id"]] = item
            self._keys[item["id"]] = _keys_of(item)
            self._terms[item["id"]] = self._indexer(item)
        for name in SORT_FIELDS:
            ordered = self._ordered[name] = sorted(keys[name] for keys in self._keys.values())
            # Appending in key order leaves every postings list sorted without sorting it.
            lists: defaultdict[tuple[str, str], list[Key]] = defaultdict(list)
            for key in ordered:
                for index, values in self._terms[key[1]].items():
                    for value in values:
                        lists[index, value].append(key)
            for (index, value), keys in lists.items():
                by_value = self._postings.setdefault(index, {})
                by_value.setdefault(value, {field: [] for field in SORT_FIELDS})[name] = keys

    def add(self, item: Item) -> None:
        """Insert a new item, or re-file an existing one after its fields changed."""
        if item["id"] in self._items:
            self._unfile(item["id"])
        self._items[item["id"]] = item
        keys = self._keys[item["id"]] = _keys_of(item)
        terms = self._terms[item["id"]] = self._indexer(item)
        for name in SORT_FIELDS:
            insort(self._ordered[name], keys[name])
            for index, values in terms.items():
                for value in values:
                    insort(self._posting(index, value, name), keys[name])

    def page(
        self,
        sort_field: str,
        descending: bool,
        after: Key | None,
        filters: Mapping[str, frozenset[str]],
        predicate: Callable[[Item], bool] | None,
        limit: int,
    ) -> tuple[list[Item], bool]:
        """Up to ``limit`` items past ``after`` that pass every filter, and whether more follow.

        ``filters`` maps an index name to the accepted values (any of them matches); all filters
        must match. ``predicate`` is for what no index covers (text search).
        """
        # Walk the filter with the fewest candidates; check the other filters item by item.
        driver, sources = None, [self._ordered[sort_field]]
        fewest = len(sources[0])
        for index, values in filters.items():
            by_value = self._postings.get(index, {})
            lists = [by_value[value][sort_field] for value in values if value in by_value]
            candidates = sum(map(len, lists))
            if driver is None or candidates < fewest:
                driver, sources, fewest = index, lists, candidates
        walks = [_walk(keys, after, descending) for keys in sources if keys]
        if not walks:
            return [], False
        stream = walks[0] if len(walks) == 1 else heapq.merge(*walks, reverse=descending)
        others = [(index, values) for index, values in filters.items() if index != driver]
        found: list[Item] = []
        previous: Key | None = None
        for key in stream:
            if key == previous:
                continue  # an item filed under two of the driver's values
            previous = key
            terms = self._terms[key[1]]
            if not all(
                any(value in values for value in terms.get(index, ())) for index, values in others
            ):
                continue
            item = self._items[key[1]]
            if predicate is not None and not predicate(item):
                continue
            found.append(item)
            if len(found) > limit:
                return found[:limit], True
        return found, False

    def _posting(self, index: str, value: str, sort_field: str) -> list[Key]:
        by_value = self._postings.setdefault(index, {})
        by_field = by_value.get(value)
        if by_field is None:
            by_field = by_value[value] = {name: [] for name in SORT_FIELDS}
        return by_field[sort_field]

    def _unfile(self, item_id: str) -> None:
        keys, terms = self._keys[item_id], self._terms[item_id]
        for name in SORT_FIELDS:
            _remove(self._ordered[name], keys[name])
            for index, values in terms.items():
                for value in values:
                    _remove(self._posting(index, value, name), keys[name])


def _keys_of(item: Item) -> dict[str, Key]:
    return {name: (epoch(item[name]), item["id"]) for name in SORT_FIELDS}


def _remove(keys: list[Key], key: Key) -> None:
    position = bisect_left(keys, key)
    if position < len(keys) and keys[position] == key:
        del keys[position]


def _walk(keys: list[Key], after: Key | None, descending: bool) -> Iterator[Key]:
    if descending:
        end = len(keys) if after is None else bisect_left(keys, after)
        for position in range(end - 1, -1, -1):
            yield keys[position]
    else:
        start = 0 if after is None else bisect_right(keys, after)
        for position in range(start, len(keys)):
            yield keys[position]
