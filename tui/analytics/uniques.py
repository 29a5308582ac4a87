"""The SQL aggregate that counts distinct actors (or groups), picked for speed.

``count(DISTINCT actor_id)`` builds a hash set per group. The alternative
``bit_count(bitstring_agg(actor_id, min, max))`` sets one bit per actor id in a
bitmap per group. Both give the same exact count. On the bench's 10M events
(DuckDB 2.0.1, 2 cores), daily uniques of "Page Viewed" (1.7M events in 60 day
groups, 232k actor ids) took about 250 ms with hash sets and 50 ms with bitmaps.

A bitmap costs ``(max - min) / 8`` bytes per group whatever the number of
rows, so bitmaps are used only while all groups fit in ``BITMAP_BUDGET_BYTES``,
and hash sets win when few rows are counted. A caller that knows how many
distinct (group, id) pairs the same query counted before (``PAIR_COUNTS``) uses
hash sets when the bitmaps would take more than ``BITMAP_BYTES_PER_PAIR`` bytes
per pair. A chart counted by a group type counts ``group_id`` values the same
way, over the ids of ``groups``.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass

import duckdb

# Maximum memory for the per-group bitmaps of one query. Past it, hash sets are used.
BITMAP_BUDGET_BYTES = 64 * 2**20

# Bitmap bytes per distinct (group, id) pair above which hash sets are faster. It was measured
# on the 10M events of bench/bench_segmentation.py (DuckDB 2.0.1, 2 cores, 240k actor ids).
# There bitmaps and hash sets took the same time at about 20 bytes a pair for 60 day groups,
# 12 to 25 for 9 week groups and 25 to 45 for 1,440 hour groups.
BITMAP_BYTES_PER_PAIR = 30


def exact_count_sql(column: str) -> str:
    """Return the hash-set aggregate counting distinct values of ``column``, which takes any id."""
    return f"count(DISTINCT {column})"


COUNT_DISTINCT = exact_count_sql("actor_id")


def actor_id_range(cursor: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """Return the smallest and largest actor id of the project, or None before the first import."""
    # ``actors`` has a row for every actor id that events use, and far fewer rows than ``events``.
    low, high = cursor.execute("SELECT min(actor_id), max(actor_id) FROM actors").fetchone()
    return None if low is None else (int(low), int(high))


def group_id_range(cursor: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """Return the smallest and largest group id of the project, or None when no event named a group."""
    low, high = cursor.execute("SELECT min(group_id), max(group_id) FROM groups").fetchone()
    return None if low is None else (int(low), int(high))


def count_actors_sql(actor_range: tuple[int, int] | None, groups: int) -> str:
    """Return an aggregate counting distinct ``actor_id`` values, for about ``groups`` groups."""
    return count_distinct_sql("actor_id", actor_range, groups)


def count_distinct_sql(column: str, id_range: tuple[int, int] | None, groups: int) -> str:
    """Return an aggregate counting distinct ids in ``column``, for about ``groups`` groups.

    An import that commits after ``id_range`` was read can add an id outside
    it. The bitmap aggregate then makes DuckDB raise OutOfRangeException, so
    callers catch it and run again with ``exact_count_sql(column)``.
    """
    if id_range is None or bitmap_bytes(id_range, groups) > BITMAP_BUDGET_BYTES:
        return exact_count_sql(column)
    low, high = id_range
    return f"bit_count(bitstring_agg({column}, {int(low)}, {int(high)}))"


def bitmap_bytes(id_range: tuple[int, int], groups: int) -> int:
    """Return the bytes of the bitmaps for ``groups`` groups over ``id_range``."""
    low, high = id_range
    return groups * ((high - low) // 8 + 1)


@dataclass(frozen=True)
class PairCount:
    """The distinct (group, id) pairs one query counted, and the project's id range at the time."""

    pairs: int
    id_range: tuple[int, int]

    def prefers_hash_sets(self, groups: int) -> bool:
        """Tell whether hash sets count these pairs faster than bitmaps over this id range would."""
        return BITMAP_BYTES_PER_PAIR * self.pairs < bitmap_bytes(self.id_range, groups)


class PairCounts:
    """The ``PairCount`` of recent queries, by a key naming each query.

    The counts only choose between bitmaps and hash sets, which count the
    same, so a stale count can cost time but never changes a result.
    """

    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._counts: dict[Hashable, PairCount] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> PairCount | None:
        """Return the count last recorded for ``key``, or None."""
        with self._lock:
            return self._counts.get(key)

    def record(self, key: Hashable, count: PairCount) -> None:
        """Store the count of a query, dropping the oldest entry when full."""
        with self._lock:
            self._counts.pop(key, None)
            if len(self._counts) >= self.max_entries:
                del self._counts[next(iter(self._counts))]
            self._counts[key] = count

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)

    def values(self) -> list[PairCount]:
        """Return the recorded counts, oldest first."""
        with self._lock:
            return list(self._counts.values())

    def clear(self) -> None:
        """Forget every recorded count, so the next queries choose their aggregate without one."""
        with self._lock:
            self._counts.clear()


# Shared by the chart queries of every project this process opens.
PAIR_COUNTS = PairCounts()
