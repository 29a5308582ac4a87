"""``loupe settings``: show or change a project's settings and members."""

from __future__ import annotations

import sys

import pandas as pd

from tui.cli import CommandError
from tui.cli.output import add_format_argument, print_frame
from tui.store.project import open_project
from tui.store.schema import ROLES

WEEK_STARTS = ("monday", "sunday")


def add_arguments(parser) -> None:
    parser.add_argument("--project", required=True, help="project file (.duckdb)")
    parser.add_argument("--timezone", help="IANA time zone for day boundaries, e.g. Europe/Berlin")
    parser.add_argument("--week-start", choices=WEEK_STARTS, help="first day of a week bucket")
    parser.add_argument(
        "--session-gap", type=int, metavar="MINUTES",
        help="minutes without events that end a session when events carry no session id",
    )
    parser.add_argument(
        "--export-cap", type=int, metavar="USERS", help="maximum number of users in a users download"
    )
    parser.add_argument(
        "--member", action="append", default=[], metavar="NAME=ROLE",
        help=f"add a member or change their role ({', '.join(ROLES)}); repeatable",
    )
    parser.add_argument("--current-member", metavar="NAME", help="act as this member instead of the OS user")
    add_format_argument(parser)


def run(args) -> int:
    with open_project(args.project) as project:
        _apply_changes(project, args)
        print_frame(_settings_frame(project), args.format)
    return 0


def _apply_changes(project, args) -> None:
    changes = {
        "timezone": args.timezone,
        "week_start": args.week_start,
        "session_gap_minutes": _positive(args.session_gap, "--session-gap"),
        "export_user_cap": _positive(args.export_cap, "--export-cap"),
        "current_member": args.current_member,
    }
    for key, value in changes.items():
        if value is not None:
            project.set_setting(key, value)
    if args.session_gap is not None:
        # NOTE: sessions are keyed at import time, so events already imported keep their sessions.
        print(
            "The new session gap applies to events imported from now on; "
            "events already in the project keep their sessions.",
            file=sys.stderr,
        )
    for item in args.member:
        name, separator, role = item.partition("=")
        if not separator or not name:
            raise CommandError(f"--member {item!r}: write NAME=ROLE, for example alice=manager.")
        project.set_member(name, role)


def _positive(value: int | None, option: str) -> int | None:
    if value is not None and value <= 0:
        raise CommandError(f"{option} {value}: use a positive whole number.")
    return value


def _settings_frame(project) -> pd.DataFrame:
    entries = [("setting", key, value) for key, value in sorted(project.all_settings().items())]
    current = project.current_member()
    entries.append(("setting", "current_member (in effect)", current))
    entries += [("member", name, role) for name, role in project.members()]
    return pd.DataFrame(entries, columns=["kind", "name", "value"])
