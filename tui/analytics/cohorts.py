"""Create a static cohort from a data point or an actor set, with the definition it came from.

The members are the actors of ``point_actors_sql`` (through ``as_actor_set``),
the same query that counts the point, so a cohort made from a ``uniques``
point has exactly as many members as the point's value.
"""

from __future__ import annotations

from typing import Any

from tui.analytics.microscope.actor_set import Target, as_actor_set
from tui.analytics.point import Point, point_label
from tui.store.cohorts import Cohort, save_cohort


def create_cohort_from_point(
    project,
    name: str,
    description: str | None,
    target: Target,
    settings: Any = None,
) -> Cohort:
    """Save the actors of ``target`` (a Point or an ActorSet) as the static cohort ``name``.

    ``settings`` defaults to the project's. Raises CohortError when the name is
    taken and PermissionError when the current member is a viewer.
    """
    settings = project if settings is None else settings
    actor_set = as_actor_set(target, settings)
    actors_sql, params = actor_set.actors
    members = (f"SELECT actor_id FROM ({actors_sql})", params)
    # TODO: save a cohort of groups (member_kind "groups") once charts can count by a group type.
    return save_cohort(project, name, members, cohort_definition(target, settings), description)


def cohort_definition(target: Target, settings: Any) -> dict:
    """Return what a cohort records of its source: the chart JSON and the point, or the actor set's label and range."""
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
    actor_set = as_actor_set(target, settings)
    return {
        "actor_set": {
            "label": actor_set.label,
            "start": actor_set.start.isoformat(),
            "end": actor_set.end.isoformat(),
        }
    }
