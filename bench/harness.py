"""Shared pieces of the benchmark scripts: timing, scratch paths, the results table and the machine.

Every figure in a table comes from one run of one script, so the ratios
compare Loupe, the floor and the peer on the same machine at the same time.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)

BENCH_DIR = Path(__file__).resolve().parent
WORK_DIR = BENCH_DIR / "out" / "work"

# Other work on the machine slows every engine, so the report shows how busy it was when the script started.
LOAD_BEFORE_RUN = os.getloadavg()[0]

# Column names of the results table, the same in the console and in docs/benchmarks.md.
HEADER = ("measure", "size", "Loupe", "floor", "peer", "Loupe/floor", "Loupe/peer", "target", "pass")


@dataclass
class Result:
    """One row of the results table.

    ``loupe``, ``floor`` and ``peer`` are seconds, or a count when ``kind`` is
    ``"count"``. With ``kind == "rate"`` they print as ``events`` per second.
    Ratios are always Loupe's time over the other's time, so above 1.0x Loupe
    is slower.
    """

    measure: str
    size: str
    loupe: float | None
    floor: float | None = None
    peer: float | None = None
    kind: str = "time"
    events: int | None = None
    target: str = ""
    passed: bool | None = None

    def cells(self) -> tuple[str, ...]:
        """Format the row as the table's text cells."""
        return (
            self.measure,
            self.size,
            self._figure(self.loupe),
            self._figure(self.floor),
            self._figure(self.peer),
            self._ratio(self.floor),
            self._ratio(self.peer),
            self.target,
            {True: "yes", False: "NO", None: "-"}[self.passed],
        )

    def _figure(self, value: float | None) -> str:
        if value is None:
            return "-"
        if self.kind == "count":
            return f"{value:,.0f}"
        if self.kind == "rate":
            return f"{self.events / value:,.0f}/s"
        if value < 1:
            return f"{value * 1000:,.0f} ms"
        return f"{value:,.2f} s"

    def _ratio(self, other: float | None) -> str:
        if self.kind == "count" or other is None or self.loupe is None or other == 0:
            return "-"
        return f"{self.loupe / other:.2f}x"


def timed(work: Callable[[], object]) -> tuple[float, object]:
    """Run ``work`` once and return its wall-clock seconds and its result."""
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def best_of(repeats: int, work: Callable[[], object]) -> tuple[float, object]:
    """Run ``work`` ``repeats`` times and return the fastest seconds and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        seconds, result = timed(work)
        best = min(best, seconds)
    return best, result


def fresh_path(name: str) -> Path:
    """Return a path under the work folder with nothing at it, removing what an earlier run left."""
    path = WORK_DIR / name
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        shutil.rmtree(path)
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    return path


def format_table(results: list[Result]) -> str:
    """Lay out the results as a fixed-width text table."""
    rows = [HEADER] + [result.cells() for result in results]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def format_markdown(results: list[Result]) -> str:
    """Lay out the results as a Markdown table for docs/benchmarks.md."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    for result in results:
        cells = [cell.replace("|", "\\|") for cell in result.cells()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine_description() -> str:
    """Describe the machine and the engine versions, for the header of a results page."""
    import chdb
    import duckdb

    return (
        f"{date.today().isoformat()}, {_cpu_model()}, {os.cpu_count()} cores, "
        f"{_memory_gib():.0f} GiB RAM, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, chdb {chdb.__version__}, "
        f"1-minute load average {LOAD_BEFORE_RUN:.2f} before the run"
    )


def report(title: str, results: list[Result], markdown: bool) -> None:
    """Print the machine line and the results table, as text or as Markdown."""
    print(f"{title} — {machine_description()}")
    print(format_markdown(results) if markdown else format_table(results))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return 0.0


def bench_parser(doc: str, repeats: int, events: bool = True) -> argparse.ArgumentParser:
    """Return the argument parser every query script shares: size, repeats, reuse and Markdown output.

    The caller may add its own options before parsing.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    if events:
        parser.add_argument("--events", type=int, default=10_000_000, help="event count (default 10000000)")
    parser.add_argument(
        "--repeats", type=int, default=repeats, help=f"timed runs per engine; the best counts (default {repeats})"
    )
    parser.add_argument(
        "--keep", action="store_true", help="reuse the Loupe project an earlier run of a bench script imported"
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    return parser


def parse_bench_arguments(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the command line and send log lines to the console, as every script prints its progress."""
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return args


def check_same_answers(answers: dict[str, dict], subject: str, sort_key: Callable | None = None) -> None:
    """Stop the script unless every engine's result equals the peer's, naming the first difference.

    Each result maps a key (a day, a cell) to a count. ``subject`` names what
    was counted, for the message.
    """
    expected = answers["peer"]
    for name, answer in answers.items():
        wrong = sorted((key for key in expected.keys() | answer.keys() if answer.get(key) != expected.get(key)),
                       key=sort_key)
        if wrong:
            first = wrong[0]
            raise SystemExit(
                f"{name} and chdb disagree on {subject} for {len(wrong)} keys; "
                f"first {first}: {name} {answer.get(first)}, chdb {expected.get(first)}."
            )
