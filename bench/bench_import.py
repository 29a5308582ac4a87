"""Benchmark Loupe's import of Parquet and Amplitude JSON lines against bare DuckDB and chdb.

For each file, Loupe imports it into a new project (create, import, close).
The floor copies the file into a new DuckDB file with one
``CREATE TABLE AS SELECT * FROM read_parquet/read_json``: every column of a
Parquet file or of generic JSON lines, and for Amplitude JSON lines the keys
Loupe keeps, typed (``bench/floor.py``). The peer, chdb,
inserts it into a MergeTree table ``ORDER BY (event_type, event_time)``. Each
runs once per file, in a process of its own, after one read of the file warms
the OS page cache, so no engine pays for the disk the others skip. Each
engine's peak memory (the maximum resident set size of its process) prints
below the table.

Usage: ``python bench/bench_import.py [--events N ...] [--format parquet|amplitude|jsonl ...] [--markdown]``.
``jsonl`` imports the Amplitude file with the generic JSON-lines reader.
Defaults: Parquet at 1M and 10M events, Amplitude JSON lines at 1M (the 10M
file is about 15 GB; ask for it with ``--events 10000000 --format amplitude``).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import resource
import time
from pathlib import Path

import floor
import generate
import peer
from harness import Result, fresh_path, report, timed
from tui.store.importing import import_files
from tui.store.project import create_project

log = logging.getLogger(__name__)

# Events per second Loupe should reach on the 2-core machine the targets were set for.
TARGETS = {"parquet": 2_000_000, "amplitude": 300_000, "jsonl": 300_000}
FORMAT_NAMES = {"parquet": "Parquet", "amplitude": "Amplitude JSON lines", "jsonl": "generic JSON lines"}
# ``jsonl`` imports the generated Amplitude file (55 top-level keys) with Loupe's generic JSON-lines reader.
# The floor and the peer read that file as they read it for ``amplitude``.
GENERATED_AS = {"jsonl": "amplitude"}
# The Parquet columns carry Loupe's names; naming them keeps the import from guessing, as the demo does.
MAPPINGS = {"parquet": {name: name for name in
                        ("event_type", "event_time", "user_id", "device_id", "session_id", "insert_id")}}
# Loupe's importer logs each SQL statement's seconds at DEBUG on this logger (tui/store/statements.py).
STATEMENT_LOGGER = "tui.store.statements"
SLOWEST_SHOWN = 8
DEFAULT_RUNS = [("parquet", 1_000_000), ("parquet", 10_000_000), ("amplitude", 1_000_000)]


def loupe_project_name(file_format: str, label: str) -> str:
    """Return the file name of the project an import run leaves behind, which ``bench_segmentation --keep`` reuses."""
    return f"loupe-import-{file_format}-{label}.duckdb"


def loupe_import(project_path: Path, path: Path, file_format: str) -> int:
    """Import one file into a new Loupe project, close it, log where the time went, and return the events imported."""
    with StatementTimes() as statements:
        started = time.perf_counter()
        project = create_project(project_path)
        try:
            summary = import_files(project, [path], format=file_format, mapping=MAPPINGS.get(file_format))
        finally:
            project.close()
        total = time.perf_counter() - started
    statements.log_slowest(path, total)
    return summary.imported


class StatementTimes(logging.Handler):
    """Collects the (statement, seconds) pairs the importer logs, while used as a context manager."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.times: list[tuple[str, float]] = []
        self._logger = logging.getLogger(STATEMENT_LOGGER)
        self._level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.args, tuple) and len(record.args) == 2:
            self.times.append((str(record.args[0]), float(record.args[1])))

    def __enter__(self) -> StatementTimes:
        self._logger.addHandler(self)
        self._logger.setLevel(logging.DEBUG)
        # The DEBUG lines are summed up by log_slowest, so they do not also go to the console.
        self._logger.propagate = False
        return self

    def __exit__(self, *exc) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)
        self._logger.propagate = True

    def log_slowest(self, path: Path, total: float) -> None:
        """Log the slowest statements and the time spent outside every logged statement."""
        slowest = sorted(self.times, key=lambda pair: pair[1], reverse=True)
        shown = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest[:SLOWEST_SHOWN])
        outside = total - sum(seconds for _, seconds in self.times)
        log.info("Loupe import of %s took %.1f s; slowest statements: %s; outside logged statements: %.1f s",
                 path.name, total, shown or "none logged", outside)


def peer_import(path: Path, file_format: str) -> tuple[float, int]:
    """Insert one file into a new chdb table; return the seconds the insert took and the row count."""
    session = peer.open_session(fresh_path(f"peer-import-{file_format}"))
    try:
        seconds, _ = timed(lambda: peer.insert_file(session, path, file_format))
        return seconds, peer.count_events(session)
    finally:
        session.close()


def floor_import(path: Path, file_format: str, label: str) -> tuple[float, int]:
    """Copy one file into a new DuckDB file; return the seconds and the row count."""
    return timed(lambda: floor.load_file(fresh_path(f"floor-{file_format}-{label}.duckdb"), path, file_format))


def timed_loupe_import(project_path: Path, path: Path, file_format: str) -> tuple[float, int]:
    """Import one file into a new Loupe project; return the seconds and the events imported."""
    return timed(lambda: loupe_import(project_path, path, file_format))


def in_own_process(work, *args) -> tuple[object, float]:
    """Run ``work(*args)`` in a new Python process; return its result and that process's peak memory in GB.

    A fresh process (spawn, not fork) starts without the memory of the
    engines that ran before, so each peak is that engine's own.
    """
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_run_measured, (work, *args))


def _run_measured(work, *args) -> tuple[object, float]:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = work(*args)
    # ru_maxrss is in kB on Linux.
    return result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def bench_file(file_format: str, n_events: int, peaks: list[str]) -> Result:
    """Time Loupe, the floor and the peer on one generated file and check they all loaded every event.

    Appends a line of the three peak memories to ``peaks``.
    """
    generated = GENERATED_AS.get(file_format, file_format)
    path = generate.generate(n_events, formats=(generated,))[generated]
    _warm_page_cache(path)
    label = generate.size_label(n_events)

    # The floor reads the file as the format Loupe imports it as: the generic reader keeps every key.
    (floor_seconds, floor_rows), floor_peak = in_own_process(floor_import, path, file_format, label)
    (peer_seconds, peer_rows), peer_peak = in_own_process(peer_import, path, generated)
    project_path = fresh_path(loupe_project_name(file_format, label))
    (loupe_seconds, loupe_events), loupe_peak = in_own_process(timed_loupe_import, project_path, path, file_format)
    peaks.append(f"{FORMAT_NAMES[file_format]}, {n_events:,} events: Loupe {loupe_peak:.2f} GB, "
                 f"floor {floor_peak:.2f} GB, peer {peer_peak:.2f} GB")

    for engine, count in (("floor", floor_rows), ("peer", peer_rows), ("Loupe", loupe_events)):
        if count != n_events:
            raise SystemExit(f"{engine} loaded {count:,} events from {path}, expected {n_events:,}.")

    target = TARGETS[file_format]
    return Result(
        measure=f"import {FORMAT_NAMES[file_format]}",
        size=f"{n_events:,} events, {path.stat().st_size / 1e6:,.0f} MB",
        loupe=loupe_seconds,
        floor=floor_seconds,
        peer=peer_seconds,
        kind="rate",
        events=n_events,
        target=f">= {target:,}/s",
        passed=n_events / loupe_seconds >= target,
    )


def _warm_page_cache(path: Path) -> None:
    with open(path, "rb") as handle:
        while handle.read(1 << 24):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, action="append", help="event count (repeatable)")
    parser.add_argument("--format", choices=list(TARGETS), action="append", help="file format (repeatable)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    if args.events or args.format:
        runs = [(file_format, n) for file_format in args.format or list(TARGETS)
                for n in args.events or [1_000_000, 10_000_000]]
    else:
        runs = DEFAULT_RUNS
    peaks: list[str] = []
    results = [bench_file(file_format, n_events, peaks) for file_format, n_events in runs]
    report("Import (one run each; ratios are Loupe's time over the other's)", results, args.markdown)
    print("Peak memory of each engine's process:")
    for line in peaks:
        print(f"- {line}")


if __name__ == "__main__":
    main()
