"""Amplitude's property operations and the SQL that applies a property's operations in event order.

Each operation takes the property's value before it (absent when never set
or removed) and an operand sent with the event:

| operation | result |
| --- | --- |
| ``$set`` | the operand |
| ``$setOnce`` | the operand when the property has no value, else the value |
| ``$unset`` | no value |
| ``$clearAll`` | no value, for every property of the group |
| ``$add`` | value + operand; an absent value counts as 0 |
| ``$append`` / ``$prepend`` | the value as a list with the operand (or its items, for a list) added at the end / front |
| ``$postInsert`` / ``$preInsert`` | as ``$append`` / ``$prepend``, adding only items the list does not have |
| ``$remove`` | the list without the operand (or its items); a value that is not a list stays |

A value that is not a list becomes a one-item list before items are added.
``$add`` reads a JSON number or a string holding a plain decimal number
(``"12"``, ``"-0.5"``). When the operand or the value is not a number in that
sense (text, a boolean, a list), the operation is skipped and the value
stays, because Amplitude's documentation defines ``$add`` only for numbers.
Two integers add as integers; otherwise the sum is a double. List items
compare as minified JSON text, so ``1`` and ``1.0`` are different items.
"""

from __future__ import annotations

import duckdb

# Operations in the order one identify applies them, taken from Amplitude's Swift SDK
# (``Identify.Operation.orderedCases``). The operations of one event are applied in this order.
OPERATIONS = (
    "$clearAll", "$unset", "$set", "$setOnce", "$add", "$append", "$prepend", "$preInsert", "$postInsert", "$remove",
)

# Operations whose result does not depend on the value before them, so earlier operations cannot matter.
OVERRIDING = ("$clearAll", "$unset", "$set")

MACROS = [
    """
    CREATE OR REPLACE TEMP MACRO json_as_list(value) AS
        CASE WHEN value IS NULL THEN CAST([] AS JSON[])
             WHEN json_type(value) = 'ARRAY' THEN CAST(value AS JSON[])
             ELSE [value] END
    """,
    """
    CREATE OR REPLACE TEMP MACRO json_is_number(value, text_pattern, number_types) AS
        CASE WHEN value IS NULL THEN false
             WHEN list_contains(number_types, json_type(value)) THEN true
             WHEN json_type(value) = 'VARCHAR' THEN regexp_full_match(value ->> '$', text_pattern)
             ELSE false END
    """,
    """
    CREATE OR REPLACE TEMP MACRO json_is_decimal(value) AS
        json_is_number(value, '-?[0-9]+(\\.[0-9]+)?', ['UBIGINT', 'BIGINT', 'DOUBLE'])
    """,
    """
    CREATE OR REPLACE TEMP MACRO json_is_integer(value) AS
        json_is_number(value, '-?[0-9]+', ['UBIGINT', 'BIGINT'])
    """,
    # Only called with two decimals. HUGEINT keeps the sum of two UBIGINT values exact.
    """
    CREATE OR REPLACE TEMP MACRO json_sum(a, b) AS
        CASE WHEN json_is_integer(a) AND json_is_integer(b)
             THEN to_json(CAST(a ->> '$' AS HUGEINT) + CAST(b ->> '$' AS HUGEINT))
             ELSE to_json(CAST(a ->> '$' AS DOUBLE) + CAST(b ->> '$' AS DOUBLE)) END
    """,
    """
    CREATE OR REPLACE TEMP MACRO json_items_missing(current, operand) AS
        list_filter(json_as_list(operand), lambda item: NOT list_contains(json_as_list(current), item))
    """,
    """
    CREATE OR REPLACE TEMP MACRO apply_property_operation(current, operation, operand) AS
        CASE operation
            WHEN '$set' THEN operand
            WHEN '$setOnce' THEN coalesce(current, operand)
            WHEN '$unset' THEN CAST(NULL AS JSON)
            WHEN '$add' THEN
                CASE WHEN json_is_decimal(operand) AND (current IS NULL OR json_is_decimal(current))
                     THEN json_sum(coalesce(current, CAST('0' AS JSON)), operand) ELSE current END
            WHEN '$append' THEN to_json(list_concat(json_as_list(current), json_as_list(operand)))
            WHEN '$prepend' THEN to_json(list_concat(json_as_list(operand), json_as_list(current)))
            WHEN '$postInsert' THEN to_json(list_concat(json_as_list(current), json_items_missing(current, operand)))
            WHEN '$preInsert' THEN to_json(list_concat(json_items_missing(current, operand), json_as_list(current)))
            WHEN '$remove' THEN
                CASE WHEN json_type(current) = 'ARRAY'
                     THEN to_json(list_filter(json_as_list(current),
                                              lambda item: NOT list_contains(json_as_list(operand), item)))
                     ELSE current END
            ELSE current END
    """,
]


def create_operation_macros(cur: duckdb.DuckDBPyConnection) -> None:
    """Create the temporary SQL macros that ``folded_value_sql`` uses, on ``cur``'s connection."""
    for macro in MACROS:
        cur.execute(macro)


def operation_rank_sql(operation: str) -> str:
    """Return SQL for the 1-based position of the ``operation`` column in ``OPERATIONS``."""
    names = ", ".join(f"'{name}'" for name in OPERATIONS)
    return f"list_position([{names}], {operation})"


def folded_value_sql(operations: str) -> str:
    """Return SQL for a property's value after ``operations``, a list of ``{operation, value}`` structs in order.

    ``value`` is each operation's operand. The result is NULL when the
    property ends with no value.
    """
    # list_reduce keeps its state in the list's element type, so the state is a struct whose value is the property's.
    start = "{'operation': CAST(NULL AS VARCHAR), 'value': CAST(NULL AS JSON)}"
    step = (
        "lambda state, next: {'operation': NULL, "
        "'value': apply_property_operation(state.value, next.operation, next.value)}"
    )
    return f"list_reduce({operations}, {step}, {start}).value"
