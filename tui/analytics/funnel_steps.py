"""The events a funnel looks at: those of each step and each exclusion, as SQL on ``events``.

Every order's conversion SQL reads its step events through ``step_events_sql``,
so the step's event type, its ``where`` items, the chart's ``where`` items and
the cohort apply the same way in all of them.

A funnel converts *units*: actors, or with ``count_by: "group:TYPE"`` the
groups of that type. Step relations name the unit's id ``unit_id``. Counted
by groups, they read ``events`` joined to ``event_groups`` (``CountedUnit``),
so an event naming two groups is a step event of each group.
"""

from __future__ import annotations

from tui.analytics.buckets import Buckets
from tui.analytics.counted_unit import CountedUnit, counted_unit
from tui.analytics.definition import ChartDefinition, EventSpec
from tui.analytics.filters import Fragment, cohort_sql, conjunction, event_type_sql, where_sql


def step_columns(unit: CountedUnit) -> str:
    """Return the columns of every step relation, in a query on ``unit.source_sql()``.

    They are the unit, ``client_time`` in epoch microseconds (orders events
    and measures windows), the import order that breaks ties, and the server
    time that decides the range and the bucket.
    """
    return f"{unit.key} AS unit_id, epoch_us(client_time) AS t, events.seq AS seq, event_time"


def step_predicate(definition: ChartDefinition, spec: EventSpec) -> Fragment:
    """Return the predicate selecting the events of one step (or exclusion) from the unit's ``source_sql()``."""
    parts = [event_type_sql(spec.event), where_sql(spec.where), where_sql(definition.where)]
    if definition.cohort:
        parts.append(cohort_sql(definition.cohort))
        unit = counted_unit(definition)
        if unit.counts_groups:
            parts.append(unit.cohort_sql(definition.cohort))
    return conjunction(parts)


def step_events_sql(definition: ChartDefinition, spec: EventSpec, restriction: Fragment) -> Fragment:
    """Return ``step_columns`` of the events of one step (or exclusion) that also pass ``restriction``."""
    unit = counted_unit(definition)
    source, source_params = unit.source_sql()
    predicate, params = conjunction([step_predicate(definition, spec), restriction])
    return f"SELECT {step_columns(unit)} FROM {source} WHERE {predicate}", source_params + params


def in_range(buckets: Buckets) -> Fragment:
    """Return the predicate of the chart's range on ``event_time``, which selects the events that start a conversion."""
    return buckets.range_sql("event_time")


def after_starts_sql(window_us: int) -> str:
    """Return the predicate on ``events`` keeping the client times that a conversion started in ``step1`` can reach.

    A later event of a conversion lies between its start and one window
    after it, so between the earliest start in ``step1`` and one window after
    the latest. Later steps and exclusions need only those events.
    """
    return (
        "client_time >= (SELECT make_timestamptz(min(t)) FROM step1) "
        f"AND client_time <= (SELECT make_timestamptz(max(t) + {window_us}) FROM step1)"
    )


def window_buckets_sql(starts: str, window_us: int) -> str:
    """Return the ``(unit_id, bucket)`` pairs of the time buckets that the windows of the starts in ``starts`` cover.

    Buckets are ``epoch_us(client_time) // width`` with the width one window
    (at least 1 µs), so every bucket spans at least one window and the
    events from a start to one window after it lie in the start's bucket or
    the next one.
    """
    bucket = f"t // {max(window_us, 1)}"
    return f"SELECT unit_id, {bucket} AS bucket FROM {starts} UNION ALL SELECT unit_id, {bucket} + 1 FROM {starts}"


def in_window_buckets_sql(unit: CountedUnit, buckets: str, window_us: int) -> str:
    """Return the predicate on the unit's ``source_sql()`` rows keeping the events in the pairs of ``buckets``.

    ``buckets`` names a relation of ``window_buckets_sql``. A hash semi-join on
    the pair skips the events no window of those starts can reach.
    """
    bucket = f"epoch_us(client_time) // {max(window_us, 1)}"
    return f"({unit.key}, {bucket}) IN (SELECT (unit_id, bucket) FROM {buckets})"


def bits_sql(parts: list[Fragment]) -> Fragment:
    """Return an INTEGER with bit i set when predicate ``parts[i]`` is true (0 when there are no predicates)."""
    if not parts:
        return "0", []
    sql = " | ".join(f"(CASE WHEN {part} THEN {1 << index} ELSE 0 END)" for index, (part, _) in enumerate(parts))
    return f"({sql})", [param for _, part_params in parts for param in part_params]


def window_us(definition: ChartDefinition) -> int:
    """Return the conversion window in whole microseconds, so a step exactly one window after the start is inside it."""
    return round(definition.window_seconds * 1_000_000)
