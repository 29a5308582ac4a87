"""User sessions charts: one value per (series, segment, bucket) data point.

Sessions come from ``session_id``, else from the inactivity gap, both keyed at
import (``session_key``); events out of session form none. The chart's
``where`` items and cohort apply before sessions form. A session belongs to the
bucket of its earliest ``event_time``, and its length is its last minus its
first ``client_time`` (see ``sessions_sql`` for the exact rules).

Measures, per point:
- ``sessions``: sessions starting in the bucket;
- ``avg_length``: their mean length in seconds;
- ``per_user``: sessions per actor with a session starting in the bucket;
- ``length``: the length distribution, one series per length bucket
  ``[edge, next edge)`` in seconds, from 0 to no upper limit. The chart key
  ``length_buckets`` lists the inner edges. Without it the edges are
  ``DEFAULT_LENGTH_EDGES``, which make [0s, 10s), [10s, 1m), [1m, 5m),
  [5m, 15m), [15m, 30m), [30m, 1h) and [1h, ∞).

``group_by`` takes a property (the value on the session's earliest event), a
group type or ``cohorts``. By a group type or by cohorts a session is in the
segment of every group its events name, or of every saved cohort of users its
actor is in (see ``sessions_sql``). The ``segments`` key then hides lines.

``sessions_point_events_sql`` selects every event of the sessions behind one
point, so ``count(DISTINCT actor_id)`` over it is the number of users shown
beside the value.

With ``count_by: "group:TYPE"``, a session counts for each group of that type
that any of its events names, and sessions naming none are left out.
``sessions``, ``avg_length`` and ``length`` take each such session once.
``per_user`` becomes sessions per group, where a session naming two groups
counts for both. The point's events then carry ``group_id``, one row per
(event, group of its session), so ``count(DISTINCT group_id)`` over them is
the number of groups shown beside the value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from tui.analytics.buckets import Buckets
from tui.analytics.definition import WINDOW_UNITS, ChartDefinition, DefinitionError
from tui.analytics.filters import Fragment, check_cohort
from tui.analytics.segment_filter import keep_segments
from tui.analytics.segmentation import COLUMNS, _ordered_segments, chart_buckets, find_bucket
from tui.analytics.session_span import imports_state, max_session_span_us
from tui.analytics.sessions_sql import SessionQuery

MEASURE_NAMES = {
    "sessions": "Sessions",
    "avg_length": "Average session length (s)",
    "per_user": "Sessions per user",
}
# The name of ``per_user`` in a chart counted by a group type.
PER_GROUP_NAME = "Sessions per group"
# The units of a duration's label, largest first: w, d, h, m, s.
DURATION_UNITS = sorted(WINDOW_UNITS.items(), key=lambda unit: -unit[1])


def sessions_chart(cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, settings: Any) -> pd.DataFrame:
    """Compute a user sessions chart and return one row per data point.

    Columns as in event segmentation: ``series``, ``series_name``, ``segment``
    (None without group-by), ``bucket``, ``bucket_start``, ``bucket_end`` (in
    the chart's time zone) and ``value`` (float). Every bucket appears for
    every series and segment, with 0 where no session starts. The
    ``segments`` key then hides lines.
    """
    _check_supported(definition)
    if definition.cohort:
        check_cohort(cursor, definition.cohort)
    buckets = chart_buckets(definition, settings)
    state = imports_state(cursor)
    while True:
        sql, params = SessionQuery(definition, buckets, max_session_span_us(cursor)).chart_sql()
        points = cursor.execute(sql, params).fetchnumpy()
        # An import that committed meanwhile may have lengthened a session past the span the query used.
        latest = imports_state(cursor)
        if latest == state:
            break
        state = latest
    return keep_segments(_fill_buckets(points, buckets, definition), definition)


def sessions_point_events_sql(
    definition: ChartDefinition,
    settings: Any,
    series: int,
    segment: str | None,
    bucket: int | datetime | date,
    span_us: int | None = None,
) -> Fragment:
    """Return the SQL and parameters selecting every event of the sessions behind one data point.

    The rows have every column of ``events`` except ``dedupe_key``. ``bucket``
    is a bucket index, or a date or datetime inside the bucket. ``span_us``
    is ``max_session_span_us(cursor)``, read after the project's last import:
    it bounds the events the query reads. Without it the query finds a point's
    sessions by key, which reads the key of every event: about 5 times slower
    for a day of 10M events (an estimate from one run on 2 busy cores).
    """
    _check_supported(definition)
    names = series_names(definition)
    if not 0 <= series < len(names):
        raise DefinitionError(f"series: no series {series}. This chart has series 0 to {len(names) - 1}.")
    buckets = chart_buckets(definition, settings)
    query = SessionQuery(definition, buckets, span_us)
    return query.point_events_sql(series, segment, find_bucket(buckets, bucket))


def series_names(definition: ChartDefinition) -> list[str]:
    """Return the display names of a sessions chart's series: the measure, or one per length bucket."""
    if definition.measure == "per_user" and definition.count_by:
        return [PER_GROUP_NAME]
    if definition.measure != "length":
        return [MEASURE_NAMES[definition.measure]]
    edges = [0, *definition.length_edges]
    labels = [f"[{format_duration(low)}, {format_duration(high)})" for low, high in zip(edges, edges[1:])]
    labels.append(f"[{format_duration(edges[-1])}, ∞)")
    return [f"Length {label}" for label in labels]


def format_duration(seconds: int | float) -> str:
    """Return a number of seconds in the largest unit that divides it, such as ``90s``, ``5m``, ``1h`` or ``0s``."""
    for unit, size in DURATION_UNITS:
        if seconds and seconds % size == 0:
            return f"{seconds // size:g}{unit}"
    return f"{seconds:g}s"


def _check_supported(definition: ChartDefinition) -> None:
    if definition.type != "sessions":
        raise DefinitionError(f"type: this is a {definition.type} chart, not a user sessions chart.")


def _fill_buckets(points: dict, buckets: Buckets, definition: ChartDefinition) -> pd.DataFrame:
    """Return a row for every bucket of every segment of every series, 0 where no session starts."""
    names = series_names(definition)
    segments = _ordered_segments(points, definition)
    position = {segment: index for index, segment in enumerate(segments)}
    bucket_count = len(buckets)
    values = np.zeros((len(names), len(segments), bucket_count))
    rows = np.array([position[segment] for segment in points["segment"].tolist()], dtype="int64")
    series = np.asarray(points["series"], dtype="int64")
    values[series, rows, np.asarray(points["bucket"], dtype="int64")] = np.asarray(points["value"], dtype="float64")

    per_series = len(segments) * bucket_count
    positions = np.tile(np.arange(bucket_count, dtype="int64"), len(names) * len(segments))
    return pd.DataFrame(
        {
            "series": np.repeat(np.arange(len(names), dtype="int64"), per_series),
            "series_name": np.repeat(np.array(names, dtype=object), per_series),
            "segment": np.tile(np.repeat(np.array(segments, dtype=object), bucket_count), len(names)),
            "bucket": positions,
            "bucket_start": buckets.local_boundaries.take(positions),
            "bucket_end": buckets.local_boundaries.take(positions + 1),
            "value": values.reshape(-1),
        },
        columns=COLUMNS,
    )
