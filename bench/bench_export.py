"""Benchmark the users download: ``export_users`` against a bare DuckDB ``COPY`` of the same rows.

The project contains ``--users`` generated users, each with 12 latest user
properties (text, numbers and a boolean). One in ten plan values starts
with ``=`` and one in ten scores is negative. The download covers all of them.
The floor is one ``COPY`` that writes the same columns in the same order
(user id, first and last seen, events in the point, one ``json_extract_string``
per property) with no formula neutralising and DuckDB's own timestamp text.
Loupe's time includes finding the property keys, counting the users, the
progress and cancel polling and the atomic rename, but not giving the users
their key sets, which the import does. Timings are the best of ``--repeats``
rounds, each running Loupe and then the floor, after one untimed run each.

Usage: ``python bench/bench_export.py [--users N] [--repeats N] [--markdown]``.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

import duckdb

from bench_funnel import interleaved_best_of
from harness import Result, fresh_path, report
from tui.analytics.export import export_users
from tui.analytics.microscope.actor_set import ActorSet
from tui.store.key_sets import assign_key_sets
from tui.store.project import create_project

TARGET_FLOOR_RATIO = 1.1
PROPERTY_KEYS = (
    "age", "app_version", "beta", "city", "country", "language", "ltv", "plan", "platform", "referrer", "score", "signup",
)


def fill_users(con: duckdb.DuckDBPyConnection, count: int) -> None:
    """Write ``count`` generated users and a table ``point_actors`` listing all of them with their events in the point."""
    con.execute("""
        INSERT INTO users (actor_id, user_id, device_ids, first_seen, last_seen, properties)
        SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'user-' || hash(i) % 100000000 END, ['device-' || i],
               TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i),
               TIMESTAMPTZ '2024-03-01 00:00:00+00' + to_seconds(i) + INTERVAL 123 MILLISECOND,
               json_object('plan', CASE i % 10 WHEN 0 THEN '=cmd' WHEN 1 THEN 'pro' ELSE 'free' END,
                           'age', i % 80, 'city', 'City, "quoted"', 'score', CASE WHEN i % 10 = 0 THEN -(i % 50) ELSE i % 50 END,
                           'country', 'Germany', 'language', 'de', 'platform', 'iOS', 'app_version', '3.4.' || (i % 20),
                           'ltv', (i % 1000) / 7.0, 'beta', i % 2 = 0, 'signup', '2023-05-01',
                           'referrer', 'https://example.com/landing?campaign=' || i)
        FROM range(?) AS generated(i)
    """, [count])
    con.execute("CREATE TABLE point_actors AS SELECT actor_id, 1 + actor_id % 7 AS events_in_point FROM users")


def floor_copy(con: duckdb.DuckDBPyConnection, out: str) -> None:
    """Write the same rows with one bare COPY: no neutralising, no key discovery, DuckDB's timestamp text."""
    properties = ", ".join(f"json_extract_string(u.properties, '/{key}') AS \"{key}\"" for key in PROPERTY_KEYS)
    con.execute(
        "COPY (SELECT coalesce(u.user_id, u.device_ids[1]) AS user_id, u.first_seen, u.last_seen, "
        f"p.events_in_point, {properties} FROM point_actors p JOIN users u USING (actor_id) "
        f"ORDER BY user_id, actor_id) TO '{out}' (HEADER)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000, help="users in the download (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per engine (default 5)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()

    project = create_project(fresh_path("export.duckdb"))
    fill_users(project.con, args.users)
    # The import gives each user its key set. These users are written directly, so the bench assigns them.
    assign_key_sets(project.con)
    now = datetime.now(timezone.utc)
    everyone = ActorSet(
        label="all users", events=("SELECT * FROM events", []),
        actors=("SELECT actor_id, events_in_point FROM point_actors", []), start=now, end=now,
    )
    loupe_out, floor_out = fresh_path("users-loupe.csv"), fresh_path("users-floor.csv")

    def loupe() -> None:
        export_users(project.con, everyone, project, loupe_out, overwrite=True, progress=lambda done, total: None)

    def bare() -> None:
        floor_copy(project.con, str(floor_out))

    loupe()
    bare()
    seconds = interleaved_best_of(args.repeats, {"loupe": loupe, "floor": bare})
    loupe_seconds, floor_seconds = seconds["loupe"], seconds["floor"]
    ratio = loupe_seconds / floor_seconds
    results = [Result(
        "users download", f"{args.users:,} users", loupe_seconds, floor_seconds,
        target=f"<= {TARGET_FLOOR_RATIO}x floor", passed=ratio <= TARGET_FLOOR_RATIO,
    )]
    report("Users download (CSV)", results, args.markdown)
    project.close()


if __name__ == "__main__":
    main()
