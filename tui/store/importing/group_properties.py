"""Keep each group's properties: record the operations new events sent, then rebuild the touched groups.

Events carry group properties in the staged ``group_properties`` column in
one of two forms:

- ``{TYPE: {NAME: {PROP: VALUE}}}``, the form of Amplitude's export and the
  form the PostHog reader builds from ``$groupidentify`` events, applied as
  ``$set``;
- ``{"$OPERATION": {PROP: OPERAND}}``, Amplitude's group identify form, which
  applies to every group the event's ``groups`` names. The operations are
  those of ``group_operations.OPERATIONS``; ``$clearAll`` takes any operand.

A value nested in any other shape is left out, and so are unknown
operations and group types that start with ``$``. A JSON null operand is no
value, so ``{"$set": {"plan": null}}`` changes nothing; ``$unset`` removes a
property. The events table does not store group properties, so the
operations are kept in ``group_property_updates`` (see ``schema.py``).
"""

from __future__ import annotations

import duckdb

from tui.store.importing.group_operations import (
    OPERATIONS,
    OVERRIDING,
    create_operation_macros,
    folded_value_sql,
    operation_rank_sql,
)
from tui.store.schema import GROUP_PROPERTY_UPDATES
from tui.store.statements import order_key_sql, run

COLUMNS = "group_type, group_name, sent_at, operation, property, value"


def refresh_group_properties(cur: duckdb.DuckDBPyConnection) -> None:
    """Record the group property operations of ``new_events`` and rebuild ``groups.properties`` for the touched groups.

    A group's properties are its operations applied in event order, by
    ``client_time`` then ``seq``, across all imports, so an import of older
    events slots its operations in before the newer ones. Needs
    ``event_group_names`` and ``import_groups`` from
    ``refresh.refresh_groups`` of the same import.
    """
    # Files made before the table existed get it here; tui.store.migrate converts its older layout.
    run(cur, "create group property updates", GROUP_PROPERTY_UPDATES)
    create_operation_macros(cur)
    _collect_sent(cur)
    # A group named for the first time may have had properties sent before it was named.
    run(cur, "collect touched groups", """
        CREATE OR REPLACE TEMP TABLE touched_groups AS
        SELECT group_type, group_name FROM sent_group_operations
        UNION SELECT group_type, group_name FROM import_groups
    """)
    _compact_touched(cur)
    _rebuild_touched(cur)


def _collect_sent(cur: duckdb.DuckDBPyConnection) -> None:
    """Store one row per (new event, group, operation, property) in ``sent_group_operations``.

    An overriding operation object sent several times keeps only its latest
    sending, because that sending overrides the earlier ones. The others
    keep every sending, because each one changes the value.
    """
    run(cur, "collect sent group operations", f"""
        CREATE OR REPLACE TEMP TABLE sent_group_operations AS
        WITH sent_objects AS (
            SELECT seq, {order_key_sql("client_time")} AS sent_at, group_properties,
                   contains(CAST(group_properties AS VARCHAR), '"$') AS may_have_operations
            FROM new_events
            WHERE group_properties IS NOT NULL AND CAST(group_properties AS VARCHAR) <> '{{}}'
        ),
        -- An object without a "$ only names groups with their properties, all overriding, so identical
        -- objects count once, at their latest sending. Most events of an Amplitude export send such an object.
        sending AS (
            SELECT seq, sent_at, unnest(map_entries(CAST(group_properties AS MAP(VARCHAR, JSON)))) AS entry
            FROM (
                SELECT NULL AS seq, max(sent_at) AS sent_at, group_properties FROM sent_objects
                WHERE NOT may_have_operations GROUP BY group_properties
                UNION ALL
                SELECT seq, sent_at, group_properties FROM sent_objects WHERE may_have_operations
            )
        ),
        by_type AS (
            SELECT sent_at, entry.key AS group_type,
                   unnest(map_entries(CAST(entry.value AS MAP(VARCHAR, JSON)))) AS named
            FROM sending
            WHERE NOT starts_with(entry.key, '$') AND json_type(entry.value) = 'OBJECT'
        ),
        snapshots AS (
            SELECT sent_at, group_type, named.key AS group_name, '$set' AS operation, named.value AS operand,
                   false AS explicit
            FROM by_type WHERE json_type(named.value) = 'OBJECT'
        ),
        for_event_groups AS (
            SELECT s.sent_at, n.group_type, n.group_name, s.entry.key AS operation, s.entry.value AS operand,
                   true AS explicit
            FROM sending AS s JOIN event_group_names AS n USING (seq)
            WHERE list_contains($operations, s.entry.key)
              AND (s.entry.key = '$clearAll' OR json_type(s.entry.value) = 'OBJECT')
        ),
        objects AS (
            SELECT * FROM (SELECT * FROM snapshots UNION ALL SELECT * FROM for_event_groups)
            WHERE group_type <> '' AND group_name <> ''
        ),
        latest_objects AS (
            SELECT group_type, group_name, max(sent_at) AS sent_at, operation, operand, bool_or(explicit) AS explicit
            FROM objects WHERE list_contains($overriding, operation)
            GROUP BY group_type, group_name, operation, operand
            UNION ALL
            SELECT group_type, group_name, sent_at, operation, operand, explicit
            FROM objects WHERE NOT list_contains($overriding, operation)
        ),
        by_property AS (
            SELECT group_type, group_name, sent_at, operation, explicit,
                   unnest(map_entries(CAST(operand AS MAP(VARCHAR, JSON)))) AS entry
            FROM latest_objects WHERE operation <> '$clearAll'
        ),
        properties AS (
            SELECT group_type, group_name, sent_at, operation, entry.key AS property,
                   CASE WHEN operation = '$unset' THEN NULL ELSE entry.value END AS value, explicit
            FROM by_property WHERE operation = '$unset' OR entry.value IS NOT NULL
        )
        -- An event that sets a property both ways keeps its $set operand over its snapshot's value.
        SELECT group_type, group_name, sent_at, operation, property, arg_max(value, explicit) AS value
        FROM properties GROUP BY group_type, group_name, sent_at, operation, property
        UNION ALL
        SELECT group_type, group_name, max(sent_at), operation, NULL, NULL
        FROM latest_objects WHERE operation = '$clearAll' GROUP BY group_type, group_name, operation
    """, {"operations": list(OPERATIONS), "overriding": list(OVERRIDING)})


def _compact_touched(cur: duckdb.DuckDBPyConnection) -> None:
    """Replace the touched groups' rows of ``group_property_updates`` with the ones that can still matter.

    Operations ordered before a property's latest ``$set`` or ``$unset``,
    or before the group's latest ``$clearAll``, cannot change the result:
    neither can an operation a later import inserts before them. So they
    are dropped, and the rows left are also what ``_rebuild_touched`` folds.
    """
    run(cur, "collect touched group operations", f"""
        CREATE OR REPLACE TEMP TABLE touched_group_operations AS
        WITH candidates AS (
            SELECT {COLUMNS} FROM group_property_updates JOIN touched_groups USING (group_type, group_name)
            UNION ALL
            SELECT {COLUMNS} FROM sent_group_operations
        ),
        ordered AS (
            SELECT *, {{'sent_at': sent_at, 'rank': {operation_rank_sql("operation")}}} AS position FROM candidates
        ),
        cleared AS (
            SELECT group_type, group_name, max(position) AS cleared_at FROM ordered
            WHERE operation = '$clearAll' GROUP BY group_type, group_name
        ),
        based AS (
            SELECT group_type, group_name, property, max(position) AS based_at FROM ordered
            WHERE operation IN ('$set', '$unset') GROUP BY group_type, group_name, property
        )
        SELECT o.* FROM ordered AS o
        LEFT JOIN cleared AS c USING (group_type, group_name)
        LEFT JOIN based AS b USING (group_type, group_name, property)
        WHERE (c.cleared_at IS NULL OR o.position >= c.cleared_at) AND (b.based_at IS NULL OR o.position >= b.based_at)
    """)
    run(cur, "drop touched group operations", """
        DELETE FROM group_property_updates AS u USING touched_groups AS t
        WHERE u.group_type = t.group_type AND u.group_name = t.group_name
    """)
    run(cur, "store compacted group operations",
        f"INSERT INTO group_property_updates ({COLUMNS}) SELECT {COLUMNS} FROM touched_group_operations")


def _rebuild_touched(cur: duckdb.DuckDBPyConnection) -> None:
    """Set ``properties`` of the touched groups to the result of their operations in event order."""
    operations = "list({'operation': operation, 'value': value} ORDER BY position)"
    run(cur, "rebuild touched group properties", f"""
        UPDATE groups SET properties = rebuilt.properties
        FROM (
            WITH folded AS (
                SELECT group_type, group_name, property, {folded_value_sql(operations)} AS value
                FROM touched_group_operations WHERE property IS NOT NULL
                GROUP BY group_type, group_name, property
            ),
            objects AS (
                SELECT group_type, group_name,
                       to_json(map_from_entries(list({{'k': property, 'v': value}} ORDER BY property))) AS properties
                FROM folded WHERE value IS NOT NULL GROUP BY group_type, group_name
            )
            SELECT t.group_type, t.group_name, coalesce(o.properties, '{{}}') AS properties
            FROM touched_groups AS t LEFT JOIN objects AS o USING (group_type, group_name)
        ) AS rebuilt
        WHERE groups.group_type = rebuilt.group_type AND groups.group_name = rebuilt.group_name
    """)
