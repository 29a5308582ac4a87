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
| group properties | ``group_properties``: group type -> group name -> properties, or ``{"$set": {...}}`` for the groups in ``groups`` |
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
from tui.store.importing.formats.jsonlines import Envelope, stage_lines_once
from tui.store.importing.staging import count_skipped

# Staging column, Amplitude keys tried in order, and whether the value is read as text, a time or JSON.
FIELDS = [
    ("event_type", ["event_type"], "text"),
    ("event_time", ["event_time"], "time"),
    ("client_time", ["client_event_time"], "time"),
    ("user_id", ["user_id"], "text"),
    ("device_id", ["device_id"], "text"),
    ("session_id", ["session_id"], "text"),
    ("insert_id", ["$insert_id", "insert_id"], "text"),
    ("event_properties", ["event_properties"], "json"),
    ("user_properties", ["user_properties"], "json"),
    ("groups", ["groups"], "json"),
    ("group_properties", ["group_properties"], "json"),
    ("platform", ["platform"], "text"),
    ("os", ["os_name"], "text"),
    ("country", ["country"], "text"),
    ("city", ["city"], "text"),
    ("app_version", ["version_name"], "text"),
]

# Rejections name a field by the first Amplitude key it is read from.
FIELD_NAMES = {column: keys[0] for column, keys, _ in FIELDS}

AIRBYTE_ENVELOPE = Envelope(kind_key="stream", body_key="data", event_kind="events")


def stage_amplitude(cur: duckdb.DuckDBPyConnection, job: FileJob) -> StagedFile:
    stage_lines_once(cur, job, FIELDS, ["true AS sessions_from_source"], envelope=AIRBYTE_ENVELOPE)
    return StagedFile(
        skipped=count_skipped(cur, job.file_index),
        field_names=FIELD_NAMES,
        time_fields=describe_time_fields("event_time", "client_event_time"),
    )
