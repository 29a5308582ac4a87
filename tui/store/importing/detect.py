"""Choose each file's format: from ``--format``, else from its name and first line or header."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import duckdb

from tui.store.importing.sources import read_first_line
from tui.store.importing.summary import ImportFailed

# Format name -> (module in ``formats``, its staging function).
FORMATS = {
    "amplitude": ("amplitude", "stage_amplitude"),
    "mixpanel": ("mixpanel", "stage_mixpanel"),
    "posthog": ("posthog", "stage_posthog"),
    "csv": ("generic", "stage_csv"),
    "jsonl": ("generic", "stage_jsonl"),
    "parquet": ("generic", "stage_parquet"),
    "otto": ("otto", "stage_otto"),
    "snowplow": ("snowplow", "stage_snowplow"),
}

# Formats whose column names ``--map`` may set.
MAPPABLE_FORMATS = ("csv", "jsonl", "parquet")

JSON_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".ndjson.gz")
CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz")


def stage_function(format_name: str):
    """Return the staging function of ``format_name``, raising ImportFailed for an unknown format."""
    if format_name not in FORMATS:
        raise ImportFailed(f"Unknown format {format_name!r}: use one of {', '.join(FORMATS)}.")
    module_name, function_name = FORMATS[format_name]
    module = importlib.import_module(f"tui.store.importing.formats.{module_name}")
    return getattr(module, function_name)


def detect_format(path: Path, generic_only: bool = False) -> str:
    """Return the format of ``path`` from its name and content.

    With ``generic_only`` (a ``--map`` was given) the result is the container
    format, csv, jsonl or parquet, so the mapping applies.
    """
    name = path.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".zip"):
        return "amplitude"
    if name.endswith(CSV_SUFFIXES):
        return "csv" if generic_only else _detect_csv(path)
    if name.endswith(JSON_SUFFIXES):
        return "jsonl" if generic_only else _detect_json_lines(path)
    raise ImportFailed(
        f"Cannot tell the format of {path} from its name: give --format "
        f"({', '.join(FORMATS)}), or use a .jsonl, .csv, .parquet or .zip name."
    )


def _detect_json_lines(path: Path) -> str:
    try:
        first = json.loads(read_first_line(path))
    except ValueError:
        return "jsonl"
    if not isinstance(first, dict):
        return "jsonl"
    keys = set(first)
    properties = first.get("properties")
    if first.get("stream") is not None and isinstance(first.get("data"), dict):
        return "amplitude"  # an Airbyte export of Amplitude
    if "event_type" in keys and keys & {"amplitude_id", "client_event_time", "$insert_id", "event_id"}:
        return "amplitude"
    if "session" in keys and isinstance(first.get("events"), list):
        return "otto"
    if "event" in keys and "distinct_id" in keys:
        return "posthog"
    if "event" in keys and isinstance(properties, dict) and ("time" in properties or "distinct_id" in properties):
        return "mixpanel"
    return "jsonl"


def _detect_csv(path: Path) -> str:
    try:
        with duckdb.connect() as con:
            header = con.sql("SELECT * FROM read_csv($path, header = true) LIMIT 0", params={"path": str(path)}).columns
    except duckdb.Error as error:
        raise ImportFailed(f"Cannot read {path} as CSV: {str(error).splitlines()[0]}.") from None
    columns = {column.lower() for column in header}
    if {"event_id", "collector_tstamp", "domain_userid"} <= columns:
        return "snowplow"
    if {"event", "distinct_id", "timestamp"} <= columns and ("uuid" in columns or "properties" in columns):
        return "posthog"
    return "csv"
