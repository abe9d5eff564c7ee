"""Windows of the conversation list, read by keyset: the cost follows the window, not its depth.

``LIMIT 50 OFFSET n`` walks n index entries before the first row it returns: 6.5 ms for the last
window of a million-content store. A keyset read seeks to the row above the window instead,
``(latest_at, id) < (?, ?)``, and costs the same at any depth (:meth:`threads_after`).

A list that asks by position (``threads_window(offset)``: the TUI's scrollbar can jump anywhere)
is answered by keyset too: every :data:`ANCHOR_STEP`-th row's key is kept per filter, read in one
pass the first time a deep window is asked for after the threads changed, so a window costs a
seek to the nearest anchor and fewer than :data:`ANCHOR_STEP` index steps. Windows near either
end need no anchors: the top is read forwards, the bottom backwards.

The wait sort (``ThreadOrder.WAITING``, the triage view's) has anchors too, of its whole key
(an expression index's columns): a deep window is read on from its anchor range by range, each
a seek of that index (:meth:`_ordered_ids_after`). A thread's place in it is counted by a
condition spelled out key by key (:meth:`_ordered_position`).
"""

from __future__ import annotations

import bisect
from typing import Any

from rcinbox.inbox.store.base import THREAD_SELECT, Tables, thread_row
from rcinbox.inbox.types import ThreadFilter, ThreadOrder, ThreadRow

ANCHOR_STEP = 512

# The columns of a thread row, read from the filtered, ordered subquery ``t``.
_WINDOW = THREAD_SELECT.replace("FROM threads AS t", "FROM ({inner}) AS t")


class WindowTables(Tables):
    """Keyset windows of threads in latest-activity order (newest first)."""

    _kept_anchors: dict[ThreadFilter, tuple[tuple[int, int], list[tuple[Any, ...]]]]

    def threads_after(
        self, where: ThreadFilter, after: tuple[float, str] | None, limit: int
    ) -> list[ThreadRow]:
        """``limit`` threads below the row keyed ``after`` = (latest_at as epoch, id), in list
        order; from the top when ``after`` is None."""
        return self._window(where, after, 0, limit)

    def thread_key(self, thread_id: str) -> tuple[float, str] | None:
        """The thread's place in the list's order, (latest_at, id), for the keyset reads."""
        row = self._db.execute(
            "SELECT latest_at, id FROM threads WHERE id = ?", (thread_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def threads_before(
        self, where: ThreadFilter, before: tuple[float, str], limit: int
    ) -> list[ThreadRow]:
        """``limit`` threads above the row keyed ``before``, in list order (scrolling up)."""
        clause, params = where.where()
        joiner = "AND" if clause else "WHERE"
        inner = (
            f"SELECT * FROM threads {clause} {joiner} (latest_at, id) > (?, ?)"
            " ORDER BY latest_at, id LIMIT ?"
        )
        rows = self._db.execute(
            _WINDOW.format(inner=inner) + " ORDER BY t.latest_at DESC, t.id DESC",
            (*params, *before, limit),
        ).fetchall()
        return [thread_row(row) for row in rows]

    def threads_window(self, where: ThreadFilter, offset: int, limit: int) -> list[ThreadRow]:
        """``limit`` threads from position ``offset`` in latest-activity order, names joined
        in; by keyset from the nearest anchor (see the module)."""
        offset = max(offset, 0)
        if where.order is not ThreadOrder.LATEST:
            return self._ordered_window(where, offset, limit)
        if offset < ANCHOR_STEP:
            return self._window(where, None, offset, limit)
        below = self.thread_count(where) - offset - limit
        if limit + min(below, 0) <= 0:
            return []
        if below < ANCHOR_STEP:
            # Near the bottom: read the window backwards from the last row.
            clause, params = where.where()
            inner = f"SELECT * FROM threads {clause} ORDER BY latest_at, id LIMIT ? OFFSET ?"
            rows = self._db.execute(
                _WINDOW.format(inner=inner) + " ORDER BY t.latest_at DESC, t.id DESC",
                (*params, limit + min(below, 0), max(below, 0)),
            ).fetchall()
            return [thread_row(row) for row in rows]
        anchors = self._anchors(where)
        index = offset // ANCHOR_STEP
        if index == 0 or index > len(anchors):
            return self._window(where, None, offset, limit)
        # anchors[i] is the key of row (i + 1) * ANCHOR_STEP - 1: the row above position
        # (i + 1) * ANCHOR_STEP.
        return self._window(where, anchors[index - 1], offset % ANCHOR_STEP, limit)

    def thread_position(self, where: ThreadFilter, thread_id: str) -> int | None:
        """Where ``thread_id`` stands in the filter's order, so a selection can follow it:
        the rows above it, counted from the nearest anchor above it."""
        if where.order is not ThreadOrder.LATEST:
            return self._ordered_position(where, thread_id)
        key = self.thread_key(thread_id)
        if key is None:
            return None
        clause, params = where.where()
        joiner = "AND" if clause else "WHERE"
        count_above = f"SELECT COUNT(*) FROM threads {clause} {joiner} (latest_at, id) > (?, ?)"
        if self.thread_count(where) < 2 * ANCHOR_STEP:
            return self._db.execute(count_above, (*params, *key)).fetchone()[0]
        anchors = self._anchors(where)
        # Anchors run newest first: those above the thread are a prefix.
        above = bisect.bisect_left(anchors, 0, key=lambda anchor: -1 if anchor > key else 0)
        if above == 0:
            return self._db.execute(count_above, (*params, *key)).fetchone()[0]
        between = self._db.execute(
            f"{count_above} AND (latest_at, id) < (?, ?)", (*params, *key, *anchors[above - 1])
        ).fetchone()[0]
        # anchors[above - 1] is the row at position above * ANCHOR_STEP - 1.
        return above * ANCHOR_STEP + between

    def _ordered_window(self, where: ThreadFilter, offset: int, limit: int) -> list[ThreadRow]:
        """``limit`` threads from ``offset`` in an order other than latest activity: past the
        first anchor, read on from the nearest anchor above the window (see the module)."""
        if offset >= ANCHOR_STEP:
            anchors = self._anchors(where)
            index = min(offset // ANCHOR_STEP, len(anchors))
            # anchors[i] is the key of row (i + 1) * ANCHOR_STEP - 1.
            if index and None not in anchors[index - 1]:
                skip = offset - index * ANCHOR_STEP
                ids = self._ordered_ids_after(where, anchors[index - 1], skip + limit)[skip:]
                return self.threads_by_ids(ids)
        clause, params = where.where()
        inner = f"SELECT * FROM threads {clause} ORDER BY {where.order_by()} LIMIT ? OFFSET ?"
        rows = self._db.execute(
            _WINDOW.format(inner=inner) + f" ORDER BY {where.order_by('t')}",
            (*params, limit, offset),
        ).fetchall()
        return [thread_row(row) for row in rows]

    def _ordered_ids_after(
        self, where: ThreadFilter, values: tuple[Any, ...], count: int
    ) -> list[str]:
        """The ids of the ``count`` threads after the sort key ``values`` in the filter's order.

        Neither a row value nor a condition spelled out with OR lets SQLite seek an expression
        index (the wait sort's): it scanned from the top, 17 ms for the last window of 166,000
        threads. The rows after a key are instead read as the ranges the index holds them in,
        one after the other: same first keys and a later last one, then a later key before it,
        and so on up to a later first key. Each range is a seek, read in index order."""
        clause, params = where.where()
        joiner = "AND" if clause else "WHERE"
        keys, descending = where.order_keys()
        later, way = ("<", " DESC") if descending else (">", "")
        ids: list[str] = []
        for depth in range(len(keys) - 1, -1, -1):
            same = [f"{key} = ?" for key in keys[:depth]]
            condition = " AND ".join([*same, f"{keys[depth]} {later} ?"])
            order = ", ".join(key + way for key in keys[depth:])
            rows = self._db.execute(
                f"SELECT id FROM threads {clause} {joiner} {condition} ORDER BY {order} LIMIT ?",
                (*params, *values[: depth + 1], count - len(ids)),
            ).fetchall()
            ids += [row[0] for row in rows]
            if len(ids) >= count:
                break
        return ids

    def _anchors(self, where: ThreadFilter) -> list[tuple[Any, ...]]:
        """Every ANCHOR_STEP-th row's whole sort key in the filter's order ((latest_at, id) in
        the list's usual one); read again once anything was written (by this connection, or
        committed by another)."""
        version = (
            self._db.total_changes,
            self._db.execute("PRAGMA data_version").fetchone()[0],
        )
        kept = self._kept_anchors.get(where)
        if kept is not None and kept[0] == version:
            return kept[1]
        clause, params = where.where()
        keys, _ = where.order_keys()
        named = ", ".join(f"{key} AS k{i}" for i, key in enumerate(keys))
        rows = self._db.execute(
            f"SELECT {', '.join(f'k{i}' for i in range(len(keys)))} FROM (SELECT {named},"
            f" row_number() OVER (ORDER BY {where.order_by()}) AS n FROM threads {clause})"
            " WHERE n % ? = 0",
            (*params, ANCHOR_STEP),
        ).fetchall()
        anchors = [tuple(row) for row in rows]
        self._kept_anchors[where] = (version, anchors)
        return anchors

    def _order_place(
        self, where: ThreadFilter, thread_id: str, *, after: bool
    ) -> tuple[str, tuple[object, ...]] | None:
        """The condition "comes before (or, ``after``, after) ``thread_id`` in the filter's
        order", as SQL on ``threads`` and its parameters; None when there is no such thread."""
        keys, _ = where.order_keys()
        values = self._db.execute(
            f"SELECT {', '.join(keys)} FROM threads WHERE id = ?", (thread_id,)
        ).fetchone()
        if values is None:
            return None
        return self._values_place(where, tuple(values), after=after)

    def _values_place(
        self, where: ThreadFilter, values: tuple[Any, ...], *, after: bool
    ) -> tuple[str, tuple[object, ...]]:
        """The condition "comes before (or, ``after``, after) the row whose sort key is
        ``values``" in the filter's order, as SQL on ``threads`` and its parameters."""
        keys, descending = where.order_keys()
        comparison = ">" if descending != after else "<"
        # Spelled out rather than as a row value: SQLite then reads the order's index for each
        # part (an expression index included) instead of scanning every thread.
        condition = f"{keys[-1]} {comparison} ?"
        params: list[object] = [values[-1]]
        for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
            condition = f"{key} {comparison} ? OR ({key} = ? AND ({condition}))"
            params[:0] = [value, value]
        return f"({condition})", tuple(params)

    def _ordered_position(self, where: ThreadFilter, thread_id: str) -> int | None:
        """Where ``thread_id`` stands in a filter's order other than latest activity."""
        place = self._order_place(where, thread_id, after=False)
        if place is None:
            return None
        clause, params = where.where()
        return self._db.execute(
            f"SELECT COUNT(*) FROM threads {clause} AND {place[0]}", (*params, *place[1])
        ).fetchone()[0]

    def _window(
        self, where: ThreadFilter, after: tuple[float, str] | None, skip: int, limit: int
    ) -> list[ThreadRow]:
        clause, params = where.where()
        args: list[Any] = list(params)
        if after is not None:
            clause += f" {'AND' if clause else 'WHERE'} (latest_at, id) < (?, ?)"
            args += after
        inner = f"SELECT * FROM threads {clause} ORDER BY latest_at DESC, id DESC LIMIT ? OFFSET ?"
        rows = self._db.execute(
            _WINDOW.format(inner=inner) + " ORDER BY t.latest_at DESC, t.id DESC",
            (*args, limit, skip),
        ).fetchall()
        return [thread_row(row) for row in rows]
