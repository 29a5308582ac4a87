"""The options that pick a chart's data point.

A segmentation or sessions point is ``--point WHEN [--series N] [--segment
VALUE]``, a funnel point ``--step K [--dropped]`` (with ``--segment VALUE``
on a grouped funnel, and ``--point WHEN`` for the users who entered the
funnel in that bucket, a point of ``loupe chart --over-time``), and a retention point
``--point WHEN --period N [--dropped]`` (with ``--segment VALUE`` on a grouped
chart), ``WHEN`` naming the start cohort. ``WHEN`` is a bucket start as ``loupe
chart`` prints it: a date such as ``2024-03-05`` or a full ISO 8601 timestamp.
Any instant inside a bucket picks that bucket. A date or a time without a UTC
offset is read in the chart's time zone.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import duckdb
import pandas as pd

from tui.analytics.definition import ChartDefinition, DefinitionError, load_chart_file
from tui.analytics.filters import check_cohort
from tui.analytics.funnel import funnel
from tui.analytics.microscope import MicroscopeError
from tui.analytics.point import Point, with_session_span
from tui.analytics.buckets import Buckets
from tui.analytics.retention import retention, retention_query
from tui.analytics.segmentation import chart_buckets, find_bucket, segmentation
from tui.analytics.sessions import series_names, sessions_chart
from tui.cli import CommandError
from tui.store.project import Project, open_project

# The work a command does on its point: (cursor, point, project) -> the frame to print.
PointAction = Callable[[duckdb.DuckDBPyConnection, Point, Project], pd.DataFrame]


def add_point_arguments(parser) -> None:
    """Add ``--point``, ``--series``, ``--segment``, ``--step`` and ``--dropped`` to an argparse parser."""
    parser.add_argument(
        "--point",
        metavar="WHEN",
        help="the data point's bucket start as 'loupe chart' prints it (a date such as 2024-03-05, or a timestamp)",
    )
    parser.add_argument(
        "--series", type=int, default=0, metavar="N", help="the data point's series, 0 for the first (default: 0)"
    )
    parser.add_argument(
        "--segment", default=None, metavar="VALUE", help="the data point's segment, for a chart with a group-by"
    )
    parser.add_argument("--step", type=positive_int, default=None, metavar="K", help="a funnel's step, 1 for the first")
    parser.add_argument(
        "--dropped",
        action="store_true",
        help="a funnel step's dropped-off part, or a retention point's users not retained",
    )
    parser.add_argument(
        "--period", type=non_negative_int, default=None, metavar="N", help="a retention point's period, 0 for the first"
    )


def point_from_args(args, definition: ChartDefinition, project: Any) -> Point:
    """Return the Point that ``args.point``, ``args.series`` and ``args.segment`` name on ``definition``.

    ``project`` gives the settings (time zone, week start) and the events that
    decide which segments exist. Raises CommandError naming the option and value.
    """
    if definition.type == "funnel":
        return _funnel_point(args, definition, project)
    if args.point is None:
        raise CommandError("--point: name the data point's bucket start, as 'loupe chart' prints it.")
    if definition.type == "retention":
        return _retention_point(args, definition, project)
    _check_unused(args, "--step", "--dropped", "--period", reason="it picks a point of a funnel or a retention chart")
    _check_series(args.series, definition)
    _check_chart_cohort(definition, project)
    bucket = _bucket_index(args.point, chart_buckets(definition, project), args.command)
    segment = _checked_segment(args.segment, args.series, definition, project)
    point = Point(definition=definition, series=args.series, segment=segment, bucket=bucket)
    cursor = project.cursor()
    try:
        return with_session_span(cursor, point)
    finally:
        cursor.close()


def run_on_point(args, action: PointAction) -> pd.DataFrame:
    """Load ``args.chart``, open ``args.project``, pick the point the options name and return ``action``'s frame.

    Chart, point and microscope errors become a CommandError naming the value.
    """
    definition = load_point_chart(args.chart)
    with open_project(args.project) as project:
        point = point_from_args(args, definition, project)
        cursor = project.cursor()
        try:
            return action(cursor, point, project)
        except (DefinitionError, MicroscopeError) as error:
            raise CommandError(f"{args.chart}: {error}") from None
        finally:
            cursor.close()


def retention_cell_started(cursor: duckdb.DuckDBPyConnection, point: Point, settings: Any) -> bool:
    """Return False only for a retention point whose period had not begun by the project's last event.

    Such a cell has no users in either part, and its chart row has ``started`` false.
    """
    if point.definition.type != "retention":
        return True
    frame = retention(cursor, point.definition, settings)
    cell = frame[(frame["bucket"] == point.bucket) & (frame["period"] == point.period)]
    if point.segment is not None:
        cell = cell[cell["segment"] == point.segment]
    # A segment the chart's ``segments`` key hides has no row, and then nothing is claimed.
    return cell.empty or bool(cell["started"].any())


def print_not_begun_line(
    cursor: duckdb.DuckDBPyConnection, point: Point, settings: Any, rows: int, noun: str = "users"
) -> None:
    """Print on stderr that a retention point's period has not begun, when that is why it has no ``rows``.

    Without the line, 0 rows would read as a cohort none of whom returned.
    The check runs the retention chart, so it runs only when ``rows`` is 0.
    """
    if rows > 0 or retention_cell_started(cursor, point, settings):
        return
    period_name = point.definition.period.capitalize()
    print(
        f"{period_name} {point.period} has not begun for this cohort by the project's last event, "
        f"so it has no {noun} yet.",
        file=sys.stderr,
    )


def load_point_chart(path: Path) -> ChartDefinition:
    """Return the chart definition in ``path``; raise CommandError naming the problem when it is invalid."""
    try:
        definition = load_chart_file(path)
    except DefinitionError as error:
        raise CommandError(str(error)) from None
    return definition


def local_times(values: pd.Series, zone: str) -> list[str | None]:
    """Return instants as ISO 8601 text in ``zone`` with the UTC offset, as 'loupe chart' prints them."""
    return [None if pd.isna(value) else value.tz_convert(zone).isoformat() for value in values]


def positive_int(text: str) -> int:
    """Parse a whole number of at least 1, for argparse."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def positive_float(text: str) -> float:
    """Parse a number above 0, for argparse."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return value


def non_negative_int(text: str) -> int:
    """Parse a whole number of at least 0, for argparse."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 0")
    return value


def parse_when(text: str) -> date | datetime:
    """Parse ``WHEN``: a ``YYYY-MM-DD`` date, or an ISO 8601 timestamp with or without a UTC offset."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--point: {text!r} is not a date or timestamp. "
            "Give a bucket start as 'loupe chart' prints it, for example 2024-03-05 or 2024-03-05T14:00:00+01:00."
        ) from None


def _funnel_point(args, definition: ChartDefinition, project: Any) -> Point:
    """Return the funnel point ``--step K [--dropped] [--segment VALUE] [--point WHEN]`` names.

    With ``--point`` the point keeps the actors whose counted conversion
    started in that bucket, as ``loupe chart --over-time`` counts them.
    """
    _check_unused(
        args, "--period", reason="a funnel's point is --step K [--dropped] [--segment VALUE] [--point WHEN]"
    )
    if args.series != 0:
        raise CommandError("--series: a funnel has one series. Choose its point with --step K [--dropped].")
    count = len(definition.steps)
    if args.step is None:
        raise CommandError(f"--step: name a funnel step from 1 to {count}, and add --dropped for its drop-off.")
    if args.step > count:
        raise CommandError(f"--step: no step {args.step}. This funnel has steps 1 to {count}.")
    if args.dropped and args.step == 1:
        raise CommandError("--dropped: step 1 has no dropped-off part; every user of the funnel reached it.")
    _check_chart_cohort(definition, project)
    segment = checked_frame_segment(args.segment, definition, project, funnel)
    if args.point is None:
        return Point(definition=definition, step=args.step, dropped=args.dropped, segment=segment)
    bucket = _bucket_index(args.point, chart_buckets(definition, project), args.command)
    return Point(
        definition=definition, step=args.step, dropped=args.dropped, segment=segment, bucket=bucket, over_time=True
    )


def checked_frame_segment(
    segment: str | None, definition: ChartDefinition, project: Any, chart: Callable
) -> str | None:
    """Return ``segment`` after checking it is a segment of the frame ``chart(cursor, definition, project)``.

    A chart with a group-by needs a segment, and one without it takes none.
    Raises CommandError naming ``--segment`` and the segments there are.
    """
    if definition.group_by is None:
        if segment is not None:
            raise CommandError(f"--segment: {segment!r} given, but this chart has no group-by. Leave --segment out.")
        return None

    cursor = project.cursor()
    try:
        segments = list(dict.fromkeys(chart(cursor, definition, project)["segment"]))
    except DefinitionError as error:
        raise CommandError(str(error)) from None
    finally:
        cursor.close()
    if segment is None:
        raise CommandError(
            f"--segment: this chart is grouped by {definition.group_by!r}; name a segment, one of {_listing(segments)}."
        )
    if segment not in segments:
        raise CommandError(f"--segment: no segment {segment!r} in this chart. Segments: {_listing(segments)}.")
    return segment


def _retention_point(args, definition: ChartDefinition, project: Any) -> Point:
    """Return the retention point ``--point WHEN --period N [--dropped] [--segment VALUE]`` names."""
    _check_unused(args, "--step", reason="a retention point is --point WHEN --period N [--dropped] [--segment VALUE]")
    if args.series != 0:
        raise CommandError("--series: a retention chart has one series. Choose its point with --point and --period.")
    if args.period is None:
        raise CommandError(
            f"--period: name a period from 0 to {definition.periods}, and add --dropped for the users not retained."
        )
    if args.period > definition.periods:
        raise CommandError(f"--period: no period {args.period}. This chart has periods 0 to {definition.periods}.")
    _check_chart_cohort(definition, project)
    bucket = _bucket_index(args.point, retention_query(definition, project).cohorts, args.command)
    segment = checked_frame_segment(args.segment, definition, project, retention)
    return Point(definition=definition, bucket=bucket, period=args.period, dropped=args.dropped, segment=segment)


def _check_unused(args, *options: str, reason: str) -> None:
    """Raise CommandError when one of ``options`` was given for a chart type that does not take it."""
    for option in options:
        value = getattr(args, option.lstrip("-").replace("-", "_"))
        if value not in (None, False):
            raise CommandError(f"{option}: not used by this chart; {reason}. Leave {option} out.")


def _check_series(series: int, definition: ChartDefinition) -> None:
    count = len(definition.events) if definition.type == "segmentation" else len(series_names(definition))
    if not 0 <= series < count:
        raise CommandError(f"--series: no series {series}. This chart has series 0 to {count - 1}.")


def _check_chart_cohort(definition: ChartDefinition, project: Any) -> None:
    """Raise CommandError when the chart filters by a cohort the project does not have."""
    if not definition.cohort:
        return
    cursor = project.cursor()
    try:
        check_cohort(cursor, definition.cohort)
    except DefinitionError as error:
        raise CommandError(str(error)) from None
    finally:
        cursor.close()


def _bucket_index(text: str, buckets: Buckets, command: str) -> int:
    """Return the index of the bucket ``--point`` names; one not at a bucket start picks the bucket containing it.

    That choice is printed on stderr after ``loupe COMMAND:``, so the user of
    a script that passed a time inside a bucket can tell which whole bucket
    its output covers.
    """
    when = parse_when(text)
    try:
        index = find_bucket(buckets, when)
    except DefinitionError:
        first = buckets.start(0).isoformat()
        last = buckets.start(len(buckets) - 1).isoformat()
        raise CommandError(
            f"--point: {text!r} is outside the chart's range. Pick a bucket start from {first} to {last}, "
            "as 'loupe chart' prints them."
        ) from None
    start = buckets.start(index)
    instant = pd.Timestamp(when)
    if instant.tzinfo is None:
        # As find_bucket reads it: a local time in the chart's zone.
        instant = instant.tz_localize(buckets.timezone, ambiguous=True, nonexistent="shift_forward")
    if instant != pd.Timestamp(start):
        print(
            f"loupe {command}: --point {text}: not a bucket start, so the bucket containing it is used: "
            f"[{start.isoformat()}, {buckets.end(index).isoformat()}) {buckets.timezone}",
            file=sys.stderr,
        )
    return index


def _checked_segment(segment: str | None, series: int, definition: ChartDefinition, project: Any) -> str | None:
    """Return ``segment`` after checking the chart has it; a chart with a group-by needs one."""
    if definition.group_by is None:
        if segment is not None:
            raise CommandError(f"--segment: {segment!r} given, but this chart has no group-by. Leave --segment out.")
        return None

    segments = _series_segments(definition, series, project)
    if segment is None:
        raise CommandError(
            f"--segment: this chart is grouped by {definition.group_by!r}; name a segment, one of {_listing(segments)}."
        )
    if segment not in segments:
        raise CommandError(f"--segment: no segment {segment!r} in series {series}. Segments: {_listing(segments)}.")
    return segment


def _series_segments(definition: ChartDefinition, series: int, project: Any) -> list[str]:
    """Return the segment labels of one series, in the chart's order."""
    cursor = project.cursor()
    try:
        chart = segmentation if definition.type == "segmentation" else sessions_chart
        frame = chart(cursor, definition, project)
    except DefinitionError as error:
        raise CommandError(str(error)) from None
    finally:
        cursor.close()
    return list(dict.fromkeys(frame.loc[frame["series"] == series, "segment"]))


def _listing(segments: list[str]) -> str:
    return ", ".join(repr(segment) for segment in segments) if segments else "(the series has no events)"
