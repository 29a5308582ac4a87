"""Checks on the property of a ``sum:PROP`` or ``avg:PROP`` measure: is it a number?

A sum or an average reads only the events whose value is a finite number, so
a text property such as a plan name gives 0 in every bucket. With these queries
the builder lists numeric properties first, and the chart explains a 0.
"""

from __future__ import annotations

from typing import Any

import duckdb

from tui.analytics.definition import ChartDefinition
from tui.analytics.filters import check_cohort, event_type_sql, number_sql
from tui.analytics.segmentation import chart_buckets
from tui.analytics.segmentation_sql import SeriesQuery

MEASURE_WORDS = {"sum": "sum", "avg": "average"}


def non_numeric_note(cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, settings: Any) -> str | None:
    """Return why a segmentation's sum or average is 0, or None when it is not a measure of a property.

    The sentence is returned when the series' events in the chart's range
    have values of the property but none of them is a number.
    """
    name = definition.measure_property
    if definition.type != "segmentation" or name is None:
        return None

    cohort_kind = check_cohort(cursor, definition.cohort) if definition.cohort else None
    buckets = chart_buckets(definition, settings)
    numeric = other = 0
    for series in range(len(definition.events)):
        sql, params = SeriesQuery(definition, buckets, series, cohort_kind).property_values_sql()
        series_numeric, series_other = cursor.execute(sql, params).fetchone()
        numeric += series_numeric
        other += series_other

    if numeric or not other:
        return None
    word = MEASURE_WORDS[definition.measure.partition(":")[0]]
    return f"{name!r} has no numeric values in this range, so its {word} is 0."


def numeric_properties(cursor: duckdb.DuckDBPyConnection, names: list[str], event_type: str | None = None) -> set[str]:
    """Return the names in ``names`` with at least one finite number on ``event_type`` (or any event)."""
    if not names:
        return set()
    columns, params = [], []
    for name in names:
        number, number_params = number_sql(name)
        columns.append(f"count({number}) > 0")
        params += number_params
    selection, selection_params = event_type_sql(event_type or "*")
    row = cursor.execute(f"SELECT {', '.join(columns)} FROM events WHERE {selection}", params + selection_params).fetchone()
    return {name for name, has_number in zip(names, row) if has_number}
