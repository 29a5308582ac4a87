"""OTTO recommender data set: JSON lines with one shop session per line.

Each line is ``{"session": ID, "events": [{"aid": ITEM, "ts": MS, "type": NAME}, ...]}``.
The ``session`` (which spans up to four weeks of one browser) becomes the
user id and also the device id: OTTO numbers sessions from 0, and ``"0"`` is
not a user id (see ``tui.store.identity``), so session 0 falls back to its
device id instead of being rejected. ``type`` becomes the event type,
``ts`` (epoch milliseconds, UTC) the event time, and ``aid`` the event
property ``aid``. Several events of one session often share one ``ts``, for example an order of several items; they
keep their order in the ``events`` array. Sessions come from the inactivity gap.
"""

from __future__ import annotations

import duckdb

from tui.store.importing.formats.base import FileJob, StagedFile, describe_time_fields
from tui.store.importing.formats.jsonlines import stage_json_lines
from tui.store.importing.sources import load_lines
from tui.store.importing.staging import insert_raw_rows

FIELD_NAMES = {"event_type": "events[].type", "event_time": "events[].ts", "user_id": "session", "device_id": "session"}

# One row per element of each line's ``events`` array, with its position in the array.
SESSION_EVENTS_CTE = """,
    sessions AS (
        SELECT source_line, json_extract_string(line, '$.session') AS session,
               CAST(json_extract(line, '$.events') AS JSON[]) AS session_events
        FROM objects WHERE json_type(line, '$.events') = 'ARRAY'
    ),
    session_events AS (
        SELECT source_line, session,
               unnest(session_events) AS event,
               unnest(range(len(session_events))) AS position
        FROM sessions
    )
"""

SELECT_EVENTS = """
    SELECT source_line, position AS source_index,
           json_extract_string(event, '$.type') AS event_type,
           json_extract_string(event, '$.ts') AS event_time,
           session AS user_id,
           session AS device_id,
           CAST(json_object('aid', json_extract(event, '$.aid')) AS VARCHAR) AS event_properties
    FROM session_events
"""


def stage_otto(cur: duckdb.DuckDBPyConnection, job: FileJob) -> StagedFile:
    # NOTE: OTTO still copies the file into ``source_lines`` and parses each line in several passes, unlike
    # the other JSON-lines readers (``jsonlines.stage_lines_direct``), because one line gives many events.
    load_lines(cur, job.path)
    stage_json_lines(cur, job, SELECT_EVENTS, {}, ctes=SESSION_EVENTS_CTE)
    _reject_lines_without_events(cur, job)
    return StagedFile(field_names=FIELD_NAMES, time_fields=describe_time_fields("events[].ts", None))


def _reject_lines_without_events(cur: duckdb.DuckDBPyConnection, job: FileJob) -> None:
    insert_raw_rows(
        cur,
        job,
        """
        SELECT $file_index AS file_index, rowid + 1 AS source_line, 'events' AS problem_field,
               left(CAST(json_extract(line, '$.events') AS VARCHAR), 200) AS problem_value,
               'missing or not an array' AS problem
        FROM source_lines
        WHERE line IS NOT NULL AND trim(line) <> '' AND json_object_or_null(line)
          AND coalesce(json_type(line, '$.events'), '') <> 'ARRAY'
        """,
        {"file_index": job.file_index},
    )
