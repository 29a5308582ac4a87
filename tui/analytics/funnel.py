"""Funnel charts: one row per step, split into converted and dropped-off actors, overall and over time.

The counting rules (earliest, most complete conversion; the window; ties,
step orders and exclusions) live in ``funnel_sql`` and the modules it names.
``funnel`` and ``funnel_over_time`` count its kept conversions, and
``funnel_step_actors_sql`` and ``funnel_step_events_sql`` filter them, so a
step's ``converted`` and ``dropped`` equal the sizes of its actor lists.
With ``count_by: "group:TYPE"`` every count is of groups instead of actors,
and equals the size of the step's group list.

With ``group_by`` there is one funnel per segment (see ``funnel_segments``
for which segments a conversion is in), and a ``segment`` column comes first.
The microscope then takes the segment too.
"""

from __future__ import annotations

import logging
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from tui.analytics.definition import ANY_EVENT, ChartDefinition
from tui.analytics.filters import Fragment, check_cohort
from tui.analytics.funnel_sql import FunnelQuery, check_segment
from tui.analytics.segment_filter import keep_segments
from tui.analytics.segmentation import ANY_EVENT_NAME, chart_buckets

log = logging.getLogger(__name__)

COLUMNS = ["step", "event", "converted", "dropped", "conversion", "overall", "median_seconds", "average_seconds"]
OVER_TIME_COLUMNS = ["bucket_start", "bucket_end", "step", "event", "converted", "dropped", "conversion", "overall"]


def funnel(cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, settings: Any) -> pd.DataFrame:
    """Compute a funnel chart and return one row per step.

    Columns: ``step`` (1-based), ``event``, ``converted`` (actors who reached
    the step), ``dropped`` (reached the previous step but not this one, 0 for
    step 1), ``conversion`` (fraction of the previous step's actors; 1.0 for step 1),
    ``overall`` (fraction of step 1's actors), and ``median_seconds`` and
    ``average_seconds`` to convert: from the previous step's event (NaN for
    step 1) or, in ``any`` order, from the window's start. They are NaN for
    steps no actor reached. Fractions are NaN when their base is 0.

    With ``group_by`` the frame has ``segment`` first and the rows of each
    segment's funnel, segments in rank order: top values, ``(other)``,
    ``(none)``. A segment appears only when some conversion is in it, and
    the chart's ``segments`` key hides the segments it leaves out.
    """
    query = _query(cursor, definition, settings)
    sql, params = query.counts_sql()
    log.debug("funnel of %d steps, order %s, window %s", query.step_count, definition.order, definition.window)
    rows = cursor.execute(sql, params).fetchdf()
    steps = range(1, query.step_count + 1)
    converted = rows[[f"converted{k}" for k in steps]].to_numpy(dtype="int64")
    frame = _parts_frame(converted, definition)
    frame["median_seconds"] = _seconds(rows, "median", steps)
    frame["average_seconds"] = _seconds(rows, "average", steps)
    if query.segments is None:
        return frame[COLUMNS]
    frame.insert(0, "segment", np.repeat(rows["segment"].to_numpy(dtype=object), query.step_count))
    return keep_segments(frame[["segment", *COLUMNS]], definition)


def funnel_over_time(cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, settings: Any) -> pd.DataFrame:
    """Compute a funnel's conversion over time: one row per bucket and step.

    Each actor counts in the bucket (chart interval, chart time zone) of the
    ``event_time`` of the event that started their kept conversion, so each
    step's ``converted`` summed over the buckets is the funnel's. Columns:
    ``bucket_start``, ``bucket_end`` (in the chart's zone), then ``step``,
    ``event``, ``converted``, ``dropped``, ``conversion`` and ``overall`` as in
    ``funnel``, within the bucket. Every bucket appears, with 0 where no
    conversion started.

    With ``group_by`` the frame has ``segment`` first, then every bucket of
    each segment the whole range has, segments in rank order as in ``funnel``.
    """
    query = _query(cursor, definition, settings)
    buckets = query.buckets
    sql, params = query.over_time_sql()
    found = cursor.execute(sql, params).fetchdf()
    if query.segments is None:
        return _over_time_frame(found, query, definition)[OVER_TIME_COLUMNS]

    ranked = found.sort_values(["segment_rank", "segment"], kind="stable")
    frames = []
    for segment in dict.fromkeys(ranked["segment"]):
        frame = _over_time_frame(found[found["segment"] == segment], query, definition)
        frame.insert(0, "segment", segment)
        frames.append(frame)
    columns = ["segment", *OVER_TIME_COLUMNS]
    frame = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    return keep_segments(frame, definition)


def funnel_step_actors_sql(
    definition: ChartDefinition,
    settings: Any,
    step: int,
    dropped: bool,
    segment: str | None = None,
    bucket: int | None = None,
) -> Fragment:
    """Return the SQL and parameters selecting the ``actor_id`` of each actor in one step's part.

    ``dropped`` selects the actors who reached step ``step - 1`` but not
    ``step`` (none for step 1); otherwise the actors who reached ``step``.
    Counted by a group type, the rows are the part's groups, in a ``group_id`` column.
    ``segment`` names the part's segment; a funnel with ``group_by`` needs one.
    ``bucket`` (an index of the chart's interval buckets) keeps the actors
    whose kept conversion started in it: the part that ``funnel_over_time``
    counts in that bucket.
    """
    query = FunnelQuery(definition, chart_buckets(definition, settings))
    check_segment(definition, segment)
    return query.step_actors_sql(step, dropped, segment, bucket)


def funnel_step_events_sql(
    definition: ChartDefinition,
    settings: Any,
    step: int,
    dropped: bool,
    segment: str | None = None,
    bucket: int | None = None,
) -> Fragment:
    """Return the SQL and parameters selecting the step events behind one step's part.

    These are the events each actor of the part used for its kept conversion:
    steps 1 to ``step`` when converted, steps 1 to ``step - 1`` when dropped.
    Rows have every column of ``events`` except ``dedupe_key``, and their
    distinct ``actor_id`` are exactly the part's actors. Counted by a group
    type, the rows are (event, group) pairs with a ``group_id`` column, whose
    distinct values are the part's groups, and ``actor_id`` is the member
    who did each event. ``segment`` and ``bucket`` are as in ``funnel_step_actors_sql``.
    """
    query = FunnelQuery(definition, chart_buckets(definition, settings))
    check_segment(definition, segment)
    return query.step_events_sql(step, dropped, segment, bucket)


def _query(cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, settings: Any) -> FunnelQuery:
    """Return the chart's FunnelQuery, after checking that its cohort exists."""
    query = FunnelQuery(definition, chart_buckets(definition, settings))
    if definition.cohort:
        check_cohort(cursor, definition.cohort)
    return query


def _over_time_frame(found: pd.DataFrame, query: FunnelQuery, definition: ChartDefinition) -> pd.DataFrame:
    """Return the over-time rows of every bucket and step from ``found``, the buckets where conversions started."""
    buckets = query.buckets
    converted = np.zeros((len(buckets), query.step_count), dtype="int64")
    rows = found["bucket"].to_numpy(dtype="int64")
    for k in range(1, query.step_count + 1):
        converted[rows, k - 1] = found[f"converted{k}"].to_numpy(dtype="int64")

    frame = _parts_frame(converted, definition)
    positions = np.repeat(np.arange(len(buckets), dtype="int64"), query.step_count)
    frame.insert(0, "bucket_start", buckets.local_boundaries.take(positions))
    frame.insert(1, "bucket_end", buckets.local_boundaries.take(positions + 1))
    return frame


def _parts_frame(converted: np.ndarray, definition: ChartDefinition) -> pd.DataFrame:
    """Return ``step``, ``event``, ``converted``, ``dropped``, ``conversion``, ``overall`` from converted actors.

    ``converted`` has one row per group of actors (the whole range, or a
    bucket) and one column per step. The frame has a row per group and step.
    """
    previous = np.concatenate([converted[:, :1], converted[:, :-1]], axis=1)
    first = np.repeat(converted[:, :1], converted.shape[1], axis=1)
    events = [_step_name(step.event) for step in definition.steps]
    return pd.DataFrame(
        {
            "step": np.tile(np.arange(1, converted.shape[1] + 1, dtype="int64"), converted.shape[0]),
            "event": events * converted.shape[0],
            "converted": converted.reshape(-1),
            "dropped": (previous - converted).reshape(-1),
            "conversion": _fraction(converted, previous).reshape(-1),
            "overall": _fraction(converted, first).reshape(-1),
        }
    )


def _step_name(event: str) -> str:
    return ANY_EVENT_NAME if event == ANY_EVENT else event


def _fraction(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Return ``part / whole`` as floats, NaN where ``whole`` is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.maximum(whole, 1), np.nan)


def _seconds(rows: pd.DataFrame, kind: str, steps: range) -> np.ndarray:
    """Return the time to convert of every row and step, row by row, NaN where it does not apply or no actor converted."""
    values = rows[[f"{kind}{k}" for k in steps]].to_numpy(dtype=object).reshape(-1)
    return np.array([np.nan if pd.isna(value) else float(value) for value in values], dtype="float64")
