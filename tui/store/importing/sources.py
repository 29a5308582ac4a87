"""Read source files into temporary DuckDB tables with DuckDB's own readers.

Every reader keeps the source line number, so a rejected row can be named as
``file:line``; for CSV files, ``csv_lines`` turns record numbers into line
numbers. Whole-file failures (a truncated ``.gz``, a CSV without a
header, a damaged Parquet file) become ImportFailed naming the file.
"""

from __future__ import annotations

import gzip
import logging
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tui.store.importing.summary import ImportFailed

log = logging.getLogger(__name__)

# JSON text never contains a raw control character (RFC 8259 requires them
# escaped), so U+0001 as the delimiter keeps every line in one column.
LINE_READER = (
    "read_csv($path, columns = {'line': 'VARCHAR'}, header = false, delim = '\x01', "
    "quote = '', escape = '', auto_detect = false, strict_mode = false)"
)


PARQUET_READER = "read_parquet($path)"
# Column types come from the first 20,480 rows, so a value further down that does not fit its column's
# type (a bad timestamp, say) fails the read. The second read, the one that numbers rows for rejections,
# detects types from every row instead, so such a value is read as text and its row is rejected.
CSV_OPTIONS = "header = true, sample_size = 20480"
CSV_READER = f"read_csv($path, {CSV_OPTIONS})"
CSV_FULL_SAMPLE_READER = "read_csv($path, header = true, sample_size = -1)"


@dataclass(frozen=True)
class SourceTable:
    """A temporary table holding one source file's rows in file order.

    ``rowid + first_line`` is a row's line number in the file when every
    record is one line: DuckDB keeps insertion order, so ``rowid`` is the
    0-based row index. For CSV, ``csv_lines.renumber_rejections`` maps it to
    the physical line.
    """

    name: str
    columns: list[str]
    first_line: int

    @property
    def line_number(self) -> str:
        return f"(rowid + {self.first_line})"


def load_lines(cur: duckdb.DuckDBPyConnection, path: Path, table: str = "source_lines") -> SourceTable:
    """Read a JSON-lines file (plain or gzip) into ``table(line)``, one row per line, blank lines as NULL."""
    _run_reader(cur, f"SELECT line FROM {LINE_READER}", path, table)
    return SourceTable(table, ["line"], first_line=1)


def load_csv(cur: duckdb.DuckDBPyConnection, path: Path, table: str = "source_rows") -> SourceTable:
    """Read a CSV file (plain or gzip) with a header row into ``table``.

    Column types are detected, so numbers stay numbers in event properties.
    """
    try:
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {CSV_READER}", {"path": str(path)})
    except duckdb.ConversionException as error:
        log.info("reading %s with types from its first rows failed (%s); detecting types from every row", path, error)
        _run_reader(cur, f"SELECT * FROM {CSV_FULL_SAMPLE_READER}", path, table)
    except duckdb.Error as error:
        raise _read_failure(path, error) from None
    return SourceTable(table, _columns(cur, table), first_line=2)


@dataclass(frozen=True)
class SourceRecords:
    """A file read straight by a DuckDB reader, one row per record, without a staging copy.

    ``select(numbered)`` is SQL for ``(line_number, record)``, where
    ``record`` is the row as a struct (so a source column may have any name)
    and ``line_number`` its record number plus one (CSV, whose header is line
    1; ``csv_lines`` maps it to the physical line) or row number (Parquet),
    or 0 when not ``numbered``. ROW_NUMBER() OVER () without ORDER
    BY runs as DuckDB's streaming window, which numbers rows in file order.
    The numbered form reads with ``numbered_reader`` when it is set.
    """

    reader: str
    first_line: int
    columns: list[str]
    types: dict[str, str]
    numbered_reader: str | None = None

    def select(self, numbered: bool) -> str:
        line_number = f"row_number() OVER () + {int(self.first_line) - 1}" if numbered else "0"
        # The row is taken whole through its table alias, which must not be a column's name,
        # because DuckDB would then take that column instead.
        alias = "source_row"
        taken = {column.lower() for column in self.columns}
        while alias in taken:
            alias += "_"
        reader = self.numbered_reader if numbered and self.numbered_reader else self.reader
        return f"SELECT {line_number} AS line_number, {alias} AS record FROM {reader} AS {alias}"


def open_records(
    cur: duckdb.DuckDBPyConnection, path: Path, reader: str, first_line: int, numbered_reader: str | None = None
) -> SourceRecords:
    """Read the column names and types of ``path`` with ``reader`` (SQL using ``$path``) and describe its records.

    Raises ImportFailed naming the file when DuckDB cannot read its header or schema.
    """
    try:
        description = cur.execute(f"DESCRIBE SELECT * FROM {reader}", {"path": str(path)}).fetchall()
    except duckdb.Error as error:
        raise _read_failure(path, error) from None
    return SourceRecords(
        reader=reader,
        first_line=first_line,
        columns=[name for name, *_ in description],
        types={name: type_name for name, type_name, *_ in description},
        numbered_reader=numbered_reader,
    )


def read_first_line(path: Path) -> str:
    """Return the first non-blank line of a plain or gzip text file, for format detection."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    return line
    except (OSError, EOFError) as error:
        raise ImportFailed(f"Cannot read {path}: {error}. Check that the file is complete.") from None
    return ""


@contextmanager
def unpacked_zip(path: Path):
    """Extract an Amplitude export ``.zip`` to a temporary folder and yield its data files in name order."""
    with tempfile.TemporaryDirectory(prefix="loupe-import-") as folder:
        try:
            with zipfile.ZipFile(path) as archive:
                names = sorted(
                    name for name in archive.namelist()
                    if not name.endswith("/") and not Path(name).name.startswith(".")
                )
                members = [_extract_member(archive, name, Path(folder)) for name in names]
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ImportFailed(f"Cannot read {path} as a zip archive: {error}. Check that the download is complete.") from None
        yield members


def _extract_member(archive: zipfile.ZipFile, name: str, folder: Path) -> Path:
    # Flatten the member's path, so a name such as ../x cannot leave the folder.
    target = folder / f"{len(list(folder.iterdir())):05d}-{Path(name).name}"
    with archive.open(name) as source, open(target, "wb") as destination:
        while chunk := source.read(1 << 20):
            destination.write(chunk)
    return target


def _run_reader(cur: duckdb.DuckDBPyConnection, select: str, path: Path, table: str) -> None:
    """Store the rows of ``select`` (reading ``$path``) in the temporary ``table``, in file order."""
    fetch_from_file(cur, f"CREATE OR REPLACE TEMP TABLE {table} AS {select}", path)


def fetch_from_file(cur: duckdb.DuckDBPyConnection, sql: str, path: Path) -> list[tuple]:
    """Run ``sql`` (reading ``$path``) and return its rows. Raises ImportFailed naming the file when DuckDB cannot read it."""
    try:
        return cur.execute(sql, {"path": str(path)}).fetchall()
    except duckdb.Error as error:
        raise _read_failure(path, error) from None


def _read_failure(path: Path, error: duckdb.Error) -> ImportFailed:
    log.warning("reading %s failed: %s", path, error)
    return ImportFailed(f"Cannot read {path}: {_first_line(error)}. Check that the file is complete and in the stated format.")


def _columns(cur: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in cur.execute(f"DESCRIBE {table}").fetchall()]


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def quote_identifier(name: str) -> str:
    """Quote a column name from a source file for SQL by doubling its double quotes."""
    return '"' + name.replace('"', '""') + '"'
