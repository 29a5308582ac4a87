"""PostHog event exports, as JSON lines or CSV.

| Loupe field | PostHog field |
| --- | --- |
| event_type | ``event`` |
| event_time | ``timestamp`` (PostHog's clock-corrected time); also client_time |
| user_id | ``distinct_id``, unless it equals ``properties.$device_id`` (an anonymous visitor) |
| device_id | ``properties.$device_id`` |
| session_id | ``properties.$session_id``; events without one are sessionised by the inactivity gap |
| insert_id | ``uuid`` |
| user_properties | ``person_properties``, else ``properties.$set`` |
| groups | ``properties.$groups`` |
| group properties | ``properties.$group_set`` of the group ``$group_type``/``$group_key`` (sent by ``$groupidentify`` events) |
| platform, os, country, city, app_version | ``$lib``, ``$os``, ``$geoip_country_code``, ``$geoip_city_name``, ``$app_version`` |

The other properties become event properties. In a CSV export the
``properties`` and ``person_properties`` columns hold JSON text; each CSV
row is turned into one JSON object and read like a line of the JSON export.
"""

from __future__ import annotations

import duckdb

from tui.store.importing.csv_lines import renumber_rejections
from tui.store.importing.formats.base import FileJob, StagedFile, describe_time_fields, removal_patch
from tui.store.importing.formats.jsonlines import Extraction, is_written_object, stage_json_lines, stage_lines_direct
from tui.store.importing.sources import load_csv, quote_identifier
from tui.store.importing.summary import ImportFailed

FIELD_NAMES = {
    "event_type": "event",
    "event_time": "timestamp",
    "user_id": "distinct_id",
    "device_id": "properties.$device_id",
    "session_id": "properties.$session_id",
    "insert_id": "uuid",
    "event_properties": "properties",
    "user_properties": "person_properties",
    "groups": "properties.$groups",
    "group_properties": "properties.$group_set",
}

# Properties that describe the person, not the event.
PERSON_PROPERTIES = ("$set", "$set_once")

JSON_COLUMNS = ("properties", "person_properties")


def stage_posthog(cur: duckdb.DuckDBPyConnection, job: FileJob) -> StagedFile:
    from_csv = str(job.path).lower().endswith((".csv", ".csv.gz"))
    extraction = Extraction()
    distinct_id = extraction.key("distinct_id")
    device_id = extraction.property('$device_id')
    session_id = extraction.property('$session_id')
    properties = extraction.json("$.properties")
    columns = [
        "source_line",
        f"{extraction.key('event')} AS event_type",
        f"{extraction.key('timestamp')} AS event_time",
        f"CASE WHEN {distinct_id} = {device_id} THEN NULL ELSE {distinct_id} END AS user_id",
        f"{device_id} AS device_id",
        f"{session_id} AS session_id",
        f"{session_id} IS NOT NULL AS sessions_from_source",
        f"{extraction.key('uuid')} AS insert_id",
        f"CASE WHEN {is_written_object(properties)} "
        f"THEN json_merge_patch('{{}}', {properties}, $person) ELSE {properties} END AS event_properties",
        f"coalesce({extraction.json('$.person_properties')}, {extraction.property_json('$set')}) AS user_properties",
        f"{extraction.property_json('$groups')} AS groups",
        f"{_group_properties_sql(extraction)} AS group_properties",
        f"{extraction.property('$lib')} AS platform",
        f"{extraction.property('$os')} AS os",
        f"{extraction.property('$geoip_country_code')} AS country",
        f"{extraction.property('$geoip_city_name')} AS city",
        f"{extraction.property('$app_version')} AS app_version",
    ]
    parameters = {**extraction.parameters(), "person": removal_patch(PERSON_PROPERTIES)}
    if from_csv:
        _load_csv_as_lines(cur, job)
        stage_json_lines(cur, job, extraction.select(columns), parameters, first_line=2)
        renumber_rejections(cur, job)
    else:
        stage_lines_direct(cur, job, extraction, columns, parameters)
    return StagedFile(field_names=FIELD_NAMES, time_fields=describe_time_fields("timestamp", None))


def _group_properties_sql(extraction: Extraction) -> str:
    """Return SQL for ``{$group_type: {$group_key: $group_set}}``, or NULL when one of the three is missing.

    A ``$group_set`` that is not an object stays as sent, so staging rejects
    the row and names that field.
    """
    group_type = extraction.property("$group_type")
    group_key = extraction.property("$group_key")
    group_set = extraction.property_json("$group_set")
    return (
        f"CASE WHEN {group_type} IS NULL OR {group_key} IS NULL OR {group_set} IS NULL THEN NULL "
        f"WHEN {is_written_object(group_set)} "
        f"THEN CAST(json_object({group_type}, json_object({group_key}, CAST({group_set} AS JSON))) AS VARCHAR) "
        f"ELSE {group_set} END"
    )


def _load_csv_as_lines(cur: duckdb.DuckDBPyConnection, job: FileJob) -> None:
    """Turn each CSV row into a JSON object in ``source_lines(line)``, parsing the JSON text columns.

    A JSON column whose text is not valid JSON stays a string, so the row is
    rejected later for that field instead of failing the file.
    """
    table = load_csv(cur, job.path)
    if "event" not in table.columns:
        raise ImportFailed(f"{job.name} has no 'event' column, so it is not a PostHog export; use --format csv with --map.")
    parsed = []
    for name in JSON_COLUMNS:
        if name in table.columns:
            column = f"r.{quote_identifier(name)}"
            parsed.append(
                f"'{name}', CASE WHEN json_valid({column}) THEN json({column}) ELSE to_json({column}) END"
            )
    patch = f"json_object({', '.join(parsed)})" if parsed else "'{}'"
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE source_lines AS
        SELECT CAST(json_merge_patch(to_json(r), {patch}) AS VARCHAR) AS line FROM {table.name} AS r
    """)
