"""Snowplow enriched events as CSV (one row per event, header row, canonical column names).

| Loupe field | Snowplow column |
| --- | --- |
| event_type | ``event_name``, else ``event`` (page_view, page_ping, struct, unstruct) |
| event_time | ``collector_tstamp`` (server time; decides the bucket) |
| client_time | ``dvce_created_tstamp`` (device time; orders the user's events) |
| user_id | ``user_id`` |
| device_id | ``domain_userid`` (first-party cookie id) |
| session_id | ``domain_sessionid``; an empty one is out of session |
| insert_id | ``event_id`` (Snowplow sends some events twice; later copies are duplicates) |
| platform, os, country, city | ``platform``, ``os_family``, ``geo_country``, ``geo_city`` |

The page, referrer, marketing, structured-event and browser columns listed
in ``PROPERTY_COLUMNS`` become event properties when the file has them and
the value is not empty. Times have no zone and are UTC (or ``--source-timezone``).
"""

from __future__ import annotations


import duckdb

from tui.store.importing.csv_lines import renumber_rejections
from tui.store.importing.formats.base import FileJob, StagedFile, describe_time_fields
from tui.store.importing.sources import load_csv, quote_identifier
from tui.store.importing.staging import insert_raw_rows
from tui.store.importing.summary import ImportFailed

FIELD_NAMES = {
    "event_type": "event_name",
    "event_time": "collector_tstamp",
    "client_time": "dvce_created_tstamp",
    "user_id": "user_id",
    "device_id": "domain_userid",
    "session_id": "domain_sessionid",
    "insert_id": "event_id",
}

REQUIRED_COLUMNS = ("event_id", "collector_tstamp", "event")

PROPERTY_COLUMNS = (
    "app_id", "page_url", "page_title", "page_referrer", "page_urlhost", "page_urlpath",
    "refr_medium", "refr_source", "refr_term", "mkt_medium", "mkt_source", "mkt_campaign",
    "mkt_term", "mkt_content", "se_category", "se_action", "se_label", "se_property", "se_value",
    "domain_sessionidx", "network_userid", "geo_region", "geo_region_name", "geo_timezone",
    "br_family", "br_lang", "dvce_type", "dvce_ismobile", "os_timezone", "event_vendor",
    "page_view_id", "pp_xoffset_min", "pp_xoffset_max", "pp_yoffset_min", "pp_yoffset_max",
)


def stage_snowplow(cur: duckdb.DuckDBPyConnection, job: FileJob) -> StagedFile:
    table = load_csv(cur, job.path)
    missing = [column for column in REQUIRED_COLUMNS if column not in table.columns]
    if missing:
        raise ImportFailed(
            f"{job.name} is not a Snowplow enriched-event CSV: column {missing[0]!r} is missing. "
            f"Use --format csv with --map for other CSV files."
        )

    def column(name: str) -> str:
        return f"CAST(r.{quote_identifier(name)} AS VARCHAR)" if name in table.columns else "NULL"

    properties = [name for name in PROPERTY_COLUMNS if name in table.columns]
    # json_object() would keep empty values; a merge patch onto {} leaves nulls out.
    pairs = ", ".join(f"$key_{index}, r.{quote_identifier(name)}" for index, name in enumerate(properties))
    properties_sql = f"json_merge_patch('{{}}', json_object({pairs}))" if properties else "'{}'"
    insert_raw_rows(
        cur,
        job,
        f"""
        SELECT $file_index AS file_index, {table.line_number} AS source_line,
               coalesce(nullif({column('event_name')}, ''), {column('event')}) AS event_type,
               {column('collector_tstamp')} AS event_time,
               {column('dvce_created_tstamp')} AS client_time,
               {column('user_id')} AS user_id,
               {column('domain_userid')} AS device_id,
               {column('domain_sessionid')} AS session_id,
               {column('event_id')} AS insert_id,
               CAST({properties_sql} AS VARCHAR) AS event_properties,
               {column('platform')} AS platform,
               {column('os_family')} AS os,
               {column('geo_country')} AS country,
               {column('geo_city')} AS city,
               true AS sessions_from_source
        FROM {table.name} AS r
        """,
        {"file_index": job.file_index, **{f"key_{index}": name for index, name in enumerate(properties)}},
    )
    renumber_rejections(cur, job)
    return StagedFile(
        field_names=FIELD_NAMES,
        time_fields=describe_time_fields("collector_tstamp", "dvce_created_tstamp"),
    )
