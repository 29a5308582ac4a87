"""The SQL of a user sessions chart: which sessions make up each data point.

A session is the set of an actor's events that share one ``session_key``
(unique in the project; NULL for events out of session, which form no
session). The chart's ``where`` items and cohort select events *before*
sessions form, so a session consists of its filtered events only.

- Start: the session's earliest ``event_time``. Server time decides buckets
  everywhere in Loupe, so a session belongs to the bucket of its earliest
  event, in the chart's time zone.
- Length: the last minus the first ``client_time`` (device time, which
  measures windows between one actor's events), in microseconds here.
- Segment (with a group-by): the property's value on the session's earliest
  event (ties broken by import order). Each session has exactly one segment,
  so a point's sessions add up across segments. Segments are the top
  ``TOP_SEGMENTS`` values by sessions over the whole range, then ``(other)``
  and ``(none)``, as in event segmentation.
- Segments by name (``group_by: "group:TYPE"`` or ``"cohorts"``): a session
  is labelled with the name of every group of that type that any of its
  (filtered) events names, or of every saved cohort of users its actor is in.
  Every group the session touched, not only its first event's: a session
  then counts in each segment it touched, the rule event segmentation follows
  for an event naming two groups. So a point's sessions no longer add up across
  segments. The top ``TOP_SEGMENTS`` names by sessions are segments, one
  ``(other)`` takes a session with any number of other names, and ``(none)``
  one without any. Cohorts of groups are ignored. Counted and segmented by
  the same group type, each (session, group) row is in its own group's
  segment instead, as in event segmentation.
- Series: 0, or for the ``length`` measure the index of the session's length
  bucket. A bucket includes its lower edge and excludes its upper edge.

Counted by a group type (``count_by``), sessions stay each actor's. A
session counts for every group of that type that any of its (filtered)
events names, and a session naming none drops out. The labelled relation then
has one row per (session, group), with ``group_id`` and ``first_group``
(true on one row of each session), so a session's length is averaged once.

Every event of a session lies within the project's maximum session span of
any of its other events (``session_span``). So a query that reads only the
events in its time range widened by that span still reads whole sessions.
Given no span, the query reads the events whose session has an event in its
time range, which probes the ``session_key`` of every event.
"""

from __future__ import annotations

from datetime import datetime

from tui.analytics.buckets import Buckets
from tui.analytics.counted_unit import counted_unit
from tui.analytics.definition import ChartDefinition
from tui.analytics.filters import Fragment, cohort_sql, conjunction, property_sql, where_sql
from tui.analytics.segmentation_groups import group_sources_sql, group_type, segments_by_cohorts
from tui.analytics.segmentation_sql import NONE_RANK, OTHER_RANK, SEGMENT_NONE, SEGMENT_OTHER, TOP_SEGMENTS

US_PER_SECOND = 1_000_000
# The key that orders a session's events, unique thanks to seq. The first event gives the session its segment value.
FIRST_EVENT_ORDER = "(event_time, seq)"


class SessionQuery:
    """SQL builder for a sessions chart over its buckets.

    ``span_us`` is the maximum session span in the project
    (``max_session_span_us``), in microseconds of ``event_time``, or None to
    select sessions by key instead.
    """

    def __init__(self, definition: ChartDefinition, buckets: Buckets, span_us: int | None):
        self.definition = definition
        self.buckets = buckets
        self.span_us = span_us
        self.unit = counted_unit(definition)
        # The group type whose names segment sessions, and whether the actors' cohorts do instead.
        self.segment_type = group_type(definition.group_by)
        self.by_cohorts = segments_by_cohorts(definition)

    # Data points ------------------------------------------------------------

    def chart_sql(self) -> Fragment:
        """Return one row per non-empty point: ``series``, ``bucket``, ``segment``, ``segment_rank``, ``value``."""
        labelled, params = self.labelled_sql()
        sql = (
            f"SELECT series, bucket, segment, segment_rank, {self._value_sql()} AS value "
            f"FROM ({labelled}) GROUP BY series, bucket, segment, segment_rank"
        )
        return sql, params

    def point_events_sql(self, series: int, segment: str | None, bucket: int) -> Fragment:
        """Return the events of the sessions of one point, with every column of ``events`` but ``dedupe_key``.

        Counted by a group type, every event of a session is there once for
        each group the session counts for, with that group's ``group_id``.
        """
        start, end = self.buckets.boundaries[bucket], self.buckets.boundaries[bucket + 1]
        labelled, labelled_params = self.labelled_sql(start, end)
        point = "WHERE series = ? AND bucket = ? AND segment IS NOT DISTINCT FROM ?"
        point_params = [series, bucket, segment]
        events_filter, filter_params = self.events_filter(start, end)
        if self.unit.counts_groups:
            # Renamed, so the filter's ``session_key`` can only mean the event's.
            point_sessions = f"SELECT session_key AS point_session, group_id FROM ({labelled}) {point}"
            sql = (
                "SELECT events.* EXCLUDE (dedupe_key), point_sessions.group_id FROM events "
                f"JOIN ({point_sessions}) AS point_sessions ON point_sessions.point_session = events.session_key "
                f"WHERE {events_filter}"
            )
            return sql, labelled_params + point_params + filter_params
        point_sessions = f"SELECT session_key FROM ({labelled}) {point}"
        sql = (
            f"SELECT * EXCLUDE (dedupe_key) FROM events WHERE {events_filter} "
            f"AND session_key IN ({point_sessions})"
        )
        return sql, filter_params + labelled_params + point_params

    # Relations --------------------------------------------------------------

    def labelled_sql(self, start: datetime | None = None, end: datetime | None = None) -> Fragment:
        """Return the sessions starting in ``[start, end)`` (default: the range) with series and segment labels.

        Counted by a group type, a row is a (session, group) pair.
        """
        sessions, params = self.counted_sessions_sql(start, end)
        if self.definition.group_by is None:
            sql = f"SELECT *, CAST(NULL AS VARCHAR) AS segment, 0 AS segment_rank FROM ({sessions})"
            return sql, params
        if self.segment_type is not None or self.by_cohorts:
            return self._named_labelled_sql(start, end)

        top, top_params = self._top_segments_sql()
        label = (
            f"CASE WHEN s.segment_value IS NULL THEN '{SEGMENT_NONE}' "
            f"WHEN t.segment_rank IS NOT NULL THEN s.segment_value ELSE '{SEGMENT_OTHER}' END"
        )
        rank = f"coalesce(t.segment_rank, CASE WHEN s.segment_value IS NULL THEN {NONE_RANK} ELSE {OTHER_RANK} END)"
        sql = (
            f"SELECT s.*, {label} AS segment, {rank} AS segment_rank "
            f"FROM ({sessions}) AS s LEFT JOIN ({top}) AS t ON t.segment_value = s.segment_value"
        )
        return sql, params + top_params

    def _named_labelled_sql(self, start: datetime | None, end: datetime | None) -> Fragment:
        """Return ``labelled_sql`` for segments by group or cohort name: a row per (session, label)."""
        top, top_params = self._top_names_sql()
        sessions, params = self.counted_sessions_sql(start, end)
        if self.segment_type is not None and self.segment_type == self.unit.group_type:
            return self._own_group_labelled_sql((top, top_params), (sessions, params))
        names, names_params = self._session_names_sql(start, end)
        labels = (
            "SELECT names.session_key, top.segment_value AS segment, top.segment_rank "
            "FROM names JOIN top ON top.segment_value = names.name "
            f"UNION ALL SELECT DISTINCT session_key, '{SEGMENT_OTHER}', {OTHER_RANK} FROM names "
            "WHERE name NOT IN (SELECT segment_value FROM top)"
        )
        sql = (
            f"WITH names AS ({names}), top AS ({top}), labels AS ({labels}) "
            f"SELECT s.*, coalesce(labels.segment, '{SEGMENT_NONE}') AS segment, "
            f"coalesce(labels.segment_rank, {NONE_RANK}) AS segment_rank "
            f"FROM ({sessions}) AS s LEFT JOIN labels ON labels.session_key = s.session_key"
        )
        return sql, names_params + top_params + params

    def _own_group_labelled_sql(self, top: Fragment, sessions: Fragment) -> Fragment:
        """Return the (session, group) rows of a chart counted and segmented by one type, each in its group's segment.

        ``first_group`` becomes true on one row per session and segment, so a
        session in ``(other)`` through two groups has its length averaged once.
        """
        top_sql, top_params = top
        sessions_sql, params = sessions
        labelled = (
            f"SELECT s.*, CASE WHEN top.segment_rank IS NULL THEN '{SEGMENT_OTHER}' ELSE g.group_name END "
            f"AS segment, coalesce(top.segment_rank, {OTHER_RANK}) AS segment_rank "
            f"FROM ({sessions_sql}) AS s JOIN groups AS g ON g.group_id = s.group_id "
            f"LEFT JOIN ({top_sql}) AS top ON top.segment_value = g.group_name"
        )
        sql = (
            "SELECT * REPLACE (group_id = min(group_id) OVER (PARTITION BY session_key, segment) AS first_group) "
            f"FROM ({labelled})"
        )
        return sql, params + top_params

    def _session_names_sql(self, start: datetime | None, end: datetime | None) -> Fragment:
        """Return the distinct (``session_key``, ``name``) pairs: the groups or cohorts the sessions touched."""
        start = start or self.buckets.range_start
        end = end or self.buckets.range_end
        events_filter, filter_params = self.events_filter(start, end)
        source, source_params = group_sources_sql(None, self.segment_type, False, True, self.by_cohorts)
        sql = (
            f"SELECT DISTINCT events.session_key, segment_groups.group_name AS name FROM {source} "
            f"WHERE {events_filter} AND segment_groups.group_name IS NOT NULL"
        )
        return sql, source_params + filter_params

    def _top_names_sql(self) -> Fragment:
        """Return the top names by sessions over the whole range, as ``segment_value`` with ``segment_rank``."""
        names, names_params = self._session_names_sql(None, None)
        sessions, params = self.counted_sessions_sql()
        sql = (
            "SELECT n.name AS segment_value, row_number() OVER (ORDER BY count(DISTINCT s.session_key) DESC, n.name) "
            f"AS segment_rank FROM ({sessions}) AS s JOIN ({names}) AS n ON n.session_key = s.session_key "
            f"GROUP BY n.name QUALIFY segment_rank <= {TOP_SEGMENTS}"
        )
        return sql, params + names_params

    def sessions_sql(self, start: datetime | None = None, end: datetime | None = None) -> Fragment:
        """Return one row per session starting in ``[start, end)``.

        Columns: ``session_key``, ``actor_id``, ``first_time``, ``length_us``,
        ``segment_value``, ``bucket`` and ``series``.
        """
        start = start or self.buckets.range_start
        end = end or self.buckets.range_end
        events_filter, filter_params = self.events_filter(start, end)
        segment, segment_params = self._segment_value_sql()
        sessions = (
            "SELECT session_key, min(actor_id) AS actor_id, min(event_time) AS first_time, "
            "epoch_us(max(client_time)) - epoch_us(min(client_time)) AS length_us, "
            f"{segment} AS segment_value "
            f"FROM events WHERE {events_filter} GROUP BY session_key"
        )
        bucket, bucket_params = self.buckets.index_sql("first_time")
        series, series_params = self._series_sql()
        sql = (
            f"SELECT *, {bucket} AS bucket, {series} AS series FROM ({sessions}) "
            "WHERE first_time >= ? AND first_time < ?"
        )
        params = bucket_params + series_params + segment_params + filter_params + [start, end]
        return sql, params

    def counted_sessions_sql(self, start: datetime | None = None, end: datetime | None = None) -> Fragment:
        """Return ``sessions_sql``, or counted by a group type one row per (session, group the session names).

        The group rows add ``group_id`` and ``first_group``, which is true for
        the session's smallest group id only.
        """
        sessions, params = self.sessions_sql(start, end)
        if not self.unit.counts_groups:
            return sessions, params
        named, named_params = self._session_groups_sql(start, end)
        sql = (
            "SELECT counted_sessions.*, session_groups.group_id, "
            "session_groups.group_id = min(session_groups.group_id) OVER (PARTITION BY counted_sessions.session_key) "
            f"AS first_group FROM ({sessions}) AS counted_sessions "
            f"JOIN ({named}) AS session_groups ON session_groups.session_key = counted_sessions.session_key"
        )
        return sql, params + named_params

    def first_events_sql(self, start: datetime, end: datetime) -> Fragment:
        """Return ``session_key`` and ``first_seq`` of every session that ``sessions_sql(start, end)`` may return.

        ``first_seq`` is the ``seq`` of the session's earliest event, whose
        group-by value is the session's ``segment_value``. Sessions starting
        outside ``[start, end)`` are there too, so join the rows to the
        sessions wanted.
        """
        events_filter, params = self.events_filter(start, end)
        sql = (
            f"SELECT session_key, arg_min(seq, {FIRST_EVENT_ORDER}) AS first_seq "
            f"FROM events WHERE {events_filter} GROUP BY session_key"
        )
        return sql, params

    def _session_groups_sql(self, start: datetime | None, end: datetime | None) -> Fragment:
        """Return the distinct (``session_key``, ``group_id``) pairs of the counted groups the sessions' events name."""
        start = start or self.buckets.range_start
        end = end or self.buckets.range_end
        events_filter, filter_params = self.events_filter(start, end)
        source, source_params = self.unit.source_sql()
        parts = [(events_filter, filter_params), self.unit.cohort_sql(self.definition.cohort)]
        predicate, params = conjunction(parts)
        sql = f"SELECT DISTINCT events.session_key, {self.unit.select} FROM {source} WHERE {predicate}"
        return sql, source_params + params

    def _top_segments_sql(self) -> Fragment:
        """Return the top segment values by sessions over the whole range, with their rank (1 is first)."""
        sessions, params = self.counted_sessions_sql()
        sql = (
            f"SELECT segment_value, row_number() OVER (ORDER BY {self._sessions_count()} DESC, segment_value) "
            f"AS segment_rank FROM ({sessions}) WHERE segment_value IS NOT NULL GROUP BY segment_value "
            f"QUALIFY segment_rank <= {TOP_SEGMENTS}"
        )
        return sql, params

    # Filters ----------------------------------------------------------------

    def events_filter(self, start: datetime, end: datetime) -> Fragment:
        """Return the predicate selecting the in-session events, after ``where`` and cohort, that may belong to
        a session starting in ``[start, end)``."""
        parts = [self._sessions_near_sql(start, end), where_sql(self.definition.where)]
        if self.definition.cohort:
            parts.append(cohort_sql(self.definition.cohort))
        return conjunction(parts)

    def _sessions_near_sql(self, start: datetime, end: datetime) -> Fragment:
        """Return the predicate selecting at least every event of every session with an event in ``[start, end)``."""
        if self.span_us is not None:
            sql = (
                "session_key IS NOT NULL AND event_time >= CAST(? AS TIMESTAMPTZ) - to_microseconds(CAST(? AS BIGINT)) "
                "AND event_time < CAST(? AS TIMESTAMPTZ) + to_microseconds(CAST(? AS BIGINT))"
            )
            return sql, [start, self.span_us, end, self.span_us]
        # Without the span, the sessions are found by key, which probes the key of every event.
        touching = "SELECT session_key FROM events WHERE session_key IS NOT NULL AND event_time >= ? AND event_time < ?"
        return f"session_key IN ({touching})", [start, end]

    # Expressions ------------------------------------------------------------

    def _segment_value_sql(self) -> Fragment:
        """Return the aggregate giving a session's segment value: the group-by property of its earliest event."""
        if self.definition.group_by is None or self.segment_type is not None or self.by_cohorts:
            return "CAST(NULL AS VARCHAR)", []
        value, params = property_sql(self.definition.group_by)
        # arg_min_null keeps a NULL value, so a session whose earliest event lacks the property is in (none).
        return f"arg_min_null({value}, {FIRST_EVENT_ORDER})", params

    def _series_sql(self) -> Fragment:
        """Return the series of a session: 0, or its length bucket for the ``length`` measure."""
        if self.definition.measure != "length":
            return "0", []
        cases = " ".join(f"WHEN length_us < ? THEN {index}" for index in range(len(self.definition.length_edges)))
        # Edges are compared in whole microseconds, so a session of exactly 10 s is not in a bucket ending at 10 s.
        params = [round(edge * US_PER_SECOND) for edge in self.definition.length_edges]
        return f"(CASE {cases} ELSE {len(params)} END)", params

    def _value_sql(self) -> str:
        """Return the measure's aggregate over labelled rows: sessions, or (session, group) pairs by a group type."""
        measure = self.definition.measure
        groups = self.unit.counts_groups
        if measure == "avg_length":
            once = " FILTER (WHERE first_group)" if groups else ""
            return f"avg(length_us){once} / {US_PER_SECOND}"
        if measure == "per_user":
            # Counted by a group type, sessions per group: a session naming two groups counts for each.
            return f"CAST(count(*) AS DOUBLE) / count(DISTINCT {self.unit.column})"
        return f"CAST({self._sessions_count()} AS DOUBLE)"

    def _sessions_count(self) -> str:
        """Return the aggregate counting sessions, each once though it has a row per group it names."""
        return "count(DISTINCT session_key)" if self.unit.counts_groups else "count(*)"
