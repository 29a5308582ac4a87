"""The segments of a grouped retention chart: each counted unit takes the segments of its cohort's start event.

A unit (an actor, or a group with ``count_by``) has one start event that
decides its cohort, the first one in the range (``first_starts``). The same
event decides its segments, so a unit whose later start events carry another
value stays in the segment of the first:

- ``group_by`` a property: the property's value on that event (an event
  property, ``user.NAME`` as sent with it, or a column), one segment.
- ``group_by: "group:TYPE"``: the name of each group of that type the event
  names, so a unit can be in several segments. Counted by the same type, a
  group's segment is its own name.

The segments follow event segmentation's rules. They are the
``TOP_SEGMENTS`` values with the most units over the whole range, ties broken
by value in byte order. ``(other)`` takes the remaining values, once per unit,
and ``(none)`` the units whose start event has no value.
"""

from __future__ import annotations

from tui.analytics.buckets import Buckets
from tui.analytics.counted_unit import CountedUnit
from tui.analytics.definition import ChartDefinition
from tui.analytics.filters import Fragment, conjunction, event_type_sql, property_sql
from tui.analytics.segmentation_groups import group_sources_sql, group_type
from tui.analytics.segmentation_sql import NONE_RANK, OTHER_RANK, SEGMENT_NONE, SEGMENT_OTHER, TOP_SEGMENTS


def segment_ctes(definition: ChartDefinition, unit: CountedUnit, cohorts: Buckets, starts: str) -> Fragment:
    """Return the CTEs ``start_values``, ``top_segments`` and ``start_segments`` over the relation ``starts``.

    ``starts`` is a CTE with one row per unit: its id column and
    ``start_seq``, the ``seq`` of its first start event. ``start_segments``
    has one row per (unit, ``segment``) with the segment's ``segment_rank``
    (1 to ``TOP_SEGMENTS``, then ``OTHER_RANK`` and ``NONE_RANK``).
    """
    values, params = _start_values_sql(definition, unit, cohorts, starts)
    column = unit.column
    top = (
        f"SELECT segment_value, row_number() OVER (ORDER BY count(DISTINCT {column}) DESC, segment_value) "
        f"AS segment_rank FROM start_values WHERE segment_value IS NOT NULL GROUP BY segment_value "
        f"QUALIFY segment_rank <= {TOP_SEGMENTS}"
    )
    # DISTINCT: a start event naming two groups outside the top ones puts its unit in (other) once.
    labelled = (
        f"SELECT DISTINCT start_values.{column}, {_label_sql()} AS segment, {_rank_sql()} AS segment_rank "
        "FROM start_values LEFT JOIN top_segments ON top_segments.segment_value = start_values.segment_value"
    )
    sql = f"start_values AS ({values}), top_segments AS ({top}), start_segments AS ({labelled})"
    return sql, params


def _start_values_sql(definition: ChartDefinition, unit: CountedUnit, cohorts: Buckets, starts: str) -> Fragment:
    """Return one row per (unit, ``segment_value``) of its start event; NULL when the event has no value."""
    column = unit.column
    segment_type = group_type(definition.group_by)
    if segment_type is not None and segment_type == unit.group_type:
        # Counted and segmented by one type: a group is in the segment of its own name.
        sql = (
            f"SELECT starts.{column}, groups.group_name AS segment_value "
            f"FROM {starts} AS starts JOIN groups ON groups.group_id = starts.{column}"
        )
        return sql, []
    if segment_type is not None:
        sources, source_params = group_sources_sql(None, segment_type, False, True)
        value, value_params = "segment_groups.group_name", []
    else:
        sources, source_params = "events", []
        value, value_params = property_sql(definition.group_by)
    # The start event's type and the cohort range are implied by its seq. Stating them lets DuckDB skip row groups.
    bounds, bound_params = conjunction([event_type_sql(definition.start.event), cohorts.range_sql("events.event_time")])
    sql = (
        f"SELECT starts.{column}, {value} AS segment_value FROM {sources} "
        f"JOIN {starts} AS starts ON starts.start_seq = events.seq WHERE {bounds}"
    )
    return sql, value_params + source_params + bound_params


def _label_sql() -> str:
    return (
        f"CASE WHEN start_values.segment_value IS NULL THEN '{SEGMENT_NONE}' "
        f"WHEN top_segments.segment_rank IS NOT NULL THEN start_values.segment_value ELSE '{SEGMENT_OTHER}' END"
    )


def _rank_sql() -> str:
    return (
        "coalesce(top_segments.segment_rank, "
        f"CASE WHEN start_values.segment_value IS NULL THEN {NONE_RANK} ELSE {OTHER_RANK} END)"
    )
