"""``loupe paths CHART.json --project P --point WHEN``: print the top paths of a point's users."""

from __future__ import annotations

from pathlib import Path

from tui.analytics.microscope import path_rows
from tui.analytics.microscope.paths import DEFAULT_DEPTH, DEFAULT_TOP
from tui.cli.output import add_format_argument, print_frame
from tui.cli.point_options import add_point_arguments, positive_float, positive_int, run_on_point


def add_arguments(parser) -> None:
    parser.add_argument("chart", type=Path, metavar="CHART.json", help="chart definition file (JSON)")
    parser.add_argument("--project", required=True, type=Path, help="project file to read events from")
    add_point_arguments(parser)
    parser.add_argument(
        "--depth", type=positive_int, default=DEFAULT_DEPTH, metavar="N",
        help=f"steps after the chart's event (default: {DEFAULT_DEPTH})",
    )
    parser.add_argument(
        "--top", type=positive_int, default=DEFAULT_TOP, metavar="N",
        help=f"events shown per step before the rest merge into Other (default: {DEFAULT_TOP})",
    )
    parser.add_argument(
        "--keep-repeats", action="store_true", help="keep consecutive repeats of one event as separate steps"
    )
    parser.add_argument(
        "--max-days", type=positive_float, default=None, metavar="DAYS",
        help="maximum point range to read, in days (default: the project setting path_max_days, 30)",
    )
    add_format_argument(parser)


def run(args) -> int:
    def paths(cursor, point, project):
        return path_rows(
            cursor, point, project, depth=args.depth, top=args.top,
            keep_repeats=args.keep_repeats, max_days=args.max_days,
        )

    print_frame(run_on_point(args, paths), args.format)
    return 0
