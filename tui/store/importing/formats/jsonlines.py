"""Shared reading of JSON-lines files: one JSON object per line, bad lines rejected by number."""

from __future__ import annotations

import json

import duckdb

from tui.store.importing.formats.base import FileJob, json_path
from tui.store.importing.sources import load_lines

# Exposes the file's object lines as ``objects(source_line, line)`` to a format's SELECT.
OBJECTS_CTE = """
    objects AS (
        SELECT rowid + $first_line AS source_line, line FROM source_lines
        WHERE line IS NOT NULL AND trim(line) <> '' AND json_object_or_null(line)
    )
"""


class Extraction:
    """The JSON paths a format reads from each line, extracted with one parse per line.

    ``text(path)`` and ``json(path)`` return SQL for that path's value as text
    or as JSON text, to use in ``select``. The paths are bound as parameters,
    so keys from the data never become SQL text.
    """

    def __init__(self) -> None:
        self.text_paths: list[str] = []
        self.json_paths: list[str] = []

    def text(self, path: str) -> str:
        self.text_paths.append(path)
        return f"texts[{len(self.text_paths)}]"

    def json(self, path: str) -> str:
        self.json_paths.append(path)
        return f"CAST(jsons[{len(self.json_paths)}] AS VARCHAR)"

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


def stage_json_lines(
    cur: duckdb.DuckDBPyConnection, job: FileJob, select: str, parameters: dict, ctes: str = "", first_line: int = 1
) -> None:
    """Stage the loaded JSON-lines file: reject lines that are not objects, insert ``select`` for the rest.

    ``select`` reads the ``objects(source_line, line)`` CTE (and any of
    ``ctes``, which may follow it) and names its columns as ``raw_events``
    does; ``file_index`` is added here. ``first_line`` is the line number of
    the first row of ``source_lines``.
    """
    reject_bad_lines(cur, job, first_line)
    cur.execute(
        f"INSERT INTO raw_events BY NAME WITH {OBJECTS_CTE} {ctes} "
        f"SELECT $file_index AS file_index, * FROM ({select})",
        {"file_index": job.file_index, "first_line": first_line, **parameters},
    )


def reject_bad_lines(cur: duckdb.DuckDBPyConnection, job: FileJob, first_line: int = 1) -> None:
    """Add a rejected row for each non-blank line that is not a JSON object."""
    cur.execute(
        """
        INSERT INTO raw_events BY NAME
        SELECT $file_index AS file_index, rowid + $first_line AS source_line,
               'line' AS problem_field, left(line, 200) AS problem_value,
               CASE WHEN json_valid(line) THEN 'not a JSON object' ELSE 'invalid JSON' END AS problem
        FROM source_lines
        WHERE line IS NOT NULL AND trim(line) <> '' AND NOT json_object_or_null(line)
        """,
        {"file_index": job.file_index, "first_line": first_line},
    )


def top_level_keys(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the keys used by any object line of the loaded file, in order of first use."""
    rows = cur.execute(
        f"""
        WITH {OBJECTS_CTE},
        keys AS (SELECT source_line, unnest(json_keys(line)) AS key FROM objects)
        SELECT key FROM keys GROUP BY key ORDER BY min(source_line)
        """,
        {"first_line": 1},
    ).fetchall()
    return [key for (key,) in rows]
