"""The SQL of an event segmentation series: which events make up each data point.

One *labelled events* relation per series gives every selected event its
``bucket`` (index) and ``segment`` (label). The chart groups that relation by
``(bucket, segment)``; the microscope filters it to one ``(bucket, segment)``.
So the events behind a point, and the actors counted for it, come from the
same SQL in both places.

Segments of a group-by are the top ``TOP_SEGMENTS`` property values by the
chart's measure over the whole range (ties broken by value, in byte order),
then ``(other)`` for the remaining values and ``(none)`` for events without
the property.

Groups (``event_groups``, one row per event and group it names):
- ``group_by: "group:TYPE"`` labels an event with the name of each group of
  that type it names, so an event naming two groups is in both segments;
  events naming none are ``(none)``. An event whose groups all fall in
  ``(other)`` is in ``(other)`` once. Counted by the same type, each
  (event, group) row is in the segment of its own group.
- ``count_by: "group:TYPE"`` gives the relation one row per (event, group of
  that type) with a ``group_id`` column, and drops events naming no such group.
  ``uniques`` and ``pct_active`` count distinct ``group_id``; ``average`` is
  (event, group) rows per group, so an event naming two groups counts for
  each; ``totals``, ``sum:PROP`` and ``avg:PROP`` take each event once.

Cohorts (``group_by: "cohorts"``): an event is labelled with the name of
each saved cohort of users its actor is in, ranked like property values by the
chart's measure; an actor in several cohorts counts in each of their
segments, and an actor in none is ``(none)``. Cohorts of groups are ignored.
"""

from __future__ import annotations

from datetime import datetime

from tui.analytics.buckets import Buckets
from tui.analytics.definition import ChartDefinition, EventSpec
from tui.analytics.filters import (
    Fragment,
    cohort_groups_sql,
    cohort_sql,
    conjunction,
    event_type_sql,
    number_sql,
    property_sql,
    where_sql,
)
from tui.analytics.segmentation_groups import (
    actor_labels_sql,
    counted_column,
    event_labels_sql,
    group_sources_sql,
    group_type,
    segments_by_cohorts,
)
from tui.analytics.uniques import exact_count_sql

TOP_SEGMENTS = 10
# NOTE: a property value spelled "(other)" or "(none)" gets the same label as that catch-all segment.
SEGMENT_OTHER = "(other)"
SEGMENT_NONE = "(none)"
# Ranks of the two catch-all segments, after the top values ranked 1 to TOP_SEGMENTS.
OTHER_RANK = TOP_SEGMENTS + 1
NONE_RANK = TOP_SEGMENTS + 2

# Columns the labelled relation adds to the event columns it selects.
LABEL_COLUMNS = ("bucket", "segment_value", "measure_number", "segment", "segment_rank")

class SeriesQuery:
    """SQL builder for one series of a segmentation chart over its buckets."""

    def __init__(self, definition: ChartDefinition, buckets: Buckets, series: int, cohort_kind: str | None = None):
        """``cohort_kind`` is the ``member_kind`` of the chart's cohort when the caller read it, else None."""
        self.definition = definition
        self.buckets = buckets
        self.series = series
        self.event: EventSpec = definition.events[series]
        # The group types the chart counts and segments by, None for users and properties.
        self.counted_type = group_type(definition.count_by)
        self.segment_type = group_type(definition.group_by)
        self.by_cohorts = segments_by_cohorts(definition)
        self.counted_column = counted_column(definition)
        self.cohort_kind = cohort_kind

    @property
    def exact_count(self) -> str:
        """The hash-set aggregate of the counted column, which any id fits."""
        return exact_count_sql(self.counted_column)

    # Data points ------------------------------------------------------------

    def chart_sql(self, count_actors: str) -> Fragment:
        """Return one row per non-empty point: ``bucket``, ``segment``, ``segment_rank``, ``value``.

        ``count_actors`` is the aggregate counting distinct values of ``counted_column``.
        """
        labelled, params = self.labelled_sql(self._key_columns(), self.series_filter())
        value = self._value_sql(count_actors)
        if self.definition.group_by is None:
            # Every row has the segment NULL, and grouping by the bucket alone is faster.
            sql = (
                "SELECT bucket, CAST(NULL AS VARCHAR) AS segment, 0 AS segment_rank, "
                f"{value} AS value FROM ({labelled}) GROUP BY bucket"
            )
        else:
            sql = f"SELECT bucket, segment, segment_rank, {value} AS value FROM ({labelled}) GROUP BY ALL"
        return sql, params

    def active_sql(self, count_actors: str) -> Fragment:
        """Return the actors active with any event per point: ``bucket``, ``segment``, ``active``.

        This is the denominator of ``pct_active``. The chart's ``where`` items,
        cohort and segment labels apply, but the series' event and ``where`` do not.
        """
        labelled, params = self.labelled_sql(self._key_columns(), self.population_filter())
        sql = f"SELECT bucket, segment, {count_actors} AS active FROM ({labelled}) GROUP BY bucket, segment"
        return sql, params

    def point_events_sql(self, segment: str | None, bucket: int) -> Fragment:
        """Return the events of one data point, with every column of ``events`` but ``dedupe_key``.

        A chart counted by a group type gives one row per (event, group) with
        the group's ``group_id``, so ``count(DISTINCT group_id)`` is the point's groups.
        """
        start, end = self.buckets.boundaries[bucket], self.buckets.boundaries[bucket + 1]
        # The bucket's time range is implied by ``bucket = ?``. Stating it lets DuckDB skip row groups.
        labelled, params = self.labelled_sql("events.*", self.series_filter(start, end))
        sql = (
            f"SELECT * EXCLUDE ({', '.join(LABEL_COLUMNS)}, dedupe_key) FROM ({labelled}) "
            "WHERE bucket = ? AND segment IS NOT DISTINCT FROM ?"
        )
        return sql, params + [bucket, segment]

    def property_values_sql(self) -> Fragment:
        """Return one row counting the series' events by the measure property: ``numeric_values`` and ``other_values``.

        ``other_values`` are the events where the property is set but is not a
        finite number, which a sum or an average skips. Counted by a group
        type, an event counts once per group it names.
        """
        name = self.definition.measure_property
        number, number_params = number_sql(name)
        text, text_params = property_sql(name)
        sources, source_params = group_sources_sql(self.counted_type, None, False, False)
        parts = [event_type_sql(self.event.event), where_sql(self.event.where), self.population_filter()]
        filter_sql, filter_params = conjunction(parts)
        sql = (
            f"SELECT count({number}) AS numeric_values, count({text}) - count({number}) AS other_values "
            f"FROM {sources} WHERE {filter_sql}"
        )
        return sql, number_params + text_params + number_params + source_params + filter_params

    # Relations --------------------------------------------------------------

    def labelled_sql(self, columns: str, row_filter: Fragment) -> Fragment:
        """Return ``columns`` of the events passing ``row_filter``, with bucket and segment labels."""
        if self.definition.group_by is None:
            rows, params = self._rows_sql(columns, row_filter)
            sql = f"SELECT event_rows.*, CAST(NULL AS VARCHAR) AS segment, 0 AS segment_rank FROM ({rows}) AS event_rows"
            return sql, params

        top, top_params = self._top_segments_sql()
        if self._labels_by_event():
            return self._group_labelled_sql(columns, row_filter, (top, top_params))
        rows, params = self._rows_sql(columns, row_filter)
        label = (
            f"CASE WHEN event_rows.segment_value IS NULL THEN '{SEGMENT_NONE}' "
            f"WHEN top_segments.segment_rank IS NOT NULL THEN event_rows.segment_value ELSE '{SEGMENT_OTHER}' END"
        )
        rank = (
            f"coalesce(top_segments.segment_rank, CASE WHEN event_rows.segment_value IS NULL "
            f"THEN {NONE_RANK} ELSE {OTHER_RANK} END)"
        )
        sql = (
            f"WITH top_segments AS ({top}) "
            f"SELECT event_rows.*, {label} AS segment, {rank} AS segment_rank "
            f"FROM ({rows}) AS event_rows LEFT JOIN top_segments ON top_segments.segment_value = event_rows.segment_value"
        )
        return sql, top_params + params

    def _group_labelled_sql(self, columns: str, row_filter: Fragment, top: Fragment) -> Fragment:
        """Return the labelled rows of a group-by on a group type: one row per (event, segment).

        An event's labels come from its groups (or its actor's cohorts): the
        name of each top one, one ``(other)`` for any number of others, and
        ``(none)`` without any.
        """
        rows, params = self._rows_sql(columns, row_filter, with_segment_value=False)
        top_sql, top_params = top
        if self.by_cohorts:
            labels, label_params = actor_labels_sql(SEGMENT_OTHER, OTHER_RANK)
            join = "actor_labels AS event_labels ON event_labels.actor_id = event_rows.actor_id"
        else:
            labels, label_params = event_labels_sql(self.segment_type, SEGMENT_OTHER, OTHER_RANK)
            join = "event_labels ON event_labels.seq = event_rows.seq"
        sql = (
            f"WITH top_segments AS ({top_sql}), {labels} "
            f"SELECT event_rows.*, coalesce(event_labels.segment, '{SEGMENT_NONE}') AS segment, "
            f"coalesce(event_labels.segment_rank, {NONE_RANK}) AS segment_rank "
            f"FROM ({rows}) AS event_rows LEFT JOIN {join}"
        )
        return sql, top_params + label_params + params

    def _labels_by_event(self) -> bool:
        """Tell whether segments are the actor's cohorts, or the event's groups of a type other than the counted one."""
        return self.by_cohorts or (self.segment_type is not None and self.segment_type != self.counted_type)

    def _rows_sql(self, columns: str, row_filter: Fragment, with_segment_value: bool = True) -> Fragment:
        bucket, bucket_params = self.buckets.index_sql("event_time")
        segment, segment_params = self._segment_value_sql() if with_segment_value else ("CAST(NULL AS VARCHAR)", [])
        number, number_params = self._measure_number_sql()
        sources, source_params = group_sources_sql(
            self.counted_type, self.segment_type, self._number_once_per_event(), with_segment_value, self.by_cohorts
        )
        filter_sql, filter_params = row_filter
        if self.counted_type is not None:
            columns += ", counted_groups.group_id"
        sql = (
            f"SELECT {columns}, {bucket} AS bucket, {segment} AS segment_value, {number} AS measure_number "
            f"FROM {sources} WHERE {filter_sql}"
        )
        return sql, bucket_params + segment_params + number_params + source_params + filter_params

    def _key_columns(self) -> str:
        """Return the event columns the chart's aggregates read. ``seq`` identifies the rows of one event."""
        if self.counted_type is None and self.segment_type is None and not self.by_cohorts:
            return "actor_id"
        return "events.actor_id, events.seq"

    def _number_once_per_event(self) -> bool:
        """Tell whether a sum or average must read only one of the rows an event has, one per counted group.

        Counted and segmented by one type, each row is in its own group's
        segment, so every row keeps its number.
        """
        return (
            self.counted_type is not None
            and self.definition.measure_property is not None
            and self.segment_type != self.counted_type
        )

    def _top_segments_sql(self) -> Fragment:
        """Return the top segment values with their rank (1 is first), by the measure over the whole range."""
        rows, params = self._rows_sql(self._key_columns(), self.series_filter())
        score = self._value_sql(self.exact_count)
        sql = (
            "SELECT segment_value, row_number() OVER (ORDER BY score DESC, segment_value) AS segment_rank "
            f"FROM (SELECT segment_value, {score} AS score FROM ({rows}) "
            "WHERE segment_value IS NOT NULL GROUP BY segment_value) "
            f"QUALIFY segment_rank <= {TOP_SEGMENTS}"
        )
        return sql, params

    # Filters ----------------------------------------------------------------

    def series_filter(self, start: datetime | None = None, end: datetime | None = None) -> Fragment:
        """Return the predicate selecting the series' events between ``start`` and ``end`` (default: the range)."""
        parts = [event_type_sql(self.event.event), where_sql(self.event.where), self.population_filter(start, end)]
        measure_property = self.definition.measure_property
        if measure_property:
            # Only events with a numeric value make up a sum or an average.
            number, params = number_sql(measure_property)
            parts.append((f"{number} IS NOT NULL", params))
        return conjunction(parts)

    def population_filter(self, start: datetime | None = None, end: datetime | None = None) -> Fragment:
        """Return the predicate of the chart's time range, ``where`` items and cohort, for any event."""
        start = start or self.buckets.range_start
        end = end or self.buckets.range_end
        parts = [("event_time >= ? AND event_time < ?", [start, end]), where_sql(self.definition.where)]
        cohort = self.definition.cohort
        if cohort:
            parts.append(cohort_sql(cohort, self.cohort_kind))
            if self.counted_type is not None:
                # A cohort of groups of the counted type also keeps the other groups its events name from counting.
                column = "counted_groups.group_id"
                parts.append(cohort_groups_sql(cohort, self.counted_type, column, self.cohort_kind))
        return conjunction(parts)

    # Expressions ------------------------------------------------------------

    def _segment_value_sql(self) -> Fragment:
        if self.definition.group_by is None:
            return "CAST(NULL AS VARCHAR)", []
        if self.segment_type is not None or self.by_cohorts:
            return "segment_groups.group_name", []
        return property_sql(self.definition.group_by)

    def _measure_number_sql(self) -> Fragment:
        measure_property = self.definition.measure_property
        if measure_property is None:
            return "CAST(NULL AS DOUBLE)", []
        number, params = number_sql(measure_property)
        if self._number_once_per_event():
            # The row of the event's smallest group id carries the number, the others NULL, which sum() skips.
            return f"(CASE WHEN counted_groups.group_id = first_groups.first_group_id THEN {number} END)", params
        return number, params

    def _value_sql(self, count_actors: str) -> str:
        """Return the aggregate of the chart's measure over labelled rows.

        For ``pct_active`` this is the numerator, the distinct actors (or
        groups). The division by active ones happens after both are counted.
        """
        kind = self.definition.measure.partition(":")[0]
        if kind in ("uniques", "pct_active"):
            return count_actors
        if kind == "totals":
            # Counted by groups, an event has a row per group it names.
            return "CAST(count(DISTINCT seq) AS DOUBLE)" if self.counted_type else "CAST(count(*) AS DOUBLE)"
        if kind == "average":
            return f"CAST(count(*) AS DOUBLE) / {count_actors}"
        if kind == "sum":
            return "sum(measure_number)"
        return "avg(measure_number)"
