"""Segments of a funnel with ``group_by``: each kept conversion labelled by the event that filled its step 1.

The labels come after the conversions are found, so grouping never changes
which conversion an actor (or group) keeps: the ungrouped funnel's kept
conversion is labelled with the group-by value of its step-1 event (``seq1``).
In ``this`` and ``exact`` order that event starts the window. In ``any`` order
it is the event the conversion used for step 1, which may come after the
window's first event.

- A property (event property, ``user.NAME`` as sent with that event, or a
  column) gives one label per conversion.
- ``group:TYPE`` gives the name of each group of that type the event names,
  so an event naming two groups puts its conversion in both segments. Counted
  by the same group type, a group's conversion is in its own group's segment.

As in event segmentation, the top ``TOP_SEGMENTS`` values by the number of
conversions they label (ties broken by value) keep their label, the rest
become ``(other)`` (once per conversion), and a conversion without a value is
``(none)``.
"""

from __future__ import annotations

from tui.analytics.counted_unit import CountedUnit
from tui.analytics.definition import ChartDefinition
from tui.analytics.filters import Fragment, property_sql
from tui.analytics.segmentation_groups import group_sources_sql, group_type
from tui.analytics.segmentation_sql import NONE_RANK, OTHER_RANK, SEGMENT_NONE, SEGMENT_OTHER, TOP_SEGMENTS


class FunnelSegments:
    """SQL builder that labels a funnel's kept conversions with the segments of its ``group_by``."""

    def __init__(self, definition: ChartDefinition, unit: CountedUnit):
        self.group_by = definition.group_by
        self.segment_type = group_type(definition.group_by)
        self.unit = unit

    def labelled_ctes(self, kept: str) -> Fragment:
        """Return the CTEs ending in ``labelled``: the rows of the CTE ``kept`` with ``segment`` and ``segment_rank``.

        ``labelled`` has one row per (conversion, segment), so a conversion in
        two segments has two rows and every other conversion one.
        """
        starts, params = self.start_values_sql(kept)
        label = (
            f"CASE WHEN starts.segment_value IS NULL THEN '{SEGMENT_NONE}' "
            f"WHEN top_segments.segment_rank IS NOT NULL THEN starts.segment_value ELSE '{SEGMENT_OTHER}' END"
        )
        rank = (
            "coalesce(top_segments.segment_rank, CASE WHEN starts.segment_value IS NULL "
            f"THEN {NONE_RANK} ELSE {OTHER_RANK} END)"
        )
        ctes = [
            # Read twice below, so it is computed once.
            f"starts AS MATERIALIZED ({starts})",
            "top_segments AS (SELECT segment_value, "
            "row_number() OVER (ORDER BY score DESC, segment_value) AS segment_rank "
            "FROM (SELECT segment_value, count(DISTINCT unit_id) AS score FROM starts "
            "WHERE segment_value IS NOT NULL GROUP BY segment_value) "
            f"QUALIFY segment_rank <= {TOP_SEGMENTS})",
            # DISTINCT: several groups outside the top values put one conversion in (other) once.
            f"labelled AS (SELECT DISTINCT starts.* EXCLUDE (segment_value), {label} AS segment, {rank} AS segment_rank "
            "FROM starts LEFT JOIN top_segments ON top_segments.segment_value = starts.segment_value)",
        ]
        return ", ".join(ctes), params

    def start_values_sql(self, kept: str) -> Fragment:
        """Return the rows of ``kept`` with the ``segment_value`` of their step-1 event, one row per value.

        A conversion whose event has no value (or names no group of the type)
        has one row with ``segment_value`` NULL.
        """
        if self.segment_type is not None and self.segment_type == self.unit.group_type:
            # Counted and segmented by one type: the unit is the group, and its name is the segment.
            sql = (
                f"SELECT {kept}.*, segment_groups.group_name AS segment_value FROM {kept} "
                f"JOIN groups AS segment_groups ON segment_groups.group_id = {kept}.unit_id"
            )
            return sql, []
        if self.segment_type is not None:
            sources, params = group_sources_sql(None, self.segment_type, False, True)
            value, value_params = "segment_groups.group_name", []
        else:
            sources, params = "events", []
            value, value_params = property_sql(self.group_by)
        sql = f"SELECT {kept}.*, {value} AS segment_value FROM {sources} JOIN {kept} ON {kept}.seq1 = events.seq"
        return sql, value_params + params
