"""Benchmark a 30-day retention table: Loupe against bare DuckDB and chdb on the same events.

The table has daily start cohorts over the 30 days from 2024-01-16 to
2024-02-14 (UTC) and retention "on" day 0 to day 30 after each cohort's day,
so return events are read up to 2024-03-15. Two charts run: from 'Session
Started' to 'Page Viewed' (the most frequent event), and from any event to
any event, which reads every event of those 60 days.

Loupe runs ``retention()`` on the project that Loupe imported the Parquet file
into. The floor is bare DuckDB on that project file: each actor's first start
event by ``min(client_time)``, then ``count(DISTINCT actor_id)`` of later
return events per (cohort day, day number). The peer, chdb, runs the same
join on its own MergeTree table ``ORDER BY (event_type, event_time)``, merged
into one part. Both ignore ties in ``client_time``, which Loupe breaks by
import order. Every engine must give the same cohort sizes and counts in
every cell, or the script stops. Timings are warm: one untimed run each, then
the best of ``--repeats``.

Usage: ``python bench/bench_retention.py [--events N] [--repeats N] [--keep] [--markdown]``.
"""

from __future__ import annotations

import logging
import resource
from datetime import date, datetime, timedelta, timezone

import pandas as pd

import floor
from bench_segmentation import run_with_peer
from harness import Result, bench_parser, best_of, check_same_answers, parse_bench_arguments
from tui.analytics.definition import parse_chart
from tui.analytics.retention import retention

log = logging.getLogger(__name__)

FIRST_DAY = date(2024, 1, 16)
LAST_DAY = date(2024, 2, 14)
PERIODS = 30
# (start event, return event) of each chart; "*" is any event.
CHARTS = [("Session Started", "Page Viewed"), ("*", "*")]
TARGET_SECONDS = 0.5

Cells = dict[tuple[date, int | None], int]

# Cohort sizes have the period NULL. Days are numbered from 1970-01-01 in UTC.
FLOOR_RETENTION = """
WITH first_starts AS (
    SELECT actor_id, min(client_time) AS start_client_time,
           arg_min(epoch_us(event_time) // 86400000000, client_time) AS cohort_day
    FROM events WHERE {start_event} AND event_time >= ? AND event_time < ?
    GROUP BY actor_id
)
SELECT cohort_day, CAST(NULL AS BIGINT) AS period, count(*) AS actors FROM first_starts GROUP BY cohort_day
UNION ALL
SELECT start.cohort_day, candidate.day - start.cohort_day AS period, count(DISTINCT candidate.actor_id) AS actors
FROM (
    SELECT actor_id, client_time, epoch_us(event_time) // 86400000000 AS day
    FROM events WHERE {return_event} AND event_time >= ? AND event_time < ?
) AS candidate
JOIN first_starts AS start ON candidate.actor_id = start.actor_id
WHERE candidate.client_time > start.start_client_time AND period BETWEEN 0 AND ?
GROUP BY ALL
"""

PEER_RETENTION = """
WITH first_starts AS (
    SELECT actor_id, min(client_time) AS start_client_time, toDate(argMin(event_time, client_time)) AS cohort_day
    FROM bench.events
    WHERE {start_event} AND event_time >= {{start:DateTime64(6, 'UTC')}} AND event_time < {{end:DateTime64(6, 'UTC')}}
    GROUP BY actor_id
)
SELECT cohort_day, CAST(NULL AS Nullable(Int64)) AS period, count() AS actors FROM first_starts GROUP BY cohort_day
UNION ALL
SELECT start.cohort_day AS cohort_day, CAST(dateDiff('day', start.cohort_day, toDate(candidate.event_time)) AS Nullable(Int64))
       AS period, uniqExact(candidate.actor_id) AS actors
FROM (
    SELECT actor_id, client_time, event_time FROM bench.events
    WHERE {return_event} AND event_time >= {{start:DateTime64(6, 'UTC')}}
      AND event_time < {{returns_end:DateTime64(6, 'UTC')}}
) AS candidate
INNER JOIN first_starts AS start ON candidate.actor_id = start.actor_id
WHERE candidate.client_time > start.start_client_time AND period BETWEEN 0 AND {{periods:Int64}}
GROUP BY cohort_day, period
"""


def chart_definition(start: str, returned: str) -> dict:
    """Return the chart, in Loupe's JSON chart format, that every engine computes."""
    return {
        "type": "retention",
        "start": {"event": start},
        "return": {"event": returned},
        "period": "day",
        "periods": PERIODS,
        "mode": "on",
        "range": {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()},
    }


def bounds() -> tuple[datetime, datetime, datetime]:
    """Return the UTC start and end of the cohort range, and the end of the last cohort's last period."""
    start = datetime.combine(FIRST_DAY, datetime.min.time(), timezone.utc)
    end = start + timedelta(days=(LAST_DAY - FIRST_DAY).days + 1)
    return start, end, end + timedelta(days=PERIODS)


def loupe_cells(project, settings: dict, events: tuple[str, str]) -> Cells:
    """Run Loupe's retention on a new cursor, as the app's worker does, and return its cells."""
    cursor = project.cursor()
    try:
        frame = retention(cursor, parse_chart(chart_definition(*events)), settings)
    finally:
        cursor.close()
    cells: Cells = {}
    for row in frame.itertuples():
        day = row.bucket_start.tz_convert("UTC").date()
        cells[(day, row.period)] = int(row.retained)
        cells[(day, None)] = int(row.cohort_size)
    return cells


def floor_cells(cursor, events: tuple[str, str]) -> Cells:
    """Run the bare DuckDB retention query on a UTC cursor and return its cells."""
    start, end, returns_end = bounds()
    (start_event, start_params), (return_event, return_params) = [_floor_event(event) for event in events]
    sql = FLOOR_RETENTION.format(start_event=start_event, return_event=return_event)
    params = start_params + [start, end] + return_params + [start, returns_end, PERIODS]
    rows = cursor.execute(sql, params).fetchall()
    epoch = date(1970, 1, 1)
    return _with_zeros({(epoch + timedelta(days=day), period): actors for day, period, actors in rows})


def peer_cells(session, events: tuple[str, str]) -> Cells:
    """Run the same retention query in chdb and return its cells."""
    start, end, returns_end = bounds()
    sql = PEER_RETENTION.format(
        start_event="1" if events[0] == "*" else "event_type = {start_event:String}",
        return_event="1" if events[1] == "*" else "event_type = {return_event:String}",
    )
    params = {
        "start_event": events[0],
        "return_event": events[1],
        "start": start.strftime("%Y-%m-%d %H:%M:%S"),
        "end": end.strftime("%Y-%m-%d %H:%M:%S"),
        "returns_end": returns_end.strftime("%Y-%m-%d %H:%M:%S"),
        "periods": PERIODS,
    }
    frame = session.query(sql, "DataFrame", params=params)
    cells = {}
    for day, period, actors in zip(frame["cohort_day"], frame["period"], frame["actors"]):
        cells[(pd.Timestamp(day).date(), None if pd.isna(period) else int(period))] = int(actors)
    return _with_zeros(cells)


def _floor_event(event: str) -> tuple[str, list]:
    return ("TRUE", []) if event == "*" else ("event_type = ?", [event])


def _with_zeros(cells: Cells) -> Cells:
    """Add 0 for the cells a query leaves out because no actor returned in them."""
    days = [FIRST_DAY + timedelta(days=offset) for offset in range((LAST_DAY - FIRST_DAY).days + 1)]
    full = {(day, period): 0 for day in days for period in [None, *range(PERIODS + 1)]}
    full.update(cells)
    return full


def cpu_seconds(work) -> float:
    """Run ``work`` once and return the CPU seconds this process spent, over all its threads.

    On a busy machine this varies less than the wall-clock time. Divided by
    the core count, it estimates the wall-clock time on an idle machine for
    work that runs fully in parallel. chdb runs in this process too, so this
    measures every engine.
    """
    before = resource.getrusage(resource.RUSAGE_SELF)
    work()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_chart(project, session, events: tuple[str, str], repeats: int, size: str) -> Result:
    """Time the three engines on one chart's table, after checking that their cells agree."""
    settings = {"timezone": "UTC", "week_start": project.setting("week_start")}
    floor_cursor = floor.utc_cursor(project.con)
    engines = {
        "Loupe": lambda: loupe_cells(project, settings, events),
        "floor": lambda: floor_cells(floor_cursor, events),
        "peer": lambda: peer_cells(session, events),
    }
    try:
        answers = {name: run() for name, run in engines.items()}
        _check_same_answer(label(events), answers)
        seconds = {name: best_of(repeats, run)[0] for name, run in engines.items()}
        for name, run in engines.items():
            log.info("%s used %.2f s of CPU (all threads) in one run of %s", name, cpu_seconds(run), label(events))
    finally:
        floor_cursor.close()

    return Result(
        measure=f"retention {label(events)}, 30 daily cohorts x {PERIODS + 1} days",
        size=size,
        loupe=seconds["Loupe"],
        floor=seconds["floor"],
        peer=seconds["peer"],
        target=f"<= {TARGET_SECONDS} s",
        passed=seconds["Loupe"] <= TARGET_SECONDS,
    )


def label(events: tuple[str, str]) -> str:
    """Return the chart's name in the table, such as 'Session Started' > 'Page Viewed'."""
    return " > ".join("any event" if event == "*" else repr(event) for event in events)


def _check_same_answer(chart: str, answers: dict[str, Cells]) -> None:
    expected = answers["peer"]
    retained = sum(count for (_, period), count in expected.items() if period is not None)
    log.info("chdb: %d cohort actors, %d retained actor-days for %s",
             sum(count for (_, period), count in expected.items() if period is None), retained, chart)
    if retained == 0:
        raise SystemExit(f"chdb found no retained actor for {chart}, so the engines would compare empty "
                         "tables. Pick start and return events that the same actors do.")
    check_same_answers(
        answers, f"{chart} (period None is the cohort size)",
        sort_key=lambda cell: (cell[0], -1 if cell[1] is None else cell[1]),
    )


def main() -> None:
    parser = bench_parser(__doc__, repeats=5)
    args = parse_bench_arguments(parser)

    run_with_peer(
        args, "Retention",
        lambda project, session, size: [bench_chart(project, session, events, args.repeats, size) for events in CHARTS],
    )


if __name__ == "__main__":
    main()
