"""Actor sets: the actors a microscope action works on, with the events that put them there.

A data point is the common actor set, but a comparison of two points gives
sets too (in both, only in the first, only in the second). Every microscope
action takes a ``Point`` or an ``ActorSet`` and turns it into an ActorSet with
``as_actor_set``, so the user list, streams, paths and "why is this user here"
of a point all read the one query behind the chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Union

import duckdb

from tui.analytics.filters import Fragment
from tui.analytics.point import (
    Point,
    actors_of_events_sql,
    point_actors_sql,
    point_anchor,
    point_events,
    point_label,
    point_range,
)


class MicroscopeError(ValueError):
    """A microscope request cannot run; the message names the value and what to do."""


@dataclass(frozen=True)
class ActorSet:
    """A set of actors, the events that put each actor in it, and the time range those events come from.

    ``events`` selects rows of ``events`` (every column but ``dedupe_key``).
    ``actors`` selects one row per actor: ``actor_id``, ``events_in_point``,
    ``first_in_point``, ``last_in_point``. ``start`` and ``end`` are UTC and
    bound the range ``[start, end)`` that streams and paths read.
    ``anchor`` says which of an actor's events a path starts from:
    ``first`` (the chart's event) or ``last`` (a funnel's last step reached,
    so a drop-off's paths begin after the last step the actor completed).
    ``chart_types`` are the types of the charts the set's events come from,
    one per point it was made from, so a user list offers only the actions
    those charts have. It is empty for a set of unknown origin.
    """

    label: str
    events: Fragment
    actors: Fragment
    start: datetime
    end: datetime
    anchor: str = "first"
    chart_types: tuple[str, ...] = ()


Target = Union[Point, ActorSet]


def as_actor_set(target: Target, settings: Any) -> ActorSet:
    """Return ``target`` as an ActorSet: a Point becomes the set of its actors, an ActorSet stays as it is."""
    if isinstance(target, ActorSet):
        return target
    if isinstance(target, Point):
        return point_actor_set(target, settings)
    raise TypeError(f"a microscope target is a Point or an ActorSet, not {type(target).__name__}")


def point_actor_set(point: Point, settings: Any) -> ActorSet:
    """Return the actors of ``point`` with its events and its bucket ``[start, end)``."""
    start, end = point_range(point, settings)
    return ActorSet(
        label=describe_point(point, settings),
        events=point_events(point, settings),
        actors=point_actors_sql(point, settings),
        start=start,
        end=end,
        anchor=point_anchor(point),
        chart_types=(point.definition.type,),
    )


def events_actor_set(
    label: str,
    events: Fragment,
    start: datetime,
    end: datetime,
    anchor: str = "first",
    chart_types: tuple[str, ...] = (),
) -> ActorSet:
    """Return the ActorSet of the actors behind ``events``, counting their events as the chart does."""
    actors = actors_of_events_sql(events)
    return ActorSet(label, events, actors, start, end, anchor=anchor, chart_types=chart_types)


def describe_point(point: Point, settings: Any) -> str:
    """Return a one-line description of ``point``: series, segment and bucket ``[start, end) ZONE``."""
    label = point_label(point, settings)
    parts = [label.series_name]
    if label.segment is not None:
        parts.append(label.segment)
    parts.append(label.bucket_text())
    return ", ".join(parts)


def actor_count(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any) -> int:
    """Return the number of actors in ``target``."""
    # Every set's ``actors`` groups its ``events`` by actor, and counting the distinct ids skips
    # that grouping's per-actor aggregates (a distinct count of ``seq`` among them).
    sql, params = as_actor_set(target, settings).events
    return cursor.execute(f"SELECT count(DISTINCT actor_id) FROM ({sql})", params).fetchall()[0][0]


def actor_events_sql(actor_set: ActorSet, actor_ids: Fragment) -> Fragment:
    """Return the set's events of the actors that ``actor_ids`` (SQL selecting ``actor_id``) selects."""
    events, params = actor_set.events
    ids_sql, ids_params = actor_ids
    return f"SELECT * FROM ({events}) WHERE actor_id IN ({ids_sql})", params + ids_params


def id_list_sql(actor_ids: list[int]) -> Fragment:
    """Return SQL selecting ``actor_id`` from a bound list of ids."""
    return "SELECT unnest(CAST(? AS BIGINT[])) AS actor_id", [[int(actor_id) for actor_id in actor_ids]]
