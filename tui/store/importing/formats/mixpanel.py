"""Mixpanel export: JSON lines of ``{"event": NAME, "properties": {...}}``.

| Loupe field | Mixpanel property |
| --- | --- |
| event_type | ``event`` |
| event_time | ``properties.time`` (epoch seconds, or milliseconds in newer exports); also client_time |
| user_id | ``$user_id``, else ``distinct_id`` unless it is the device (``$device:`` prefix or equal to ``$device_id``) |
| device_id | ``$device_id``, else the id after a ``$device:`` prefix of ``distinct_id`` |
| insert_id | ``$insert_id`` |
| os, city, country, app_version | ``$os``, ``$city``, ``mp_country_code``, ``$app_version_string`` |

The other properties become event properties. Mixpanel exports carry no
session id and no user profile properties, so sessions come from the
inactivity gap and ``user_properties`` stays empty.
"""

from __future__ import annotations

import duckdb

from tui.store.importing.formats.base import FileJob, StagedFile, describe_time_fields, removal_patch
from tui.store.importing.formats.jsonlines import Extraction, is_written_object, stage_lines_direct

FIELD_NAMES = {
    "event_type": "event",
    "event_time": "properties.time",
    "user_id": "properties.distinct_id",
    "device_id": "properties.$device_id",
    "insert_id": "properties.$insert_id",
    "event_properties": "properties",
}

# Properties that became Loupe fields and are not repeated as event properties.
USED_PROPERTIES = ("time", "distinct_id", "$insert_id", "$user_id", "$device_id")


def stage_mixpanel(cur: duckdb.DuckDBPyConnection, job: FileJob) -> StagedFile:
    extraction = Extraction()
    distinct_id = extraction.property('distinct_id')
    device_id = extraction.property('$device_id')
    user_id = extraction.property('$user_id')
    properties = extraction.json("$.properties")
    columns = [
        "source_line",
        f"{extraction.key('event')} AS event_type",
        f"{extraction.property('time')} AS event_time",
        f"""coalesce({user_id}, CASE
                WHEN starts_with({distinct_id}, '$device:') OR {distinct_id} = {device_id} THEN NULL
                ELSE {distinct_id} END) AS user_id""",
        f"""coalesce({device_id}, CASE
                WHEN starts_with({distinct_id}, '$device:') THEN substr({distinct_id}, 9) END) AS device_id""",
        f"{extraction.property('$insert_id')} AS insert_id",
        f"CASE WHEN {is_written_object(properties)} "
        f"THEN json_merge_patch('{{}}', {properties}, $used) ELSE {properties} END AS event_properties",
        f"{extraction.property('$os')} AS os",
        f"{extraction.property('$city')} AS city",
        f"{extraction.property('mp_country_code')} AS country",
        f"{extraction.property('$app_version_string')} AS app_version",
    ]
    parameters = {**extraction.parameters(), "used": removal_patch(USED_PROPERTIES)}
    stage_lines_direct(cur, job, extraction, columns, parameters)
    return StagedFile(field_names=FIELD_NAMES, time_fields=describe_time_fields("properties.time", None))
