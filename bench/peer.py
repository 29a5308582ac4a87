"""The peer: chdb (ClickHouse in process) loading and querying the same generated events.

The table is what a ClickHouse-backed analytics product would keep: a
MergeTree sorted by ``(event_type, event_time)``, properties as JSON text, and
an integer actor id computed at insert time, as Loupe stores ``actor_id``.
The actor is the user id, else the device id. On the generated data this
equals Loupe's identity resolution, because anonymous events come only from
devices that are never identified.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from chdb import session

TABLE = "bench.events"

CREATE_TABLE = f"""
CREATE TABLE {TABLE} (
    event_type       LowCardinality(String),
    event_time       DateTime64(6, 'UTC'),
    client_time      DateTime64(6, 'UTC'),
    actor_id         UInt64,
    user_id          Nullable(String),
    device_id        Nullable(String),
    session_id       Int64,
    insert_id        Nullable(String),
    event_properties String,
    user_properties  String,
    groups           String,
    platform         LowCardinality(Nullable(String)),
    os               LowCardinality(Nullable(String)),
    country          LowCardinality(Nullable(String)),
    city             LowCardinality(Nullable(String)),
    app_version      LowCardinality(Nullable(String))
) ENGINE = MergeTree ORDER BY (event_type, event_time)
"""

# Explicit input structures: with them ClickHouse reads only these columns and
# keeps the JSON objects as text instead of inferring a dynamic JSON type.
PARQUET_STRUCTURE = (
    "event_type String, event_time DateTime64(6, 'UTC'), client_time DateTime64(6, 'UTC'), "
    "user_id Nullable(String), device_id Nullable(String), session_id Int64, insert_id Nullable(String), "
    "event_properties String, user_properties String, groups String, platform Nullable(String), "
    "os Nullable(String), country Nullable(String), city Nullable(String), app_version Nullable(String)"
)
AMPLITUDE_STRUCTURE = (
    "`$insert_id` Nullable(String), event_type String, event_time String, client_event_time String, "
    "user_id Nullable(String), device_id Nullable(String), session_id Int64, event_properties String, "
    "user_properties String, groups String, platform Nullable(String), os_name Nullable(String), "
    "country Nullable(String), city Nullable(String), version_name Nullable(String)"
)

INSERT_PARQUET = f"""
INSERT INTO {TABLE}
SELECT event_type, event_time, client_time, cityHash64(coalesce(user_id, device_id)), user_id, device_id,
       session_id, insert_id, event_properties, user_properties, groups, platform, os, country, city,
       app_version
FROM file({{path:String}}, Parquet, {{structure:String}})
"""

INSERT_AMPLITUDE = f"""
INSERT INTO {TABLE}
SELECT event_type, parseDateTime64BestEffort(event_time, 6, 'UTC'),
       parseDateTime64BestEffort(client_event_time, 6, 'UTC'), cityHash64(coalesce(user_id, device_id)),
       user_id, device_id, session_id, `$insert_id`, event_properties, user_properties, groups, platform,
       os_name, country, city, version_name
FROM file({{path:String}}, JSONEachRow, {{structure:String}})
SETTINGS input_format_json_read_objects_as_strings = 1, input_format_skip_unknown_fields = 1
"""

DAILY_UNIQUES = f"""
SELECT toDate(event_time, 'UTC') AS day, uniqExact(actor_id) AS users
FROM {TABLE}
WHERE event_type = {{event_type:String}}
  AND event_time >= {{start:DateTime64(6, 'UTC')}} AND event_time < {{end:DateTime64(6, 'UTC')}}
GROUP BY day
ORDER BY day
"""


def open_session(path: Path) -> session.Session:
    """Open a chdb session whose data lives in ``path`` and create an empty events table."""
    peer = session.Session(str(path))
    peer.query("CREATE DATABASE IF NOT EXISTS bench")
    peer.query(f"DROP TABLE IF EXISTS {TABLE}")
    peer.query(CREATE_TABLE)
    return peer


def insert_file(peer: session.Session, path: Path, file_format: str) -> None:
    """Insert a generated file (``parquet`` or ``amplitude``) into the events table."""
    if file_format == "parquet":
        query, structure = INSERT_PARQUET, PARQUET_STRUCTURE
    else:
        query, structure = INSERT_AMPLITUDE, AMPLITUDE_STRUCTURE
    peer.query(query, params={"path": str(path), "structure": structure})


def merge_parts(peer: session.Session) -> None:
    """Merge the table's parts into one, the state a table reaches after its background merges."""
    peer.query(f"OPTIMIZE TABLE {TABLE} FINAL")


def count_events(peer: session.Session) -> int:
    return int(peer.query(f"SELECT count() FROM {TABLE}", "CSV").bytes().decode().strip())


def daily_uniques(peer: session.Session, event_type: str, first_day: date, last_day: date) -> dict[date, int]:
    """Count distinct actors per UTC day who did ``event_type``, both days included."""
    params = {
        "event_type": event_type,
        "start": first_day.isoformat(),
        "end": (last_day + timedelta(days=1)).isoformat(),
    }
    frame = peer.query(DAILY_UNIQUES, "DataFrame", params=params)
    return {_as_date(day): int(users) for day, users in zip(frame["day"], frame["users"])}


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") else date.fromisoformat(str(value)[:10])
