"""Create a static cohort from a data point or an actor set, with the definition it came from.

The members are the actors of ``point_actors_sql`` (through ``as_actor_set``),
the same query that counts the point, so a cohort made from a ``uniques``
point has exactly as many members as the point's value. A point of a chart
counted by a group type (``count_by: "group:TYPE"``) makes a cohort of groups:
its members are the point's group ids and its kind is ``groups:TYPE``.
"""

from __future__ import annotations

from typing import Any

import duckdb

from tui.analytics.filters import Fragment
from tui.analytics.groups import GroupSet, as_group_set, group_ids_sql, lists_groups
from tui.analytics.microscope.actor_set import Target, as_actor_set
from tui.analytics.point import Point, point_label
from tui.store.cohorts import GROUP_KIND_PREFIX, Cohort, save_cohort


def create_cohort_from_point(
    project,
    name: str,
    description: str | None,
    target: Target,
    settings: Any = None,
) -> Cohort:
    """Save the actors (or groups) of ``target`` (a Point, an ActorSet or a GroupSet) as the static cohort ``name``.

    ``settings`` defaults to the project's. Raises CohortError when the name is
    taken and PermissionError when the current member is a viewer.
    """
    settings = project if settings is None else settings
    members, kind = cohort_members_sql(target, settings)
    return save_cohort(project, name, members, cohort_definition(target, settings), description, member_kind=kind)


def cohort_members_sql(target: Target, settings: Any) -> tuple[Fragment, str]:
    """Return the query of the cohort members ``target`` makes and their ``member_kind``.

    The query selects ``actor_id`` for a cohort of users, ``group_id`` for one of groups.
    """
    if lists_groups(target):
        group_set = as_group_set(target, settings)
        return group_ids_sql(group_set), GROUP_KIND_PREFIX + group_set.group_type
    actors, params = as_actor_set(target, settings).actors
    return (f"SELECT actor_id FROM ({actors})", params), "users"


def count_cohort_members(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any) -> int:
    """Return how many members a cohort made from ``target`` now would have."""
    (members, params), _ = cohort_members_sql(target, settings)
    return cursor.execute(f"SELECT count(*) FROM ({members})", params).fetchall()[0][0]


def member_noun(target: Target) -> str:
    """Return what a cohort made from ``target`` contains: ``groups`` (see ``lists_groups``) or ``users``."""
    return "groups" if lists_groups(target) else "users"


def cohort_definition(target: Target, settings: Any) -> dict:
    """Return what a cohort records of its source: the chart JSON and the point, or the set's label and range."""
    if isinstance(target, Point):
        label = point_label(target, settings)
        return {
            "chart": target.definition.to_json(),
            "point": {
                "series": target.series,
                "series_name": label.series_name,
                "segment": target.segment,
                "bucket": target.bucket,
                "bucket_start": label.bucket_start.isoformat(),
                "bucket_end": label.bucket_end.isoformat(),
                "timezone": label.timezone,
            },
        }
    if isinstance(target, GroupSet):
        key, target_set = "group_set", target
    else:
        key, target_set = "actor_set", as_actor_set(target, settings)
    return {
        key: {
            "label": target_set.label,
            "start": target_set.start.isoformat(),
            "end": target_set.end.isoformat(),
        }
    }
