"""Compare two points: the users (or groups) in both, only in the first, only in the second.

When both points count groups of one type (``count_by: "group:TYPE"``), the
comparison is of groups, and each part is a GroupSet. Otherwise it is of
users, and each part is an ActorSet. Either way a part can be listed,
exported or saved as a cohort like a point. A part of users can also be
streamed and pathed, and so can the users of each group of a part.

A part's events are the events that put its members in the points: the
first point's for ``only_first``, the second's for ``only_second``, and both
points' for ``both``, where a row in both points counts once. Its range runs
from the earlier bucket start to the later bucket end, and its chart types
are those of both points. The counts and the parts read the same lists of
member ids, so each part lists as many members as its count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Union

import duckdb

# The module, not its names: ``groups`` imports this package (through ``export``) while it loads.
from tui.analytics import groups
from tui.analytics.filters import Fragment
from tui.analytics.microscope.actor_set import ActorSet, MicroscopeError, Target, as_actor_set, events_actor_set
from tui.analytics.point import Point
from tui.analytics.segmentation_groups import group_type

PARTS = ("both", "only_first", "only_second")
COUNTS = ("first", "second", "both", "only_first", "only_second")

# A compared point, or a set made from points.
Compared = Union[Target, "groups.GroupSet"]


@dataclass(frozen=True)
class _Side:
    """One side of a comparison: its events and the column naming the members they put in it.

    ``keys`` are the columns that tell one row of ``events`` from another,
    so the ``both`` part keeps a row found in both sides once. ``group_type``
    is None when the members are users.
    """

    label: str
    events: Fragment
    column: str
    keys: str
    start: datetime
    end: datetime
    chart_types: tuple[str, ...]
    group_type: str | None = None

    def ids(self) -> Fragment:
        """Return SQL selecting each member id of this side once, as ``member_id``."""
        events, params = self.events
        return f"SELECT DISTINCT {self.column} AS member_id FROM ({events})", list(params)


def compares_groups(first: Compared, second: Compared) -> bool:
    """Tell whether comparing ``first`` and ``second`` compares groups: both are made of groups of one type."""
    if not (groups.lists_groups(first) and groups.lists_groups(second)):
        return False
    return _group_type(first) == _group_type(second)


def compare_points(
    cursor: duckdb.DuckDBPyConnection, first: Compared, second: Compared, settings: Any
) -> dict[str, int]:
    """Return counts of users, or of groups when ``compares_groups``: ``COUNTS``.

    ``only_first + both`` equals ``first`` and ``only_second + both`` equals ``second``.
    """
    first_side, second_side = _sides(first, second, settings)
    first_sql, first_params = first_side.ids()
    second_sql, second_params = second_side.ids()
    # The full outer join leaves the side without the member NULL, so each side is tested with IS NOT NULL.
    sql = (
        "SELECT count(*) FILTER (WHERE in_first), count(*) FILTER (WHERE in_second), "
        "count(*) FILTER (WHERE in_first AND in_second), "
        "count(*) FILTER (WHERE in_first AND NOT in_second), count(*) FILTER (WHERE in_second AND NOT in_first) "
        "FROM (SELECT first_side.member_id IS NOT NULL AS in_first, second_side.member_id IS NOT NULL AS in_second "
        f"FROM ({first_sql}) AS first_side FULL OUTER JOIN ({second_sql}) AS second_side "
        "ON first_side.member_id = second_side.member_id)"
    )
    counts = cursor.execute(sql, first_params + second_params).fetchall()[0]
    return dict(zip(COUNTS, counts))


def compare_part(first: Compared, second: Compared, settings: Any, part: str) -> ActorSet | groups.GroupSet:
    """Return one part of a comparison (one of ``PARTS``): a GroupSet when ``compares_groups``, else an ActorSet."""
    return _part(*_sides(first, second, settings), part)


def compare_actors_sql(first: Target, second: Target, settings: Any, part: str) -> ActorSet:
    """Return one part of a comparison of the users of ``first`` and ``second``, even when both count groups."""
    return _part(*_user_sides(first, second, settings), part)


def _part(first: _Side, second: _Side, part: str) -> ActorSet | groups.GroupSet:
    if part not in PARTS:
        raise MicroscopeError(f"part: {part!r} is not a part of a comparison. Use one of {', '.join(PARTS)}.")
    chart_types = first.chart_types + second.chart_types
    if part == "only_first":
        label = f"only in {first.label}, not in {second.label}"
        return _made(first, label, _only(first, second), first.start, first.end, chart_types)
    if part == "only_second":
        label = f"only in {second.label}, not in {first.label}"
        return _made(second, label, _only(second, first), second.start, second.end, chart_types)
    label = f"in both {first.label} and {second.label}"
    start, end = min(first.start, second.start), max(first.end, second.end)
    return _made(first, label, _both(first, second), start, end, chart_types)


def _only(included: _Side, excluded: _Side) -> Fragment:
    """Return the events of ``included`` whose members are not in ``excluded``."""
    events, params = included.events
    excluded_sql, excluded_params = excluded.ids()
    return f"SELECT * FROM ({events}) WHERE {included.column} NOT IN ({excluded_sql})", params + excluded_params


def _both(first: _Side, second: _Side) -> Fragment:
    """Return the events of both sides whose members are in both, a row found in both sides once."""
    first_events, first_params = first.events
    second_events, second_params = second.events
    first_ids, first_ids_params = first.ids()
    second_ids, second_ids_params = second.ids()
    column = first.column
    # BY NAME, because points of different chart types may list the same columns in another order.
    sql = (
        f"SELECT * FROM ({first_events}) WHERE {column} IN ({second_ids}) UNION ALL BY NAME "
        f"SELECT second_rows.* FROM (SELECT * FROM ({second_events}) WHERE {column} IN ({first_ids})) AS second_rows "
        f"ANTI JOIN ({first_events}) AS first_rows USING ({first.keys})"
    )
    params = first_params + second_ids_params + second_params + first_ids_params + first_params
    return sql, params


def _made(side: _Side, label: str, events: Fragment, start: datetime, end: datetime,
          chart_types: tuple[str, ...]) -> ActorSet | groups.GroupSet:
    """Return the set of ``events``: a GroupSet when ``side`` has groups, else an ActorSet."""
    if side.group_type is None:
        return events_actor_set(label, events, start, end, chart_types=chart_types)
    return groups.GroupSet(label, side.group_type, events, start, end, chart_types=chart_types)


def _sides(first: Compared, second: Compared, settings: Any) -> tuple[_Side, _Side]:
    if not compares_groups(first, second):
        return _user_sides(first, second, settings)
    sides = []
    for target in (first, second):
        group_set = groups.as_group_set(target, settings)
        sides.append(_Side(
            group_set.label, group_set.events, "group_id", "seq, group_id", group_set.start, group_set.end,
            group_set.chart_types, group_set.group_type,
        ))
    return sides[0], sides[1]


def _user_sides(first: Compared, second: Compared, settings: Any) -> tuple[_Side, _Side]:
    sides = []
    for target in (first, second):
        if isinstance(target, groups.GroupSet):
            raise MicroscopeError(
                f"compare: {target.label} is a set of {target.group_type} groups, "
                "so it compares only with groups of that type."
            )
        actor_set = as_actor_set(target, settings)
        sides.append(_Side(
            actor_set.label, actor_set.events, "actor_id", "seq", actor_set.start, actor_set.end, actor_set.chart_types
        ))
    return sides[0], sides[1]


def _group_type(target: Point | groups.GroupSet) -> str | None:
    if isinstance(target, groups.GroupSet):
        return target.group_type
    return group_type(target.definition.count_by)
