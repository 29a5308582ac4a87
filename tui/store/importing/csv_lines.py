"""The physical line on which each rejected CSV record starts, for rejection messages.

The CSV formats number their records as if each record were one line, the
header being line 1. A quoted field that spans lines, a blank line, a
comment line or the rows DuckDB's sniffer skips before the header make the
physical line larger. ``renumber_rejections`` reads the file a second time
as lines and maps record numbers to lines. It runs only for a file with
rejected rows, so a clean import does not pay for it.

A line starts a record when it is not blank, not skipped, not a comment,
and an even number of quote characters comes before it. A doubled quote
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
    run(cur, "number CSV record lines", f"""
        UPDATE staged SET source_line = starts.line_number
        FROM ({_record_starts_sql(dialect)}) AS starts
        WHERE staged.file_index = $file_index AND staged.reject_reason IS NOT NULL
          AND staged.source_line = starts.record_number
    """, {**_parameters(dialect), "path": str(job.path), "file_index": job.file_index})


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
    """Return SQL for ``(record_number, line_number)`` of every record, the header being record 1."""
    counted = "line"
    if dialect.escape and dialect.escape != dialect.quote:
        counted = "regexp_replace(line, $escaped, '', 'g')"
    quotes = f"length({counted}) - length(replace({counted}, $quote, ''))" if dialect.quote else "0"
    comment = "starts_with(line, $comment)" if dialect.comment else "false"
    # NOTE: a comment line's quotes are never counted, so a quoted field with a line that starts with the
    # comment character gets the numbers of the records after it wrong.
    return f"""
        SELECT row_number() OVER (ORDER BY line_number) AS record_number, line_number FROM (
            SELECT line_number, line, is_comment,
                   coalesce(sum(quotes) OVER (ORDER BY line_number ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                            0) AS quotes_before
            FROM (
                SELECT line_number, line, is_comment,
                       CASE WHEN line IS NULL OR is_comment OR line_number <= $skip_rows THEN 0 ELSE {quotes} END
                           AS quotes
                FROM (
                    SELECT line_number, line, coalesce({comment}, false) AS is_comment
                    FROM (SELECT row_number() OVER () AS line_number, line FROM {LINE_READER})
                )
            )
        )
        WHERE quotes_before % 2 = 0 AND line IS NOT NULL AND NOT is_comment AND line_number > $skip_rows
    """


def _parameters(dialect: Dialect) -> dict:
    parameters = {"skip_rows": dialect.skip_rows}
    if dialect.quote:
        parameters["quote"] = dialect.quote
    if dialect.comment:
        parameters["comment"] = dialect.comment
    if dialect.escape and dialect.escape != dialect.quote:
        parameters["escaped"] = re.escape(dialect.escape) + "."
    return parameters
