"""``loupe users CHART.json --project P --point WHEN``: print the users of a data point."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from tui.analytics.microscope import point_users, point_users_count, user_property_names
from tui.analytics.microscope.actor_set import describe_point
from tui.analytics.point import point_label
from tui.cli.output import add_format_argument, count_text, print_frame, printable
from tui.cli.point_options import (
    add_point_arguments, local_times, positive_int, print_not_begun_line, run_on_point,
)
from tui.cli.project_option import add_project_argument


def add_arguments(parser) -> None:
    parser.add_argument("chart", type=Path, metavar="CHART.json", help="chart definition file (JSON)")
    add_project_argument(parser, "project file to read events from")
    add_point_arguments(parser)
    parser.add_argument("--limit", type=positive_int, default=None, metavar="N", help="print at most N users (default: all)")
    add_format_argument(parser)


def run(args) -> int:
    frame = run_on_point(args, lambda cursor, point, project: _users(cursor, point, project, args.limit))
    print_frame(frame, args.format)
    return 0


def _users(cursor, point, project, limit: int | None) -> pd.DataFrame:
    """Return the printed user list of ``point``, and state the point and the counts on stderr."""
    names = user_property_names(cursor, point, project)
    users = point_users(cursor, point, project, limit=limit, property_names=names)
    listed = point_users_count(cursor, point, project)
    # Segment values and event names come from the data, so control characters are escaped.
    print(printable(f"{describe_point(point, project)}: {count_text(listed, 'users')}"), file=sys.stderr)
    if len(users) < listed:
        print(f"Printed the first {len(users)} of {count_text(listed, 'users')} (--limit {limit}).", file=sys.stderr)
    print_not_begun_line(cursor, point, project, listed)

    zone = point_label(point, project).timezone
    for column in ("first_seen", "last_seen"):
        users[column] = local_times(users[column], zone)
    return users.drop(columns=["actor_id"])

