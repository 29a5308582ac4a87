"""Benchmark Pathfinder on 10M events: the top paths of depth 4 after 'Page Viewed', the most common event.

Loupe runs ``pathfinder()`` (start 'Page Viewed', depth 4, top 5, repeats
collapsed) on the project that ``bench_segmentation.py`` and
``bench_import.py`` build from the generated Parquet file, over two UTC date
ranges: the 30 days from 2024-02-15 (the range hosted tools open Pathfinder
on) and the whole 90 days of the data.

- The floor is bare DuckDB building each user's steps as Loupe does and
  counting the users under every prefix, in one query on the project file.
  It cuts no tree at the top 5 children and builds no node table.
- The peer, chdb, runs the same steps on its own MergeTree table ``ORDER BY
  (event_type, event_time)``, merged into one part. It sorts each user's
  events in the range into one array, cuts it at the first 'Page Viewed' and
  at the next session change, and counts users per prefix. The table has no
  import order, so it orders a user's events by (``client_time``,
  ``event_time``). The generator writes events in time order, so the two
  orders agree.

Every engine must give each event node of Loupe's tree the same users, or
the script stops. Timings are warm: one untimed run each, then the best of
``--repeats`` runs.

The script logs the size of each tree.

Usage: ``python bench/bench_pathfinder.py [--repeats N] [--keep] [--markdown]``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone

import generate
import peer
from bench_microscope import check_paths
from bench_segmentation import build_project
from harness import Result, bench_parser, best_of, fresh_path, parse_bench_arguments, report
from tui.analytics.definition import DateRange
from tui.analytics.pathfinder import pathfinder
from tui.store.project import open_project

log = logging.getLogger(__name__)

EVENTS = 10_000_000
EVENT_TYPE = "Page Viewed"
DEPTH = 4
TOP = 5
TARGET_SECONDS = 1.0
RANGES = [
    DateRange(date(2024, 2, 15), date(2024, 3, 15)),
    DateRange(date(2024, 1, 1), date(2024, 3, 30)),
]

# One integer per event that sorts by client_time, then seq (import order).
FLOOR_ORDER = "(epoch_us(client_time)::HUGEINT * 18446744073709551616 + seq)"

# Per user: the first start event, the events after it up to the first event out of its session, repeats collapsed.
FLOOR_PATHS = f"""
WITH anchors AS (
    SELECT actor_id, min({FLOOR_ORDER}) AS anchor, arg_min_null(session_key, {FLOOR_ORDER}) AS anchor_key
    FROM events WHERE event_type = $event_type AND event_time >= $start AND event_time < $end
    GROUP BY actor_id
),
following AS (
    SELECT * FROM (
        SELECT actor_id, event_type, session_key, {FLOOR_ORDER} AS position, anchor, anchor_key
        FROM events JOIN anchors USING (actor_id) WHERE event_time >= $start AND event_time < $end
    ) WHERE position >= anchor
),
changes AS (
    SELECT actor_id, min(position) AS change FROM following
    WHERE position > anchor AND (anchor_key IS NULL OR session_key IS DISTINCT FROM anchor_key)
    GROUP BY actor_id
),
steps AS (
    SELECT actor_id, list(event_type ORDER BY position)[1:$steps] AS steps
    FROM (
        SELECT actor_id, event_type, position,
               lag(event_type) OVER (PARTITION BY actor_id ORDER BY position) AS previous_type
        FROM following LEFT JOIN changes USING (actor_id) WHERE change IS NULL OR position < change
    )
    WHERE previous_type IS DISTINCT FROM event_type GROUP BY actor_id
)
SELECT steps[1:level] AS prefix, count(*) AS users
FROM (SELECT steps, unnest(range(1, len(steps) + 1)) AS level FROM steps)
GROUP BY prefix
"""

# Per user: events in the range sorted, from the first start event to the next session change, repeats collapsed.
PEER_PATHS = f"""
SELECT prefix, count() AS users
FROM (
    SELECT
        arraySort(event -> (event.1, event.2),
                  groupArray((client_time, event_time, event_type, session_id))) AS ordered,
        arrayFirstIndex(event -> event.3 = {{event_type:String}}, ordered) AS first_index,
        arraySlice(ordered, first_index) AS tail,
        arrayMap(event -> event.4, tail) AS tail_sessions,
        -- The first event after the start that is out of session (-1) or in another session; 0 when none is.
        arrayFirstIndex(session -> session = -1 OR session != tail_sessions[1], arrayPopFront(tail_sessions))
            AS first_break,
        arrayMap(event -> event.3, arraySlice(tail, 1, if(first_break = 0, length(tail), first_break))) AS types,
        arraySlice(arrayFilter((type, previous) -> type != previous, types, arrayPushFront(arrayPopBack(types), '')),
                   1, {{steps:UInt32}}) AS steps
    FROM {peer.TABLE}
    WHERE event_time >= {{start:DateTime64(6, 'UTC')}} AND event_time < {{end:DateTime64(6, 'UTC')}}
      AND actor_id IN (
          SELECT actor_id FROM {peer.TABLE}
          WHERE event_type = {{event_type:String}}
            AND event_time >= {{start:DateTime64(6, 'UTC')}} AND event_time < {{end:DateTime64(6, 'UTC')}})
    GROUP BY actor_id
    HAVING first_index > 0
)
ARRAY JOIN arrayEnumerate(steps) AS level
GROUP BY arraySlice(steps, 1, level) AS prefix
"""


def build_peer(parquet):
    """Load the Parquet file into this script's own chdb MergeTree table and merge it, untimed."""
    session = peer.open_session(fresh_path("peer-pathfinder"))
    peer.insert_file(session, parquet, "parquet")
    peer.merge_parts(session)
    return session


def range_bounds(date_range: DateRange) -> tuple[datetime, datetime]:
    """Return the range as UTC instants ``[start, end)``."""
    start = datetime.combine(date_range.start, time(0), timezone.utc)
    end = datetime.combine(date_range.end + timedelta(days=1), time(0), timezone.utc)
    return start, end


def loupe_paths(project, date_range: DateRange):
    """Run Loupe's Pathfinder on a new cursor, as the app's worker does, and return the tree."""
    cursor = project.cursor()
    try:
        return pathfinder(cursor, {"timezone": "UTC"}, date_range, start=EVENT_TYPE, depth=DEPTH, top=TOP)
    finally:
        cursor.close()


def floor_paths(cursor, start: datetime, end: datetime) -> dict[tuple, int]:
    params = {"event_type": EVENT_TYPE, "steps": DEPTH + 1, "start": start, "end": end}
    return {tuple(prefix): users for prefix, users in cursor.execute(FLOOR_PATHS, params).fetchall()}


def peer_paths(session, start: datetime, end: datetime) -> dict[tuple, int]:
    params = {"event_type": EVENT_TYPE, "steps": DEPTH + 1, "start": _peer_time(start), "end": _peer_time(end)}
    frame = session.query(PEER_PATHS, "DataFrame", params=params)
    return {tuple(prefix): int(users) for prefix, users in zip(frame["prefix"], frame["users"])}


def _peer_time(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M:%S")


def bench_range(project, session, date_range: DateRange, repeats: int) -> Result:
    """Time the three engines on one range, after checking that each gives Loupe's event nodes their users."""
    start, end = range_bounds(date_range)
    cursor = project.cursor()
    try:
        tree = loupe_paths(project, date_range)
        check_paths(tree, floor_paths(cursor, start, end))
        check_paths(tree, peer_paths(session, start, end))
        log.info("%s to %s: %d nodes, %d users, %d paths", date_range.start, date_range.end, len(tree),
                 tree.loc[tree["depth"] == 0, "users"].sum(), (~tree["node_id"].isin(tree["parent_id"])).sum())
        loupe = best_of(repeats, lambda: loupe_paths(project, date_range))[0]
        floor_seconds = best_of(repeats, lambda: floor_paths(cursor, start, end))[0]
        peer_seconds = best_of(repeats, lambda: peer_paths(session, start, end))[0]
    finally:
        cursor.close()
    days = (date_range.end - date_range.start).days + 1
    return Result(
        measure=f"top paths after {EVENT_TYPE!r}, depth {DEPTH}, {days} days",
        size=f"{EVENTS:,} events",
        loupe=loupe,
        floor=floor_seconds,
        peer=peer_seconds,
        target=f"<= {TARGET_SECONDS:.0f} s",
        passed=loupe <= TARGET_SECONDS,
    )


def main() -> None:
    parser = bench_parser(__doc__, repeats=5, events=False)
    args = parse_bench_arguments(parser)

    parquet = generate.generate(EVENTS, formats=("parquet",))["parquet"]
    project = open_project(build_project(parquet, EVENTS, args.keep))
    session = build_peer(parquet)
    try:
        results = [bench_range(project, session, date_range, args.repeats) for date_range in RANGES]
    finally:
        session.close()
        project.close()
    report(f"Pathfinder (warm, best of {args.repeats}; ratios are Loupe's time over the other's)",
           results, args.markdown)


if __name__ == "__main__":
    main()
