"""The tables of a Loupe project file and the reasons for their layout.

Physical layout, chosen for the queries Loupe runs most:

- ``events`` rows are written in batches sorted by ``(event_type, event_time)``.
  DuckDB keeps min/max statistics per row group (zone maps), so a chart of one
  event over a date range reads only the row groups of that event and range.
  Each import appends its own sorted batch; the table is not rewritten.
- ``actor_id`` is resolved at import time and stored on every event, so
  counting users is ``count(DISTINCT actor_id)`` with no join.
- ``session_key`` is computed at import time (from ``session_id``, else from
  the inactivity gap), so session charts and streams need no window function
  over the whole table. A session from a session id has a negative key, a
  63-bit hash of (actor, session id), so an import keys it without looking
  up old events. A session from the inactivity gap has a positive key,
  numbered from 1.
- ``client_time`` orders one actor's events and measures windows between them,
  ``event_time`` decides buckets, and ``seq`` (import order) breaks ties the
  same way on every run.
- ``dedupe_key`` is a 128-bit key made of two 64-bit DuckDB ``hash()``
  values of the insert id, else of the row's content (see
  ``tui.store.importing.keys``). Taken as 128 random bits, the chance of any
  collision among 10 million events is about 1e-25. DuckDB may change
  ``hash()`` between releases, so the ``key_fingerprint`` setting records
  the function that made the stored keys, and an import recomputes them
  when it differs.
- ``users.key_set_id`` names the sorted list of the user's property keys in
  ``user_key_sets``, given at import (``tui.store.key_sets``). A users download
  needs the keys of every listed user for its header. Finding them with
  ``json_keys`` parses each user's JSON: 0.5 s for the million users of
  ``bench/bench_export.py`` on a busy 2-core machine, where reading their key
  sets took 0.05 s. Users of one product tend to share a few key sets. An
  empty list is a key set too. Rows written without the import may have a
  NULL id, and readers then fall back to ``json_keys``.
- The small tables (actors, users, groups, saved objects) have primary keys;
  ``events`` has none, because an index would slow bulk appends and DuckDB's
  zone maps already serve its range scans.
"""

# Version 2 added ``users.key_set_id`` and ``user_key_sets`` and one row per group property operation. ``tui.store.migrate`` upgrades version 1 files.
SCHEMA_VERSION = 2

# Roles in increasing order of rights.
ROLES = ("viewer", "member", "manager", "admin")

# Group property operations as sent ($set, $add, ... of importing/group_operations.py), one row per
# operation on one property. A group's ``properties`` is rebuilt by applying its rows in event order, so
# an import of older events slots its operations in before newer ones. Rows are keyed by name, because
# a PostHog ``$groupidentify`` may come before any event names the group. Each import compacts the
# rows of the groups it touches: what comes before a property's latest $set or $unset, or the group's
# latest $clearAll, is dropped, because no operation inserted there can change the result.
# NOTE: the other operations after that point stay one row each, because a later import may insert a
# $set between them; a property that only ever gets $add or $append keeps a row per sending.
# Imports create the table in project files made before it existed. The upgrade to version 2 splits the
# whole-object rows of older files into one $set row per property.
GROUP_PROPERTY_UPDATES = """
CREATE TABLE IF NOT EXISTS group_property_updates (
    group_type VARCHAR NOT NULL,
    group_name VARCHAR NOT NULL,
    sent_at    HUGEINT NOT NULL,  -- statements.order_key_sql of the sending event: client_time, then seq
    operation  VARCHAR NOT NULL,  -- an Amplitude operation such as '$set'; within one event they apply in a fixed order
    property   VARCHAR,           -- NULL for $clearAll
    value      JSON               -- the operand; NULL for $unset and $clearAll
);
"""

# One row per distinct sorted list of user property keys (see the module docstring).
USER_KEY_SETS = """
CREATE TABLE IF NOT EXISTS user_key_sets (
    key_set_id    INTEGER PRIMARY KEY,
    property_keys VARCHAR[] NOT NULL
);
"""

TABLES = f"""
CREATE SEQUENCE IF NOT EXISTS object_ids START 1;

CREATE TABLE IF NOT EXISTS schema_info (
    version INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
    event_type       VARCHAR NOT NULL,
    event_time       TIMESTAMPTZ NOT NULL,
    client_time      TIMESTAMPTZ NOT NULL,
    seq              BIGINT NOT NULL,
    actor_id         BIGINT NOT NULL,
    user_id          VARCHAR,
    device_id        VARCHAR,
    session_id       VARCHAR,
    session_key      BIGINT,
    insert_id        VARCHAR,
    dedupe_key       UHUGEINT NOT NULL,
    event_properties JSON,
    user_properties  JSON,
    groups           JSON,
    platform         VARCHAR,
    os               VARCHAR,
    country          VARCHAR,
    city             VARCHAR,
    app_version      VARCHAR,
    import_id        INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS actors (
    actor_id  BIGINT PRIMARY KEY,
    user_id   VARCHAR UNIQUE,
    device_id VARCHAR
);

CREATE TABLE IF NOT EXISTS devices (
    device_id VARCHAR PRIMARY KEY,
    actor_id  BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    actor_id   BIGINT PRIMARY KEY,
    user_id    VARCHAR,
    device_ids VARCHAR[],
    first_seen TIMESTAMPTZ,
    last_seen  TIMESTAMPTZ,
    properties JSON,
    key_set_id INTEGER  -- user_key_sets.key_set_id of the sorted keys of ``properties``
);

{USER_KEY_SETS}

CREATE TABLE IF NOT EXISTS groups (
    group_id         BIGINT PRIMARY KEY,
    group_type       VARCHAR NOT NULL,
    group_name       VARCHAR NOT NULL,
    first_time       TIMESTAMPTZ NOT NULL,
    creator_actor_id BIGINT NOT NULL,
    properties       JSON,
    UNIQUE (group_type, group_name)
);

{GROUP_PROPERTY_UPDATES}

CREATE TABLE IF NOT EXISTS event_groups (
    seq        BIGINT NOT NULL,
    group_type VARCHAR NOT NULL,
    group_id   BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS settings (
    key   VARCHAR PRIMARY KEY,
    value JSON NOT NULL
);

CREATE TABLE IF NOT EXISTS members (
    name VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL CHECK (role IN ('viewer', 'member', 'manager', 'admin'))
);

CREATE TABLE IF NOT EXISTS imports (
    import_id   INTEGER PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    files       JSON NOT NULL,
    format      VARCHAR NOT NULL,
    summary     JSON NOT NULL
);

CREATE TABLE IF NOT EXISTS saved_charts (
    name       VARCHAR PRIMARY KEY,
    definition JSON NOT NULL,
    created_by VARCHAR,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS annotations (
    annotation_id BIGINT PRIMARY KEY,
    label         VARCHAR NOT NULL,
    details       VARCHAR,
    day           DATE NOT NULL,
    chart_name    VARCHAR,
    created_by    VARCHAR,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS releases (
    release_id  BIGINT PRIMARY KEY,
    version     VARCHAR NOT NULL,
    title       VARCHAR NOT NULL,
    description VARCHAR,
    first_day   DATE NOT NULL,
    last_day    DATE NOT NULL,
    platforms   VARCHAR[],
    created_by  VARCHAR,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS cohorts (
    cohort_id   BIGINT PRIMARY KEY,
    name        VARCHAR NOT NULL UNIQUE,
    description VARCHAR,
    member_kind VARCHAR NOT NULL,
    as_of       TIMESTAMPTZ NOT NULL,
    definition  JSON,
    created_by  VARCHAR,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS cohort_members (
    cohort_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL
);
"""

# Defaults written into ``settings`` when a project is created.
DEFAULT_SETTINGS = {
    "timezone": "UTC",
    "week_start": "monday",
    "session_gap_minutes": 30,
    "export_user_cap": 1_000_000,
    "path_max_days": 30,
}


def create_tables(con) -> None:
    """Create every table of an empty project and record the schema version."""
    con.execute(TABLES)
    if con.execute("SELECT count(*) FROM schema_info").fetchall()[0][0] == 0:
        con.execute("INSERT INTO schema_info VALUES (?)", [SCHEMA_VERSION])
