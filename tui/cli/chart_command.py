"""``loupe chart CHART.json --project P``: print a chart's data points for scripts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tui.analytics.definition import DefinitionError, load_chart_file
from tui.analytics.segmentation import segmentation
from tui.cli import CommandError
from tui.cli.output import add_format_argument, print_frame
from tui.store.project import open_project

COUNT_MEASURES = ("uniques", "totals")
OUTPUT_COLUMNS = ["series", "segment", "bucket_start", "bucket_end", "value"]


def add_arguments(parser) -> None:
    parser.add_argument("chart", type=Path, metavar="CHART.json", help="chart definition file (JSON)")
    parser.add_argument("--project", required=True, type=Path, help="project file to read events from")
    add_format_argument(parser)


def run(args) -> int:
    try:
        definition = load_chart_file(args.chart)
    except DefinitionError as error:
        raise CommandError(str(error)) from None
    if definition.type != "segmentation":
        raise CommandError(
            f"{args.chart}: {definition.type} charts cannot be printed yet. "
            "loupe chart prints event segmentation charts only."
        )

    with open_project(args.project) as project:
        cursor = project.cursor()
        try:
            frame = segmentation(cursor, definition, project)
        except DefinitionError as error:
            raise CommandError(f"{args.chart}: {error}") from None
        finally:
            cursor.close()

    print_frame(data_points(frame, definition.measure), args.format)
    return 0


def data_points(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Return the printed columns of a segmentation frame, bucket times as ISO 8601 text with the UTC offset."""
    points = frame[OUTPUT_COLUMNS].copy()
    for column in ("bucket_start", "bucket_end"):
        points[column] = [timestamp.isoformat() for timestamp in points[column]]
    if measure in COUNT_MEASURES:
        # Counts of users and events print as whole numbers, not 48.0.
        points["value"] = points["value"].round().astype("int64")
    return points

