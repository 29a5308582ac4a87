"""SQL helpers for the store: statements run with their durations logged at DEBUG, and an event order key."""

from __future__ import annotations

import logging
import time

import duckdb

log = logging.getLogger(__name__)


def run(cur: duckdb.DuckDBPyConnection, step: str, sql: str, parameters: dict | list | None = None):
    """Execute ``sql`` on ``cur`` and log how long ``step`` took; return the cursor for fetching."""
    started = time.perf_counter()
    result = cur.execute(sql, parameters) if parameters is not None else cur.execute(sql)
    log.debug("%s: %.3f s", step, time.perf_counter() - started)
    return result


def is_interrupt(error: BaseException) -> bool:
    """Return whether ``error`` is how DuckDB 2.0.1 reports Ctrl-C during a statement: a plain RuntimeError."""
    return type(error) is RuntimeError and str(error) == "Query interrupted"


def scalar(cur: duckdb.DuckDBPyConnection, step: str, sql: str, parameters: dict | list | None = None):
    """Execute a query that returns one value and return that value."""
    return run(cur, step, sql, parameters).fetchall()[0][0]


def order_key_sql(time_column: str, seq_column: str = "seq") -> str:
    """Return SQL for one HUGEINT that orders events by ``time_column``, then ``seq``.

    arg_min and min compare this number more cheaply than a (time, seq)
    struct. ``seq`` is a positive BIGINT, so it fits the low 64 bits.
    """
    return f"(epoch_us({time_column})::HUGEINT * 18446744073709551616 + {seq_column})"
