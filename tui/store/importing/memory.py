"""The memory cap an import runs under.

Without a cap DuckDB may use up to 80% of the machine's memory, and a 10
million event Parquet import peaked at 8.6 GB: the staging table (about
350 bytes a row) and the sort of the appended rows. Under the cap DuckDB
writes what does not fit to its temporary directory (``PROJECT.tmp`` next
to the project file) and reads it back. That cost the same import 15 to
20% more CPU time, and its peak was 1.9 GB (two runs, 2 cores, shared machine).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

log = logging.getLogger(__name__)

# DuckDB's buffer memory during an import. The process peaked about 0.45 GB above this
# (Python, the DuckDB catalog and allocations outside the buffer manager) in a 10M
# event Parquet import with DuckDB 2.0.1.
IMPORT_MEMORY_LIMIT_BYTES = 1_500_000_000

UNIT_BYTES = {
    "bytes": 1, "b": 1,
    "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
}


@contextmanager
def capped_memory(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Lower DuckDB's ``memory_limit`` to ``IMPORT_MEMORY_LIMIT_BYTES`` while the block runs, then restore it.

    ``memory_limit`` applies to the whole database instance, so other
    cursors of the project share the cap until the block ends. A limit that
    is already lower is left as it is.
    """
    previous = cur.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    previous_bytes = size_in_bytes(previous)
    if previous_bytes is not None and previous_bytes <= IMPORT_MEMORY_LIMIT_BYTES:
        yield
        return

    try:
        cur.execute(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT_BYTES}B'")
    except duckdb.Error as error:
        # DuckDB 2.0.1 raises OutOfMemoryException when it cannot free enough memory for the new limit.
        # NOTE: no test runs this branch, because it needs more than the cap in memory that DuckDB cannot evict.
        log.warning("import runs without the %d byte memory cap: %s", IMPORT_MEMORY_LIMIT_BYTES, error)
        capped = False
    else:
        capped = True

    try:
        yield
    finally:
        if capped:
            _restore(cur, previous)


def _restore(cur: duckdb.DuckDBPyConnection, previous: str) -> None:
    # The setting prints with one decimal, so SET of the printed value would move DuckDB's default
    # a little. RESET restores the default exactly, and a limit set by a caller is set again.
    cur.execute("RESET memory_limit")
    if cur.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] != previous:
        cur.execute(f"SET memory_limit = '{previous}'")
    log.debug("memory_limit restored to %s after the import", previous)


def size_in_bytes(text: str) -> int | None:
    """Return the bytes of a DuckDB size setting such as ``'18.8 GiB'``, or None when it has no known unit."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]+)\s*", text)
    if not match or match.group(2).lower() not in UNIT_BYTES:
        return None
    return int(float(match.group(1)) * UNIT_BYTES[match.group(2).lower()])
