"""The memory cap an import runs under.

Without a cap DuckDB may use up to 80% of the machine's memory, and a 10
million event Parquet import peaked at 8.6 GB: the staging table (about
350 bytes a row) and the sort of the appended rows. Under the cap DuckDB
writes what does not fit to its temporary directory (``PROJECT.tmp`` next
to the project file) and reads it back.

The cap is a quarter of DuckDB's own limit (a fifth of the machine's
memory by default), kept between 1.5 and 3 GB. The same 10 million event
import (DuckDB 2.0.1, 2 cores, 23 GB of memory) took 76 CPU seconds and
41 s under a 1.5 GB cap, where it spilled most of its staging table, and
about 52 CPU seconds and 27 to 30 s under 3 or 4 GB; 6 GB saved little
more. Its process peaked at 3.1 to 3.4 GB under the 3 GB cap.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

log = logging.getLogger(__name__)

# Bounds of DuckDB's buffer memory during an import. The process peaked about 0.45 GB above
# a 1.5 GB cap (Python, the DuckDB catalog and allocations outside the buffer manager) in a
# 10M event Parquet import with DuckDB 2.0.1.
MIN_IMPORT_MEMORY_BYTES = 1_500_000_000
MAX_IMPORT_MEMORY_BYTES = 3_000_000_000

UNIT_BYTES = {
    "bytes": 1, "b": 1,
    "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
}


@contextmanager
def capped_memory(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Lower DuckDB's ``memory_limit`` to ``import_memory_cap`` while the block runs, then restore it.

    ``memory_limit`` applies to the whole database instance, so other
    cursors of the project share the cap until the block ends. A limit that
    is already lower is left as it is.
    """
    previous = cur.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    previous_bytes = size_in_bytes(previous)
    cap = import_memory_cap(previous_bytes)
    if previous_bytes is not None and previous_bytes <= cap:
        yield
        return

    try:
        cur.execute(f"SET memory_limit = '{cap}B'")
    except duckdb.Error as error:
        # DuckDB 2.0.1 raises OutOfMemoryException when it cannot free enough memory for the new limit.
        # NOTE: no test runs this branch, because it needs more than the cap in memory that DuckDB cannot evict.
        log.warning("import runs without the %d byte memory cap: %s", cap, error)
        capped = False
    else:
        capped = True

    try:
        yield
    finally:
        if capped:
            _restore(cur, previous)


def import_memory_cap(limit_bytes: int | None) -> int:
    """Return the import's memory cap in bytes for a DuckDB ``memory_limit`` of ``limit_bytes`` (None: unknown)."""
    if limit_bytes is None:
        return MIN_IMPORT_MEMORY_BYTES
    return min(MAX_IMPORT_MEMORY_BYTES, max(MIN_IMPORT_MEMORY_BYTES, limit_bytes // 4))


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
