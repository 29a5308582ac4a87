"""Benchmark a sessions-per-day chart: Loupe against bare DuckDB and chdb on the same events.

The chart counts the sessions that start on each UTC day over the 30 days
from 2024-02-01 to 2024-03-01. Loupe runs ``sessions_chart()`` on the project
that Loupe imported the Parquet file into. A session's events may lie beyond
the range. So every engine reads the in-session events within the project's
maximum session span of the range, groups them by session and keeps the
sessions whose earliest event falls in the range. The span is found once,
untimed, as the app keeps it between imports.

- The floor runs that as one bare DuckDB query on the project file, grouping
  by the ``session_key`` Loupe stored at import.
- The peer, chdb, runs it on its own MergeTree table ``ORDER BY (event_type,
  event_time)``, merged into one part, grouping by (actor, ``session_id``),
  as the generated events all carry a session id (``-1`` out of session).

Every engine must give the same count on every day, or the script stops.
Timings are warm: one untimed run each, then the best of ``--repeats`` runs.
A second row times finding the maximum session span, which the first
sessions chart after opening a project or importing pays once.

Usage: ``python bench/bench_sessions.py [--events N] [--repeats N] [--keep] [--markdown]``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone

import floor
import peer
from bench_segmentation import run_with_peer
from harness import Result, bench_parser, best_of, check_same_answers, fresh_path, parse_bench_arguments, timed
from tui.analytics.definition import parse_chart
from tui.analytics.session_span import SPAN_SQL
from tui.analytics.sessions import sessions_chart

log = logging.getLogger(__name__)

FIRST_DAY = date(2024, 2, 1)
LAST_DAY = date(2024, 3, 1)
DAYS = (LAST_DAY - FIRST_DAY).days + 1
EPOCH_DAY = date(1970, 1, 1)
TARGET_SECONDS = 0.3

# UTC days as whole days since 1970, by integer division: per-row time zone arithmetic would cost more.
FLOOR_SESSIONS = """
SELECT epoch_us(first_time) // 86400000000 AS day, count(*) AS sessions
FROM (
    SELECT session_key, min(event_time) AS first_time FROM events
    WHERE session_key IS NOT NULL AND event_time >= ? AND event_time < ?
    GROUP BY session_key
)
WHERE first_time >= ? AND first_time < ?
GROUP BY day
"""

PEER_SESSIONS = f"""
SELECT toDate(first_time, 'UTC') AS day, count() AS sessions
FROM (
    SELECT actor_id, session_id, min(event_time) AS first_time FROM {peer.TABLE}
    WHERE session_id != -1
      AND event_time >= {{window_start:DateTime64(6, 'UTC')}} AND event_time < {{window_end:DateTime64(6, 'UTC')}}
    GROUP BY actor_id, session_id
)
WHERE first_time >= {{start:DateTime64(6, 'UTC')}} AND first_time < {{end:DateTime64(6, 'UTC')}}
GROUP BY day
"""


def chart_definition() -> dict:
    """Return the chart, in Loupe's JSON chart format, that every engine computes."""
    return {
        "type": "sessions",
        "measure": "sessions",
        "interval": "day",
        "range": {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()},
    }


def range_bounds() -> tuple[datetime, datetime]:
    """Return the chart's range as UTC instants ``[start, end)``."""
    start = datetime.combine(FIRST_DAY, time(0), timezone.utc)
    return start, start + timedelta(days=DAYS)


def loupe_sessions_per_day(project, settings: dict) -> dict[date, int]:
    """Run Loupe's sessions chart on a new cursor, as the app's worker does, and return sessions per day."""
    cursor = project.cursor()
    try:
        frame = sessions_chart(cursor, parse_chart(chart_definition()), settings)
    finally:
        cursor.close()
    return {start.tz_convert("UTC").date(): int(value) for start, value in zip(frame["bucket_start"], frame["value"])}


def floor_sessions_per_day(cursor, span: timedelta) -> dict[date, int]:
    start, end = range_bounds()
    rows = cursor.execute(FLOOR_SESSIONS, [start - span, end + span, start, end]).fetchall()
    return {EPOCH_DAY + timedelta(days=day): sessions for day, sessions in rows}


def peer_sessions_per_day(session, span: timedelta) -> dict[date, int]:
    start, end = range_bounds()
    params = {name: value.strftime("%Y-%m-%d %H:%M:%S.%f") for name, value in {
        "window_start": start - span, "window_end": end + span, "start": start, "end": end}.items()}
    frame = session.query(PEER_SESSIONS, "DataFrame", params=params)
    return {_as_date(day): int(sessions) for day, sessions in zip(frame["day"], frame["sessions"])}


def _as_date(value) -> date:
    """Return a chdb ``Date`` cell, which comes back as a pandas timestamp or as text, as a date."""
    return value.date() if hasattr(value, "date") else date.fromisoformat(str(value)[:10])


def build_peer(parquet):
    """Load the Parquet file into a chdb MergeTree table of its own and merge it, untimed."""
    session = peer.open_session(fresh_path("peer-sessions"))
    peer.insert_file(session, parquet, "parquet")
    peer.merge_parts(session)
    return session


def bench_sessions(project, session, repeats: int, size: str) -> list[Result]:
    """Time the three engines on sessions per day, after checking that their counts agree."""
    # The app reads the settings once when it opens a project, so they are read outside the timed runs.
    settings = {"timezone": project.timezone, "week_start": project.setting("week_start")}
    floor_cursor = floor.utc_cursor(project.con)
    try:
        # Loupe finds the same span in its untimed first run, and keeps it for the timed ones.
        span_seconds, span_us = timed(lambda: floor_cursor.execute(SPAN_SQL).fetchone()[0])
        span = timedelta(microseconds=span_us)
        log.info("maximum session span: %s (found in %.2f s)", span, span_seconds)
        engines = {
            "Loupe": lambda: loupe_sessions_per_day(project, settings),
            "floor": lambda: floor_sessions_per_day(floor_cursor, span),
            "peer": lambda: peer_sessions_per_day(session, span),
        }
        answers = {name: run() for name, run in engines.items()}
        _check_same_answer(answers)
        seconds = {name: best_of(repeats, run)[0] for name, run in engines.items()}
    finally:
        floor_cursor.close()

    chart = Result(
        measure=f"sessions per day, {DAYS} days",
        size=size,
        loupe=seconds["Loupe"],
        floor=seconds["floor"],
        peer=seconds["peer"],
        target=f"<= {TARGET_SECONDS * 1000:.0f} ms",
        passed=seconds["Loupe"] <= TARGET_SECONDS,
    )
    span_row = Result(measure=f"maximum session span ({span_us / 1e6:,.0f} s), once per import", size=size,
                      loupe=span_seconds)
    return [chart, span_row]


def _check_same_answer(answers: dict[str, dict[date, int]]) -> None:
    expected = answers["peer"]
    if len(expected) != DAYS:
        raise SystemExit(f"chdb returned {len(expected)} days, expected {DAYS}.")
    check_same_answers(answers, "sessions per day")


def main() -> None:
    parser = bench_parser(__doc__, repeats=10)
    args = parse_bench_arguments(parser)

    run_with_peer(
        args, "Sessions", lambda project, session, size: bench_sessions(project, session, args.repeats, size),
        peer_builder=build_peer,
    )


if __name__ == "__main__":
    main()
