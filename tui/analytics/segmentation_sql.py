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
"""

from __future__ import annotations

from datetime import datetime

from tui.analytics.buckets import Buckets
from tui.analytics.definition import ChartDefinition, EventSpec
from tui.analytics.uniques import COUNT_DISTINCT
from tui.analytics.filters import Fragment, cohort_sql, conjunction, event_type_sql, number_sql, property_sql, where_sql

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

    def __init__(self, definition: ChartDefinition, buckets: Buckets, series: int):
        self.definition = definition
        self.buckets = buckets
        self.series = series
        self.event: EventSpec = definition.events[series]

    # Data points ------------------------------------------------------------

    def chart_sql(self, count_actors: str) -> Fragment:
        """Return one row per non-empty point: ``bucket``, ``segment``, ``segment_rank``, ``value``."""
        labelled, params = self.labelled_sql("actor_id", self.series_filter())
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
        labelled, params = self.labelled_sql("actor_id", self.population_filter())
        sql = f"SELECT bucket, segment, {count_actors} AS active FROM ({labelled}) GROUP BY bucket, segment"
        return sql, params

    def point_events_sql(self, segment: str | None, bucket: int) -> Fragment:
        """Return the events of one data point, with every column of ``events`` but ``dedupe_key``."""
        start, end = self.buckets.boundaries[bucket], self.buckets.boundaries[bucket + 1]
        # The bucket's time range is implied by ``bucket = ?``. Stating it lets DuckDB skip row groups.
        labelled, params = self.labelled_sql("events.*", self.series_filter(start, end))
        sql = (
            f"SELECT * EXCLUDE ({', '.join(LABEL_COLUMNS)}, dedupe_key) FROM ({labelled}) "
            "WHERE bucket = ? AND segment IS NOT DISTINCT FROM ?"
        )
        return sql, params + [bucket, segment]

    # Relations --------------------------------------------------------------

    def labelled_sql(self, columns: str, row_filter: Fragment) -> Fragment:
        """Return ``columns`` of the events passing ``row_filter``, with bucket and segment labels."""
        rows, params = self._rows_sql(columns, row_filter)
        if self.definition.group_by is None:
            sql = f"SELECT event_rows.*, CAST(NULL AS VARCHAR) AS segment, 0 AS segment_rank FROM ({rows}) AS event_rows"
            return sql, params

        top, top_params = self._top_segments_sql()
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

    def _rows_sql(self, columns: str, row_filter: Fragment) -> Fragment:
        bucket, bucket_params = self.buckets.index_sql("event_time")
        segment, segment_params = self._segment_value_sql()
        number, number_params = self._measure_number_sql()
        filter_sql, filter_params = row_filter
        sql = (
            f"SELECT {columns}, {bucket} AS bucket, {segment} AS segment_value, {number} AS measure_number "
            f"FROM events WHERE {filter_sql}"
        )
        return sql, bucket_params + segment_params + number_params + filter_params

    def _top_segments_sql(self) -> Fragment:
        """Return the top segment values with their rank (1 is first), by the measure over the whole range."""
        rows, params = self._rows_sql("actor_id", self.series_filter())
        score = self._value_sql(COUNT_DISTINCT)
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
        if self.definition.cohort:
            parts.append(cohort_sql(self.definition.cohort))
        return conjunction(parts)

    # Expressions ------------------------------------------------------------

    def _segment_value_sql(self) -> Fragment:
        if self.definition.group_by is None:
            return "CAST(NULL AS VARCHAR)", []
        return property_sql(self.definition.group_by)

    def _measure_number_sql(self) -> Fragment:
        measure_property = self.definition.measure_property
        if measure_property is None:
            return "CAST(NULL AS DOUBLE)", []
        return number_sql(measure_property)

    def _value_sql(self, count_actors: str) -> str:
        """Return the aggregate of the chart's measure over labelled rows.

        For ``pct_active`` this is the numerator, the distinct actors. The
        division by active actors happens after both are counted.
        """
        kind = self.definition.measure.partition(":")[0]
        if kind in ("uniques", "pct_active"):
            return count_actors
        if kind == "totals":
            return "CAST(count(*) AS DOUBLE)"
        if kind == "average":
            return f"CAST(count(*) AS DOUBLE) / {count_actors}"
        if kind == "sum":
            return "sum(measure_number)"
        return "avg(measure_number)"
