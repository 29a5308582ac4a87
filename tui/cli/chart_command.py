"""``loupe chart CHART.json --project P``: print a chart's data points for scripts."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from tui.analytics.catalog import missing_event_types
from tui.analytics.definition import ChartDefinition, DefinitionError, load_chart_file
from tui.analytics.funnel import funnel, funnel_over_time
from tui.analytics.funnel_over_time import WINDOW_OPEN_COLUMN, with_window_state
from tui.analytics.measure_values import non_numeric_note
from tui.analytics.retention import retention
from tui.analytics.segmentation import segmentation
from tui.analytics.sessions import series_names, sessions_chart
from tui.cli import CommandError
from tui.cli.output import add_format_argument, print_frame
from tui.cli.project_option import add_project_argument
from tui.store.project import open_project
from tui.text import printable

# The length of a rolling retention period, by the chart's period.
ROLLING_LENGTHS = {"day": "24-hour", "week": "7-day"}

# The chart function of each chart type.
CHART_FUNCTIONS = {"segmentation": segmentation, "funnel": funnel, "sessions": sessions_chart, "retention": retention}
# Measures whose values are counts: segmentation's users and events, and sessions.
COUNT_MEASURES = ("uniques", "totals", "sessions", "length")
# SPEC §5 names the first five; the rest follow so scripts can read times to convert.
FUNNEL_COLUMNS = ["step", "event", "converted", "dropped", "conversion", "overall", "median_seconds", "average_seconds"]
OUTPUT_COLUMNS = ["series", "segment", "bucket_start", "bucket_end", "value"]
OVER_TIME_COLUMNS = [
    "bucket_start", "bucket_end", "step", "event", "converted", "dropped", "conversion", "overall", WINDOW_OPEN_COLUMN,
]
RETENTION_COLUMNS = [
    "bucket_start", "bucket_end", "period", "cohort_size", "retained", "not_retained", "rate", "complete", "started",
]


def add_arguments(parser) -> None:
    parser.add_argument("chart", type=Path, metavar="CHART.json", help="chart definition file (JSON)")
    add_project_argument(parser, "project file to read events from")
    parser.add_argument(
        "--over-time",
        action="store_true",
        help="funnels: print conversion per bucket of the chart's interval, by the day users entered",
    )
    add_format_argument(parser)


def run(args) -> int:
    try:
        definition = load_chart_file(args.chart)
    except DefinitionError as error:
        raise CommandError(str(error)) from None
    if args.over_time and definition.type != "funnel":
        raise CommandError(f"--over-time: only funnels have conversion over time, and this is a {definition.type} chart.")

    with open_project(args.project) as project:
        cursor = project.cursor()
        try:
            chart = funnel_over_time if args.over_time else CHART_FUNCTIONS[definition.type]
            frame = chart(cursor, definition, project)
            if args.over_time:
                frame = with_window_state(cursor, definition, frame)
            missing = missing_event_types(cursor, chart_events(definition))
            measure_note = non_numeric_note(cursor, definition, project)
        except DefinitionError as error:
            raise CommandError(f"{args.chart}: {error}") from None
        finally:
            cursor.close()

    for name in missing:
        # A misspelt event counts nothing, so the zeros it prints are worth a warning.
        print(printable(f"Warning: no event named {name!r} in this project; its values are 0."), file=sys.stderr)
    if measure_note:
        # Exit status 0 stays, because the zeros are the right sum, but a script's reader should know why.
        print(printable(f"Warning: {measure_note}"), file=sys.stderr)
    note = chart_note(definition, args.over_time)
    if note:
        print(note, file=sys.stderr)
    print_frame(printed_rows(frame, definition, args.over_time), args.format)
    return 0


def chart_events(definition: ChartDefinition) -> list[str]:
    """Return the event names a chart counts: its series, steps, exclusions, or start and return events."""
    specs = [*definition.events, *definition.steps, *(exclusion.event for exclusion in definition.exclude)]
    specs += [spec for spec in (definition.start, definition.return_event) if spec is not None]
    return [spec.event for spec in specs]


def chart_note(definition: ChartDefinition, over_time: bool = False) -> str | None:
    """Return what a reader needs beside the rows: a funnel's window, retention rules, length buckets."""
    if definition.type == "funnel":
        # The window decides every number, so it is always printed.
        note = f"window {definition.window}, {definition.order} order"
        if over_time:
            note += (
                f"; {WINDOW_OPEN_COLUMN} is true for entry buckets where some entrant's window had not ended "
                "by the last event, so their conversion can still rise"
            )
        return note
    if definition.type == "retention":
        mode = "return on or after period N" if definition.mode == "on_or_after" else "return on period N"
        periods = f"rolling {ROLLING_LENGTHS[definition.period]} periods" if definition.rolling else f"calendar {definition.period}s"
        # With on_or_after a return in any later period counted still retains, so every cell waits for the last one.
        if definition.mode == "on_or_after":
            incomplete = "until the chart's last period has ended"
        else:
            incomplete = "for periods that have not ended"
        return (
            f"{mode}, {periods}; complete is false {incomplete} by the last event, "
            "and started is false (with empty retained, not_retained and rate) for periods that had not begun"
        )
    if definition.type == "sessions" and definition.measure == "length":
        # The rows name each length bucket, and the point commands pick one by its number (--series N).
        return "; ".join(f"series {index}: {name}" for index, name in enumerate(series_names(definition)))
    return None


def printed_rows(frame: pd.DataFrame, definition: ChartDefinition, over_time: bool) -> pd.DataFrame:
    """Return the printed columns of a chart's frame for its type."""
    # A grouped funnel prints each row's segment first, as segmentation charts do.
    segment = ["segment"] if definition.type == "funnel" and definition.group_by else []
    if over_time:
        return _iso_times(frame[segment + OVER_TIME_COLUMNS])
    if definition.type == "funnel":
        # Milliseconds are enough, and rounding hides the last digits that parallel sums vary in.
        return frame[segment + FUNNEL_COLUMNS].round({"median_seconds": 3, "average_seconds": 3})
    if definition.type == "retention":
        # A grouped chart prints each row's segment first; an ungrouped one keeps its columns.
        grouped = ["segment"] if definition.group_by else []
        return _iso_times(_blank_unstarted(frame[grouped + RETENTION_COLUMNS]))
    points = data_points(frame, definition.measure)
    if definition.type == "sessions" and definition.measure == "length":
        # A length distribution's series are its length buckets, named as the chart's legend names them.
        names = series_names(definition)
        points["series"] = [names[index] for index in points["series"]]
    return points


def data_points(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Return the printed columns of a segmentation frame, bucket times as ISO 8601 text with the UTC offset."""
    points = _iso_times(frame[OUTPUT_COLUMNS])
    if measure in COUNT_MEASURES:
        # Counts of users and events print as whole numbers, not 48.0.
        points["value"] = points["value"].round().astype("int64")
    return points


def _blank_unstarted(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a retention frame with no counts or rate in cells not started, as the app shows them."""
    # Zeros would claim the whole cohort failed to return in a period that had not begun. The counts
    # become nullable integers, so a blank cell does not turn the others into 1.0.
    started = frame["started"]
    return frame.assign(
        retained=frame["retained"].astype("Int64").where(started),
        not_retained=frame["not_retained"].astype("Int64").where(started),
        rate=frame["rate"].where(started),
    )


def _iso_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with its bucket times as ISO 8601 text with the UTC offset."""
    frame = frame.copy()
    for column in ("bucket_start", "bucket_end"):
        frame[column] = [timestamp.isoformat() for timestamp in frame[column]]
    return frame
