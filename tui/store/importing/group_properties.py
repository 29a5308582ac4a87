"""Keep each group's latest properties: record what the new events sent, then rebuild the touched groups.

Events carry group properties in the staged ``group_properties`` column in
one of two forms:

- ``{TYPE: {NAME: {PROP: VALUE}}}``, the form of Amplitude's export and the
  form the PostHog reader builds from ``$groupidentify`` events;
- ``{"$set": {PROP: VALUE}}``, Amplitude's group identify form, which sets
  the properties of every group the event's ``groups`` names.

A value nested in any other shape is not a group's properties and is left
out, and so is a group type that starts with ``$``.

NOTE: only Amplitude's ``$set`` operation is applied. The operations
``$setOnce``, ``$add``, ``$append``, ``$prepend`` and ``$unset`` are ignored. The events table does not store group properties, so they are kept in
``group_property_updates`` instead (see ``schema.py``).
"""

from __future__ import annotations

import duckdb

from tui.store.schema import GROUP_PROPERTY_UPDATES
from tui.store.statements import order_key_sql, run


def refresh_group_properties(cur: duckdb.DuckDBPyConnection) -> None:
    """Record the group properties of ``new_events`` and rebuild ``groups.properties`` for the touched groups.

    A property's value is the one sent by the most recent event that sent it,
    by ``client_time`` then ``seq``, across all imports. A JSON null does not
    erase an earlier value. Needs ``event_group_names`` and
    ``import_groups`` from ``refresh.refresh_groups`` of the same import.
    """
    run(cur, "create group property updates", GROUP_PROPERTY_UPDATES)
    _collect_sent(cur)
    run(cur, "record group property updates", """
        INSERT INTO group_property_updates (group_type, group_name, sent_at, properties)
        SELECT group_type, group_name, max(sent_at), properties FROM sent_group_properties
        GROUP BY group_type, group_name, properties
    """)
    # A group named for the first time may have had properties sent before it was named.
    run(cur, "collect touched groups", """
        CREATE OR REPLACE TEMP TABLE touched_groups AS
        SELECT group_type, group_name FROM sent_group_properties
        UNION SELECT group_type, group_name FROM import_groups
    """)
    _rebuild_touched(cur)


def _collect_sent(cur: duckdb.DuckDBPyConnection) -> None:
    """Store one row per (new event, group, properties object) in ``sent_group_properties``."""
    run(cur, "collect sent group properties", f"""
        CREATE OR REPLACE TEMP TABLE sent_group_properties AS
        WITH sending AS (
            SELECT seq, {order_key_sql("client_time")} AS sent_at,
                   unnest(map_entries(CAST(group_properties AS MAP(VARCHAR, JSON)))) AS entry
            FROM new_events
            WHERE group_properties IS NOT NULL AND CAST(group_properties AS VARCHAR) <> '{{}}'
        ),
        by_type AS (
            SELECT sent_at, entry.key AS group_type,
                   unnest(map_entries(CAST(entry.value AS MAP(VARCHAR, JSON)))) AS named
            FROM sending
            WHERE NOT starts_with(entry.key, '$') AND json_type(entry.value) = 'OBJECT'
        ),
        nested AS (
            SELECT sent_at, group_type, named.key AS group_name, named.value AS properties
            FROM by_type WHERE json_type(named.value) = 'OBJECT'
        ),
        set_for_event_groups AS (
            SELECT s.sent_at, n.group_type, n.group_name, s.entry.value AS properties
            FROM sending AS s JOIN event_group_names AS n USING (seq)
            WHERE s.entry.key = '$set' AND json_type(s.entry.value) = 'OBJECT'
        )
        SELECT * FROM (SELECT * FROM nested UNION ALL SELECT * FROM set_for_event_groups)
        WHERE group_type <> '' AND group_name <> '' AND CAST(properties AS VARCHAR) <> '{{}}'
    """)


def _rebuild_touched(cur: duckdb.DuckDBPyConnection) -> None:
    """Set ``properties`` of the touched groups to the latest value of each property sent for them."""
    run(cur, "rebuild touched group properties", """
        UPDATE groups SET properties = rebuilt.properties
        FROM (
            WITH updates AS (
                SELECT u.group_type, u.group_name, u.sent_at, u.properties
                FROM group_property_updates AS u JOIN touched_groups USING (group_type, group_name)
            ),
            sent AS (
                SELECT group_type, group_name, sent_at,
                       unnest(map_entries(CAST(properties AS MAP(VARCHAR, JSON)))) AS entry
                FROM updates
            ),
            latest AS (
                SELECT group_type, group_name, entry.key AS key, arg_max(entry.value, sent_at) AS value
                FROM sent WHERE entry.value IS NOT NULL GROUP BY group_type, group_name, entry.key
            )
            SELECT group_type, group_name,
                   to_json(map_from_entries(list({'k': key, 'v': value} ORDER BY key))) AS properties
            FROM latest GROUP BY group_type, group_name
        ) AS rebuilt
        WHERE groups.group_type = rebuilt.group_type AND groups.group_name = rebuilt.group_name
    """)
