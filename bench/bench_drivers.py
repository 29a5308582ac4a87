"""Benchmark conversion drivers at step 2 of the 4-step funnel of ``bench_funnel.py``, on 10M events.

Loupe runs ``drivers()`` on the project that Loupe imported the generated
Parquet file into: the funnel's conversions, the events in between and the
2x2 counts in one DuckDB statement, then the Fisher tests in numpy. A second
row adds the values of one property (``source`` on 'Page Viewed').

The floor is bare DuckDB computing the same counts with the least machinery.
ASOF joins take each step-1 event's first later event of each step. The
step event types differ, so no event can fill two steps. Then it keeps the
conversion with the most steps per actor, and runs one join and group-by over
the events in between. It skips Loupe's support rule, property values and window
cap; the script applies the support rule to the floor's counts and stops
unless they equal Loupe's.

There is no peer: chdb's ``windowFunnel`` returns only the level each actor
reached, not the events the conversion used, so a ClickHouse query for the
events in between would be a different algorithm, not the same work.

The third row times the two-sided Fisher exact tests alone on 5,000 tables
(numpy, in ``tui.analytics.fisher``) against ``scipy.stats.fisher_exact`` called
per table, shown as the peer.

Usage: ``python bench/bench_drivers.py [--events N] [--repeats N] [--keep] [--markdown]``.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.stats import fisher_exact

import generate
from bench_funnel import CHART, STEPS, WINDOW_SECONDS, range_bounds
from bench_segmentation import build_project
from harness import Result, bench_parser, best_of, parse_bench_arguments, report
from tui.analytics.definition import parse_chart
from tui.analytics.drivers import drivers
from tui.analytics.fisher import fisher_two_sided
from tui.store.project import open_project

log = logging.getLogger(__name__)

STEP = 2
PROPERTY = ("Page Viewed", "source")
TARGET = 0.3
FISHER_TABLES = 5_000

# Each step-1 event of the range starts a conversion. Each later step takes the first event of its type at or
# after the previous step's client time, if that is within one window of the start.
FLOOR_DRIVERS = """
WITH s1 AS (SELECT actor_id, epoch_us(client_time) AS t, seq FROM events
            WHERE event_type = $step1 AND event_time >= $start AND event_time < $end),
s2 AS (SELECT actor_id, epoch_us(client_time) AS t, seq FROM events
       WHERE event_type = $step2 AND actor_id IN (SELECT actor_id FROM s1)),
s3 AS (SELECT actor_id, epoch_us(client_time) AS t FROM events
       WHERE event_type = $step3 AND actor_id IN (SELECT actor_id FROM s1)),
s4 AS (SELECT actor_id, epoch_us(client_time) AS t FROM events
       WHERE event_type = $step4 AND actor_id IN (SELECT actor_id FROM s1)),
c2 AS (SELECT s1.actor_id, s1.t AS t1, s1.seq AS seq1,
              CASE WHEN s2.t <= s1.t + $window THEN s2.t END AS t2,
              CASE WHEN s2.t <= s1.t + $window THEN s2.seq END AS seq2
       FROM s1 ASOF LEFT JOIN s2 ON s2.actor_id = s1.actor_id AND s2.t >= s1.t),
c3 AS (SELECT c2.*, CASE WHEN s3.t <= c2.t1 + $window THEN s3.t END AS t3
       FROM c2 ASOF LEFT JOIN s3 ON s3.actor_id = c2.actor_id AND s3.t >= c2.t2),
c4 AS (SELECT c3.*, CASE WHEN s4.t <= c3.t1 + $window THEN s4.t END AS t4
       FROM c3 ASOF LEFT JOIN s4 ON s4.actor_id = c3.actor_id AND s4.t >= c3.t3),
kept AS (SELECT *, 1 + (t2 IS NOT NULL)::INT + (t3 IS NOT NULL)::INT + (t4 IS NOT NULL)::INT AS reached FROM c4
         QUALIFY row_number() OVER (PARTITION BY actor_id ORDER BY reached DESC, t1, seq1) = 1),
population AS (SELECT actor_id, reached >= 2 AS converted, t1, seq1,
                      coalesce(t2, t1 + $window + 1) AS t_before, coalesce(seq2, 0) AS seq_before FROM kept)
SELECT event_type, count_if(converted) AS converted_users, count_if(NOT converted) AS dropped_users,
       (SELECT count(*) FROM population) AS population
FROM (SELECT DISTINCT e.event_type, e.actor_id, p.converted
      FROM events AS e JOIN population AS p USING (actor_id)
      WHERE e.event_type NOT IN ($step1, $step2, $step3, $step4)
        AND (epoch_us(e.client_time), e.seq) > (p.t1, p.seq1)
        AND (epoch_us(e.client_time), e.seq) < (p.t_before, p.seq_before))
GROUP BY event_type
"""


def loupe_drivers(project, settings: dict, properties=()):
    """Run Loupe's drivers on a new cursor, as the app's worker does, and return the DriverResult."""
    cursor = project.cursor()
    try:
        return drivers(cursor, parse_chart(CHART), settings, STEP, properties)
    finally:
        cursor.close()


def floor_counts(cursor) -> tuple[int, dict[str, tuple[int, int]]]:
    """Return the population and each event type's (converted, dropped) actors, computed by FLOOR_DRIVERS."""
    start, end = range_bounds()
    params = {"start": start, "end": end, "window": WINDOW_SECONDS * 1_000_000,
              **{f"step{index}": step for index, step in enumerate(STEPS, start=1)}}
    rows = cursor.execute(FLOOR_DRIVERS, params).fetchall()
    population = rows[0][3] if rows else 0
    return population, {event: (converted, dropped) for event, converted, dropped, _ in rows}


def check_answers(result, floor_answer) -> None:
    """Stop unless Loupe's drivers are the floor's event types that pass the support rule, with the same counts."""
    population, counts = floor_answer
    supported = {
        event: pair for event, pair in counts.items()
        if sum(pair) >= result.min_support and population - sum(pair) >= result.min_support
    }
    loupe = {event: (int(converted), int(dropped)) for event, converted, dropped
             in zip(result.frame["event"], result.frame["converted_users"], result.frame["dropped_users"])}
    if population != result.population or loupe != supported:
        raise SystemExit(f"Loupe and the floor disagree: population {result.population} against {population}, "
                         f"drivers {loupe} against {supported}.")


def fisher_tables(count: int) -> np.ndarray:
    """Return ``count`` 2x2 tables shaped like drivers of a 200k-actor population: rows (a, b, c, d)."""
    rng = np.random.default_rng(1)
    converted, dropped = 150_000, 50_000
    did_converted = rng.integers(25, 20_000, count)
    did_dropped = rng.integers(25, 8_000, count)
    return np.column_stack([did_converted, converted - did_converted, did_dropped, dropped - did_dropped])


def bench_fisher(repeats: int) -> Result:
    """Time the vectorised Fisher tests against scipy's per-table function, after checking they agree."""
    tables = fisher_tables(FISHER_TABLES)
    mine = fisher_two_sided(*tables.T)
    scipy_loop = lambda: [fisher_exact([[a, b], [c, d]]).pvalue for a, b, c, d in tables]  # noqa: E731
    # The absolute tolerance covers p-values below 1e-300, where both lose digits to subnormal floats.
    if not np.allclose(mine, scipy_loop(), rtol=1e-9, atol=1e-300):
        raise SystemExit("the vectorised Fisher test and scipy.stats.fisher_exact disagree.")
    loupe = best_of(repeats, lambda: fisher_two_sided(*tables.T))[0]
    peer = best_of(1, scipy_loop)[0]
    return Result(f"{FISHER_TABLES:,} Fisher exact tests (peer: scipy per table)", f"{FISHER_TABLES:,} tables",
                  loupe, peer=peer)


def main() -> None:
    parser = bench_parser(__doc__, repeats=5)
    args = parse_bench_arguments(parser)

    parquet = generate.generate(args.events, formats=("parquet",))["parquet"]
    project = open_project(build_project(parquet, args.events, args.keep))
    settings = {"timezone": "UTC", "week_start": project.setting("week_start")}
    cursor = project.cursor()
    try:
        result = loupe_drivers(project, settings)
        check_answers(result, floor_counts(cursor))
        log.info("step %d: population %d, converted %d, dropped %d, %d drivers; Loupe and the floor agree",
                 STEP, result.population, result.converted, result.dropped, len(result.frame))
        loupe = best_of(args.repeats, lambda: loupe_drivers(project, settings))[0]
        with_property = best_of(args.repeats, lambda: loupe_drivers(project, settings, (PROPERTY,)))[0]
        floor_seconds = best_of(args.repeats, lambda: floor_counts(cursor))[0]
    finally:
        cursor.close()
        project.close()

    size = f"{args.events:,} events"
    results = [
        Result(f"drivers, step {STEP} of a 4-step funnel", size, loupe, floor_seconds,
               target=f"<= {TARGET * 1000:.0f} ms", passed=loupe <= TARGET),
        Result(f"drivers with values of {PROPERTY[0]}.{PROPERTY[1]}", size, with_property, floor_seconds),
        bench_fisher(args.repeats),
    ]
    report(f"Conversion drivers (warm, best of {args.repeats}; no peer: see the script's docstring)",
           results, args.markdown)


if __name__ == "__main__":
    main()
