"""A second process that holds a project's DuckDB write lock, as another Loupe or import would."""

import subprocess
import sys
import textwrap
from contextlib import contextmanager


@contextmanager
def write_lock_held(path):
    """Hold the write lock on ``path`` in another process for the duration of the block; yield its PID."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(path)!r})
            print("locked", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        if holder.stdout.readline().strip() != "locked":
            raise RuntimeError(f"the lock-holding process could not open {path}")
        yield holder.pid
    finally:
        holder.communicate("done\n")
