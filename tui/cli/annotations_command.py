"""``loupe annotations [list|add|release|delete]``: list, add and delete annotations and releases.

Annotations and releases take their ids from one sequence, so ``delete ID``
needs no kind.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from tui.cli import CommandError
from tui.cli.output import FORMATS, print_frame
from tui.cli.project_option import add_project_argument, require_writable
from tui.store.annotations import (
    AnnotationError,
    add_annotation,
    add_release,
    delete_annotation,
    delete_release,
    list_annotations,
    list_releases,
)
from tui.store.project import open_project

# Actions that change the project, so it must not be open for writing elsewhere.
WRITING_ACTIONS = ("add", "release", "delete")
LIST_COLUMNS = ["kind", "id", "day", "last_day", "label", "details", "platforms", "chart", "created_by"]


def add_arguments(parser) -> None:
    _add_common_arguments(parser, None)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    listing = actions.add_parser("list", help="list annotations and releases by day (the default)")
    _add_common_arguments(listing, argparse.SUPPRESS)

    add = actions.add_parser("add", help="add an annotation (needs manager or admin)")
    add.add_argument("day", metavar="DAY", help="the annotated day, YYYY-MM-DD in the project's time zone")
    add.add_argument("label", metavar="LABEL", help="the text drawn beside the marker")
    add.add_argument("--details", default=None, metavar="TEXT", help="a longer note")
    add.add_argument("--chart", default=None, metavar="NAME", help="show it only on this saved chart")
    _add_common_arguments(add, argparse.SUPPRESS)

    release = actions.add_parser("release", help="add a release (needs member or higher)")
    release.add_argument("version", metavar="VERSION", help="the release's version, e.g. 3.2.0")
    release.add_argument("title", metavar="TITLE", help="a short title")
    release.add_argument("--day", required=True, metavar="DAY", help="release day (or first day), YYYY-MM-DD")
    release.add_argument("--last-day", default=None, metavar="DAY", help="last day of a release rolled out over days")
    release.add_argument("--description", default=None, metavar="TEXT", help="what changed")
    release.add_argument(
        "--platform", action="append", default=[], metavar="NAME", help="a platform it shipped on (repeat the option for several)"
    )
    _add_common_arguments(release, argparse.SUPPRESS)

    delete = actions.add_parser("delete", help="delete an annotation or release by id (needs manager or admin)")
    delete.add_argument("id", type=int, metavar="ID", help="the id that 'loupe annotations' lists")
    _add_common_arguments(delete, argparse.SUPPRESS)


def run(args) -> int:
    with open_project(args.project) as project:
        if args.action in WRITING_ACTIONS:
            require_writable(project)
        try:
            _apply(project, args)
        except (AnnotationError, PermissionError) as error:
            raise CommandError(str(error)) from None
        if args.action in (None, "list"):
            print_frame(markers_frame(project), args.format)
    return 0


def markers_frame(project) -> pd.DataFrame:
    """Return every annotation and release, by day, in the printed columns."""
    rows = [
        ("annotation", note.annotation_id, note.day.isoformat(), note.day.isoformat(), note.label,
         note.details, "", note.chart_name, note.created_by)
        for note in list_annotations(project)
    ]
    rows += [
        ("release", release.release_id, release.first_day.isoformat(), release.last_day.isoformat(),
         f"{release.version} {release.title}", release.description, ", ".join(release.platforms), None,
         release.created_by)
        for release in list_releases(project)
    ]
    frame = pd.DataFrame(rows, columns=LIST_COLUMNS)
    return frame.sort_values(["day", "id"], kind="stable", ignore_index=True)


def _apply(project, args) -> None:
    if args.action == "add":
        note = add_annotation(project, args.label, args.day, details=args.details, chart_name=args.chart)
        print(f"Added annotation {note.annotation_id} on {note.day}.", file=sys.stderr)
    elif args.action == "release":
        release = add_release(
            project, args.version, args.title, args.description, args.day, args.last_day, args.platform
        )
        print(f"Added release {release.release_id} ({release.version}).", file=sys.stderr)
    elif args.action == "delete":
        _delete(project, args.id)
        print(f"Deleted {args.id}.", file=sys.stderr)


def _delete(project, object_id: int) -> None:
    if any(note.annotation_id == object_id for note in list_annotations(project)):
        delete_annotation(project, object_id)
    elif any(release.release_id == object_id for release in list_releases(project)):
        delete_release(project, object_id)
    else:
        raise CommandError(f"No annotation or release has id {object_id}: run loupe annotations list to see the ids.")


def _add_common_arguments(parser, default) -> None:
    """Add --project and --format; both may come before or after the action.

    An action's defaults are SUPPRESS, so they do not erase a value given before the action.
    """
    add_project_argument(parser, default=default)
    parser.add_argument(
        "--format", choices=FORMATS, default=default,
        help="output format (default: table on a terminal, csv otherwise)",
    )
