"""The SQL aggregate that counts distinct actors, picked for speed.

``count(DISTINCT actor_id)`` builds a hash set per group. The alternative
``bit_count(bitstring_agg(actor_id, min, max))`` sets one bit per actor id in a
bitmap per group. Both give the same exact count. On the bench's 10M events
(DuckDB 2.0.1, 2 cores), daily uniques of "Page Viewed" (1.7M events in 60 day
groups, 232k actor ids) took about 250 ms with hash sets and 50 ms with bitmaps.
A bitmap costs ``(max - min) / 8`` bytes per group, so it is used only while
all groups fit in ``BITMAP_BUDGET_BYTES``. For a rare event the bitmap costs
about 2 ms more than hash sets, which this choice accepts.
"""

from __future__ import annotations

import duckdb

# Maximum memory for the per-group bitmaps of one query. Past it, hash sets are used.
BITMAP_BUDGET_BYTES = 64 * 2**20

COUNT_DISTINCT = "count(DISTINCT actor_id)"


def actor_id_range(cursor: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """Return the smallest and largest actor id of the project, or None before the first import."""
    # ``actors`` has a row for every actor id that events use, and far fewer rows than ``events``.
    low, high = cursor.execute("SELECT min(actor_id), max(actor_id) FROM actors").fetchone()
    return None if low is None else (int(low), int(high))


def count_actors_sql(actor_range: tuple[int, int] | None, groups: int) -> str:
    """Return an aggregate counting distinct ``actor_id`` values, for about ``groups`` groups.

    An import that commits after ``actor_range`` was read can add an actor id outside
    it. The bitmap aggregate then makes DuckDB raise OutOfRangeException, so callers
    catch it and run again with ``COUNT_DISTINCT``.
    """
    if actor_range is None:
        return COUNT_DISTINCT
    low, high = actor_range
    if groups * ((high - low) // 8 + 1) > BITMAP_BUDGET_BYTES:
        return COUNT_DISTINCT
    return f"bit_count(bitstring_agg(actor_id, {int(low)}, {int(high)}))"
