"""Event segmentation charts: one value per (series, segment, bucket) data point.

Measures, per point:
- ``uniques``: distinct actors who did the event;
- ``totals``: events;
- ``average``: events per actor who did the event;
- ``pct_active``: ``uniques`` as a percentage of the actors active with any
  event in the same bucket and segment (the chart's ``where`` items and cohort
  apply to both);
- ``sum:PROP`` and ``avg:PROP``: sum and mean of a numeric property, over the
  events whose value is a finite number (numbers written as text count).

With ``count_by: "group:TYPE"`` the chart counts groups of that type instead
of actors, over the events that name such a group: ``uniques`` is distinct
groups, ``average`` events per group (an event naming two groups counts for
both), ``pct_active`` groups as a percentage of the groups active in the
bucket and segment. ``totals``, ``sum:PROP`` and ``avg:PROP`` stay over events,
each event once, but only events naming a group of that type count.

``point_events_sql`` selects the events behind one point from the same
labelled relation the chart groups, so ``count(DISTINCT actor_id)`` over it is
the chart's ``uniques`` value for that point, and ``count(DISTINCT group_id)``
its value when the chart counts groups.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from tui.analytics.buckets import Buckets, make_buckets
from tui.analytics.definition import ChartDefinition, DefinitionError
from tui.analytics.filters import Fragment, check_cohort
from tui.analytics.segment_filter import keep_segments
from tui.analytics.segmentation_groups import counted_column
from tui.analytics.segmentation_sql import TOP_SEGMENTS, SeriesQuery
from tui.analytics.uniques import PAIR_COUNTS, PairCount, actor_id_range, count_distinct_sql, group_id_range

log = logging.getLogger(__name__)

ANY_EVENT_NAME = "Any event"
COLUMNS = ["series", "series_name", "segment", "bucket", "bucket_start", "bucket_end", "value"]


@dataclass(frozen=True)
class ChartSettings:
    """The project settings a chart depends on: time zone for buckets and first day of a week."""

    timezone: str = "UTC"
    week_start: str = "monday"


def chart_settings(settings: Any) -> ChartSettings:
    """Return ChartSettings from a ChartSettings, a dict, or a Project (anything with ``setting(key)``)."""
    if isinstance(settings, ChartSettings):
        return settings
    if isinstance(settings, dict):
        getter = settings.get
    elif hasattr(settings, "setting"):
        getter = settings.setting
    else:
        raise TypeError(f"settings must be a ChartSettings, a dict or a Project, not {type(settings).__name__}")
    return ChartSettings(
        timezone=getter("timezone") or ChartSettings.timezone,
        week_start=getter("week_start") or ChartSettings.week_start,
    )


def chart_buckets(definition: ChartDefinition, settings: Any) -> Buckets:
    """Return the buckets of a chart in its time zone (the chart's own, else the project's)."""
    settings = chart_settings(settings)
    zone = definition.timezone or settings.timezone
    return make_buckets(definition.range, definition.interval, zone, settings.week_start)


def series_name(definition: ChartDefinition, series: int) -> str:
    """Return the display name of a series: the event name, followed by the measure unless it is ``uniques``."""
    event = definition.events[series].event
    name = ANY_EVENT_NAME if event == "*" else event
    return name if definition.measure == "uniques" else f"{name}: {definition.measure}"


def segmentation(cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, settings: Any) -> pd.DataFrame:
    """Compute an event segmentation chart and return one row per data point.

    Columns: ``series`` (0-based), ``series_name``, ``segment`` (None without a
    group-by), ``bucket`` (0-based), ``bucket_start`` and ``bucket_end`` (in the
    chart's time zone), ``value`` (float). Every bucket appears for every series
    and segment, with 0 where no event falls. A grouped series without any event
    has no segment and so no rows. The ``segments`` key then hides lines.
    """
    _check_supported(definition)
    # The point's SQL reads the cohort's kind itself; the chart's leaves out the branch of the other kind.
    cohort_kind = check_cohort(cursor, definition.cohort) if definition.cohort else None
    buckets = chart_buckets(definition, settings)
    # The top values, (other) and (none).
    segments_per_series = 1 if definition.group_by is None else TOP_SEGMENTS + 2
    groups = len(buckets) * segments_per_series
    # The cache reads the id range at most once, and never when every series uses hash sets.
    read_id_range = functools.cache(functools.partial(_id_range, cursor, counted_column(definition)))

    frames = []
    for series in range(len(definition.events)):
        query = SeriesQuery(definition, buckets, series, cohort_kind)
        points = _run_series_points(cursor, query, groups, read_id_range)
        frames.append(_fill_buckets(points, buckets, definition, series))
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return keep_segments(frame, definition)


def point_events_sql(
    definition: ChartDefinition,
    settings: Any,
    series: int,
    segment: str | None,
    bucket: int | datetime | date,
) -> Fragment:
    """Return the SQL and parameters selecting the events of one data point.

    The rows have every column of ``events`` except ``dedupe_key``, whose UHUGEINT
    type pandas cannot hold. ``bucket`` is a bucket index, or a date or datetime inside the bucket (a date
    or naive datetime is read in the chart's time zone).
    """
    _check_supported(definition)
    if not 0 <= series < len(definition.events):
        raise DefinitionError(f"series: no series {series}. This chart has series 0 to {len(definition.events) - 1}.")
    buckets = chart_buckets(definition, settings)
    index = find_bucket(buckets, bucket)
    return SeriesQuery(definition, buckets, series).point_events_sql(segment, index)


def find_bucket(buckets: Buckets, when: int | datetime | date) -> int:
    """Return the index of the bucket that ``when`` (an index, a date or a datetime) falls in."""
    if isinstance(when, (int, np.integer)) and not isinstance(when, bool):
        index = int(when)
    else:
        instant = pd.Timestamp(when)
        if instant.tzinfo is None:
            instant = instant.tz_localize(buckets.timezone, ambiguous=True, nonexistent="shift_forward")
        index = buckets.index_of(instant.to_pydatetime())
        if index is None:
            index = -1
    if not 0 <= index < len(buckets):
        raise DefinitionError(
            f"point: {when!r} is outside the chart's range "
            f"{buckets.start(0).isoformat()} to {buckets.range_end.astimezone(buckets.zone).isoformat()}."
        )
    return index


def _check_supported(definition: ChartDefinition) -> None:
    if definition.type != "segmentation":
        raise DefinitionError(f"type: this is a {definition.type} chart, not an event segmentation chart.")


def _id_range(cursor: duckdb.DuckDBPyConnection, column: str) -> tuple[int, int] | None:
    return actor_id_range(cursor) if column == "actor_id" else group_id_range(cursor)


def _run_series_points(
    cursor: duckdb.DuckDBPyConnection,
    query: SeriesQuery,
    groups: int,
    read_id_range: Callable[[], tuple[int, int] | None],
) -> dict:
    """Return the points of one series, counting distinct ids with the aggregate likely to be faster.

    Only for ``uniques`` do the values sum to the distinct (bucket, segment,
    id) triples counted, which ``PAIR_COUNTS`` keeps by the series' SQL and
    parameters. A later run of the same series then uses hash sets without
    reading the id range when the last run counted few triples.
    """
    if query.definition.measure != "uniques":
        return _run_points(cursor, query, count_distinct_sql(query.counted_column, read_id_range(), groups))

    sql, params = query.chart_sql(query.exact_count)
    key = (sql, repr(params))
    known = PAIR_COUNTS.get(key)
    # NOTE: after an import that adds many events of the series, the first run can
    # still choose hash sets from the old count, and takes longer once.
    if known is not None and known.prefers_hash_sets(groups):
        id_range, count_distinct = known.id_range, query.exact_count
    else:
        id_range = read_id_range()
        count_distinct = count_distinct_sql(query.counted_column, id_range, groups)
    points = _run_points(cursor, query, count_distinct)
    if id_range is not None:
        PAIR_COUNTS.record(key, PairCount(int(points["value"].sum()), id_range))
    return points


def _run_points(cursor: duckdb.DuckDBPyConnection, query: SeriesQuery, count_distinct: str) -> dict:
    """Return the non-empty points of one series as arrays: ``bucket``, ``segment``, ``segment_rank``, ``value``."""
    try:
        points = _fetch(cursor, query.chart_sql(count_distinct))
        if query.definition.measure == "pct_active":
            active = _fetch(cursor, query.active_sql(count_distinct))
            points["value"] = _as_percentage(points, active)
    except duckdb.OutOfRangeException:
        if count_distinct == query.exact_count:
            raise
        # An import added actors (or groups) after the id range was read. Hash sets take any id.
        log.info("%s values changed during a chart query; counting again with count(DISTINCT)", query.counted_column)
        return _run_points(cursor, query, query.exact_count)
    return points


def _fetch(cursor: duckdb.DuckDBPyConnection, fragment: Fragment) -> dict:
    sql, params = fragment
    return cursor.execute(sql, params).fetchnumpy()


def _as_percentage(points: dict, active: dict) -> np.ndarray:
    """Return each point's actors (or groups) as a percentage of the active ones of its bucket and segment."""
    active_by_point = dict(zip(zip(active["bucket"].tolist(), active["segment"].tolist()), active["active"].tolist()))
    keys = zip(points["bucket"].tolist(), points["segment"].tolist())
    denominators = np.array([active_by_point[key] for key in keys], dtype="float64")
    return 100.0 * points["value"].astype("float64") / denominators


def _fill_buckets(points: dict, buckets: Buckets, definition: ChartDefinition, series: int) -> pd.DataFrame:
    """Return a row for every bucket of every segment of the series, 0 where the query found no events."""
    segments = _ordered_segments(points, definition)
    bucket_count = len(buckets)
    values = np.zeros((len(segments), bucket_count))
    if len(segments) == 1:
        rows = 0
    else:
        position = {segment: index for index, segment in enumerate(segments)}
        rows = np.array([position[segment] for segment in points["segment"].tolist()], dtype="int64")
    values[rows, np.asarray(points["bucket"], dtype="int64")] = np.asarray(points["value"], dtype="float64")

    positions = np.tile(np.arange(bucket_count, dtype="int64"), len(segments))
    return pd.DataFrame(
        {
            "series": np.full(values.size, series, dtype="int64"),
            "series_name": series_name(definition, series),
            "segment": np.repeat(np.array(segments, dtype=object), bucket_count),
            "bucket": positions,
            "bucket_start": buckets.local_boundaries.take(positions),
            "bucket_end": buckets.local_boundaries.take(positions + 1),
            "value": values.reshape(-1),
        },
        columns=COLUMNS,
    )


def _ordered_segments(points: dict, definition: ChartDefinition) -> list:
    """Return the series' segments in rank order: top values, then (other), then (none)."""
    if definition.group_by is None:
        return [None]
    ranks = dict(zip(points["segment"].tolist(), points["segment_rank"].tolist()))
    return sorted(ranks, key=lambda segment: (ranks[segment], segment))
