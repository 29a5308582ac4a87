"""A chart's data point and the actors behind it: the one definition the microscope builds on.

Every microscope action (user list, streams, paths, cohort, download, compare)
starts from ``point_actors_sql``, which reads the same events the chart counted
for that point. So a ``uniques`` point's value always equals the number of
actors the microscope lists, and for other measures the list contains exactly the
actors whose events make up the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import duckdb

from tui.analytics import funnel, retention, sessions
from tui.analytics.definition import ANY_EVENT, ChartDefinition, DefinitionError
from tui.analytics.filters import Fragment
from tui.analytics.funnel_over_time import data_end
from tui.analytics.segmentation import ANY_EVENT_NAME, chart_buckets, chart_settings, point_events_sql, series_name
from tui.analytics.session_span import max_session_span_us

# The maximum time a sessions point's range runs past its bucket. A session running longer past it is cut.
MAX_SESSION_TAIL = timedelta(days=1)

# The reasons a point can still change, as ``point_open_reason`` returns them. A segmentation or sessions
# bucket that has not ended yet:
OPEN_BUCKET = "bucket"
# A funnel's range, or the entry bucket of a point of its conversion over time, that has not ended yet, so
# more actors may still enter it:
OPEN_RANGE = "range"
# A conversion window of an actor who entered the funnel that had not ended by the end of the data:
OPEN_WINDOW = "window"
# A retention period counted for the point that had not ended for every actor of its cohort by the last event:
OPEN_PERIOD = "period"


@dataclass(frozen=True)
class Point:
    """One data point of a chart.

    - segmentation and sessions: ``series`` (0-based), ``segment`` (None
      without group-by) and ``bucket`` (index of the interval bucket);
    - funnel: ``step`` (1-based), ``dropped`` for its dropped-off part and
      ``segment`` (None without group-by). ``bucket`` stays 0 for the whole
      range. With ``over_time`` the point is the part's actors whose kept
      conversion started in interval bucket ``bucket``, a point of the
      funnel's conversion over time;
    - retention: ``bucket`` (the start cohort), ``period`` (N),
      ``dropped`` for the users not retained, and ``segment`` (None
      without group-by).

    ``session_span_us`` is the project's maximum session span
    (``max_session_span_us``), set by ``with_session_span`` on a sessions
    point. It changes only the speed of the point's queries and the end of
    its range, so comparisons of points leave it out.
    """

    definition: ChartDefinition
    series: int = 0
    segment: str | None = None
    bucket: int = 0
    step: int | None = None
    period: int | None = None
    dropped: bool = False
    over_time: bool = False
    session_span_us: int | None = field(default=None, compare=False)

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
    """Return the SQL and parameters of the events that make up ``point``.

    Segmentation: the events the chart counted. Funnel: the step events of
    each actor's kept conversion, steps 1 to K for the converted part and 1
    to K-1 for the dropped part.
    """
    definition = point.definition
    if definition.type == "segmentation":
        return point_events_sql(definition, settings, point.series, point.segment, point.bucket)
    if definition.type == "funnel":
        _check_step(point)
        return funnel.funnel_step_events_sql(
            definition, settings, point.step, point.dropped, point.segment, _entry_bucket(point)
        )
    if definition.type == "sessions":
        return sessions.sessions_point_events_sql(
            definition, settings, point.series, point.segment, point.bucket, point.session_span_us
        )
    return retention.retention_point_events_sql(
        definition, settings, point.bucket, point.period or 0, point.dropped, point.segment
    )


def point_actors_sql(point: Point, settings: Any) -> Fragment:
    """Return one row per actor of ``point``: ``actor_id``, ``events_in_point``, ``first_in_point``, ``last_in_point``."""
    return actors_of_events_sql(point_events(point, settings))


def actors_of_events_sql(events: Fragment) -> Fragment:
    """Return one row per actor of the ``events`` relation, with its events' count and first and last times.

    Events are counted by ``seq``, because a group-counted point has a row per
    (event, group) and an event naming two groups is still one event.
    """
    sql, params = events
    actors = (
        "SELECT actor_id, count(DISTINCT seq) AS events_in_point, "
        "min(event_time) AS first_in_point, max(event_time) AS last_in_point "
        f"FROM ({sql}) GROUP BY actor_id"
    )
    return actors, list(params)


def point_actor_count(cursor: duckdb.DuckDBPyConnection, point: Point, settings: Any) -> int:
    """Return the number of distinct actors behind ``point``."""
    events, params = point_events(point, settings)
    return cursor.execute(f"SELECT count(DISTINCT actor_id) FROM ({events})", params).fetchall()[0][0]


def point_range(point: Point, settings: Any) -> tuple[datetime, datetime]:
    """Return the UTC range ``[start, end)`` that the point's events come from and its paths read.

    A funnel's later steps may happen up to one window after the chart's
    range, so its range runs that much longer. A sessions point's sessions
    may end after its bucket, so with a known span its range runs up to
    ``MAX_SESSION_TAIL`` longer (see ``_session_tail``).
    """
    definition = point.definition
    if definition.type == "retention":
        return _retention_range(point, settings)
    buckets = chart_buckets(definition, settings)
    if definition.type == "funnel":
        start, end = buckets.range_start, buckets.range_end
        if point.over_time:
            start, end = buckets.boundaries[point.bucket], buckets.boundaries[point.bucket + 1]
        return start, end + timedelta(seconds=definition.window_seconds)
    start, end = buckets.boundaries[point.bucket], buckets.boundaries[point.bucket + 1]
    if definition.type == "sessions":
        return start, end + _session_tail(point)
    return start, end


def with_session_span(cursor: duckdb.DuckDBPyConnection, point: Point) -> Point:
    """Return a sessions ``point`` with the project's maximum session span set, and any other point as it is.

    The span is cached per project file and import state, so after the chart
    has run this costs two small queries. Call it after the project's last
    import: a later import may lengthen a session past the span.
    """
    if point.definition.type != "sessions":
        return point
    return replace(point, session_span_us=max_session_span_us(cursor))


def _session_tail(point: Point) -> timedelta:
    """Return how far past its bucket a sessions point's range runs: the maximum session span, capped.

    A session starting in the bucket ends within the span after the bucket's
    end, so the point's paths then see the whole session. The cap keeps one
    runaway session from stretching every point's range past the paths limit.
    """
    if point.session_span_us is None:
        # NOTE: without the span the range stops at the bucket's end and cuts sessions running past it.
        return timedelta(0)
    return min(timedelta(microseconds=point.session_span_us), MAX_SESSION_TAIL)


def _retention_range(point: Point, settings: Any) -> tuple[datetime, datetime]:
    """Return a retention point's range: its start cohort's bucket through the last period its events can be in.

    Mode ``on`` reads up to the end of period N, and ``on_or_after`` and the
    not-retained part up to the last period counted. One extra period covers
    a DST shift of a day or a week.
    """
    query = retention.retention_query(point.definition, settings)
    cohorts = query.cohorts
    last_period = (point.period or 0) if point.definition.mode == "on" and not point.dropped else query.periods
    span = timedelta(microseconds=(last_period + 2) * query.unit_us)
    return cohorts.boundaries[point.bucket], cohorts.boundaries[point.bucket + 1] + span


def point_open_reason(
    cursor: duckdb.DuckDBPyConnection, point: Point, settings: Any, now: datetime | None = None
) -> str | None:
    """Return why later events can still change ``point`` (one of the ``OPEN_`` values), or None when they cannot.

    A segmentation or sessions bucket is open until it ends. A bucket the
    range cuts is partial on the chart, but over, so it is not open. Every
    step of a funnel is open until the range ends, or for a point of its
    conversion over time until the entry bucket ends, because more actors may
    enter and then convert or drop off. After that, step 1 is over, and a
    later step is open while the last entrant's window runs past the end of
    the data (``data_end``), the rule by which ``funnel_over_time`` marks
    open entry buckets. A retention cell is open while the last period it
    counts (``retention.last_counted_period``) has not ended for every cohort
    actor by the project's last event, which is when ``retention`` marks it
    incomplete.
    """
    now = now or datetime.now(timezone.utc)
    definition = point.definition
    if definition.type == "funnel":
        return _funnel_open_reason(cursor, point, settings, now)
    if definition.type == "retention":
        return _retention_open_reason(cursor, point, settings)
    return bucket_open_reason(point, settings, now)


def open_reason_reads_events(point: Point) -> bool:
    """Tell whether ``point_open_reason`` reads the project's events for ``point``, or only its bucket and the clock."""
    return point.definition.type in ("funnel", "retention")


def bucket_open_reason(point: Point, settings: Any, now: datetime | None = None) -> str | None:
    """Return ``OPEN_BUCKET`` while a segmentation or sessions point's bucket has not ended, else None."""
    now = now or datetime.now(timezone.utc)
    bucket_end = chart_buckets(point.definition, settings).boundaries[point.bucket + 1]
    return OPEN_BUCKET if bucket_end > now else None


def _funnel_open_reason(cursor: duckdb.DuckDBPyConnection, point: Point, settings: Any, now: datetime) -> str | None:
    """Return why a funnel point can still change: its range (or entry bucket) runs on, or a window is open."""
    buckets = chart_buckets(point.definition, settings)
    entry_end = buckets.boundaries[point.bucket + 1] if point.over_time else buckets.range_end
    if entry_end > now:
        # The windows are then open too (the data ends by now), but the actors still to enter are the reason to name.
        return OPEN_RANGE
    if point.step == 1:
        # Step 1 counts the actors who entered, and windows do not change who entered.
        return None
    window = timedelta(seconds=point.definition.window_seconds)
    return OPEN_WINDOW if entry_end + window > data_end(cursor, now) else None


def _retention_open_reason(cursor: duckdb.DuckDBPyConnection, point: Point, settings: Any) -> str | None:
    """Return ``OPEN_PERIOD`` while the last period the point counts has not ended for every cohort actor."""
    query = retention.retention_query(point.definition, settings)
    last_event = cursor.execute("SELECT max(event_time) FROM events").fetchone()[0]
    # The chart's own rule for its ``complete`` column, so the banner and the table agree.
    complete = retention.cell_complete(query, point.bucket, point.period or 0, last_event)
    return None if complete else OPEN_PERIOD


def point_anchor(point: Point) -> str:
    """Return which of an actor's point events a path starts from: ``first``, or ``last`` for funnels.

    A funnel path starts after the last step the actor reached, so the paths
    of a drop-off begin after the last step the users completed.
    """
    return "last" if point.definition.type == "funnel" else "first"


def point_label(point: Point, settings: Any) -> PointLabel:
    """Return the label of ``point``: chart type, series, segment and bucket ``[start, end)`` in its zone."""
    definition = point.definition
    zone = definition.timezone or chart_settings(settings).timezone
    buckets = (
        retention.retention_query(definition, settings).cohorts
        if definition.type == "retention"
        else chart_buckets(definition, settings)
    )
    if definition.type == "funnel" and not point.over_time:
        name, start, end = funnel_point_name(point), buckets.range_start, buckets.range_end
    elif definition.type == "funnel":
        name, start, end = funnel_point_name(point), buckets.start(point.bucket), buckets.end(point.bucket)
    else:
        name = _point_series_name(point)
        start, end = buckets.start(point.bucket), buckets.end(point.bucket)
    return PointLabel(
        chart_type=point.definition.type,
        series_name=name,
        segment=point.segment,
        bucket_start=start.astimezone(buckets.zone),
        bucket_end=end.astimezone(buckets.zone),
        timezone=zone,
    )


def funnel_point_name(point: Point) -> str:
    """Return a funnel point's name: the step, its event, the part, the window and the order."""
    definition = point.definition
    event = definition.steps[point.step - 1].event
    part = "dropped off" if point.dropped else "converted"
    name = _event_name(event)
    entered = ", entered in the bucket" if point.over_time else ""
    return f"Step {point.step} {name}, {part}{entered} (window {definition.window}, {definition.order} order)"


def _entry_bucket(point: Point) -> int | None:
    """Return the start bucket a funnel point keeps conversions of, None for the whole range."""
    return point.bucket if point.over_time else None


def _point_series_name(point: Point) -> str:
    """Return the series name of a segmentation, sessions or retention point."""
    definition = point.definition
    if definition.type == "sessions":
        return sessions.series_names(definition)[point.series]
    if definition.type == "retention":
        part = "not retained" if point.dropped else "retained"
        mode = "on or after" if definition.mode == "on_or_after" else "on"
        start, back = (_event_name(spec.event) for spec in (definition.start, definition.return_event))
        return f"{start} then {back}, {definition.period} {point.period or 0} ({mode}), {part}"
    return series_name(definition, point.series)


def _event_name(event: str) -> str:
    return ANY_EVENT_NAME if event == ANY_EVENT else event


def _check_step(point: Point) -> None:
    """Raise DefinitionError unless ``point`` names a step of its funnel, and a dropped part only after step 1."""
    count = len(point.definition.steps)
    if point.step is None or not 1 <= point.step <= count:
        raise DefinitionError(f"step: no step {point.step}. This funnel has steps 1 to {count}.")
    if point.dropped and point.step == 1:
        raise DefinitionError("step: step 1 has no dropped-off part; every user of the funnel reached it.")
