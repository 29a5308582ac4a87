"""Key sets: the id of each user's sorted list of property keys, kept so a users download can skip ``json_keys``.

Two users share a key set exactly when their sorted, distinct key lists are
equal, compared as lists (a hash never replaces the list). A list seen for
the first time gets the next free id, and a list already stored keeps its id.
"""

from __future__ import annotations

import duckdb

from tui.store.statements import run, scalar

# The default query of ``assign_key_sets``: the actor ids of all users.
ALL_USERS = "SELECT actor_id FROM users"


def assign_key_sets(cur: duckdb.DuckDBPyConnection, actors: str = ALL_USERS) -> int:
    """Set ``users.key_set_id`` for the users of the actor ids that the SQL query ``actors`` selects.

    ``actors`` is SQL written by Loupe (a query with one column ``actor_id``,
    such as ``SELECT actor_id FROM touched_actors``), never text from data.
    Stores new key lists in ``user_key_sets`` and returns how many were new.
    A user whose ``properties`` is NULL gets the key set of the empty list,
    because ``json_keys`` finds no key in it either.
    """
    # Users are grouped by the JSON text of their key list as json_keys returns it. The text is an exact
    # encoding of the list, and grouping on it is cheaper than grouping on a million lists. Only the
    # few distinct lists are then sorted and compared.
    run(cur, "collect user key texts", f"""
        CREATE OR REPLACE TEMP TABLE user_key_texts AS
        SELECT actor_id, coalesce(to_json(json_keys(properties)), '[]') AS key_text
        FROM users WHERE actor_id IN ({actors})
    """)
    run(cur, "sort key lists", """
        CREATE OR REPLACE TEMP TABLE key_text_lists AS
        SELECT key_text, list_sort(list_distinct(from_json(key_text, '["VARCHAR"]'))) AS property_keys
        FROM (SELECT DISTINCT key_text FROM user_key_texts)
    """)
    # Ids follow the sorted lists, so the same imports give the same ids on every run.
    added = scalar(cur, "add key sets", """
        INSERT INTO user_key_sets (key_set_id, property_keys)
        SELECT (SELECT coalesce(max(key_set_id), 0) FROM user_key_sets) + row_number() OVER (ORDER BY property_keys),
               property_keys
        FROM (SELECT DISTINCT property_keys FROM key_text_lists) AS lists
        WHERE NOT EXISTS (SELECT 1 FROM user_key_sets AS known WHERE known.property_keys = lists.property_keys)
    """)
    run(cur, "set user key sets", """
        UPDATE users SET key_set_id = known.key_set_id
        FROM user_key_texts AS texts
        JOIN key_text_lists AS lists USING (key_text)
        JOIN user_key_sets AS known USING (property_keys)
        WHERE users.actor_id = texts.actor_id
    """)
    run(cur, "drop key lists", "DROP TABLE user_key_texts; DROP TABLE key_text_lists")
    return added
