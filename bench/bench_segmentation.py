"""Benchmark a daily-uniques segmentation chart: Loupe against bare DuckDB and chdb on the same events.

The chart counts the unique users of one event per UTC day over 60 days
(2024-01-16 to 2024-03-15) of the generated 90. Loupe runs ``segmentation()``
on a project that Loupe imported the Parquet file into; the floor runs one
``count(DISTINCT actor_id) ... GROUP BY day`` on that project file; the peer,
chdb, runs the same count on its own MergeTree table ``ORDER BY (event_type,
event_time)``, merged into one part. Every engine must give the same count on
every day, or the script stops. Timings are warm: one untimed run each, then
the best of ``--repeats`` rounds in which the engines take turns.

Usage: ``python bench/bench_segmentation.py [--events N] [--repeats N] [--keep | --project PATH] [--markdown]``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import floor
import generate
import peer
from bench_funnel import interleaved_best_of
from bench_import import loupe_import, loupe_project_name
from harness import (
    WORK_DIR,
    Result,
    bench_parser,
    check_same_answers,
    fresh_path,
    parse_bench_arguments,
    report,
    timed,
)
from tui.analytics.definition import parse_chart
from tui.analytics.segmentation import segmentation
from tui.store.project import open_project

log = logging.getLogger(__name__)

FIRST_DAY = date(2024, 1, 16)
LAST_DAY = date(2024, 3, 15)
# The most frequent event (25% of events) and a rare one (0.8%).
EVENTS = ["Page Viewed", "Purchase Completed"]
TARGET_PEER_RATIO = 1.0


def chart_definition(event_type: str) -> dict:
    """Return the chart, in Loupe's JSON chart format, that every engine computes."""
    return {
        "type": "segmentation",
        "events": [{"event": event_type}],
        "measure": "uniques",
        "interval": "day",
        "range": {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()},
    }


def loupe_daily_uniques(project, settings: dict, event_type: str) -> dict[date, int]:
    """Run Loupe's segmentation of ``event_type`` on a new cursor, as the app's worker does, and return users per day."""
    cursor = project.cursor()
    try:
        frame = segmentation(cursor, parse_chart(chart_definition(event_type)), settings)
    finally:
        cursor.close()
    days = frame["bucket_start"].dt.tz_convert("UTC").dt.date
    return dict(zip(days.tolist(), frame["value"].astype("int64").tolist()))


def build_project(parquet: Path, n_events: int, keep: bool) -> Path:
    """Import the Parquet file into a Loupe project, or reuse the one an earlier run built when ``keep``.

    The project has the name ``bench_import.py`` gives its own, so either script can reuse the other's.
    """
    path = WORK_DIR / loupe_project_name("parquet", generate.size_label(n_events))
    if keep and path.exists():
        log.info("reusing %s", path)
        return path
    seconds, imported = timed(lambda: loupe_import(fresh_path(path.name), parquet, "parquet"))
    log.info("Loupe imported %d events in %.1f s", imported, seconds)
    return path


def build_peer(parquet: Path):
    """Load the Parquet file into a chdb MergeTree table and merge it, untimed."""
    session = peer.open_session(fresh_path("peer-segmentation"))
    peer.insert_file(session, parquet, "parquet")
    peer.merge_parts(session)
    return session


def bench_event(project, session, event_type: str, repeats: int, size: str) -> Result:
    """Time the three engines on one event's chart, after checking that their counts agree."""
    # The app reads the settings once when it opens a project, so they are read outside the timed runs.
    settings = {"timezone": project.timezone, "week_start": project.setting("week_start")}
    floor_cursor = floor.utc_cursor(project.con)
    engines = {
        "Loupe": lambda: loupe_daily_uniques(project, settings, event_type),
        "floor": lambda: floor.daily_uniques(floor_cursor, event_type, FIRST_DAY, LAST_DAY),
        "peer": lambda: peer.daily_uniques(session, event_type, FIRST_DAY, LAST_DAY),
    }
    try:
        answers = {name: run() for name, run in engines.items()}
        _check_same_answer(event_type, answers)
        seconds = interleaved_best_of(repeats, engines)
    finally:
        floor_cursor.close()

    return Result(
        measure=f"daily uniques of {event_type!r}, 60 days",
        size=size,
        loupe=seconds["Loupe"],
        floor=seconds["floor"],
        peer=seconds["peer"],
        target=f"<= {TARGET_PEER_RATIO:.1f}x peer",
        passed=seconds["Loupe"] <= TARGET_PEER_RATIO * seconds["peer"],
    )


def _check_same_answer(event_type: str, answers: dict[str, dict[date, int]]) -> None:
    expected = answers["peer"]
    if len(expected) != 60:
        raise SystemExit(f"chdb returned {len(expected)} days for {event_type!r}, expected 60.")
    check_same_answers(answers, f"daily uniques of {event_type!r}")


def main() -> None:
    parser = bench_parser(__doc__, repeats=10)
    parser.add_argument(
        "--project", type=Path,
        help="time this Loupe project instead of importing one; it must hold the generated events of --events",
    )
    args = parse_bench_arguments(parser)

    run_with_peer(
        args, "Segmentation",
        lambda project, session, size: [bench_event(project, session, event, args.repeats, size) for event in EVENTS],
    )


def run_with_peer(args, title: str, bench: Callable, peer_builder: Callable = build_peer) -> None:
    """Open the Loupe project and the chdb table of the generated data, run ``bench`` on both and print its table.

    ``bench(project, session, size)`` returns the rows of the table. A ``project`` argument, when
    the script has that option, names a project to time in place of the imported one.
    """
    parquet = generate.generate(args.events, formats=("parquet",))["parquet"]
    project_path = getattr(args, "project", None) or build_project(parquet, args.events, args.keep)
    log.info("timing Loupe on %s", project_path)
    project = open_project(project_path)
    session = peer_builder(parquet)
    try:
        results = bench(project, session, f"{args.events:,} events")
    finally:
        session.close()
        project.close()
    report(f"{title} (warm, best of {args.repeats}; ratios are Loupe's time over the other's)", results, args.markdown)


if __name__ == "__main__":
    main()
