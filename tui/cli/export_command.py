"""``loupe export users|groups CHART.json --project P --point WHEN --out FILE.csv``: the microscope's downloads."""

from __future__ import annotations

import sys
from pathlib import Path

from tui.analytics.export import (
    DestinationExistsError,
    ExportError,
    ExportResult,
    cap_warning,
    export_users,
    users_notice,
)
from tui.analytics.groups import groups_csv
from tui.cli import CommandError
from tui.cli.output import count_text
from tui.cli.point_options import add_point_arguments, positive_int, print_not_begun_line, run_on_point
from tui.cli.project_option import add_project_argument


def add_arguments(parser) -> None:
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    users = kinds.add_parser("users", help="write a data point's users with their latest user properties as CSV")
    _add_export_arguments(users, "users")
    groups = kinds.add_parser(
        "groups", help="write the groups of a data point of a chart counted by a group type (count_by) as CSV"
    )
    _add_export_arguments(groups, "groups")


def _add_export_arguments(parser, noun: str) -> None:
    parser.add_argument("chart", type=Path, metavar="CHART.json", help="chart definition file (JSON)")
    add_project_argument(parser, "project file to read events from")
    add_point_arguments(parser)
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.csv", help="CSV file to write")
    parser.add_argument("--force", action="store_true", help="replace FILE.csv if it exists")
    # A users download of a chart counted by groups has a row per (user, group), and the cap counts those rows.
    rows = "rows: users, or (user, group) pairs on a chart counted by groups" if noun == "users" else noun
    parser.add_argument(
        "--cap", type=positive_int, default=None, metavar="N",
        help=f"write at most N {rows} (default: the project's export cap, 1,000,000 unless changed)",
    )


def run(args) -> int:
    write = groups_csv if args.kind == "groups" else export_users

    def export(cursor, point, project) -> tuple[ExportResult, str | None]:
        try:
            result = write(cursor, point, project, args.out, cap=args.cap, overwrite=args.force)
        except DestinationExistsError:
            # The library message names no option; on the command line, overwriting is --force.
            raise CommandError(f"{args.out} already exists: choose another file name, or pass --force to replace it.") from None
        except ExportError as error:
            raise CommandError(str(error)) from None
        print_not_begun_line(cursor, point, project, result.total, result.noun)
        # The download dialog's note, which on a chart counted by groups also describes what a row contains.
        notice = users_notice(point) if args.kind == "users" else None
        return result, notice

    result, notice = run_on_point(args, export)
    # The noun is rows, not users, when each row is one user and one group.
    print(f"Wrote {result.rows} of {count_text(result.total, result.noun)} to {result.path}.")
    if notice:
        print(notice, file=sys.stderr)
    # The limit came from --cap when it was given, so that is what to raise.
    how_to_raise = "raise it with a larger --cap" if args.cap is not None else "raise it with loupe settings --export-cap"
    warning = cap_warning(result, how_to_raise)
    if warning:
        print(f"Warning: {warning}", file=sys.stderr)
    return 0
