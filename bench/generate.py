"""Generate deterministic synthetic events for the benchmarks, as Parquet and as Amplitude JSON lines.

Every value is a function of the event's row number and the seed, drawn with
DuckDB's ``hash()`` inside one SQL statement per format, with no Python loop.
On 2 cores with DuckDB 2.0.1, 10 million events took about a minute as
Parquet, and JSON lines took about 15 seconds per million events. The same
``--events`` and ``--seed`` give the same files with the same DuckDB version
(``hash()`` is not promised stable across DuckDB releases).

Shape of the data:

- 90 days from 2024-01-01 UTC; event times rise with the row number (as in an
  export, which is written in time order) with a random offset inside each step.
- 20 event types with a geometric distribution: the most common is 25% of
  events, the rarest about 0.14%.
- about N/50 users, with activity skewed toward low user numbers; each user
  has one or two devices, a platform, a country and a plan.
- 3% of events are anonymous (``user_id`` null) from devices that are never
  identified, so each such device is its own actor in Loupe.
- 2% of events are out of session (``session_id`` -1). The others carry the
  start of their 30-minute UTC window in epoch milliseconds, the form of an
  Amplitude session id.

Usage: ``python bench/generate.py --events 1000000`` writes
``bench/out/events-1m.parquet`` and ``bench/out/events-1m.amplitude.jsonl``.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

OUT_DIR = Path(__file__).resolve().parent / "out"
FIRST_DAY = "2024-01-01"
DAYS = 90
EVENTS_PER_USER = 50
ANONYMOUS_SHARE = 0.03
OUT_OF_SESSION_SHARE = 0.02

# Most common first: index k has probability 0.25 * 0.75**k, and the last index takes the rest (0.75**19).
EVENT_TYPES = [
    "Page Viewed", "Screen Viewed", "Button Clicked", "Search Performed",
    "Product Viewed", "Session Started", "Item Added to Cart", "Signed In",
    "Video Played", "Notification Opened", "Checkout Started", "Share Clicked",
    "Purchase Completed", "Item Removed from Cart", "Settings Changed",
    "Review Submitted", "Invite Sent", "Signed Up", "Subscription Started",
    "Account Deleted",
]
PURCHASE_EVENT = "Purchase Completed"

PLATFORMS = ["iOS", "Android", "Web"]
OS_NAMES = ["ios", "android", "Chrome"]
COUNTRIES = ["United States", "Germany", "India", "Brazil", "United Kingdom",
             "France", "Japan", "Canada", "Spain", "Mexico"]
CITIES = ["New York", "Berlin", "Bengaluru", "São Paulo", "London",
          "Paris", "Tokyo", "Toronto", "Madrid", "Mexico City"]
PLANS = ["free", "free", "free", "pro", "team"]
SOURCES = ["home", "search", "email", "push", "ad", "deep link"]

# ``mix`` hashes a key with a salt. DuckDB combines the hashes of several
# arguments so that hash(i, seed, 'a') XOR hash(i, seed, 'b') is the same for
# every i: two such draws of one row are tied to each other (every user got one
# event type). Hashing a salted key once more keeps the draws independent.
# Draws in [0, 1): hash() returns a UBIGINT, so dividing by 2**64 spreads it evenly.
MACROS = """
CREATE OR REPLACE TEMP MACRO mix(key, seed, salt) AS hash(hash(salt, seed) // 2 + key);
CREATE OR REPLACE TEMP MACRO draw(key, seed, salt) AS mix(key, seed, salt) / 18446744073709551616.0;
CREATE OR REPLACE TEMP MACRO pick(choices, key, seed, salt) AS
    choices[1 + (mix(key, seed, salt) % len(choices))::BIGINT];
"""

# One row per event with every value both output formats need. Each format's
# SELECT reads it as a common table expression, so no table is materialised.
BASE_EVENTS = """
draws AS (
    SELECT
        i,
        least(19, floor(ln(1 - draw(i, $seed, 'event')) / ln(0.75)))::INTEGER AS event_index,
        -- Squaring the draw makes low user numbers the heavy users.
        floor($users * draw(i, $seed, 'user') ^ 2)::BIGINT AS user_index,
        draw(i, $seed, 'anonymous') < $anonymous_share AS anonymous,
        draw(i, $seed, 'session') < $out_of_session_share AS out_of_session,
        $first_day::TIMESTAMP
            + to_microseconds(floor((i + draw(i, $seed, 'time')) * $span_us / $events)::BIGINT)
            AS event_time,
        -- The device captured the event 0 to 3 seconds before the server time.
        floor(draw(i, $seed, 'lag') * 3000000)::BIGINT AS lag_us
    FROM range($events) AS r(i)
),
base_events AS (
SELECT
    i,
    $event_types[event_index + 1] AS event_type,
    event_time,
    event_time - to_microseconds(lag_us) AS client_time,
    CASE WHEN anonymous THEN NULL ELSE 'user-' || user_index END AS user_id,
    CASE
        WHEN anonymous THEN 'anon-' || (mix(i, $seed, 'anon device') % ($users // 5 + 1))
        ELSE 'device-' || user_index || '-' || (mix(i, $seed, 'device') % (1 + user_index % 2))
    END AS device_id,
    CASE
        WHEN out_of_session THEN -1
        ELSE epoch_ms(time_bucket(INTERVAL 30 MINUTES, event_time))
    END AS session_id,
    printf('%016x-%x', mix(i, $seed, 'insert'), i) AS insert_id,
    pick($platforms, user_index, $seed, 'platform') AS platform,
    $os_names[list_position($platforms, pick($platforms, user_index, $seed, 'platform'))] AS os,
    (mix(user_index, $seed, 'country') % len($countries))::INTEGER + 1 AS country_index,
    '3.' || (datediff('day', $first_day::TIMESTAMP, event_time) // 14) || '.0' AS app_version,
    CASE
        WHEN $event_types[event_index + 1] = $purchase_event THEN json_object(
            'source', pick($sources, i, $seed, 'source'),
            'amount', round(5 + draw(i, $seed, 'amount') * 195, 2),
            'currency', 'USD',
            'items', 1 + mix(i, $seed, 'items') % 5)
        ELSE json_object(
            'source', pick($sources, i, $seed, 'source'),
            'position', mix(i, $seed, 'position') % 20,
            'page', '/p/' || mix(i, $seed, 'page') % 500)
    END AS event_properties,
    CASE WHEN anonymous THEN '{}'::JSON ELSE json_object(
        'plan', pick($plans, user_index, $seed, 'plan'),
        'signup_week', 1 + mix(user_index, $seed, 'signup') % 52,
        'beta', mix(user_index, $seed, 'beta') % 10 = 0)
    END AS user_properties,
    -- One user in three belongs to a company, 20 users per company.
    CASE WHEN anonymous OR mix(user_index, $seed, 'company') % 3 <> 0 THEN '{}'::JSON
        ELSE json_object('company', 'company-' || user_index % ($users // 20 + 1))
    END AS groups,
    user_index,
    anonymous
FROM draws
)
""".strip()

PARQUET_SELECT = """
SELECT
    event_type,
    timezone('UTC', event_time) AS event_time,
    timezone('UTC', client_time) AS client_time,
    user_id,
    device_id,
    session_id,
    insert_id,
    event_properties,
    user_properties,
    groups,
    platform,
    os,
    $countries[country_index] AS country,
    $cities[country_index] AS city,
    app_version
FROM base_events
"""

# The 55 columns of an Amplitude Export API row, in the order Amplitude writes them.
AMPLITUDE_SELECT = """
SELECT
    insert_id AS "$insert_id",
    NULL::VARCHAR AS "$insert_key",
    NULL::VARCHAR AS "$schema",
    NULL::VARCHAR AS adid,
    NULL::VARCHAR AS amplitude_attribution_ids,
    NULL::VARCHAR AS amplitude_event_type,
    100000000000 + CASE WHEN anonymous THEN hash(device_id) % 1000000000 ELSE user_index END AS amplitude_id,
    434735 AS app,
    $cities[country_index] AS city,
    strftime(client_time, '%Y-%m-%d %H:%M:%S.%f') AS client_event_time,
    strftime(event_time + INTERVAL 20 SECONDS, '%Y-%m-%d %H:%M:%S.%f') AS client_upload_time,
    $countries[country_index] AS country,
    json_object('path', '/2/httpapi', 'group_ids', json_object()) AS data,
    'event' AS data_type,
    CASE platform WHEN 'iOS' THEN 'Apple' WHEN 'Android' THEN 'Samsung' ELSE NULL END AS device_brand,
    NULL::VARCHAR AS device_carrier,
    CASE platform WHEN 'iOS' THEN 'Apple iPhone' WHEN 'Android' THEN 'Samsung Galaxy' ELSE 'Mac' END
        AS device_family,
    device_id,
    CASE platform WHEN 'iOS' THEN 'Apple' WHEN 'Android' THEN 'Samsung' ELSE NULL END AS device_manufacturer,
    CASE platform WHEN 'iOS' THEN 'iPhone15,2' WHEN 'Android' THEN 'SM-S911B' ELSE 'Mac' END AS device_model,
    CASE platform WHEN 'Web' THEN 'Mac' ELSE 'Mobile' END AS device_type,
    NULL::VARCHAR AS dma,
    i % 1000000 AS event_id,
    event_properties,
    strftime(event_time, '%Y-%m-%d %H:%M:%S.%f') AS event_time,
    event_type,
    NULL::VARCHAR AS global_user_properties,
    '{}'::JSON AS group_properties,
    groups,
    NULL::VARCHAR AS idfa,
    NULL::VARCHAR AS ip_address,
    NULL::BOOLEAN AS is_attribution_event,
    'English' AS language,
    CASE platform WHEN 'Web' THEN 'amplitude-ts/2.7.0' ELSE 'amplitude-swift/1.9.0' END AS library,
    NULL::DOUBLE AS location_lat,
    NULL::DOUBLE AS location_lng,
    os AS os_name,
    CASE platform WHEN 'iOS' THEN '17.4' WHEN 'Android' THEN '14' ELSE '122' END AS os_version,
    NULL::VARCHAR AS partner_id,
    NULL::VARCHAR AS paying,
    '{}'::JSON AS plan,
    platform,
    strftime(event_time + INTERVAL 31 SECONDS, '%Y-%m-%d %H:%M:%S.%f') AS processed_time,
    NULL::VARCHAR AS region,
    NULL::INTEGER AS sample_rate,
    strftime(event_time + INTERVAL 21 SECONDS, '%Y-%m-%d %H:%M:%S.%f') AS server_received_time,
    strftime(event_time + INTERVAL 30 SECONDS, '%Y-%m-%d %H:%M:%S.%f') AS server_upload_time,
    session_id,
    NULL::VARCHAR AS source_id,
    NULL::VARCHAR AS start_version,
    NULL::VARCHAR AS user_creation_time,
    user_id,
    user_properties,
    printf('%08x-%04x-4%03x-8%03x-%012x',
        mix(i, $seed, 'uuid a') % 4294967296, mix(i, $seed, 'uuid b') % 65536,
        mix(i, $seed, 'uuid c') % 4096, mix(i, $seed, 'uuid d') % 4096, i) AS uuid,
    app_version AS version_name
FROM base_events
"""


def size_label(n_events: int) -> str:
    """Return a short label for an event count: 1000000 -> '1m', 250000 -> '250k'."""
    if n_events % 1_000_000 == 0:
        return f"{n_events // 1_000_000}m"
    if n_events % 1_000 == 0:
        return f"{n_events // 1_000}k"
    return str(n_events)


def output_paths(n_events: int, seed: int = 1, out_dir: Path = OUT_DIR) -> dict[str, Path]:
    """Return the file each format is written to for this size and seed."""
    stem = f"events-{size_label(n_events)}" + ("" if seed == 1 else f"-seed{seed}")
    return {
        "parquet": out_dir / f"{stem}.parquet",
        "amplitude": out_dir / f"{stem}.amplitude.jsonl",
    }


def generate(n_events: int, seed: int = 1, out_dir: Path = OUT_DIR,
             formats: tuple[str, ...] = ("parquet", "amplitude")) -> dict[str, Path]:
    """Write the synthetic events in each format, reusing files already written, and return their paths."""
    if n_events < 1:
        raise ValueError(f"--events must be at least 1, got {n_events}.")
    paths = output_paths(n_events, seed, out_dir)
    missing = [name for name in formats if not paths[name].exists()]
    if not missing:
        return {name: paths[name] for name in formats}

    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.execute(MACROS)
        for name in missing:
            started = time.perf_counter()
            _write(con, name, paths[name], _parameters(n_events, seed))
            log.info("wrote %s in %.1f s", paths[name], time.perf_counter() - started)
    finally:
        con.close()
    return {name: paths[name] for name in formats}


def _parameters(n_events: int, seed: int) -> dict:
    return {
        "seed": seed,
        "first_day": FIRST_DAY,
        "events": n_events,
        "users": max(1, n_events // EVENTS_PER_USER),
        "span_us": DAYS * 86_400 * 1_000_000,
        "anonymous_share": ANONYMOUS_SHARE,
        "out_of_session_share": OUT_OF_SESSION_SHARE,
        "event_types": EVENT_TYPES,
        "purchase_event": PURCHASE_EVENT,
        "platforms": PLATFORMS,
        "os_names": OS_NAMES,
        "countries": COUNTRIES,
        "cities": CITIES,
        "sources": SOURCES,
        "plans": PLANS,
    }


def _write(con: duckdb.DuckDBPyConnection, name: str, path: Path, parameters: dict) -> None:
    """Write one format to a temporary name, then rename it, so an interrupted run leaves no partial file."""
    partial = path.with_name(path.name + ".partial")
    if name == "parquet":
        select, options = PARQUET_SELECT, "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880"
    else:
        select, options = AMPLITUDE_SELECT, "FORMAT json"
    # COPY takes no bind parameter for its path, so the path is quoted by doubling "'".
    quoted = str(partial).replace("'", "''")
    con.execute(f"COPY (WITH {BASE_EVENTS} {select}) TO '{quoted}' ({options})", parameters)
    os.replace(partial, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, action="append",
                        help="number of events (repeatable; default: 1000000 and 10000000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the pseudo-random draws (default 1)")
    parser.add_argument("--format", choices=["parquet", "amplitude"], action="append",
                        help="format to write (repeatable; default: both)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"output folder (default {OUT_DIR})")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    formats = tuple(args.format or ("parquet", "amplitude"))
    for n_events in args.events or [1_000_000, 10_000_000]:
        for name, path in generate(n_events, args.seed, args.out, formats).items():
            log.info("%s: %s (%.1f MB)", name, path, path.stat().st_size / 1e6)


if __name__ == "__main__":
    main()
