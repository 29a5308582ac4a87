"""Retention charts: for each start cohort and period N, the actors who came back.

Rules (the SQL is in ``retention_sql``):

- An actor's start cohort is the bucket of their first start event in the
  chart's range, with the start event's ``where`` items, the chart's
  ``where`` items and the cohort filter applied. Cohort buckets are the
  chart's ``interval`` (hour, day, week or month) in the chart's time zone,
  clipped to the range, as in the other charts. A chart parsed without an
  ``interval`` takes its ``period`` as the interval.
- Periods do not depend on the interval, so any interval goes with any
  period: weekly cohorts can have daily periods, and daily cohorts weekly
  ones. Period 0 is the rest of the start event's own day (or week) after
  the start event, and period N is the N-th day (or week) after that one,
  whichever day of its cohort bucket the actor started on. A return
  event counts only when it comes after the start event in event order
  ``(client_time, seq)``, so the start event never returns itself.
- With ``rolling`` true, period N is the N-th 24-hour (or 7 x 24-hour)
  window from the start event's ``client_time``.
- Mode ``on``: retained in period N when a return event falls in period N.
  Mode ``on_or_after``: when a return event falls in period N or a later one
  up to ``periods``.
- Return events may come after the range ends, inside the periods counted.
- With ``count_by: "group:TYPE"`` the rules apply to groups instead of
  actors. A group's start cohort is the bucket of the first start event, by
  any member, that names it. The group is retained in period N when any
  member did a return event naming it in period N (or later, ``on_or_after``).

With ``group_by``, each actor (or group) is in the segments of the start
event that decides its cohort (``retention_segments``), and the table repeats
for every segment: the top 10 values by cohort size, then ``(other)`` and
``(none)``, as in event segmentation.

A cell (cohort, period) is *complete* when the last period whose returns it
counts (``last_counted_period``) has ended for every actor of the cohort by
the time of the project's last event (the largest ``event_time``), because
later events have not been imported yet. In mode ``on`` that is the cell's
own period. With ``on_or_after`` it is the chart's last period, because a
return in any period up to it still moves an actor into the cell.
``cell_complete`` is that rule, and the microscope's banner uses it too.
``retention_summary`` averages complete cells only. A cell has *started*
when its period has begun for some actor of the cohort by that time, or
when it counts a return anyway (a device clock running ahead can put one
there).

A cell's *not retained* actors are the cohort's actors without a counted
return. A cell that has not started has none, because no actor could have
returned in it yet. A started but incomplete cell counts every cohort actor
without a return so far, including those whose period is still running,
and the app marks such a cell incomplete. Calendar periods begin and end at
the same instant for the whole cohort, so the stricter rule "period over
and no return" would count no one in an incomplete calendar cell and hide
who has not come back yet.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from tui.analytics.definition import ChartDefinition, DefinitionError
from tui.analytics.filters import Fragment, check_cohort
from tui.analytics.retention_sql import RetentionQuery
from tui.analytics.segment_filter import keep_segments
from tui.analytics.segmentation import chart_settings, find_bucket
from tui.analytics.segmentation_sql import TOP_SEGMENTS
from tui.analytics.uniques import count_distinct_sql, exact_count_sql

log = logging.getLogger(__name__)

COLUMNS = [
    "segment", "bucket", "bucket_start", "bucket_end", "period", "cohort_size", "retained", "not_retained", "rate",
    "complete", "started",
]
SUMMARY_COLUMNS = ["segment", "period", "cohorts", "cohort_size", "retained", "rate"]


def retention_query(definition: ChartDefinition, settings: Any) -> RetentionQuery:
    """Return the SQL builder of a retention chart in its time zone (the chart's own, else the project's)."""
    settings = chart_settings(settings)
    return RetentionQuery(definition, definition.timezone or settings.timezone, settings.week_start)


def retention(cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, settings: Any) -> pd.DataFrame:
    """Compute a retention chart and return one row per (cohort bucket, period N) for N = 0 to ``periods``.

    Columns: ``segment`` (None without a group-by), ``bucket`` (0-based),
    ``bucket_start`` and ``bucket_end`` (the cohort's bucket in the chart's
    time zone), ``period`` (N), ``cohort_size``, ``retained``,
    ``not_retained`` (0 in a cell that has not started), ``rate``
    (``retained / cohort_size``, NaN for an empty cohort), ``complete`` and
    ``started``. Every bucket appears, empty or not,
    for every segment; a grouped chart without any start event has no
    segment and so no rows. The chart's ``segments`` key hides segments last.
    """
    query = retention_query(definition, settings)
    if definition.cohort:
        check_cohort(cursor, definition.cohort)
    # The top segments, (other) and (none).
    segment_count = TOP_SEGMENTS + 2 if query.grouped else 1
    cell_count = len(query.cohorts) * (query.periods + 1) * segment_count
    unit = query.unit
    counts = _run_counts(cursor, query, count_distinct_sql(unit.column, unit.id_range(cursor), cell_count))
    last_event = cursor.execute("SELECT max(event_time) FROM events").fetchone()[0]
    return keep_segments(_table(query, counts, last_event), definition)


def retention_point_events_sql(
    definition: ChartDefinition,
    settings: Any,
    bucket: int | datetime | date,
    period: int,
    dropped: bool,
    segment: str | None = None,
) -> Fragment:
    """Return the SQL and parameters selecting the events behind one retention point.

    The rows have every column of ``events`` except ``dedupe_key``. Retained
    (``dropped`` false): each retained actor's return events in period
    ``period`` (mode ``on_or_after``: in that period or a later one counted).
    Not retained: each cohort actor's first start event. So the distinct
    ``actor_id`` count equals the point's ``retained`` or ``not_retained``.
    Counted by a group type, the rows are (event, group) pairs with a
    ``group_id`` column, and the distinct ``group_id`` count is the point's.
    ``bucket`` is a cohort bucket index, or a date or datetime inside it.
    A chart with a group-by needs ``segment``, a label of its ``segment``
    column, and one without takes None. A label the chart does not have
    selects no events.
    """
    query = retention_query(definition, settings)
    if isinstance(period, bool) or not isinstance(period, (int, np.integer)) or not 0 <= period <= query.periods:
        raise DefinitionError(f"period: no period {period!r}. This chart has periods 0 to {query.periods}.")
    _check_segment(definition, segment)
    index = find_bucket(query.cohorts, bucket)
    return query.point_events_sql(index, int(period), dropped, segment)


def retention_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the average retention per segment and period over complete cells, weighted by cohort size.

    Columns: ``segment``, ``period``, ``cohorts`` (complete cells with at
    least one actor), ``cohort_size`` and ``retained`` (their sums),
    ``rate`` (``retained / cohort_size``, NaN when no cell of that period is
    complete). Segments keep their order in ``frame``.
    """
    parts = [
        _period_summary(frame[_segment_rows(frame, segment)]).assign(segment=segment)
        for segment in dict.fromkeys(frame["segment"].tolist())
    ]
    if not parts:
        return _period_summary(frame).assign(segment=None)[SUMMARY_COLUMNS]
    return pd.concat(parts, ignore_index=True)[SUMMARY_COLUMNS]


def _segment_rows(frame: pd.DataFrame, segment: str | None) -> pd.Series:
    """Return the mask of ``frame``'s rows in ``segment``. None is the one segment of an ungrouped chart."""
    return frame["segment"].isna() if segment is None else frame["segment"] == segment


def _period_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``period``, ``cohorts``, ``cohort_size``, ``retained`` and ``rate`` over ``frame``'s complete cells."""
    complete = frame[frame["complete"] & (frame["cohort_size"] > 0)]
    sums = complete.groupby("period")[["cohort_size", "retained"]].sum()
    cohorts = complete.groupby("period").size()
    periods = pd.Index(sorted(frame["period"].unique()), name="period")
    summary = pd.DataFrame(
        {
            "cohorts": cohorts.reindex(periods, fill_value=0),
            "cohort_size": sums["cohort_size"].reindex(periods, fill_value=0),
            "retained": sums["retained"].reindex(periods, fill_value=0),
        }
    ).reset_index()
    summary["rate"] = _fraction(summary["retained"].to_numpy(), summary["cohort_size"].to_numpy())
    return summary.astype({"period": "int64", "cohorts": "int64", "cohort_size": "int64", "retained": "int64"})


def _check_segment(definition: ChartDefinition, segment: str | None) -> None:
    """Raise DefinitionError unless ``segment`` is a label on a grouped chart, or None on an ungrouped one."""
    if definition.group_by is None and segment is not None:
        raise DefinitionError(f"segment: {segment!r} given, but this chart has no group_by. Leave the segment out.")
    if definition.group_by is not None and not isinstance(segment, str):
        raise DefinitionError(f"segment: this chart is grouped by {definition.group_by!r}. Name one of its segments.")


def _run_counts(cursor: duckdb.DuckDBPyConnection, query: RetentionQuery, count_actors: str) -> dict:
    """Return the ``bucket``, ``period``, ``actors`` arrays of ``chart_sql``."""
    sql, params = query.chart_sql(count_actors)
    exact = exact_count_sql(query.unit.column)
    try:
        return cursor.execute(sql, params).fetchnumpy()
    except duckdb.OutOfRangeException:
        if count_actors == exact:
            raise
        # An import added actors or groups after the id range was read. Hash sets take any id.
        log.info("%s values changed during a retention query; counting again with count(DISTINCT)", query.unit.column)
        return _run_counts(cursor, query, exact)


def _cohort_counts(query: RetentionQuery, counts: dict, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the cohort sizes per bucket and the retained actors per (bucket, period) from ``chart_sql``'s ``rows``."""
    bucket_count, period_count = len(query.cohorts), query.periods + 1
    sizes = np.zeros(bucket_count, dtype="int64")
    retained = np.zeros((bucket_count, period_count), dtype="int64")
    buckets = np.asarray(counts["bucket"], dtype="int64")[rows]
    actors = np.asarray(counts["actors"], dtype="int64")[rows]
    period_column = counts["period"][rows]
    is_size = np.ma.getmaskarray(period_column)
    sizes[buckets[is_size]] = actors[is_size]
    cell_periods = np.ma.getdata(period_column)[~is_size].astype("int64")
    retained[buckets[~is_size], cell_periods] = actors[~is_size]
    if query.definition.mode == "on_or_after":
        # The query counts each actor once, in their last return period, so period N sums periods N and later.
        retained = np.flip(np.cumsum(np.flip(retained, axis=1), axis=1), axis=1)
    return sizes, retained


def _ordered_segments(counts: dict) -> list[str]:
    """Return the segments of a grouped chart's ``chart_sql`` rows in rank order: top values, (other), (none)."""
    ranks = dict(zip(np.asarray(counts["segment"], dtype=object).tolist(), np.asarray(counts["segment_rank"]).tolist()))
    return sorted(ranks, key=lambda segment: (ranks[segment], segment))


def _table(query: RetentionQuery, counts: dict, last_event: datetime | None) -> pd.DataFrame:
    """Return the chart's rows from the ``segment``, ``bucket``, ``period``, ``actors`` rows of ``chart_sql``."""
    bucket_count, period_count = len(query.cohorts), query.periods + 1
    rows = np.repeat(np.arange(bucket_count, dtype="int64"), period_count)
    periods = np.tile(np.arange(period_count, dtype="int64"), bucket_count)
    cells = (rows, periods, _complete(query, rows, periods, last_event), _started(query, rows, periods, last_event))
    if not query.grouped:
        return _segment_frame(query, counts, None, cells)
    frames = [_segment_frame(query, counts, segment, cells) for segment in _ordered_segments(counts)]
    if not frames:
        # No start event: the columns and their types, without rows.
        return _segment_frame(query, counts, None, cells).iloc[:0]
    return pd.concat(frames, ignore_index=True)


def _segment_frame(query: RetentionQuery, counts: dict, segment: str | None, cells: tuple) -> pd.DataFrame:
    """Return every cell of one segment, counted from the rows of ``counts`` with that label.

    ``segment`` None takes every row. ``cells`` is the bucket, period,
    complete and started arrays, which are alike in every segment.
    """
    rows, periods, complete, started = cells
    labels = np.asarray(counts["segment"], dtype=object)
    chosen = np.ones(len(labels), dtype=bool) if segment is None else labels == segment
    sizes, retained = _cohort_counts(query, counts, chosen)
    cohort_size = sizes[rows]
    retained_cells = retained.reshape(-1)
    started = started | (retained_cells > 0)
    return pd.DataFrame(
        {
            "segment": segment,
            "bucket": rows,
            "bucket_start": query.cohorts.local_boundaries.take(rows),
            "bucket_end": query.cohorts.local_boundaries.take(rows + 1),
            "period": periods,
            "cohort_size": cohort_size,
            "retained": retained_cells,
            "not_retained": np.where(started, cohort_size - retained_cells, 0),
            "rate": _fraction(retained_cells, cohort_size),
            "complete": complete,
            "started": started,
        },
        columns=COLUMNS,
    )


def last_counted_period(mode: str, period: int, periods: int) -> int:
    """Return the last period whose returns count toward period ``period`` of a chart of ``periods`` periods.

    In mode ``on`` it is ``period`` itself. With ``on_or_after`` it is
    ``periods``, because a return in any later period counted also retains.
    """
    return periods if mode == "on_or_after" else period


def cell_complete(query: RetentionQuery, bucket: int, period: int, last_event: datetime | None) -> bool:
    """Tell whether later events can no longer change cell (``bucket``, ``period``), the chart's ``complete``.

    That is when its last counted period has ended for every cohort actor by
    ``last_event``, the project's last event time (None: no events, so never).
    """
    if last_event is None:
        return False
    # NOTE: with rolling periods this takes each start's client_time to fall before its bucket's end (by
    # event_time), which a device clock running ahead of the server's breaks, so such a cell may be marked
    # complete too early.
    last_period = last_counted_period(query.definition.mode, period, query.periods)
    return query.period_end(bucket, last_period) <= last_event


def _complete(query: RetentionQuery, rows: np.ndarray, periods: np.ndarray, last_event: datetime | None) -> np.ndarray:
    """Return ``cell_complete`` per cell."""
    cells = zip(rows.tolist(), periods.tolist())
    return np.array([cell_complete(query, row, period, last_event) for row, period in cells], dtype=bool)


def _started(query: RetentionQuery, rows: np.ndarray, periods: np.ndarray, last_event: datetime | None) -> np.ndarray:
    """Return, per cell, whether its period has begun by ``last_event`` for the cohort's earliest possible start."""
    if last_event is None:
        return np.zeros(len(rows), dtype=bool)
    return np.array([query.period_start(row, period) <= last_event for row, period in zip(rows, periods)], dtype=bool)


def _fraction(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Return ``part / whole`` as floats, NaN where ``whole`` is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.maximum(whole, 1), np.nan)
