"""Catalog queries for the chart builder: event types, property names and top property values.

Each function scans the events it describes, because DuckDB keeps no index of
JSON keys. On 10M events (2 cores) ``property_names`` over every event type took
about 1.6 s and over one type with 1.7M events about 0.5 s, so the app should
call these from a worker.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from tui.analytics.definition import USER_PREFIX
from tui.analytics.filters import COLUMNS, event_type_sql, property_sql, quote_identifier
from tui.analytics.uniques import actor_id_range, count_actors_sql


def event_types(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return every event type with its ``events`` and ``users`` (distinct actors), most events first."""
    type_count = cursor.execute("SELECT count(DISTINCT event_type) FROM events").fetchone()[0]
    count_actors = count_actors_sql(actor_id_range(cursor), type_count)
    return cursor.execute(
        f"SELECT event_type, count(*) AS events, {count_actors} AS users "
        "FROM events GROUP BY event_type ORDER BY events DESC, event_type"
    ).df()


def property_names(cursor: duckdb.DuckDBPyConnection, event_type: str | None = None) -> pd.DataFrame:
    """Return the properties seen on ``event_type`` (or any event): ``property`` and ``kind``.

    ``property`` is the reference a ``where`` item or group-by takes: the event
    property name (kind ``event``), ``user.NAME`` (kind ``user``), or a column
    name (kind ``column``, only columns with a value). Property names are sorted;
    columns keep the order of ``COLUMNS``.
    """
    # NOTE: an event property named like a column (e.g. "platform") or starting with
    # "user." is listed, but a where item with that name selects the column or user property.
    selection, params = event_type_sql(event_type or "*")
    event_keys = _json_keys(cursor, "event_properties", selection, params)
    user_keys = _json_keys(cursor, "user_properties", selection, params)
    columns = _columns_with_values(cursor, selection, params)

    rows = (
        [(name, "event") for name in event_keys]
        + [(USER_PREFIX + name, "user") for name in user_keys]
        + [(name, "column") for name in columns]
    )
    return pd.DataFrame(rows, columns=["property", "kind"])


def property_values(
    cursor: duckdb.DuckDBPyConnection, property: str, event_type: str | None = None, limit: int = 100
) -> pd.DataFrame:
    """Return the most frequent values of a property on ``event_type`` (or any event): ``value``, ``events``.

    Values are text, as ``where`` items and segments compare them. Events
    without the property are left out, and ties are sorted by value.
    """
    value, value_params = property_sql(property)
    selection, selection_params = event_type_sql(event_type or "*")
    sql = (
        f"SELECT value, count(*) AS events FROM (SELECT {value} AS value FROM events WHERE {selection}) "
        "WHERE value IS NOT NULL GROUP BY value ORDER BY events DESC, value LIMIT ?"
    )
    return cursor.execute(sql, value_params + selection_params + [limit]).df()


def _json_keys(cursor: duckdb.DuckDBPyConnection, column: str, selection: str, params: list) -> list[str]:
    sql = (
        f"SELECT DISTINCT unnest(json_keys({column})) AS name FROM events "
        f"WHERE {selection} AND json_type({column}) = 'OBJECT' ORDER BY name"
    )
    return [name for (name,) in cursor.execute(sql, params).fetchall()]


def _columns_with_values(cursor: duckdb.DuckDBPyConnection, selection: str, params: list) -> list[str]:
    counts = ", ".join(f"count({quote_identifier(column)})" for column in COLUMNS)
    found = cursor.execute(f"SELECT {counts} FROM events WHERE {selection}", params).fetchone()
    return [column for column, count in zip(COLUMNS, found) if count]


def event_days(cursor: duckdb.DuckDBPyConnection, timezone: str) -> tuple[date, date] | None:
    """Return the first and last day with events in ``timezone``, or None when there are no events."""
    first, last = cursor.execute("SELECT min(event_time), max(event_time) FROM events").fetchall()[0]
    if first is None:
        return None
    return _local_day(first, timezone), _local_day(last, timezone)


def _local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def missing_event_types(cursor: duckdb.DuckDBPyConnection, names: list[str]) -> list[str]:
    """Return the names in ``names`` (``*`` left out) that no event of the project has, in their order."""
    named = [name for name in dict.fromkeys(names) if name != "*"]
    if not named:
        return []
    found = cursor.execute(
        "SELECT DISTINCT event_type FROM events WHERE event_type IN (SELECT unnest(CAST(? AS VARCHAR[])))", [named]
    ).fetchall()
    present = {name for (name,) in found}
    return [name for name in named if name not in present]
