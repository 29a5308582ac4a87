"""The physical line on which each rejected CSV record starts, for rejection messages.

The CSV formats number their records as if each record were one line, the
header being line 1. A quoted field that spans lines, a blank line, a
comment line or the rows DuckDB's sniffer skips before the header make the
physical line larger. ``renumber_rejections`` reads the file a second time
as lines and maps record numbers to lines. It runs only for a file with
rejected rows, so a clean import does not pay for it.

A line starts a record when it is not blank, not skipped, not a comment,
and an even number of quote characters comes before it. A line that starts
with the comment character inside a quoted field is part of that field. A doubled quote
inside a quoted field adds two, so the count stays even. When the file uses
another escape character, escaped characters are left out of the count.
The dialect is sniffed from the first 20,480 rows, as the first read does.
A read that detected types from every row (``sources.CSV_FULL_SAMPLE_READER``)
is assumed to use the same dialect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tui.store.importing.sources import CSV_OPTIONS, fetch_from_file
from tui.store.statements import run, scalar

# Each line as one column. A four-byte delimiter cuts a line only where it contains that exact byte
# sequence, which text does not. A one-byte delimiter such as U+0001 would cut a line at a stray control
# character and hide the quotes after it.
LINE_READER = (
    "read_csv($path, columns = {'line': 'VARCHAR'}, header = false, delim = '\x01\x02\x03\x04', "
    "quote = '', escape = '', auto_detect = false, strict_mode = false)"
)


@dataclass(frozen=True)
class Dialect:
    """The dialect DuckDB's CSV sniffer found for a file. A character is empty when the file uses none."""

    quote: str
    escape: str
    comment: str
    skip_rows: int


def renumber_rejections(cur: duckdb.DuckDBPyConnection, job) -> None:
    """Replace the record numbers of ``job``'s rejected rows in ``staged`` with the lines their records start on.

    ``job`` is the format's ``FileJob``. Its rows in ``staged`` must carry
    ``source_line`` = record number + 1, because the header is line 1.
    """
    rejected = scalar(cur, "count CSV rejections",
                      "SELECT count(*) FROM staged WHERE file_index = ? AND reject_reason IS NOT NULL",
                      [job.file_index])
    if not rejected:
        return
    dialect = sniff_dialect(cur, job.path)
    if dialect.comment:
        starts, parameters = "record_starts", {"file_index": job.file_index}
        _store_record_starts(cur, job, dialect)
    else:
        starts = f"({_record_starts_sql(dialect)})"
        parameters = {**_parameters(dialect), "path": str(job.path), "file_index": job.file_index}
    run(cur, "number CSV record lines", f"""
        UPDATE staged SET source_line = starts.line_number
        FROM {starts} AS starts
        WHERE staged.file_index = $file_index AND staged.reject_reason IS NOT NULL
          AND staged.source_line = starts.record_number
    """, parameters)


def sniff_dialect(cur: duckdb.DuckDBPyConnection, path: Path) -> Dialect:
    """Return the quote, escape and comment characters and skipped rows DuckDB's CSV reader uses for ``path``."""
    ((quote, escape, comment, skip_rows),) = fetch_from_file(
        cur, f"SELECT Quote, Escape, Comment, SkipRows FROM sniff_csv($path, {CSV_OPTIONS})", path
    )
    return Dialect(quote=_character(quote), escape=_character(escape), comment=_character(comment),
                   skip_rows=int(skip_rows))


def _character(value: str | None) -> str:
    # sniff_csv writes "(empty)" for a character the dialect does not use.
    return "" if value in (None, "", "(empty)") else value


def _record_starts_sql(dialect: Dialect) -> str:
    """Return SQL for ``(record_number, line_number)`` of every record, the header being record 1.

    For a dialect without a comment character: a window sum counts the quotes before each line.
    """
    counted = "line"
    if dialect.escape and dialect.escape != dialect.quote:
        counted = "regexp_replace(line, $escaped, '', 'g')"
    quotes = f"length({counted}) - length(replace({counted}, $quote, ''))" if dialect.quote else "0"
    return f"""
        SELECT row_number() OVER (ORDER BY line_number) AS record_number, line_number FROM (
            SELECT line_number, line,
                   coalesce(sum(quotes) OVER (ORDER BY line_number ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                            0) AS quotes_before
            FROM (
                SELECT line_number, line,
                       CASE WHEN line IS NULL OR line_number <= $skip_rows THEN 0 ELSE {quotes} END AS quotes
                FROM (SELECT row_number() OVER () AS line_number, line FROM {LINE_READER})
            )
        )
        WHERE quotes_before % 2 = 0 AND line IS NOT NULL AND line_number > $skip_rows
    """


def _parameters(dialect: Dialect) -> dict:
    parameters = {"skip_rows": dialect.skip_rows}
    if dialect.quote:
        parameters["quote"] = dialect.quote
    if dialect.escape and dialect.escape != dialect.quote:
        parameters["escaped"] = re.escape(dialect.escape) + "."
    return parameters


def _store_record_starts(cur: duckdb.DuckDBPyConnection, job, dialect: Dialect) -> None:
    """Fill the temporary table ``record_starts(record_number, line_number)`` for the rejected records of ``job``.

    A line that starts with the comment character is a comment only outside a quoted
    field, and whether it is outside depends on the quotes of the lines before, comments
    left out. That chain is walked line by line here, which costs about a second per
    million lines, so only files with comments and rejections take this way.
    """
    rejected_records = {number for (number,) in run(
        cur, "collect rejected records",
        "SELECT DISTINCT source_line FROM staged WHERE file_index = ? AND reject_reason IS NOT NULL",
        [job.file_index]).fetchall()}
    found = list(_walk_record_starts(_file_lines(cur, job.path), dialect, rejected_records))
    run(cur, "create record starts", "CREATE OR REPLACE TEMP TABLE record_starts (record_number BIGINT, line_number BIGINT)")
    if found:
        cur.executemany("INSERT INTO record_starts VALUES (?, ?)", found)


def _file_lines(cur: duckdb.DuckDBPyConnection, path: Path):
    """Yield the lines of the file at ``path`` in order, with None for a blank line."""
    cursor = cur.cursor()
    try:
        cursor.execute(f"SELECT line FROM {LINE_READER}", {"path": str(path)})
        while rows := cursor.fetchmany(100_000):
            for (line,) in rows:
                yield line
    finally:
        cursor.close()


def _walk_record_starts(lines, dialect: Dialect, rejected_records: set[int]):
    """Yield ``(record_number, line_number)`` for the records numbered in ``rejected_records``, the header being record 1."""
    escaped = re.compile(re.escape(dialect.escape) + ".") if dialect.escape and dialect.escape != dialect.quote else None
    inside_quotes, record_number = False, 0
    for line_number, line in enumerate(lines, 1):
        if not inside_quotes:
            if line is None or line_number <= dialect.skip_rows or line.startswith(dialect.comment):
                continue
            record_number += 1
            if record_number in rejected_records:
                yield record_number, line_number
        if line is not None and dialect.quote:
            counted = escaped.sub("", line) if escaped else line
            if counted.count(dialect.quote) % 2:
                inside_quotes = not inside_quotes
