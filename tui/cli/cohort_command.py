"""``loupe cohort create|list|show|delete``: save a data point's users (or groups) as a cohort, and manage cohorts."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from tui.analytics.cohorts import create_cohort_from_point
from tui.cli import CommandError
from tui.cli.output import add_format_argument, count_text, print_frame
from tui.cli.point_options import add_point_arguments, local_times, run_on_point
from tui.cli.project_option import add_project_argument, require_writable
from tui.store.cohorts import (
    Cohort,
    CohortError,
    cohort_groups,
    cohort_members,
    delete_cohort,
    list_cohorts,
    load_cohort,
)
from tui.store.project import open_project

# ``unit`` is what ``size`` counts: ``users``, or ``groups`` for a cohort made from a chart with ``count_by``.
# It comes last, so scripts that read the earlier columns by position keep working.
COHORT_COLUMNS = ["name", "description", "size", "as_of", "created_by", "unit"]


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser(
        "create", help="save the users of a chart's data point as a static cohort (its groups, for a chart with count_by)"
    )
    create.add_argument("name", metavar="NAME", help="cohort name, unique in the project")
    create.add_argument("chart", type=Path, metavar="CHART.json", help="chart definition file (JSON)")
    add_project_argument(create)
    add_point_arguments(create)
    create.add_argument("--description", default=None, metavar="TEXT", help="what the cohort is for")
    add_format_argument(create)

    listing = actions.add_parser("list", help="list cohorts with their sizes")
    add_project_argument(listing)
    add_format_argument(listing)

    show = actions.add_parser("show", help="print a cohort's users (or groups)")
    show.add_argument("name", metavar="NAME", help="cohort name")
    add_project_argument(show)
    add_format_argument(show)

    delete = actions.add_parser("delete", help="delete a cohort")
    delete.add_argument("name", metavar="NAME", help="cohort name")
    add_project_argument(delete)


def run(args) -> int:
    try:
        if args.action == "create":
            print_frame(_create(args), args.format)
        elif args.action == "list":
            with open_project(args.project) as project:
                print_frame(cohort_frame(list_cohorts(project)), args.format)
        elif args.action == "show":
            print_frame(_members(args), args.format)
        else:
            with open_project(args.project) as project:
                require_writable(project)
                delete_cohort(project, args.name)
            print(f"Deleted cohort {args.name!r}.", file=sys.stderr)
    except (CohortError, PermissionError) as error:
        raise CommandError(str(error)) from None
    return 0


def cohort_frame(cohorts: list[Cohort]) -> pd.DataFrame:
    """Return one row per cohort: name, description, size, as_of (ISO 8601), created_by and unit (users or groups)."""
    rows = [
        (cohort.name, cohort.description, cohort.size, cohort.as_of.isoformat(), cohort.created_by, cohort.member_noun)
        for cohort in cohorts
    ]
    return pd.DataFrame(rows, columns=COHORT_COLUMNS)


def _create(args) -> pd.DataFrame:
    def create(cursor, point, project) -> pd.DataFrame:
        require_writable(project)
        cohort = create_cohort_from_point(project, args.name, args.description, point)
        print(f"Created cohort {cohort.name!r} with {count_text(cohort.size, cohort.member_noun)}.", file=sys.stderr)
        return cohort_frame([cohort])

    return run_on_point(args, create)


def _members(args) -> pd.DataFrame:
    """Return a cohort's users (without the internal actor id), or its groups, with times in the project's zone."""
    with open_project(args.project) as project:
        cohort = load_cohort(project, args.name)
        if not cohort.members_are_groups:
            members = cohort_members(project, args.name).drop(columns=["actor_id"])
        else:
            members = cohort_groups(project, args.name)
        zone = project.timezone
    size = count_text(cohort.size, cohort.member_noun)
    print(f"Cohort {cohort.name!r}: {size} as of {cohort.as_of.isoformat()}.", file=sys.stderr)
    for column in ("first_seen", "last_seen", "first_time"):
        if column in members:
            members[column] = local_times(members[column], zone)
    return members


