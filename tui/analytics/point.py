"""A chart's data point and the actors behind it: the one definition the microscope builds on.

Every microscope action (user list, streams, paths, cohort, download, compare)
starts from ``point_actors_sql``, which reads the same events the chart counted
for that point. So a ``uniques`` point's value always equals the number of
actors the microscope lists, and for other measures the list contains exactly the
actors whose events make up the value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import duckdb

from tui.analytics.definition import ChartDefinition, DefinitionError
from tui.analytics.filters import Fragment
from tui.analytics.segmentation import chart_buckets, chart_settings, point_events_sql, series_name


@dataclass(frozen=True)
class Point:
    """One data point of a chart: series (0-based), segment label (None without group-by), bucket index."""

    definition: ChartDefinition
    series: int
    segment: str | None
    bucket: int

    def with_definition(self, definition: ChartDefinition) -> Point:
        return replace(self, definition=definition)


@dataclass(frozen=True)
class PointLabel:
    """The description of a point that every microscope screen shows."""

    chart_type: str
    series_name: str
    segment: str | None
    bucket_start: datetime
    bucket_end: datetime
    timezone: str

    def bucket_text(self) -> str:
        """Return the bucket as ``[start, end) ZONE`` with minutes, in the chart's time zone."""
        pattern = "%Y-%m-%d %H:%M"
        return f"[{self.bucket_start.strftime(pattern)}, {self.bucket_end.strftime(pattern)}) {self.timezone}"


def point_events(point: Point, settings: Any) -> Fragment:
    """Return the SQL and parameters of the events that make up ``point``."""
    if point.definition.type != "segmentation":
        # TODO: funnel, sessions and retention points join here when those charts exist.
        raise DefinitionError(f"type: the microscope does not open {point.definition.type} charts yet.")
    return point_events_sql(point.definition, settings, point.series, point.segment, point.bucket)


def point_actors_sql(point: Point, settings: Any) -> Fragment:
    """Return one row per actor of ``point``: ``actor_id``, ``events_in_point``, ``first_in_point``, ``last_in_point``."""
    events, params = point_events(point, settings)
    sql = (
        "SELECT actor_id, count(*) AS events_in_point, "
        "min(event_time) AS first_in_point, max(event_time) AS last_in_point "
        f"FROM ({events}) GROUP BY actor_id"
    )
    return sql, params


def point_actor_count(cursor: duckdb.DuckDBPyConnection, point: Point, settings: Any) -> int:
    """Return the number of distinct actors behind ``point``."""
    events, params = point_events(point, settings)
    return cursor.execute(f"SELECT count(DISTINCT actor_id) FROM ({events})", params).fetchall()[0][0]


def point_label(point: Point, settings: Any) -> PointLabel:
    """Return the label of ``point``: chart type, series, segment and bucket ``[start, end)`` in its zone."""
    buckets = chart_buckets(point.definition, settings)
    zone = point.definition.timezone or chart_settings(settings).timezone
    return PointLabel(
        chart_type=point.definition.type,
        series_name=series_name(point.definition, point.series),
        segment=point.segment,
        bucket_start=buckets.start(point.bucket).astimezone(buckets.zone),
        bucket_end=buckets.end(point.bucket).astimezone(buckets.zone),
        timezone=zone,
    )
