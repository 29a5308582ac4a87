"""Benchmark a 4-step funnel with a 1-day window: Loupe against bare DuckDB and chdb's ``windowFunnel``.

The funnel is Product Viewed > Item Added to Cart > Checkout Started >
Purchase Completed in "this" order, its step-1 events in the 30 days from
2024-01-16 to 2024-02-14 (UTC), later steps within one day of the step-1
event. Loupe runs ``funnel()`` on the project that Loupe imported the Parquet
file into. The peer, chdb, runs ``windowFunnel`` per actor on its own
MergeTree table ``ORDER BY (event_type, event_time)``, merged into one part,
with the same client times in microseconds. The floor is bare DuckDB
gathering each actor's step events in time order, the sort every funnel
needs, without matching any step. Loupe and chdb must give the same count at
every step, or the script stops. Timings are warm: one untimed run each, then
the best of ``--repeats`` rounds in which the engines take turns.

Usage: ``python bench/bench_funnel.py [--events N] [--repeats N] [--keep] [--markdown]``.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import floor
import generate
from harness import Result, bench_parser, fresh_path, parse_bench_arguments, report, timed
from tui.analytics.definition import parse_chart
from tui.analytics.funnel import funnel
from tui.store.project import open_project

log = logging.getLogger(__name__)

FIRST_DAY = date(2024, 1, 16)
LAST_DAY = date(2024, 2, 14)
STEPS = ["Product Viewed", "Item Added to Cart", "Checkout Started", "Purchase Completed"]
WINDOW_SECONDS = 86400
TARGET_PEER_RATIO = 1.0

CHART = {
    "type": "funnel",
    "steps": [{"event": step} for step in STEPS],
    "range": {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()},
    "window": "1d",
    "order": "this",
}

# windowFunnel returns, per actor, the longest chain of steps in order whose
# last event is at most ``window`` after its first. The step-1 condition
# includes the range, so a chain starts only at a step-1 event inside it.
PEER_FUNNEL = """
SELECT level, count() AS actors FROM (
    SELECT actor_id, windowFunnel({window:UInt64})(
        toUInt64(toUnixTimestamp64Micro(client_time)),
        event_type = {step1:String} AND event_time >= {start:DateTime64(6, 'UTC')}
            AND event_time < {end:DateTime64(6, 'UTC')},
        event_type = {step2:String}, event_type = {step3:String}, event_type = {step4:String}
    ) AS level
    FROM bench.events
    WHERE event_type IN ({step1:String}, {step2:String}, {step3:String}, {step4:String})
    GROUP BY actor_id
)
WHERE level > 0 GROUP BY level ORDER BY level
"""

FLOOR_SORT = """
SELECT count(*), sum(len(times)) FROM (
    SELECT actor_id, list(epoch_us(client_time) ORDER BY client_time, seq) AS times
    FROM events WHERE event_type IN (?, ?, ?, ?)
      AND event_time >= ? AND event_time < ?
    GROUP BY actor_id
)
"""


def range_bounds() -> tuple[datetime, datetime]:
    """Return the UTC range of step-1 events: the first day's start to the day after the last."""
    start = datetime.combine(FIRST_DAY, datetime.min.time(), timezone.utc)
    return start, datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time(), timezone.utc)


def loupe_counts(project, settings: dict) -> list[int]:
    """Run Loupe's funnel on a new cursor, as the app's worker does, and return each step's converted actors."""
    cursor = project.cursor()
    try:
        frame = funnel(cursor, parse_chart(CHART), settings)
    finally:
        cursor.close()
    return [int(value) for value in frame["converted"]]


def peer_counts(session) -> list[int]:
    """Run windowFunnel in chdb and return each step's converted actors (those whose level is at least the step)."""
    start, end = range_bounds()
    params = {
        "window": WINDOW_SECONDS * 1_000_000,
        "start": start.strftime("%Y-%m-%d %H:%M:%S"),
        "end": end.strftime("%Y-%m-%d %H:%M:%S"),
        **{f"step{index}": step for index, step in enumerate(STEPS, start=1)},
    }
    frame = session.query(PEER_FUNNEL, "DataFrame", params=params)
    actors_at = dict(zip((int(level) for level in frame["level"]), (int(count) for count in frame["actors"])))
    return [sum(count for level, count in actors_at.items() if level >= step) for step in range(1, len(STEPS) + 1)]


def floor_sort(cursor) -> tuple:
    """Gather each actor's step events of the range, plus one window, in time order."""
    start, end = range_bounds()
    return cursor.execute(FLOOR_SORT, [*STEPS, start, end + timedelta(seconds=WINDOW_SECONDS)]).fetchall()[0]


def interleaved_best_of(repeats: int, engines: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Run every engine once per round, ``repeats`` rounds, and return each engine's fastest seconds.

    Taking turns spreads a burst of other work on the machine over all
    engines, where timing one engine's repeats after another's would give
    the burst to one of them.
    """
    best = dict.fromkeys(engines, float("inf"))
    for _ in range(repeats):
        for name, work in engines.items():
            best[name] = min(best[name], timed(work)[0])
    return best


def build_peer(parquet: Path):
    """Load the Parquet file into a chdb MergeTree table of this script's own folder and merge it, untimed."""
    import peer  # Imported here so that the child measuring Loupe's memory never loads chdb (about 190 MB resident with chdb 4.4).

    session = peer.open_session(fresh_path("peer-funnel"))
    peer.insert_file(session, parquet, "parquet")
    peer.merge_parts(session)
    return session


def loupe_peak_gib(project_path: Path) -> float:
    """Return the peak resident memory of a child process that runs only Loupe's funnel on ``project_path``.

    chdb runs inside this process, so this process's own peak would count the
    peer's memory too. The child prints its own VmHWM, because on Linux a child
    that Python starts with vfork and exec counts this process's peak in its ``ru_maxrss``.
    """
    completed = subprocess.run(
        [sys.executable, __file__, "--loupe-only", str(project_path)], check=True, stdout=subprocess.PIPE, text=True
    )
    return int(completed.stdout.split()[-1]) / 2**20


def peak_rss_kib() -> int:
    """Return this process's peak resident memory in KiB, from VmHWM in /proc/self/status."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("VmHWM is missing from /proc/self/status: peak memory needs Linux.")


def main() -> None:
    parser = bench_parser(__doc__, repeats=5)
    parser.add_argument("--loupe-only", type=Path, metavar="PROJECT", help=argparse.SUPPRESS)
    args = parse_bench_arguments(parser)

    if args.loupe_only:
        with open_project(args.loupe_only) as project:
            loupe_counts(project, {"timezone": "UTC", "week_start": project.setting("week_start")})
        print(peak_rss_kib())
        return

    from bench_segmentation import build_project  # It imports chdb, which the child must not load.

    parquet = generate.generate(args.events, formats=("parquet",))["parquet"]
    project_path = build_project(parquet, args.events, args.keep)
    project = open_project(project_path)
    session = build_peer(parquet)
    settings = {"timezone": "UTC", "week_start": project.setting("week_start")}
    floor_cursor = floor.utc_cursor(project.con)
    try:
        loupe_steps, peer_steps = loupe_counts(project, settings), peer_counts(session)
        if loupe_steps != peer_steps:
            raise SystemExit(f"Loupe and chdb disagree on the funnel: Loupe {loupe_steps}, chdb {peer_steps}.")
        log.info("both engines count %s actors per step", loupe_steps)
        engines = {
            "Loupe": lambda: loupe_counts(project, settings),
            "floor": lambda: floor_sort(floor_cursor),
            "peer": lambda: peer_counts(session),
        }
        seconds = interleaved_best_of(args.repeats, engines)
    finally:
        floor_cursor.close()
        session.close()
        project.close()

    log.info("peak memory of a process that opens the project and runs the funnel once: %.2f GiB",
             loupe_peak_gib(project_path))
    result = Result(
        measure="4-step funnel, 1-day window, 30 days",
        size=f"{args.events:,} events",
        loupe=seconds["Loupe"],
        floor=seconds["floor"],
        peer=seconds["peer"],
        target=f"<= {TARGET_PEER_RATIO:.1f}x peer",
        passed=seconds["Loupe"] <= TARGET_PEER_RATIO * seconds["peer"],
    )
    report(f"Funnel (warm, best of {args.repeats}; ratios are Loupe's time over the other's)", [result], args.markdown)


if __name__ == "__main__":
    main()
