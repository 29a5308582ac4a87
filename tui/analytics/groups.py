"""The groups of a point counted by a group type, or of a group set: the list, properties, each group's users, the CSV.

A chart with ``count_by: "group:TYPE"`` gives its point's events one row per
(event, group of that type), with the group's ``group_id``. A ``GroupSet``
contains such rows too: a point's, one part of a comparison of two points, or a
conversion driver's. Everything here reads those rows, so the number of
groups listed is the set's count of groups, and for a point the chart's
count, whatever the chart type, as long as its point events carry
``group_id``.

``first_time`` and ``creator_id`` are the group's own, from the first event
that named it anywhere in the project, not from the point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Union

import duckdb
import pandas as pd

# The module, not its names: export loads the microscope package, whose compare module loads this one, so
# when export is imported first its names do not exist yet.
from tui.analytics import export
from tui.analytics.filters import Fragment
from tui.analytics.interruptible import Cancel, Progress
from tui.analytics.microscope.actor_set import ActorSet, MicroscopeError, events_actor_set, point_actor_set
from tui.analytics.microscope.list_page import count_rows, page_clause
from tui.analytics.point import Point, point_events
from tui.analytics.segmentation_groups import group_type
from tui.analytics.users_csv import csv_lines_sql, text_cell_sql
from tui.store.users import DISPLAY_ID

GROUP_COLUMNS = [
    "group_id", "group_type", "group_name", "first_time", "creator_id", "events_in_point", "users_in_point",
]
SORT_COLUMNS = tuple(GROUP_COLUMNS)
CSV_COLUMNS = ("group_id", "group_name", "first_time", "creator_id")


@dataclass(frozen=True)
class GroupSet:
    """A set of groups of one type, the events that put each group in it, and the range those events come from.

    ``events`` selects rows of ``events`` (every column but ``dedupe_key``)
    with ``group_id``, one row per (event, group), as a group-counted point's
    events are. The set's groups are the distinct ``group_id`` of those rows,
    and a group's users are the actors of its rows. ``start``, ``end``,
    ``anchor`` and ``chart_types`` are those of an ActorSet and pass on to
    the users of each group.
    """

    label: str
    group_type: str
    events: Fragment
    start: datetime
    end: datetime
    anchor: str = "first"
    chart_types: tuple[str, ...] = ()


GroupTarget = Union[Point, GroupSet]


def counts_groups(point: Point) -> bool:
    """Tell whether ``point``'s chart counts groups (``count_by: "group:TYPE"``), so its events carry ``group_id``."""
    return bool(point.definition.count_by)


def point_group_events(point: Point, settings: Any) -> Fragment:
    """Return the events of ``point``, one row per (event, group) with ``group_id``; raise MicroscopeError without groups."""
    if not isinstance(point, Point) or not counts_groups(point):
        raise MicroscopeError(
            "count_by: this chart counts users, so its points have no groups. "
            "Set count_by to 'group:TYPE' (for example 'group:company') to list a point's groups."
        )
    return point_events(point, settings)


def lists_groups(target: Any) -> bool:
    """Tell whether ``target`` is made of groups: a group set, or a point of a chart counted by groups."""
    return isinstance(target, GroupSet) or (isinstance(target, Point) and counts_groups(target))


def as_group_set(target: GroupTarget, settings: Any) -> GroupSet:
    """Return ``target`` as a GroupSet, making a point the set of its groups; raise MicroscopeError without groups."""
    if isinstance(target, GroupSet):
        return target
    events = point_group_events(target, settings)
    point_set = point_actor_set(target, settings)
    return GroupSet(
        label=point_set.label,
        group_type=group_type(target.definition.count_by),
        events=events,
        start=point_set.start,
        end=point_set.end,
        anchor=point_set.anchor,
        chart_types=point_set.chart_types,
    )


def group_ids_sql(group_set: GroupSet) -> Fragment:
    """Return SQL selecting each ``group_id`` of ``group_set`` once."""
    events, params = group_set.events
    return f"SELECT DISTINCT group_id FROM ({events})", list(params)


def point_groups_sql(target_events: Fragment) -> Fragment:
    """Return one row per group of ``target_events`` (rows with ``group_id``, ``seq`` and ``actor_id``).

    Columns: ``group_id``, ``group_type``, ``group_name``, ``first_time``,
    ``creator_id`` (the user id of the actor whose event created the group,
    or its device id when never identified), ``events_in_point`` and
    ``users_in_point``.
    """
    events, params = target_events
    sql = (
        "SELECT point_groups.group_id, groups.group_type, groups.group_name, groups.first_time, "
        f"coalesce({DISPLAY_ID}, creators.user_id, creators.device_id) AS creator_id, "
        "point_groups.events_in_point, point_groups.users_in_point "
        "FROM (SELECT group_id, count(DISTINCT seq) AS events_in_point, count(DISTINCT actor_id) AS users_in_point "
        f"FROM ({events}) GROUP BY group_id) AS point_groups "
        "JOIN groups ON groups.group_id = point_groups.group_id "
        # ``users`` has no row for an actor whose events all moved to another actor; ``actors`` keeps its ids.
        "LEFT JOIN users ON users.actor_id = groups.creator_actor_id "
        "LEFT JOIN actors AS creators ON creators.actor_id = groups.creator_actor_id"
    )
    return sql, list(params)


def point_groups(
    cursor: duckdb.DuckDBPyConnection,
    target: GroupTarget,
    settings: Any,
    sort: str = "events_in_point",
    descending: bool = True,
    search: str | None = None,
    offset: int = 0,
    limit: int | None = 200,
) -> pd.DataFrame:
    """Return one page of the groups of ``target`` (a Point or a GroupSet), sorted and searched, with ``GROUP_COLUMNS``.

    ``search`` keeps groups whose name or id contains it, ignoring case.
    ``limit=None`` returns every row from ``offset``. Ties in the sort column
    are ordered by ``group_id``, so pages never overlap.
    """
    page, page_params = page_clause(sort, descending, offset, limit, SORT_COLUMNS, "group_id", "group")
    groups, params = _searched_sql(target, settings, search)
    return cursor.execute(f"SELECT * FROM ({groups}) AS listed {page}", params + page_params).df()


def point_group_count(
    cursor: duckdb.DuckDBPyConnection, target: GroupTarget, settings: Any, search: str | None = None
) -> int:
    """Return how many groups of ``target`` (a Point or a GroupSet) ``search`` keeps (all of them without one)."""
    return count_rows(cursor, _searched_sql(target, settings, search))


def groups_properties(cursor: duckdb.DuckDBPyConnection, group_ids: list[int]) -> pd.DataFrame:
    """Return the latest properties of the groups ``group_ids``: columns ``group_id`` and ``properties`` (JSON text).

    A property's value is the one sent by the most recent event that sent
    it, as the import keeps it, not the value at the time of the point's
    events. A group that never got properties has ``{}``.
    """
    # NOTE: ``where`` items cannot filter on group properties (a ``group.TYPE.PROP`` name): filters read
    # the event row only, and a group's properties live on ``groups``, reached through ``event_groups``.
    return cursor.execute(
        "SELECT group_id, coalesce(CAST(properties AS VARCHAR), '{}') AS properties FROM groups "
        "WHERE group_id IN (SELECT unnest(?::BIGINT[])) ORDER BY group_id",
        [[int(group_id) for group_id in group_ids]],
    ).df()


def group_users(target: GroupTarget, settings: Any, group_id: int, group_name: str) -> ActorSet:
    """Return the users of one group of ``target`` (a Point or a GroupSet): the actors of its events naming the group.

    The set's events are those events, one row each, so the user list,
    profiles and streams open on it as on any point. It keeps the range,
    path anchor and chart types of ``target``.
    """
    group_set = as_group_set(target, settings)
    events, params = group_set.events
    group_events = (f"SELECT * EXCLUDE (group_id) FROM ({events}) WHERE group_id = ?", [*params, int(group_id)])
    label = f"{group_set.label}, group {group_name}"
    return events_actor_set(
        label, group_events, group_set.start, group_set.end, group_set.anchor, group_set.chart_types
    )


def groups_csv(
    cursor: duckdb.DuckDBPyConnection,
    target: GroupTarget,
    settings: Any,
    out_path: str | Path,
    cap: int | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> export.ExportResult:
    """Write the groups of ``target`` (a Point or a GroupSet) to the CSV file ``out_path``.

    Columns: ``group_id``, ``group_name``, ``first_time``, ``creator_id``.

    ``first_time`` is in whole Unix seconds. Rows are in order of group id,
    at most ``cap`` of them (default: the project's export cap). Text cells
    are neutralised against spreadsheet formulas. The file is written
    atomically, and the overwrite, cancel and error rules are those of
    ``export.export_users``.
    """
    groups, params = point_groups_sql(as_group_set(target, settings).events)
    rows = (f"SELECT group_id, group_name, first_time, creator_id FROM ({groups})", params)
    return export.export_rows(
        cursor, rows, _groups_lines_sql, out_path, settings, cap,
        overwrite=overwrite, progress=progress, cancel=cancel, noun="groups",
    )


def _groups_lines_sql(session: duckdb.DuckDBPyConnection, table: str, cap: int | None) -> Fragment:
    """Return the groups CSV's lines: the header, then one line of text cells per group of ``table``."""
    cells = ", ".join([
        "CAST(group_id AS VARCHAR)",
        text_cell_sql("group_name"),
        # Whole seconds: a group first seen at 10:00:00.7 was first seen in second 10:00:00.
        "CAST(CAST(floor(epoch(first_time)) AS BIGINT) AS VARCHAR)",
        text_cell_sql("creator_id"),
    ])
    return csv_lines_sql(list(CSV_COLUMNS), (f"SELECT group_id, {cells} FROM {table}", []), ("group_id",), cap)


def _searched_sql(target: GroupTarget, settings: Any, search: str | None) -> Fragment:
    groups, params = point_groups_sql(as_group_set(target, settings).events)
    if not search:
        return groups, params
    # ``contains`` matches the text literally: % and _ in a search are not wildcards.
    matches = "contains(lower(group_name), lower(?)) OR contains(CAST(group_id AS VARCHAR), ?)"
    return f"SELECT * FROM ({groups}) WHERE {matches}", params + [search, search]
