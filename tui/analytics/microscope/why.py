"""Why is this user here: the exact events that put one user in a point."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from tui.analytics.microscope.actor_set import Target, actor_events_sql, as_actor_set, id_list_sql

WHY_COLUMNS = ["event_time", "event_type", "session_id", "seq", "event_properties", "user_properties"]


def why_here(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any, actor_id: int) -> pd.DataFrame:
    """Return the events of ``target`` done by ``actor_id``, in capture order; empty when the actor is not in it.

    Columns: ``WHY_COLUMNS``, the properties as JSON text. For a point these
    are the events its query counted for that actor, so for a ``uniques``
    chart they are the reason the actor adds one to the value.
    """
    events, params = actor_events_sql(as_actor_set(target, settings), id_list_sql([actor_id]))
    sql = (
        "SELECT event_time, event_type, session_id, seq, CAST(event_properties AS VARCHAR) AS event_properties, "
        f"CAST(user_properties AS VARCHAR) AS user_properties FROM ({events}) ORDER BY client_time, seq"
    )
    return cursor.execute(sql, params).df()
