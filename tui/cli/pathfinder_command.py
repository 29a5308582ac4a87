"""``loupe pathfinder --project P (--start EVENT | --end EVENT) --from DATE --to DATE``: print the top paths."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from tui.analytics.definition import DateRange, DefinitionError
from tui.analytics.pathfinder import pathfinder_rows
from tui.cli import CommandError
from tui.cli.output import add_format_argument, count_text, print_frame
from tui.cli.path_arguments import add_path_arguments
from tui.cli.project_option import add_project_argument
from tui.store.project import open_project


def add_arguments(parser) -> None:
    add_project_argument(parser, "project file to read events from")
    anchor = parser.add_mutually_exclusive_group(required=True)
    anchor.add_argument(
        "--start", metavar="EVENT", help="print the paths after each user's first EVENT in the range ('*': any event)"
    )
    anchor.add_argument(
        "--end", metavar="EVENT", help="print the paths leading up to each user's first EVENT in the range"
    )
    parser.add_argument(
        "--from", dest="first_day", required=True, type=iso_date, metavar="DATE",
        help="first day of the range, YYYY-MM-DD in the project's time zone",
    )
    parser.add_argument(
        "--to", dest="last_day", required=True, type=iso_date, metavar="DATE",
        help="last day of the range (included), YYYY-MM-DD in the project's time zone",
    )
    add_path_arguments(parser, "steps after the start event or before the end event")
    add_format_argument(parser)


def run(args) -> int:
    date_range = DateRange(args.first_day, args.last_day)
    with open_project(args.project) as project:
        cursor = project.cursor()
        try:
            rows = pathfinder_rows(
                cursor, project, date_range, start=args.start, end=args.end,
                depth=args.depth, top=args.top, keep_repeats=args.keep_repeats,
            )
        except DefinitionError as error:
            raise CommandError(_option_message(str(error))) from None
        finally:
            cursor.close()
        zone = project.timezone
    direction = f"after {args.start!r}" if args.start is not None else f"before {args.end!r}"
    users = int(rows["users"].sum())
    users_text = count_text(users, "users")
    print(f"paths {direction}, {args.first_day} to {args.last_day} in {zone}: {users_text}", file=sys.stderr)
    print_frame(rows, args.format)
    return 0


def iso_date(text: str) -> date:
    """Parse a ``YYYY-MM-DD`` date, for argparse."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date. Write it as YYYY-MM-DD, for example 2024-03-05.") from None


def _option_message(message: str) -> str:
    """Return an analytics error with its key named as the option that sets it (``range`` as ``--from, --to``)."""
    key, separator, rest = message.partition(": ")
    options = {"range": "--from, --to", "start": "--start", "end": "--end", "depth": "--depth", "top": "--top"}
    if not separator or key not in options:
        return message
    return f"{options[key]}: {rest}"
