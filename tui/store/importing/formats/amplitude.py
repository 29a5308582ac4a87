"""Amplitude export files: JSON lines, gzipped JSON lines, and the export ``.zip`` of gzipped files.

Fields read from each event object:

| Loupe field | Amplitude field |
| --- | --- |
| event_type | ``event_type`` |
| event_time | ``event_time`` (server time, corrected for device clock skew; decides the bucket) |
| client_time | ``client_event_time`` (device capture time; orders the user's events) |
| user_id, device_id | ``user_id``, ``device_id`` |
| session_id | ``session_id`` (session start in ms; ``-1`` = out of session) |
| insert_id | ``$insert_id``, else ``insert_id`` |
| event_properties, user_properties, groups | the objects of the same names |
| platform, os, country, city, app_version | ``platform``, ``os_name``, ``country``, ``city``, ``version_name`` |

Times look like ``2023-08-24 07:00:00.000000`` (no zone: UTC, or
``--source-timezone``) or RFC 3339. Amplitude sends session ids, so an event
without one is out of session.

Airbyte's Amplitude connector wraps each record as ``{"stream": ..., "data":
{...}}``: records of the ``events`` stream are unwrapped, and records of
other streams (aggregates such as ``active_users``) are counted as skipped.
"""

from __future__ import annotations

import duckdb

from tui.store.importing.formats.base import FileJob, StagedFile, describe_time_fields
from tui.store.importing.formats.jsonlines import Extraction, stage_json_lines
from tui.store.importing.sources import load_lines

FIELD_NAMES = {
    "event_type": "event_type",
    "event_time": "event_time",
    "client_time": "client_event_time",
    "user_id": "user_id",
    "device_id": "device_id",
    "session_id": "session_id",
    "insert_id": "$insert_id",
    "event_properties": "event_properties",
    "user_properties": "user_properties",
    "groups": "groups",
}

# Unwraps Airbyte records; plain Amplitude lines pass through. Lines of other streams are dropped here.
UNWRAPPED_CTE = """,
    events_only AS (
        SELECT source_line,
               CASE WHEN json_exists(line, '$.stream') AND json_type(line, '$.data') = 'OBJECT'
                    THEN CAST(json_extract(line, '$.data') AS VARCHAR) ELSE line END AS line
        FROM objects
        WHERE NOT json_exists(line, '$.stream') OR json_extract_string(line, '$.stream') = 'events'
    )
"""


def stage_amplitude(cur: duckdb.DuckDBPyConnection, job: FileJob) -> StagedFile:
    load_lines(cur, job.path)
    extraction = Extraction()
    columns = [
        "source_line",
        f"{extraction.key('event_type')} AS event_type",
        f"{extraction.key('event_time')} AS event_time",
        f"{extraction.key('client_event_time')} AS client_time",
        f"{extraction.key('user_id')} AS user_id",
        f"{extraction.key('device_id')} AS device_id",
        f"{extraction.key('session_id')} AS session_id",
        f"coalesce({extraction.key('$insert_id')}, {extraction.key('insert_id')}) AS insert_id",
        f"{extraction.json('$.event_properties')} AS event_properties",
        f"{extraction.json('$.user_properties')} AS user_properties",
        f"{extraction.json('$.groups')} AS groups",
        f"{extraction.key('platform')} AS platform",
        f"{extraction.key('os_name')} AS os",
        f"{extraction.key('country')} AS country",
        f"{extraction.key('city')} AS city",
        f"{extraction.key('version_name')} AS app_version",
        "true AS sessions_from_source",
    ]
    select = extraction.select(columns, source="events_only")
    stage_json_lines(cur, job, select, extraction.parameters(), ctes=UNWRAPPED_CTE)
    return StagedFile(
        skipped=_count_other_streams(cur),
        field_names=FIELD_NAMES,
        time_fields=describe_time_fields("event_time", "client_event_time"),
    )


def _count_other_streams(cur: duckdb.DuckDBPyConnection) -> int:
    """Count Airbyte records of streams other than ``events``, which hold no events."""
    return cur.execute("""
        SELECT count(*) FROM source_lines
        WHERE line IS NOT NULL AND trim(line) <> '' AND json_object_or_null(line)
          AND json_exists(line, '$.stream') AND json_extract_string(line, '$.stream') <> 'events'
    """).fetchone()[0]
