"""``loupe paths CHART.json --project P POINT``: print the top paths of a point's users."""

from __future__ import annotations

import math
from pathlib import Path

from tui.analytics.microscope import path_rows
from tui.analytics.microscope.paths import PathRangeError
from tui.cli import CommandError
from tui.cli.output import add_format_argument, print_frame
from tui.cli.path_arguments import add_path_arguments
from tui.cli.point_options import add_point_arguments, positive_float, print_not_begun_line, run_on_point
from tui.cli.project_option import add_project_argument


def add_arguments(parser) -> None:
    parser.add_argument("chart", type=Path, metavar="CHART.json", help="chart definition file (JSON)")
    add_project_argument(parser, "project file to read events from")
    add_point_arguments(parser)
    add_path_arguments(parser, "steps after the chart's event")
    parser.add_argument(
        "--max-days", type=positive_float, default=None, metavar="DAYS",
        help="maximum days of events the report may read: the point's bucket, plus a funnel's conversion window "
        "or the time a sessions or retention point reads after it (default: the project setting path_max_days, 30)",
    )
    add_format_argument(parser)


def run(args) -> int:
    def paths(cursor, point, project):
        try:
            rows = path_rows(
                cursor, point, project, depth=args.depth, top=args.top,
                keep_repeats=args.keep_repeats, max_days=args.max_days,
            )
        except PathRangeError as error:
            raise CommandError(
                f"{args.chart}: {error} Use --max-days {math.ceil(error.days)} to allow it, or pick a shorter point."
            ) from None
        print_not_begun_line(cursor, point, project, len(rows))
        return rows

    print_frame(run_on_point(args, paths), args.format)
    return 0
