"""Shared reading of JSON-lines files: one JSON object per line, bad lines rejected by number."""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from tui.store.importing.formats.base import FileJob, json_path
from tui.store.importing.sources import LINE_READER, fetch_from_file, quote_identifier
from tui.store.importing.staging import JSON_WHITE_SPACE, insert_numbered_on_demand, insert_raw_rows

# Exposes the file's object lines as ``objects(source_line, line)`` to a format's SELECT.
OBJECTS_CTE = """
    objects AS (
        SELECT rowid + $first_line AS source_line, line FROM source_lines
        WHERE line IS NOT NULL AND trim(line) <> '' AND json_object_or_null(line)
    )
"""


class Extraction:
    """The JSON paths a format reads from each line, extracted with one parse per line.

    ``text(path)``, ``json(path)`` and ``json_value(path)`` return SQL for
    that path's value as text, as JSON text or as a JSON value, to use in
    ``select``. The paths are bound as parameters, so keys from the data
    never become SQL text.
    """

    def __init__(self) -> None:
        self.text_paths: list[str] = []
        self.json_paths: list[str] = []

    def text(self, path: str) -> str:
        self.text_paths.append(path)
        return f"texts[{len(self.text_paths)}]"

    def json(self, path: str) -> str:
        return f"CAST({self.json_value(path)} AS VARCHAR)"

    def json_value(self, path: str) -> str:
        """Return SQL for the value at ``path`` typed JSON, which staging takes without parsing it again."""
        self.json_paths.append(path)
        return f"jsons[{len(self.json_paths)}]"

    def key(self, key: str) -> str:
        """Return SQL for the text of the top-level ``key``."""
        return self.text(json_path(key))

    def property(self, key: str, parent: str = "properties") -> str:
        """Return SQL for the text of ``key`` inside the top-level object ``parent``."""
        return self.text(json_path(parent) + "." + json.dumps(key))

    def property_json(self, key: str, parent: str = "properties") -> str:
        """Return SQL for ``key`` inside the top-level object ``parent``, as JSON text."""
        return self.json(json_path(parent) + "." + json.dumps(key))

    def select(self, columns: list[str], source: str = "objects") -> str:
        """Return a SELECT of ``columns`` (SQL ``expression AS name``) over ``source(source_line, line)``.

        The inner query keeps every column of ``source``, so ``columns`` may use them.
        """
        return f"""
            SELECT {', '.join(columns)} FROM (
                SELECT *,
                       json_extract_string(line, $text_paths) AS texts,
                       json_extract(line, $json_paths) AS jsons
                FROM {source}
            )
        """

    def parameters(self) -> dict:
        return {"text_paths": self.text_paths or ["$.__none"], "json_paths": self.json_paths or ["$.__none"]}


def is_written_object(value: str) -> str:
    """Return SQL that is true when ``value``, JSON text from ``Extraction``, is NULL or an object.

    DuckDB writes extracted JSON without white space around it, so the first character gives
    the type without the second parse that ``json_object_or_null`` makes.
    """
    return f"({value} IS NULL OR starts_with({value}, '{{'))"


def stage_json_lines(
    cur: duckdb.DuckDBPyConnection, job: FileJob, select: str, parameters: dict, ctes: str = "", first_line: int = 1
) -> None:
    """Stage the loaded JSON-lines file: reject lines that are not objects, insert ``select`` for the rest.

    ``select`` reads the ``objects(source_line, line)`` CTE (and any of
    ``ctes``, which may follow it) and names its columns as ``staging.RAW_COLUMNS``
    does; ``file_index`` is added here. ``first_line`` is the line number of
    the first row of ``source_lines``.
    """
    reject_bad_lines(cur, job, first_line)
    insert_raw_rows(
        cur,
        job,
        f"WITH {OBJECTS_CTE} {ctes} SELECT $file_index AS file_index, * FROM ({select})",
        {"file_index": job.file_index, "first_line": first_line, **parameters},
    )


def stage_lines_direct(cur: duckdb.DuckDBPyConnection, job: FileJob, extraction: Extraction, columns: list[str],
                       parameters: dict) -> None:
    """Stage a JSON-lines file in one statement that reads it straight from disk, numbering its lines.

    ``columns`` (SQL ``expression AS name``, as for ``Extraction.select``)
    may use ``source_line``, ``line`` and the values of ``extraction``.
    ``line`` is NULL on a line that is not a JSON object, and such a line is
    rejected by number, as ``stage_json_lines`` rejects it.
    """
    # The lines are always numbered, unlike in stage_lines_once, because staging a file a second time leaves
    # a gap in ``staged`` row ids and so in ``seq``. Numbering cost little: 200k generic lines of 55 keys
    # imported in 7.7 s numbered and 8.2 s numbered on demand (DuckDB 2.0.1, 2 busy cores, one run each).
    select = f"""
        SELECT $file_index AS file_index, {', '.join(columns)}, {_line_problem_sql("raw_line")}
        FROM (
            SELECT source_line, line AS raw_line, CASE WHEN kind = 'event' THEN line END AS line, texts, jsons, kind
            FROM (
                SELECT *, {_line_kind_sql("texts IS NULL OR jsons IS NULL")} AS kind
                FROM (
                    SELECT source_line, line, TRY(json_extract_string(line, $text_paths)) AS texts,
                           TRY(json_extract(line, $json_paths)) AS jsons
                    FROM ({NUMBERED_LINES}) WHERE {NON_BLANK}
                )
            )
        )
    """
    insert_raw_rows(cur, job, select, {"path": str(job.path), "file_index": job.file_index, **parameters})


def reject_bad_lines(cur: duckdb.DuckDBPyConnection, job: FileJob, first_line: int = 1) -> None:
    """Add a rejected row for each non-blank line that is not a JSON object."""
    insert_raw_rows(
        cur,
        job,
        """
        SELECT $file_index AS file_index, rowid + $first_line AS source_line,
               'line' AS problem_field, left(line, 200) AS problem_value,
               CASE WHEN json_valid(line) THEN 'not a JSON object' ELSE 'invalid JSON' END AS problem
        FROM source_lines
        WHERE line IS NOT NULL AND trim(line) <> '' AND NOT json_object_or_null(line)
        """,
        {"file_index": job.file_index, "first_line": first_line},
    )


def file_top_level_keys(cur: duckdb.DuckDBPyConnection, path) -> list[str]:
    """Return the keys used by any object line of the file at ``path``, in order of first use, read from disk.

    Keys first used on the same line keep their order in that line, so the
    first of two keys that differ only in letter case is the same on every run.
    """
    rows = fetch_from_file(cur, f"""
        WITH keys AS (
            SELECT source_line, unnest(key_list) AS key, generate_subscripts(key_list, 1) AS position
            FROM (
                SELECT source_line, TRY(json_keys(line)) AS key_list FROM ({NUMBERED_LINES})
                WHERE starts_with(line, '{{') OR starts_with(ltrim(line, {JSON_WHITE_SPACE}), '{{')
            )
        )
        SELECT key FROM keys GROUP BY key ORDER BY min(source_line), arg_min(position, source_line)
    """, path)
    return [key for (key,) in rows]


# Each line of the file with its 1-based number, read straight from the file. ROW_NUMBER() OVER ()
# with no ORDER BY runs as DuckDB's streaming window, which numbers rows in file order.
NUMBERED_LINES = f"SELECT row_number() OVER () AS source_line, line FROM {LINE_READER}"
NON_BLANK = "line IS NOT NULL AND (starts_with(line, '{') OR trim(line) <> '')"


def _line_kind_sql(unparsed: str, other_kind: str = "false") -> str:
    """Return SQL naming a non-blank line: 'invalid' (when ``unparsed``), 'not an object', 'other kind' or 'event'."""
    return f"""CASE
        WHEN {unparsed} THEN 'invalid'
        WHEN NOT (starts_with(line, '{{') OR starts_with(ltrim(line, {JSON_WHITE_SPACE}), '{{')) THEN 'not an object'
        WHEN {other_kind} THEN 'other kind'
        ELSE 'event' END"""


def _line_problem_sql(line: str) -> str:
    """Return the select items ``problem_field``, ``problem_value`` and ``problem`` of a line named by ``kind``."""
    bad = "kind IN ('invalid', 'not an object')"
    return f"""CASE WHEN {bad} THEN 'line' END AS problem_field,
               CASE WHEN {bad} THEN left({line}, 200) END AS problem_value,
               CASE kind WHEN 'invalid' THEN 'invalid JSON' WHEN 'not an object' THEN 'not a JSON object' END
                   AS problem"""


@dataclass(frozen=True)
class Envelope:
    """A wrapper some exports put around each record: ``{KIND_KEY: kind, BODY_KEY: {record}}``.

    A wrapped record whose kind is not ``event_kind`` contains no event, so it
    is counted as skipped. The body of the others is read as the record.
    """

    kind_key: str
    body_key: str
    event_kind: str


def stage_lines_once(
    cur: duckdb.DuckDBPyConnection,
    job: FileJob,
    fields: list[tuple[str, list[str], str]],
    constants: list[str],
    envelope: Envelope | None = None,
) -> None:
    """Stage a JSON-lines file reading each line once: every key comes out of one parse of the line.

    ``fields`` lists (staging column, top-level keys tried in order, "text",
    "time" or "json"); ``constants`` are further SQL select items such as
    ``true AS sessions_from_source``. Blank lines are left out, and lines
    that are not JSON objects are rejected by line number.
    """
    paths: list[str] = []

    def index(path: str) -> int:
        paths.append(path)
        return len(paths)

    plain = {key: index(json_path(key)) for _, keys, _ in fields for key in keys}
    if envelope:
        kind = index(json_path(envelope.kind_key))
        body = index(json_path(envelope.body_key))
        wrapped = {key: index(json_path(envelope.body_key) + "." + json.dumps(key)) for key in plain}
        is_wrapped = f"(extracted[{kind}] IS NOT NULL AND starts_with(extracted[{body}], '{{'))"
        other_kind = f"(extracted[{kind}] IS NOT NULL AND coalesce(extracted[{kind}] ->> '$', '') <> $event_kind)"
    else:
        is_wrapped, other_kind = "false", "false"

    def value(key: str) -> str:
        if not envelope:
            return f"extracted[{plain[key]}]"
        return f"CASE WHEN {is_wrapped} THEN extracted[{wrapped[key]}] ELSE extracted[{plain[key]}] END"

    columns = []
    for column, keys, kind_of_value in fields:
        # JSON values keep their JSON type, so staging need not parse them again.
        values = [value(key) if kind_of_value == "json" else f"({value(key)}) ->> '$'" for key in keys]
        columns.append(f"{_first_found(values)} AS {column}")

    def select(numbered: bool) -> str:
        if not numbered:
            return _json_reader_select(fields, constants, envelope, job.source_timezone)
        return f"""
        SELECT $file_index AS file_index, source_line, {', '.join(columns + constants)}, {_line_problem_sql("line")},
               kind = 'other kind' AS skipped
        FROM (
            SELECT *, {_line_kind_sql("extracted IS NULL", other_kind)} AS kind
            FROM (SELECT source_line, line, TRY(json_extract(line, $paths)) AS extracted
                  FROM ({NUMBERED_LINES}) WHERE {NON_BLANK})
        )
        """

    parameters = {"path": str(job.path), "file_index": job.file_index, "paths": paths}
    if envelope:
        parameters["event_kind"] = envelope.event_kind
    insert_numbered_on_demand(cur, job, select, parameters)


def _first_found(values: list[str]) -> str:
    return values[0] if len(values) == 1 else "coalesce(" + ", ".join(values) + ")"


def _json_reader_select(fields: list[tuple[str, list[str], str]], constants: list[str],
                        envelope: Envelope | None, source_timezone: str) -> str:
    """Return the unnumbered SELECT of ``stage_lines_once``: DuckDB's JSON reader typing only the keys read.

    Staging 1 million Amplitude lines (1.5 GB, 55 keys) took 4.6 s of CPU time this way (DuckDB
    2.0.1, 2 busy cores). Extracting the keys from each line as text, with a costlier time parse,
    took 9.2 s. Times ("time" fields) are typed TIMESTAMPTZ when the source zone is UTC, which
    took the time parse out of staging: about 1.2 s of CPU time at 1 million events. The reader
    fails on a line that is not a JSON object, on invalid JSON, on a repeated key and on a time its
    cast cannot read (an epoch number, say), and a wrapped record fails the statement on purpose.
    Such a file is then staged line by line, which rejects bad lines by number and unwraps records.
    """
    # The reader casts a time without an offset in its session zone, which is UTC on the import's cursor.
    time_type = "TIMESTAMPTZ" if source_timezone == "UTC" else "VARCHAR"
    reader_types = {"json": "JSON", "text": "VARCHAR", "time": time_type}
    types = {key: reader_types[kind_of_value] for _, keys, kind_of_value in fields for key in keys}
    skipped = "false"
    if envelope:
        types.setdefault(envelope.kind_key, "VARCHAR")
        skipped = (f"CASE WHEN {quote_identifier(envelope.kind_key)} IS NOT NULL "
                   "THEN error('a wrapped record: stage the file line by line') ELSE false END")
    reader_columns = ", ".join(f"{_sql_string(key)}: '{type_name}'" for key, type_name in types.items())
    columns = [f"{_first_found([quote_identifier(key) for key in keys])} AS {column}" for column, keys, _ in fields]
    return f"""
        SELECT $file_index AS file_index, 0 AS source_line, {', '.join(columns + constants)}, {skipped} AS skipped
        FROM read_json($path, columns = {{{reader_columns}}}, format = 'newline_delimited', records = true)
    """


def _sql_string(text: str) -> str:
    """Return ``text`` as a SQL string literal; only for the fixed key names of a format, never data."""
    return "'" + text.replace("'", "''") + "'"
