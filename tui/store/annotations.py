"""Annotations and releases: dated notes drawn as markers on a chart's time axis.

- An annotation is a label (and optional details) on one day, for event
  segmentation and user sessions charts, as in hosted analytics tools. Adding
  or deleting one needs the manager or admin role. One with a ``chart_name``
  shows only on that saved chart; one without shows on every chart.
- A release is a product change: version, title, description, a day or a
  range of days, and platforms. It shows on every time chart. Adding one needs
  the member role or higher (a viewer only views); deleting one needs manager
  or admin.

Days are calendar dates in the project's time zone, the same days a chart's
buckets are cut on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

import pandas as pd

from tui.store.saved_objects import can_change, checkpoint, connection_of, require_role

log = logging.getLogger(__name__)

# Chart types that take annotations.
ANNOTATED_CHART_TYPES = ("segmentation", "sessions")
# Long enough for a sentence, short enough to sit beside a marker.
MAX_LABEL_LENGTH = 200
MARKER_COLUMNS = ["kind", "day", "last_day", "label"]


class AnnotationError(ValueError):
    """An annotation or release is invalid or not found; the message names the value and the fix."""


@dataclass(frozen=True)
class Annotation:
    """One row of ``annotations``."""

    annotation_id: int
    label: str
    details: str | None
    day: date
    chart_name: str | None
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class Release:
    """One row of ``releases``; ``first_day`` equals ``last_day`` for a one-day release."""

    release_id: int
    version: str
    title: str
    description: str | None
    first_day: date
    last_day: date
    platforms: tuple[str, ...]
    created_by: str | None
    created_at: datetime


# Annotations ------------------------------------------------------------------


def can_annotate(project, chart_type: str | None = None) -> tuple[bool, str]:
    """Return whether the current member may annotate a chart of ``chart_type`` (None: any), and why not."""
    if chart_type is not None and chart_type not in ANNOTATED_CHART_TYPES:
        return False, _chart_type_reason(chart_type)
    return can_change(project, "manager", "Add annotation")


def add_annotation(
    project,
    label: str,
    day: date | datetime | str,
    details: str | None = None,
    chart_name: str | None = None,
    chart_type: str | None = None,
) -> Annotation:
    """Add an annotation on ``day``; raise PermissionError unless the current member is manager or admin.

    ``chart_type`` is the type of the chart it is added from, when there is
    one: only event segmentation and user sessions charts take annotations.
    """
    if chart_type is not None and chart_type not in ANNOTATED_CHART_TYPES:
        raise AnnotationError(_chart_type_reason(chart_type))
    created_by = require_role(project, "manager", "Add annotation")
    label = _check_text(label, "Annotation label")
    annotation_id = _next_id(project)
    project.con.execute(
        "INSERT INTO annotations (annotation_id, label, details, day, chart_name, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, now())",
        [annotation_id, label, details or None, parse_day(day, "day"), chart_name, created_by],
    )
    checkpoint(project)
    log.info("added annotation %d %r", annotation_id, label)
    return _find(project, _ANNOTATIONS, annotation_id)


def list_annotations(source) -> list[Annotation]:
    """Return every annotation, by day."""
    return _list(source, _ANNOTATIONS)


def delete_annotation(project, annotation_id: int) -> None:
    """Delete an annotation; needs manager or admin. Raises AnnotationError when there is no such id."""
    _delete(project, _ANNOTATIONS, annotation_id, "Delete annotation")


# Releases -------------------------------------------------------------------


def can_add_release(project) -> tuple[bool, str]:
    """Return whether the current member may create a release (member or higher), and why not."""
    return can_change(project, "member", "Create release")


def add_release(
    project,
    version: str,
    title: str,
    description: str | None,
    first_day: date | datetime | str,
    last_day: date | datetime | str | None = None,
    platforms: tuple[str, ...] | list[str] = (),
) -> Release:
    """Add a release from ``first_day`` to ``last_day`` (default: the same day); needs member or higher."""
    created_by = require_role(project, "member", "Create release")
    version = _check_text(version, "Release version")
    title = _check_text(title, "Release title")
    first = parse_day(first_day, "first_day")
    last = first if last_day is None else parse_day(last_day, "last_day")
    if last < first:
        raise AnnotationError(f"Release {version}: last day {last} is before first day {first}. Swap them.")
    cleaned_platforms = [_check_text(platform, "Release platform") for platform in platforms]

    release_id = _next_id(project)
    project.con.execute(
        "INSERT INTO releases (release_id, version, title, description, first_day, last_day, platforms, "
        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, now())",
        [release_id, version, title, description or None, first, last, cleaned_platforms, created_by],
    )
    checkpoint(project)
    log.info("added release %d %r", release_id, version)
    return _find(project, _RELEASES, release_id)


def list_releases(source) -> list[Release]:
    """Return every release, by first day."""
    return _list(source, _RELEASES)


def delete_release(project, release_id: int) -> None:
    """Delete a release; needs manager or admin. Raises AnnotationError when there is no such id."""
    _delete(project, _RELEASES, release_id, "Delete release")


# Markers --------------------------------------------------------------------


def markers_in_range(source, first_day: date, last_day: date, chart_name: str | None = None) -> pd.DataFrame:
    """Return the markers to draw on days ``first_day`` to ``last_day`` (both included), by day.

    Columns: ``kind`` (``annotation`` or ``release``), ``day``, ``last_day``
    (dates; ``last_day`` equals ``day`` except for a release over several days)
    and ``label``.
    Annotations of other saved charts than ``chart_name`` are left out.
    """
    first, last = parse_day(first_day, "first_day"), parse_day(last_day, "last_day")
    rows = connection_of(source).execute(
        """
        SELECT 'annotation' AS kind, day, day AS last_day, label FROM annotations
        WHERE day BETWEEN ? AND ? AND (chart_name IS NULL OR chart_name = ?)
        UNION ALL
        SELECT 'release', first_day, last_day, version || ' ' || title FROM releases
        WHERE first_day <= ? AND last_day >= ?
        ORDER BY day, kind, label
        """,
        [first, last, chart_name, last, first],
    ).fetchall()
    # Built from Python rows, so ``day`` and ``last_day`` stay ``datetime.date`` values.
    return pd.DataFrame(rows, columns=MARKER_COLUMNS)


def parse_day(value: Any, name: str) -> date:
    """Return ``value`` (a date, a datetime, or ``YYYY-MM-DD`` text) as a date; raise AnnotationError naming ``name``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise AnnotationError(f"{name} {value!r} is not a date: write it as YYYY-MM-DD, for example 2024-03-05.")




def _chart_type_reason(chart_type: str) -> str:
    return f"Add annotation: only event segmentation and user sessions charts take annotations, not {chart_type} charts."


def _next_id(project) -> int:
    return project.con.execute("SELECT nextval('object_ids')").fetchall()[0][0]


def _check_text(value: str, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise AnnotationError(f"{what} is empty: type some text.")
    if len(cleaned) > MAX_LABEL_LENGTH:
        raise AnnotationError(f"{what} is {len(cleaned)} characters long: use at most {MAX_LABEL_LENGTH}.")
    return cleaned


@dataclass(frozen=True)
class _Kind:
    """How annotations or releases are stored: table, id column, selected columns, list order, row conversion."""

    name: str
    table: str
    id_column: str
    columns: str
    order: str
    convert: Callable[[tuple], Any]


def _list(source, kind: _Kind) -> list:
    rows = connection_of(source).execute(f"SELECT {kind.columns} FROM {kind.table} ORDER BY {kind.order}").fetchall()
    return [kind.convert(row) for row in rows]


def _find(source, kind: _Kind, object_id: int):
    rows = connection_of(source).execute(
        f"SELECT {kind.columns} FROM {kind.table} WHERE {kind.id_column} = ?", [object_id]
    ).fetchall()
    if not rows:
        raise AnnotationError(f"No {kind.name} has id {object_id}: list them with loupe annotations --project P.")
    return kind.convert(rows[0])


def _delete(project, kind: _Kind, object_id: int, action: str) -> None:
    require_role(project, "manager", action)
    _find(project, kind, object_id)
    project.con.execute(f"DELETE FROM {kind.table} WHERE {kind.id_column} = ?", [object_id])
    checkpoint(project)
    log.info("deleted %s %d", kind.name, object_id)


def _to_annotation(row: tuple) -> Annotation:
    return Annotation(*row)


def _to_release(row: tuple) -> Release:
    release_id, version, title, description, first_day, last_day, platforms, created_by, created_at = row
    return Release(
        release_id=release_id,
        version=version,
        title=title,
        description=description,
        first_day=first_day,
        last_day=last_day,
        platforms=tuple(platforms or ()),
        created_by=created_by,
        created_at=created_at,
    )


_ANNOTATIONS = _Kind(
    name="annotation",
    table="annotations",
    id_column="annotation_id",
    columns="annotation_id, label, details, day, chart_name, created_by, created_at",
    order="day, annotation_id",
    convert=_to_annotation,
)
_RELEASES = _Kind(
    name="release",
    table="releases",
    id_column="release_id",
    columns="release_id, version, title, description, first_day, last_day, platforms, created_by, created_at",
    order="first_day, release_id",
    convert=_to_release,
)
