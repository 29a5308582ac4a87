"""Benchmark the microscope on 10M events: the user table on screen, 50 user streams and the paths of one point.

The point is one UTC day (2024-02-15) of the daily-uniques chart of the most
common event, 'Page Viewed', in the project ``bench_segmentation.py`` and
``bench_import.py`` build from the generated Parquet file.

- User table: the real ``LoupeApp`` in ``App.run_test()``, from pushing
  ``UsersScreen`` (and, in a second row, from Enter on "View users" in the
  microscope menu, sent with ``App.simulate_key``) until the screen contains
  the count and the first page and one ``pilot.pause()`` has let Textual
  draw them. The floor is bare DuckDB counting the day's users and selecting
  the first page (the 100 users with the most events, joined to ``users``),
  with no Textual.
- Streams: ``point_streams`` for the first 50 users of that page. The floor
  is one window query over the same actors' events that returns the same rows
  and columns; like Loupe, it reads the wide columns of the kept events only.
- Paths: ``point_paths`` with its defaults. The floor builds each user's
  steps as Loupe does and counts the users under every prefix, without cutting
  the tree at the top 5 children, so it does a little less work.

The floors' answers are checked against Loupe's before timing. chdb has no
tables of users or sessions in ``peer.py``, so there is no peer here. Every
figure is the best of ``--repeats`` runs after one untimed run. With
``--export`` the script also runs ``bench_export.py`` (a million users to CSV
against a bare ``COPY``) and prints its table.

Usage: ``python bench/bench_microscope.py [--repeats N] [--keep] [--export] [--markdown]``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess
import sys
import time
from pathlib import Path

import generate
from bench_segmentation import build_project, chart_definition
from harness import BENCH_DIR, Result, best_of, report
from tui.analytics.definition import parse_chart
from tui.analytics.microscope.paths import point_paths
from tui.analytics.microscope.streams import BEFORE, FROM_START, point_streams
from tui.analytics.microscope.users import point_users
from tui.analytics.point import Point
from tui.store.project import open_project

log = logging.getLogger(__name__)

EVENTS = 10_000_000
EVENT_TYPE = "Page Viewed"
# 2024-02-15, bucket 30 of the chart's 60 days from 2024-01-16.
BUCKET = 30
PAGE_SIZE = 100
STREAM_USERS = 50
TABLE_TARGET = 0.2
STREAMS_TARGET = 0.3
PATHS_TARGET = 0.3
SCREEN_SIZE = (160, 45)

FLOOR_COUNT = "SELECT count(DISTINCT actor_id) FROM events WHERE event_type = ? AND event_time >= ? AND event_time < ?"

FLOOR_PAGE = """
SELECT listed.actor_id, coalesce(users.user_id, users.device_ids[1]) AS user_id,
       users.first_seen, users.last_seen, listed.events_in_point
FROM (SELECT actor_id, count(*) AS events_in_point FROM events
      WHERE event_type = ? AND event_time >= ? AND event_time < ?
      GROUP BY actor_id ORDER BY events_in_point DESC, actor_id LIMIT ?) AS listed
JOIN users USING (actor_id)
ORDER BY listed.events_in_point DESC, listed.actor_id
"""

# The session gap of the generated projects (Loupe's default): more than this between two events, one
# of them out of session, starts a new session block in streams and a path's end.
GAP_US = 30 * 60 * 1_000_000


def session_break_sql(source: str) -> str:
    """Return SQL adding ``session_break`` to ``source``'s rows, per actor from their first row, as session blocks split.

    A block starts at an actor's first row. It also starts at a row more than ``GAP_US`` after the
    previous one when either is out of session (no ``session_key``). And it starts at a row whose
    session differs from the last session seen since the last gap start.
    """
    order = "PARTITION BY actor_id ORDER BY client_time, seq"
    return f"""
        SELECT * EXCLUDE (gap_start, gap_block), gap_start OR coalesce(session_key <> last_value(session_key IGNORE NULLS)
                   OVER (PARTITION BY actor_id, gap_block ORDER BY client_time, seq
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS session_break
        FROM (
            SELECT *, sum(gap_start::INTEGER) OVER ({order} ROWS UNBOUNDED PRECEDING) AS gap_block
            FROM (
                SELECT *, row_number() OVER ({order}) = 1
                          OR ((session_key IS NULL OR lag(session_key) OVER ({order}) IS NULL)
                              AND epoch_us(client_time) - epoch_us(lag(client_time) OVER ({order})) > {GAP_US})
                          AS gap_start
                FROM ({source})
            )
        )
    """


# Picks each actor's kept events from narrow columns, then reads the wide columns of those events only.
FLOOR_STREAMS = f"""
WITH placed AS (
    SELECT actor_id, seq, event_time, client_time, session_key,
           CASE WHEN event_time < $start THEN 'before' WHEN event_time < $end THEN 'in' ELSE 'after' END AS position
    FROM events WHERE actor_id IN (SELECT unnest($ids))
),
kept AS (
    SELECT * FROM ({session_break_sql("SELECT * FROM placed")})
    QUALIFY position = 'in'
         OR (position = 'before'
             AND count(*) OVER (PARTITION BY actor_id, position)
                 - row_number() OVER (PARTITION BY actor_id, position ORDER BY client_time, seq) < {BEFORE})
         OR (position = 'after'
             AND row_number() OVER (PARTITION BY actor_id, position ORDER BY client_time, seq)
                 <= {FROM_START} - sum((position = 'in')::INTEGER) OVER (PARTITION BY actor_id))
)
SELECT kept.actor_id, kept.seq, kept.position, e.event_type = $event_type AND kept.position = 'in' AS counted,
       kept.session_break, e.event_type, e.session_id, CAST(e.event_properties AS VARCHAR) AS event_properties
FROM kept JOIN (SELECT * FROM events WHERE actor_id IN (SELECT unnest($ids))) AS e
    ON e.actor_id = kept.actor_id AND e.seq = kept.seq AND e.event_time = kept.event_time
ORDER BY list_position($ids, kept.actor_id), kept.client_time, kept.seq
"""

# Each user's events of the point from their first event of the point's type on.
FOLLOWING_EVENTS = """
    SELECT e.actor_id, e.event_type, e.client_time, e.seq, e.session_key
    FROM events e JOIN starts s USING (actor_id)
    WHERE e.event_time >= $start AND e.event_time < $end AND (e.client_time, e.seq) >= s.first
"""

# Each user's first session from their first event of the point, repeats collapsed, 6 steps; then users per prefix.
FLOOR_PATHS = f"""
WITH starts AS (
    SELECT actor_id, min((client_time, seq)) AS first FROM events
    WHERE event_type = $event_type AND event_time >= $start AND event_time < $end GROUP BY actor_id
),
following AS ({session_break_sql(FOLLOWING_EVENTS)}),
first_session AS (
    SELECT *, lag(event_type) OVER (PARTITION BY actor_id ORDER BY client_time, seq) AS previous_type
    FROM following
    QUALIFY sum(session_break::INTEGER) OVER (PARTITION BY actor_id ORDER BY client_time, seq
                                               ROWS UNBOUNDED PRECEDING) = 1
),
steps AS (
    SELECT actor_id, list(event_type ORDER BY client_time, seq)[1:6] AS steps
    FROM first_session WHERE previous_type IS DISTINCT FROM event_type GROUP BY actor_id
)
SELECT steps[1:level] AS prefix, count(*) AS users
FROM (SELECT steps, unnest(range(1, len(steps) + 1)) AS level FROM steps)
GROUP BY prefix
"""


def day_point() -> Point:
    """Return the point the benchmark opens: one day of the most common event's daily uniques."""
    return Point(parse_chart(chart_definition(EVENT_TYPE)), 0, None, BUCKET)


# User table in the app ----------------------------------------------------------


async def settle(app, pilot) -> None:
    """Wait until no worker of the app runs and Textual has processed what their results started."""
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            return


async def until_drawn(app, pilot):
    """Poll until the top screen is a user table with its count and first row, then let Textual draw it."""
    from tui.app.microscope.users_screen import UsersScreen

    while True:
        screen = app.screen
        if isinstance(screen, UsersScreen) and screen.total is not None and screen.table.row(0) is not None:
            break
        # A plain sleep polls without Pilot's wait for idle, which would add its own delay to each poll.
        await asyncio.sleep(0.001)
    await pilot.pause()
    return screen


async def time_user_table(project_path: Path, point: Point, repeats: int) -> dict:
    """Time the user table from a push of UsersScreen and from Enter in the menu; return seconds and the first page."""
    from tui.app.loupe_app import LoupeApp
    from tui.app.microscope.menu import MicroscopeMenu
    from tui.app.microscope.users_screen import UsersScreen

    app = LoupeApp(project_path)
    async with app.run_test(size=SCREEN_SIZE) as pilot:
        await settle(app, pilot)
        pushed, entered = [], []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            app.push_screen(UsersScreen(app.project, point, app.settings))
            screen = await until_drawn(app, pilot)
            pushed.append(time.perf_counter() - started)
            first_page = [screen.table.row(index).key[0] for index in range(min(PAGE_SIZE, screen.table.row_count))]
            total = screen.total
            app.pop_screen()
            await settle(app, pilot)

        app.push_screen(MicroscopeMenu(app.project, point, app.settings))
        await settle(app, pilot)
        for _ in range(repeats + 1):
            _check_menu_on_users(app.screen)
            started = time.perf_counter()
            # A key posted as the terminal driver posts it. ``pilot.press`` (Textual 8.2) also waits twice,
            # after the key is handled, for 20 ms in which the process uses under 1 ms of CPU.
            app.simulate_key("enter")
            await until_drawn(app, pilot)
            entered.append(time.perf_counter() - started)
            app.pop_screen()
            await settle(app, pilot)
    # The first run of each is the untimed warm-up.
    return {"pushed": min(pushed[1:]), "entered": min(entered[1:]), "total": total, "first_page": first_page}


def _check_menu_on_users(menu) -> None:
    options = menu.query_one("OptionList")
    highlighted = options.get_option_at_index(options.highlighted)
    if highlighted.id != "users":
        raise SystemExit(f"the microscope menu highlights {highlighted.id!r}, not 'users': Enter would not open the table.")


def floor_user_table(cursor, start, end) -> tuple[int, list[int]]:
    """Count the point's users and select its first page with bare DuckDB; return the count and the page's ids."""
    total = cursor.execute(FLOOR_COUNT, [EVENT_TYPE, start, end]).fetchone()[0]
    rows = cursor.execute(FLOOR_PAGE, [EVENT_TYPE, start, end, PAGE_SIZE]).fetchall()
    return total, [row[0] for row in rows]


# Streams and paths -------------------------------------------------------------


def floor_streams(cursor, start, end, actor_ids: list[int]) -> list[tuple]:
    params = {"start": start, "end": end, "ids": actor_ids, "event_type": EVENT_TYPE}
    return cursor.execute(FLOOR_STREAMS, params).fetchall()


def floor_paths(cursor, start, end) -> dict[tuple, int]:
    rows = cursor.execute(FLOOR_PATHS, {"start": start, "end": end, "event_type": EVENT_TYPE}).fetchall()
    return {tuple(prefix): users for prefix, users in rows}


def check_streams(loupe, floor) -> None:
    """Stop unless Loupe's streams and the floor's have the same events, positions, highlights, breaks and columns."""
    names = ["actor_id", "seq", "position", "counted", "session_break", "event_type", "session_id", "event_properties"]
    loupe_rows = [(int(a), int(s), p, bool(c), bool(b), *rest) for a, s, p, c, b, *rest in zip(*(loupe[n] for n in names))]
    floor_rows = [(a, s, p, bool(c), bool(b), *rest) for a, s, p, c, b, *rest in floor]
    if loupe_rows != floor_rows:
        raise SystemExit(f"streams differ: Loupe has {len(loupe_rows)} rows, the floor {len(floor_rows)}.")


def check_paths(tree, prefixes: dict[tuple, int]) -> None:
    """Stop unless every event node of Loupe's tree has as many users as the floor's prefix of the same path."""
    events = tree[tree["kind"] == "event"]
    for path, users in zip(events["path"], events["users"]):
        expected = prefixes.get(tuple(path.split(" > ")))
        if expected != int(users):
            raise SystemExit(f"paths differ at {path!r}: Loupe {users} users, the floor {expected}.")


def bench_analytics(project, point: Point, first_page: list[int], repeats: int) -> list[Result]:
    """Time streams of 50 users and the paths of the point against their floors."""
    from tui.analytics.microscope.actor_set import point_actor_set

    actor_set = point_actor_set(point, project)
    start, end = actor_set.start, actor_set.end
    actor_ids = first_page[:STREAM_USERS]
    cursor = project.cursor()
    size = f"{EVENTS:,} events"
    try:
        check_streams(point_streams(cursor, point, project, actor_ids), floor_streams(cursor, start, end, actor_ids))
        tree = point_paths(cursor, point, project)
        check_paths(tree, floor_paths(cursor, start, end))
        streams = best_of(repeats, lambda: point_streams(cursor, point, project, actor_ids))[0]
        streams_floor = best_of(repeats, lambda: floor_streams(cursor, start, end, actor_ids))[0]
        paths = best_of(repeats, lambda: point_paths(cursor, point, project))[0]
        paths_floor = best_of(repeats, lambda: floor_paths(cursor, start, end))[0]
    finally:
        cursor.close()
    log.info("paths tree: %d nodes", len(tree))
    return [
        Result(f"{STREAM_USERS} user streams ready", size, streams, streams_floor,
               target=f"<= {STREAMS_TARGET * 1000:.0f} ms", passed=streams <= STREAMS_TARGET),
        Result("paths of the point's users", size, paths, paths_floor,
               target=f"<= {PATHS_TARGET * 1000:.0f} ms", passed=paths <= PATHS_TARGET),
    ]


def bench_table(project_path: Path, point: Point, repeats: int) -> tuple[list[Result], list[int]]:
    """Time the user table in the app and its floor, after checking they list the same users."""
    from tui.analytics.microscope.actor_set import point_actor_set

    app_figures = asyncio.run(time_user_table(project_path, point, repeats))
    project = open_project(project_path)
    try:
        actor_set = point_actor_set(point, project)
        cursor = project.cursor()
        answer = floor_user_table(cursor, actor_set.start, actor_set.end)
        if answer != (app_figures["total"], app_figures["first_page"]):
            raise SystemExit(f"the user table and the floor differ: table {app_figures['total']} users, floor {answer[0]}.")
        floor_seconds = best_of(repeats, lambda: floor_user_table(cursor, actor_set.start, actor_set.end))[0]
        cursor.close()
    finally:
        project.close()
    size = f"{app_figures['total']:,} users"
    target = f"<= {TABLE_TARGET * 1000:.0f} ms"
    results = [
        Result("user table drawn, from push", size, app_figures["pushed"], floor_seconds,
               target=target, passed=app_figures["pushed"] <= TABLE_TARGET),
        Result("user table drawn, from Enter", size, app_figures["entered"], floor_seconds,
               target=target, passed=app_figures["entered"] <= TABLE_TARGET),
    ]
    return results, app_figures["first_page"]


def run_export(markdown: bool) -> None:
    """Run bench_export.py in its own process and let it print its table."""
    command = [sys.executable, str(BENCH_DIR / "bench_export.py")] + (["--markdown"] if markdown else [])
    subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measure; the best counts (default 5)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the Loupe project an earlier run of bench_segmentation.py or bench_import.py imported")
    parser.add_argument("--export", action="store_true", help="also run bench_export.py and print its table")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    parquet = generate.generate(EVENTS, formats=("parquet",))["parquet"]
    project_path = build_project(parquet, EVENTS, args.keep)
    point = day_point()
    results, first_page = bench_table(project_path, point, args.repeats)
    project = open_project(project_path)
    try:
        results += bench_analytics(project, point, first_page, args.repeats)
    finally:
        project.close()
    report(f"Microscope on one day of {EVENT_TYPE!r} (warm, best of {args.repeats}; ratios are Loupe's time over the floor's)",
           results, args.markdown)
    if args.export:
        run_export(args.markdown)


if __name__ == "__main__":
    main()
