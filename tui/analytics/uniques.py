"""The SQL aggregate that counts distinct actors (or groups), picked for speed.

``count(DISTINCT actor_id)`` builds a hash set per group. The alternative
``bit_count(bitstring_agg(actor_id, min, max))`` sets one bit per actor id in a
bitmap per group. Both give the same exact count. On the bench's 10M events
(DuckDB 2.0.1, 2 cores), daily uniques of "Page Viewed" (1.7M events in 60 day
groups, 232k actor ids) took about 250 ms with hash sets and 50 ms with bitmaps.
A bitmap costs ``(max - min) / 8`` bytes per group, so it is used only while
all groups fit in ``BITMAP_BUDGET_BYTES``. For a rare event the bitmap costs
about 2 ms more than hash sets, which this choice accepts. A chart counted by
a group type counts ``group_id`` values the same way, over the ids of ``groups``.
"""

from __future__ import annotations

import duckdb

# Maximum memory for the per-group bitmaps of one query. Past it, hash sets are used.
BITMAP_BUDGET_BYTES = 64 * 2**20



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
    it. The bitmap aggregate then makes DuckDB raise OutOfRangeException, so callers
    catch it and run again with ``exact_count_sql(column)``.
    """
    if id_range is None:
        return exact_count_sql(column)
    low, high = id_range
    if groups * ((high - low) // 8 + 1) > BITMAP_BUDGET_BYTES:
        return exact_count_sql(column)
    return f"bit_count(bitstring_agg({column}, {int(low)}, {int(high)}))"
