"""``loupe stream``: print one user's stream for a data point.

Usage: ``loupe stream CHART.json --project P --point WHEN [--series N] [--segment VALUE] --user ID``.
A chart with a group-by needs ``--segment``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tui.analytics.microscope import find_actor, stream_property_names, user_stream, why_here
from tui.analytics.microscope.streams import STREAM_COLUMNS, check_streams
from tui.analytics.point import point_actor_count, point_label
from tui.cli import CommandError
from tui.cli.output import add_format_argument, count_text, print_frame
from tui.cli.point_options import add_point_arguments, local_times, run_on_point
from tui.cli.project_option import add_project_argument

FIXED_COLUMNS = ["event_time", "event_type", "counted", "session_id"]


def add_arguments(parser) -> None:
    parser.add_argument("chart", type=Path, metavar="CHART.json", help="chart definition file (JSON)")
    add_project_argument(parser, "project file to read events from")
    add_point_arguments(parser)
    parser.add_argument(
        "--user", required=True, metavar="ID", help="the user id, or the device id of a user never identified"
    )
    add_format_argument(parser)


def run(args) -> int:
    frame = run_on_point(args, lambda cursor, point, project: _stream(cursor, point, project, args.user))
    print_frame(frame, args.format)
    return 0


def _stream(cursor, point, project, user: str) -> pd.DataFrame:
    """Return the printed stream of ``user``: the fixed columns, then event properties by name."""
    check_streams(point)
    actor_id = find_actor(cursor, user)
    if actor_id is None:
        raise CommandError(f"--user: no user or device {user!r} in this project. 'loupe users' lists a point's users.")
    if why_here(cursor, point, project, actor_id).empty:
        users = point_actor_count(cursor, point, project)
        raise CommandError(
            f"--user: {user!r} is not one of the point's {count_text(users, 'users')}. 'loupe users' lists them."
        )

    names = sorted(stream_property_names(cursor, point, project, [actor_id]))
    stream = user_stream(cursor, point, project, actor_id, property_names=names)
    stream["event_time"] = local_times(stream["event_time"], point_label(point, project).timezone)
    # The property columns follow the fixed stream columns, in the order of ``names``.
    return stream[FIXED_COLUMNS + list(stream.columns[len(STREAM_COLUMNS):])]
