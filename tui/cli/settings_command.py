"""``loupe settings``: show or change a project's settings and members."""

from __future__ import annotations

import sys

import pandas as pd

from tui.cli import CommandError
from tui.cli.import_command import ProgressBar
from tui.cli.output import add_format_argument, print_frame
from tui.cli.point_options import positive_int
from tui.cli.project_option import add_project_argument, require_writable
from tui.store.project import (
    GAP_CHANGES_SETTING,
    MAX_EXPORT_CAP,
    MAX_GAP_MINUTES,
    MAX_PATH_DAYS,
    check_timezone,
    open_project,
)
from tui.store.importing.keys import FINGERPRINT_SETTING
from tui.store.schema import ROLES
from tui.store.session_gap import GapChange, change_session_gap
from tui.text import printable

WEEK_STARTS = ("monday", "sunday")


def add_arguments(parser) -> None:
    add_project_argument(parser)
    parser.add_argument("--timezone", help="IANA time zone for day boundaries, e.g. Europe/Berlin")
    parser.add_argument("--week-start", choices=WEEK_STARTS, help="first day of a week bucket")
    parser.add_argument(
        "--session-gap", type=int, metavar="MINUTES",
        help="minutes without events that end a session when events carry no session id "
        f"(a change re-keys the sessions of the events already imported; at most {MAX_GAP_MINUTES:,})",
    )
    parser.add_argument(
        "--export-cap", type=int, metavar="USERS",
        help=f"maximum number of users in a users download (at most {MAX_EXPORT_CAP:,})",
    )
    parser.add_argument(
        "--path-max-days", type=positive_int, metavar="DAYS",
        help="maximum days of events that the paths of a data point's users may read, in the microscope "
        f"and in loupe paths (a whole number from 1 to {MAX_PATH_DAYS:,})",
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
    """Check every requested change, then re-key sessions for a new gap first and make the quick changes after.

    So a bad option fails before a long re-keying starts, and Ctrl-C during
    the re-keying leaves every setting as it was. Each change is printed on
    stderr, the gap's by ``describe_gap_change`` and the others as
    ``name: old -> new``.
    """
    members = [_parse_member(item) for item in args.member]
    if args.timezone is not None:
        check_timezone(args.timezone)
    gap = _checked_whole_number(args.session_gap, "--session-gap", MAX_GAP_MINUTES, "minutes")
    changes = {
        "timezone": args.timezone,
        "week_start": args.week_start,
        "export_user_cap": _checked_whole_number(args.export_cap, "--export-cap", MAX_EXPORT_CAP, "users"),
        "path_max_days": _checked_whole_number(args.path_max_days, "--path-max-days", MAX_PATH_DAYS, "days"),
        "current_member": args.current_member,
    }

    requested = [value for value in changes.values() if value is not None]
    if gap is not None or requested or members:
        require_writable(project)

    if gap is not None:
        _change_session_gap(project, gap)
    lines = _set_settings(project, changes) + _set_members(project, members)
    for line in lines:
        print(printable(line), file=sys.stderr)


def _set_settings(project, changes: dict) -> list[str]:
    """Store each setting of ``changes`` that is not None, and return a ``change_line`` for each."""
    lines = []
    for key, value in changes.items():
        if value is None:
            continue
        old = project.setting(key)
        project.set_setting(key, value)
        lines.append(change_line(key, old, value))
    return lines


def _set_members(project, members: list[tuple[str, str]]) -> list[str]:
    """Give each member in ``members`` their role, and return a ``change_line`` for each."""
    lines = []
    for name, role in members:
        # Read one at a time, because --member may name the same person twice.
        old = project.role_of(name)
        project.set_member(name, role)
        lines.append(change_line(f"member {name}", old, role))
    return lines


def change_line(name: str, old, new) -> str:
    """Return the line printed for one changed setting: ``path_max_days: 30 -> 60``.

    A setting set to the value it had reads ``name: value (unchanged)``, and
    one that was never set has ``(not set)`` as its old value.
    """
    if old == new:
        return f"{name}: {new} (unchanged)"
    old_text = "(not set)" if old is None else old
    return f"{name}: {old_text} -> {new}"


def _parse_member(item: str) -> tuple[str, str]:
    name, separator, role = item.partition("=")
    if not separator or not name:
        raise CommandError(f"--member {item!r}: write NAME=ROLE, for example alice=manager.")
    if role not in ROLES:
        raise CommandError(f"--member {item!r}: invalid role {role!r}, use one of {', '.join(ROLES)}.")
    return name, role


def _change_session_gap(project, minutes: int) -> None:
    """Re-key the project's gap sessions to ``minutes``, with a progress bar on a terminal, and print what changed."""
    progress = ProgressBar(sys.stderr, "re-keying sessions") if sys.stderr.isatty() else None
    try:
        change = change_session_gap(project, minutes, progress)
    finally:
        if progress:
            progress.finish()
    print(describe_gap_change(change), file=sys.stderr)


def describe_gap_change(change: GapChange) -> str:
    """Return the lines ``loupe settings`` prints after changing the session gap."""
    lines = [f"session gap: {change.new_minutes} minutes (was {change.old_minutes})"]
    if change.gap_events == 0:
        # Zero sessions before and after would read as a project without sessions.
        lines.append(_no_gap_events_text(change))
        return "\n".join(lines)

    lines += [
        f"events in gap sessions: {change.gap_events:,}",
        f"sessions before: {change.sessions_before:,}",
        f"sessions after: {change.sessions_after:,}",
        f"events whose session changed: {change.changed_events:,}",
    ]
    if change.source_session_events or change.out_of_session_events:
        lines.append(
            f"events the gap does not apply to: {change.source_session_events:,} with a session id "
            f"from the source, {change.out_of_session_events:,} out of session"
        )
    return "\n".join(lines)


def _no_gap_events_text(change: GapChange) -> str:
    """Return why a gap change re-keyed nothing: no events, or none without a session id from the source."""
    total = change.source_session_events + change.out_of_session_events
    if total == 0:
        return "the project has no events yet, so the gap applies to the events you import next"
    if change.out_of_session_events == 0:
        return f"all {total:,} events carry a session id from the source, so the gap splits none of them"
    return (
        f"the gap splits none of the {total:,} events: {change.source_session_events:,} carry a session id "
        f"from the source and {change.out_of_session_events:,} are out of session (session id -1, or none "
        "in a file that has session ids)"
    )


def _checked_whole_number(value: int | None, option: str, maximum: int, unit: str) -> int | None:
    """Return ``value`` after checking it is from 1 to ``maximum``, else raise CommandError naming the range."""
    if value is not None and value <= 0:
        raise CommandError(f"{option} {value}: use a positive whole number.")
    if value is not None and value > maximum:
        raise CommandError(f"{option} {value}: use a whole number of {unit} from 1 to {maximum:,}.")
    return value


def _settings_frame(project) -> pd.DataFrame:
    # The fingerprint of DuckDB's hash function is how imports check their stored keys, and the count of
    # gap changes is how caches notice a re-key. Neither is a user setting.
    internal = (FINGERPRINT_SETTING, GAP_CHANGES_SETTING)
    user_settings = {key: value for key, value in project.all_settings().items() if key not in internal}
    entries = [("setting", key, value) for key, value in sorted(user_settings.items())]
    current = project.current_member()
    entries.append(("setting", "current_member (in effect)", current))
    entries += [("member", name, role) for name, role in project.members()]
    return pd.DataFrame(entries, columns=["kind", "name", "value"])
