"""Why is this user here: the exact events that put one user in a point."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from tui.analytics.definition import GROUP_BY_COHORTS
from tui.analytics.filters import Fragment, property_sql
from tui.analytics.microscope.actor_set import Target, actor_events_sql, as_actor_set, id_list_sql
from tui.analytics.point import Point
from tui.analytics.segmentation_groups import group_type

WHY_COLUMNS = ["event_time", "event_type", "session_id", "seq", "event_properties", "user_properties", "segment_value"]


def why_here(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any, actor_id: int) -> pd.DataFrame:
    """Return the events of ``target`` done by ``actor_id``, in capture order; empty when the actor is not in it.

    Columns: ``WHY_COLUMNS``, the properties as JSON text. For a point these
    are the events its query counted for that actor, so for a ``uniques``
    chart they are the reason the actor adds one to the value.
    ``segment_value`` is each event's value of the property named by
    ``segment_property(target)`` as text, and NULL on every row when that is None.
    """
    events, params = actor_events_sql(as_actor_set(target, settings), id_list_sql([actor_id]))
    value, value_params = _segment_value_sql(target)
    sql = (
        "SELECT event_time, event_type, session_id, seq, CAST(event_properties AS VARCHAR) AS event_properties, "
        f"CAST(user_properties AS VARCHAR) AS user_properties, {value} AS segment_value "
        f"FROM ({events}) ORDER BY client_time, seq"
    )
    return cursor.execute(sql, value_params + params).df()


def segment_property(target: Target) -> str | None:
    """Return the property whose value on each counted event puts an actor in ``target``'s segment, or None.

    That is the ``group_by`` property of an event segmentation point: an
    event counts in the segment of its own value (``(other)`` and ``(none)``
    gather the values outside the top ones and the events without one). A
    group type or ``cohorts`` is no property of the event, so it gives None.
    """
    if not isinstance(target, Point) or target.segment is None:
        return None
    definition = target.definition
    # TODO: funnels, retention and sessions take the segment from one event (step 1, the first start
    # event, the session's first event). The listed events may not show it, so these charts get None.
    if definition.type != "segmentation":
        return None
    name = definition.group_by
    if name is None or name == GROUP_BY_COHORTS or group_type(name) is not None:
        return None
    return name


def _segment_value_sql(target: Target) -> Fragment:
    name = segment_property(target)
    if name is None:
        return "CAST(NULL AS VARCHAR)", []
    return property_sql(name)
