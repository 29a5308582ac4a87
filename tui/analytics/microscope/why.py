"""Why is this user here: the exact events that put one user in a point, and what chose its segment.

A point grouped by a property or by ``group:TYPE`` has events that decide its
segment (``segment_events``). A point grouped by ``cohorts`` has none,
because cohorts are per user (``segment_cohorts``). On a chart counted by
groups, ``counted_groups`` names the groups each event counts for.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from tui.analytics.definition import GROUP_BY_COHORTS
from tui.analytics.filters import Fragment, property_sql
from tui.analytics.funnel_sql import FunnelQuery
from tui.analytics.microscope.actor_set import Target, actor_events_sql, as_actor_set, id_list_sql
from tui.analytics.point import Point
from tui.analytics.retention import retention_query
from tui.analytics.segmentation import chart_buckets
from tui.analytics.segmentation_groups import ACTOR_COHORTS, group_sources_sql, group_type, segments_by_cohorts
from tui.analytics.sessions_sql import SessionQuery

WHY_COLUMNS = ["event_time", "event_type", "session_id", "seq", "event_properties", "user_properties"]
SEGMENT_EVENT_COLUMNS = ["seq", "event_time", "event_type", "segment_value"]
COUNTED_GROUP_COLUMNS = ["seq", "group_name"]
# The chart types whose segments by group name label every event, or every event of a session, with each
# group it names. Funnels and retention take the groups of one event per unit instead.
EVENT_LABELLED_TYPES = ("segmentation", "sessions")
# The columns of an event that ``segment_events`` returns, and ``client_time`` to order them by.
EVENT_ITEMS = "events.seq, events.event_time, events.event_type, events.client_time"


def why_here(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any, actor_id: int) -> pd.DataFrame:
    """Return the events of ``target`` done by ``actor_id``, in capture order; empty when the actor is not in it.

    Columns: ``WHY_COLUMNS``, the properties as JSON text, one row per
    event. For a point these are the events its query counted for that
    actor, so for a ``uniques`` chart they are the reason the actor adds one
    to the value.
    """
    events, params = _actor_events(target, settings, actor_id)
    # A point counted by groups has a row per (event, group), and the list shows each event once.
    sql = (
        "SELECT event_time, event_type, session_id, seq, CAST(event_properties AS VARCHAR) AS event_properties, "
        "CAST(user_properties AS VARCHAR) AS user_properties "
        f"FROM (SELECT DISTINCT ON (seq) * FROM ({events})) ORDER BY client_time, seq"
    )
    return cursor.execute(sql, params).df()


def segment_events(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any, actor_id: int) -> pd.DataFrame:
    """Return the events whose group-by value put ``actor_id`` in ``target``'s segment, one row per (event, value).

    Columns: ``SEGMENT_EVENT_COLUMNS``, in capture order, ``segment_value``
    as text (NULL when the event has no value). The group-by is a property
    (``segment_property``) or a group type (``segment_group_type``), whose
    values are the names of the groups of that type an event names, so an
    event naming two groups has two rows. The events come from the chart's
    own segment rule:

    - segmentation: every event of ``why_here``, each in the segment of its own value;
    - funnel: the step-1 event of each kept conversion the actor is in the point for;
    - retention: the first start event of each unit (actor or group) the actor is in the point for;
    - sessions, by a property: the earliest event of each of the actor's sessions in the point;
    - sessions, by a group type: every event of those sessions, because a
      session is in the segment of every group its events name.

    Counted by groups, a conversion or first start event may be another
    member's. Counted and segmented by one type, an event's value is the
    group it counts for in the point. The frame is empty without such a
    group-by, for a compared set, and when the actor is not in the point.
    """
    if segment_property(target) is None and segment_group_type(target) is None:
        return pd.DataFrame(columns=SEGMENT_EVENT_COLUMNS)
    definition = target.definition
    if segment_group_type(target) is not None and definition.type in EVENT_LABELLED_TYPES:
        events, params = _event_group_names_sql(target, settings, actor_id)
    else:
        events, params = SEGMENT_EVENTS_SQL[definition.type](target, settings, actor_id)
    # Counted by groups, a relation has a row per (event, group), and two groups' conversions, cohorts or
    # sessions may start with one event. The frame lists each (event, value) pair once.
    sql = f"SELECT DISTINCT * FROM ({events}) ORDER BY client_time, seq, segment_value"
    return cursor.execute(sql, params).df()[SEGMENT_EVENT_COLUMNS]


def segment_cohorts(cursor: duckdb.DuckDBPyConnection, target: Target, actor_id: int) -> list[str]:
    """Return the names of the saved cohorts of users that ``actor_id`` is in, in byte order.

    On a point grouped by ``cohorts`` these decide the user's segments, as
    the chart reads them now. Empty for any other target.
    """
    if not segments_by_user_cohorts(target):
        return []
    sql = f"SELECT DISTINCT group_name FROM ({ACTOR_COHORTS}) WHERE member_id = ? ORDER BY group_name"
    return [name for (name,) in cursor.execute(sql, [int(actor_id)]).fetchall()]


def counted_groups(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any, actor_id: int) -> pd.DataFrame:
    """Return the counted groups that each event of ``actor_id`` in ``target`` names and counts for there.

    Columns: ``COUNTED_GROUP_COLUMNS``, one row per (event, group name),
    ordered by ``seq`` and name. A sessions point has every event of a
    session once per group the session counts for, and only the groups an
    event names itself are kept. The frame is empty unless ``target`` is a
    point counted by a group type (``counted_group_type``).
    """
    if counted_group_type(target) is None:
        return pd.DataFrame(columns=COUNTED_GROUP_COLUMNS)
    events, params = _actor_events(target, settings, actor_id)
    sql = (
        f"SELECT DISTINCT point_events.seq, groups.group_name FROM ({events}) AS point_events "
        "JOIN event_groups ON event_groups.seq = point_events.seq AND event_groups.group_id = point_events.group_id "
        "JOIN groups ON groups.group_id = event_groups.group_id ORDER BY point_events.seq, groups.group_name"
    )
    return cursor.execute(sql, params).df()[COUNTED_GROUP_COLUMNS]


def segment_property(target: Target) -> str | None:
    """Return the property whose value on some events puts an actor in ``target``'s segment, or None.

    That is the ``group_by`` property of a grouped point. ``segment_events``
    finds the events that decide it. A group type or ``cohorts`` is no
    property of the event, so it gives None, and so does a compared set.
    """
    name = _point_group_by(target)
    if name is None or name == GROUP_BY_COHORTS or group_type(name) is not None:
        return None
    return name


def segment_group_type(target: Target) -> str | None:
    """Return ``TYPE`` when ``target`` is a point grouped by ``group:TYPE``, else None."""
    return group_type(_point_group_by(target))


def counted_group_type(target: Target) -> str | None:
    """Return ``TYPE`` when ``target`` is a point counted by ``group:TYPE``, else None (also for a compared set)."""
    if not isinstance(target, Point):
        return None
    return group_type(target.definition.count_by)


def segments_by_user_cohorts(target: Target) -> bool:
    """Tell whether ``target`` is a point grouped by ``cohorts``, whose segments are its users' cohorts of users."""
    return _point_group_by(target) is not None and segments_by_cohorts(target.definition)


def _point_group_by(target: Target) -> str | None:
    """Return the ``group_by`` of a point in a segment, else None, because a compared set has no segment."""
    if not isinstance(target, Point) or target.segment is None:
        return None
    return target.definition.group_by


def _actor_events(target: Target, settings: Any, actor_id: int) -> Fragment:
    """Return the events of ``target`` done by ``actor_id``, a row per (event, group) when counting groups."""
    return actor_events_sql(as_actor_set(target, settings), id_list_sql([actor_id]))


def _segmentation_sql(point: Point, settings: Any, actor_id: int) -> Fragment:
    """Return the actor's events in the point with their own group-by values."""
    events, params = _actor_events(point, settings, actor_id)
    value, value_params = property_sql(point.definition.group_by)
    sql = f"SELECT seq, event_time, event_type, {value} AS segment_value, client_time FROM ({events})"
    return sql, value_params + params


def _event_group_names_sql(point: Point, settings: Any, actor_id: int) -> Fragment:
    """Return the actor's events in the point with the name of each group of the group-by type they name.

    The names come from ``group_sources_sql`` as in the chart. Counted and
    segmented by one type, a row's segment is the group it counts, so an
    event gets only the names of the groups its rows in the point count for.
    """
    segment_type = group_type(point.definition.group_by)
    same_type = segment_type == group_type(point.definition.count_by)
    sources, source_params = group_sources_sql(segment_type if same_type else None, segment_type, False, True)
    events, params = _actor_events(point, settings, actor_id)
    match = "point_events.seq = events.seq"
    if same_type:
        # Keeps the (event, group) pairs of the point. A sessions point also lists the session's events that
        # do not name the group it counts for, and the inner join of ``counted_groups`` drops those.
        match += " AND point_events.group_id = counted_groups.group_id"
    sql = (
        f"SELECT {EVENT_ITEMS}, segment_groups.group_name AS segment_value "
        f"FROM {sources} JOIN ({events}) AS point_events ON {match}"
    )
    return sql, source_params + params


def _funnel_sql(point: Point, settings: Any, actor_id: int) -> Fragment:
    """Return the step-1 events of the kept conversions of the units (actors or groups) the actor is in the point for.

    A unit has one kept conversion, whatever the segment or start bucket, so
    the ids of the units pick the conversions behind the point.
    """
    definition = point.definition
    query = FunnelQuery(definition, chart_buckets(definition, settings))
    kept, kept_params = query.kept_sql()
    units, unit_params = _actor_units(point, settings, actor_id, query.unit.column)
    starts, start_params = query.segments.start_values_sql("point_kept")
    sql = (
        f"WITH point_kept AS (SELECT * FROM ({kept}) WHERE unit_id IN ({units})) "
        f"SELECT {EVENT_ITEMS}, starts.segment_value FROM ({starts}) AS starts "
        "JOIN events ON events.seq = starts.seq1"
    )
    return sql, kept_params + unit_params + start_params


def _retention_sql(point: Point, settings: Any, actor_id: int) -> Fragment:
    """Return the first start events of the units (actors or groups) the actor is in the point for.

    ``first_starts`` and ``start_values`` are the chart's own relations: the
    unit's first start event decides its cohort, and its value is the unit's segment value.
    """
    query = retention_query(point.definition, settings)
    ctes, params = query.ctes()
    unit = query.unit.column
    units, unit_params = _actor_units(point, settings, actor_id, unit)
    sql = (
        f"{ctes}SELECT {EVENT_ITEMS}, start_values.segment_value FROM first_starts "
        f"JOIN start_values USING ({unit}) JOIN events ON events.seq = first_starts.start_seq "
        f"WHERE first_starts.{unit} IN ({units})"
    )
    return sql, params + unit_params


def _sessions_sql(point: Point, settings: Any, actor_id: int) -> Fragment:
    """Return the earliest event of each of the actor's sessions in the point, with the session's segment value."""
    definition = point.definition
    buckets = chart_buckets(definition, settings)
    query = SessionQuery(definition, buckets, point.session_span_us)
    start, end = buckets.boundaries[point.bucket], buckets.boundaries[point.bucket + 1]
    sessions, session_params = query.sessions_sql(start, end)
    firsts, first_params = query.first_events_sql(start, end)
    keys, key_params = _actor_units(point, settings, actor_id, "session_key")
    sql = (
        f"SELECT {EVENT_ITEMS}, sessions.segment_value FROM ({sessions}) AS sessions "
        f"JOIN ({firsts}) AS firsts USING (session_key) JOIN events ON events.seq = firsts.first_seq "
        f"WHERE sessions.session_key IN ({keys})"
    )
    return sql, session_params + first_params + key_params


def _actor_units(point: Point, settings: Any, actor_id: int, column: str) -> Fragment:
    """Return SQL selecting the distinct ``column`` values (unit ids or session keys) of the actor's point events."""
    events, params = _actor_events(point, settings, actor_id)
    return f"SELECT DISTINCT {column} FROM ({events})", params


SEGMENT_EVENTS_SQL = {
    "segmentation": _segmentation_sql,
    "funnel": _funnel_sql,
    "retention": _retention_sql,
    "sessions": _sessions_sql,
}
