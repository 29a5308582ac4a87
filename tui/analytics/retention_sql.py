"""The SQL of a retention chart: each actor's (or group's) start cohort and the periods they returned in.

Two relations, built once and used by both the chart and the microscope:

- ``first_starts``: one row per actor whose start event falls in the chart's
  range, with the chart's ``where`` items and cohort applied. The actor's
  first start event, in event order ``(client_time, seq)``, decides the
  cohort ``bucket``: the bucket of the chart's ``interval`` (hour, day, week
  or month) that contains its ``event_time`` in the chart's time zone. It
  also gives ``start_period``, the index of the start event's own day or
  week on the period grid.
- ``returns``: every return event after the actor's first start event in
  event order, with its ``period``. Calendar periods count the local days or
  weeks from the start event's own day or week (not from the cohort bucket's
  start), using the zone's real day boundaries, so a DST day of 23 or 25
  hours is one period. Rolling periods count whole 24-hour (or 7 x 24-hour)
  windows of ``client_time`` from the start event. Only periods 0 to
  ``periods`` are kept, and a return event after the range's end counts
  while it is inside them.

An actor is retained in period N when ``returns`` has a row of theirs with
``period = N`` (mode ``on``) or ``period >= N`` (mode ``on_or_after``). The
chart counts those actors per bucket and the microscope lists them, so a
point's counts equal the lengths of its actor lists.

Counted by a group type (``count_by``), the unit is the group instead of the
actor, keyed by ``group_id`` in both relations. A group's first start event
is the first start event, by any member, that names it. A return event by
any member that names the group counts for it. The point's events then
carry ``group_id`` and the actor id of the member who did each event.

With a group-by, the first start event also decides each unit's segments
(``retention_segments``), and the chart counts every cell per segment.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tui.analytics.buckets import DAY_US, WEEK_STARTS, WEEK_US, make_buckets
from tui.analytics.counted_unit import counted_unit
from tui.analytics.definition import ChartDefinition, DateRange, DefinitionError, EventSpec
from tui.analytics.filters import Fragment, cohort_sql, conjunction, event_type_sql, where_sql
from tui.analytics.retention_segments import segment_ctes

# A guard against a typo such as 100000 periods; 1000 weeks are about 19 years.
MAX_PERIODS = 1000

PERIOD_US = {"day": DAY_US, "week": WEEK_US}

# More than any event's seq can reach (2**48, about 2.8e14 events), so microseconds
# times this plus seq is one HUGEINT key that orders events by (client_time, seq).
# Comparing that key took about 17% less CPU than comparing the two columns, in a
# retention of any event on the bench's 10M events (DuckDB 2.0.1, 2 cores).
SEQ_SPAN = 2**48
# ``events.seq``, because a query counting groups joins ``event_groups``, which has a ``seq`` too.
EVENT_KEY = f"(CAST(epoch_us(client_time) AS HUGEINT) * {SEQ_SPAN} + events.seq)"


class RetentionQuery:
    """SQL builder for the start cohorts and returns of one retention chart."""

    def __init__(self, definition: ChartDefinition, timezone: str, week_start: str = "monday"):
        check_supported(definition)
        self.definition = definition
        self.unit = counted_unit(definition)
        self.grouped = definition.group_by is not None
        self.periods = definition.periods
        self.unit_us = PERIOD_US[definition.period]
        # The cohort buckets follow the chart's interval. The grid is the whole days or weeks of the periods,
        # from the one containing the range's first day to the end of the last period after the range.
        self.cohorts = make_buckets(definition.range, definition.interval, timezone, week_start)
        self.grid = make_buckets(_extended_range(definition, week_start), definition.period, timezone, week_start)

    def first_period_index(self, bucket: int) -> int:
        """Return the grid index of the day or week containing the start of cohort ``bucket``."""
        return self.grid.index_of(self.cohorts.boundaries[bucket])

    def last_period_index(self, bucket: int) -> int:
        """Return the grid index of the day or week containing the last instant of cohort ``bucket``."""
        return self.grid.index_of(self.cohorts.boundaries[bucket + 1] - timedelta(microseconds=1))

    def period_start(self, bucket: int, period: int) -> datetime:
        """Return the earliest UTC instant at which period ``period`` of cohort ``bucket`` begins for any of its units.

        A calendar period N begins at the start of the N-th day (or week)
        after the start event's own one, so the earliest is N days (or weeks)
        after the one containing the bucket's start. A rolling one begins
        ``period`` windows after each unit's start event, so the earliest is
        ``period`` windows after the bucket's start.
        """
        if self.definition.rolling:
            return self.cohorts.boundaries[bucket] + period * timedelta(microseconds=self.unit_us)
        return self.grid.boundaries[self.first_period_index(bucket) + period]

    def period_end(self, bucket: int, period: int) -> datetime:
        """Return the UTC instant by which period ``period`` has ended for every unit of cohort ``bucket``.

        The cohort's last unit may start just before the bucket's end, so its
        period N ends N + 1 days (or weeks, or windows) after that.
        """
        if self.definition.rolling:
            return self.cohorts.boundaries[bucket + 1] + (period + 1) * timedelta(microseconds=self.unit_us)
        return self.grid.boundaries[self.last_period_index(bucket) + period + 1]

    def return_span(self) -> Fragment:
        """Return the predicate on ``event_time`` that every counted return event passes.

        Calendar periods come from the server time, so a counted return lies
        between the start of the range's first day or week and the end of the
        last period. Rolling periods come from device times, which may be any
        distance from the server time, so no span on ``event_time`` is exact
        and none is used.
        """
        if self.definition.rolling:
            return "TRUE", []
        return "event_time >= ? AND event_time < ?", [self.grid.range_start, self.grid.range_end]

    # Relations --------------------------------------------------------------

    def ctes(self, bucket: int | None = None, segment: str | None = None) -> Fragment:
        """Return the ``WITH`` clause defining ``first_starts`` and ``returns``, for one cohort ``bucket`` if given.

        A grouped chart's clause also defines ``start_segments`` (see
        ``retention_segments``), and with ``bucket`` given ``first_starts``
        keeps only the units of ``segment`` in that cohort.
        """
        starts, start_params = self._first_starts_sql()
        returns, return_params = self._returns_sql()
        if self.grouped:
            return self._grouped_ctes((starts, start_params), (returns, return_params), bucket, segment)
        if bucket is not None:
            # The other cohorts' actors (or groups) cannot be in the point, so their returns need not be joined.
            starts, start_params = f"SELECT * FROM ({starts}) WHERE bucket = ?", start_params + [bucket]
        sql = f"WITH first_starts AS MATERIALIZED ({starts}), returns AS ({returns}) "
        return sql, start_params + return_params

    def _grouped_ctes(self, starts: Fragment, returns: Fragment, bucket: int | None, segment: str | None) -> Fragment:
        """Return the ``WITH`` clause of a grouped chart: segments ranked over every cohort, then the point's units."""
        segments, segment_params = segment_ctes(self.definition, self.unit, self.cohorts, "all_starts")
        chosen, chosen_params = "SELECT * FROM all_starts", []
        if bucket is not None:
            unit = self.unit.column
            chosen += f" WHERE bucket = ? AND {unit} IN (SELECT {unit} FROM start_segments WHERE segment = ?)"
            chosen_params = [bucket, segment]
        sql = (
            f"WITH all_starts AS MATERIALIZED ({starts[0]}), {segments}, "
            f"first_starts AS ({chosen}), returns AS ({returns[0]}) "
        )
        return sql, starts[1] + segment_params + chosen_params + returns[1]

    def _first_starts_sql(self) -> Fragment:
        """Return each unit's first start event.

        Columns: the unit's id, ``start_key``, ``start_us``, ``start_seq``,
        ``bucket`` (the cohort) and ``start_period`` (its day or week on the grid).
        """
        predicate, params = self._events_filter(self.definition.start, self.cohorts.range_sql())
        source, source_params = self.unit.source_sql()
        first = (
            f"SELECT {self.unit.select}, min({EVENT_KEY}) AS start_key, arg_min(event_time, {EVENT_KEY}) AS start_time "
            f"FROM {source} WHERE {predicate} GROUP BY {self.unit.key}"
        )
        bucket, bucket_params = self.cohorts.index_sql("start_time")
        start_period, start_period_params = self.grid.index_sql("start_time")
        sql = (
            f"SELECT {self.unit.column}, start_key, CAST(start_key // {SEQ_SPAN} AS BIGINT) AS start_us, "
            f"CAST(start_key % {SEQ_SPAN} AS BIGINT) AS start_seq, {bucket} AS bucket, "
            f"{start_period} AS start_period FROM ({first})"
        )
        return sql, bucket_params + start_period_params + source_params + params

    def _returns_sql(self) -> Fragment:
        """Return the unit's id, ``seq``, ``bucket`` and ``period`` of each return event that counts."""
        predicate, params = self._events_filter(self.definition.return_event, self.return_span())
        source, source_params = self.unit.source_sql()
        unit = self.unit.column
        if self.definition.rolling:
            when, when_params = "epoch_us(client_time)", []
            period = f"(candidate.return_when - start.start_us) // {self.unit_us}"
        else:
            when, when_params = self.grid.index_sql("event_time")
            period = "(candidate.return_when - start.start_period)"
        candidates = (
            f"SELECT {self.unit.select}, events.seq, {EVENT_KEY} AS return_key, {when} AS return_when "
            f"FROM {source} WHERE {predicate}"
        )
        # A return event counts only after the start event in event order (client_time, seq).
        numbered = (
            f"SELECT candidate.{unit}, candidate.seq, start.bucket, {period} AS period "
            f"FROM ({candidates}) AS candidate JOIN first_starts AS start ON candidate.{unit} = start.{unit} "
            "WHERE candidate.return_key > start.start_key"
        )
        sql = f"SELECT * FROM ({numbered}) WHERE period BETWEEN 0 AND ?"
        return sql, when_params + source_params + params + [self.periods]

    def _events_filter(self, event: EventSpec, span: Fragment) -> Fragment:
        """Return the predicate of one event spec with the chart's ``where`` items and cohort, within ``span``."""
        parts = [event_type_sql(event.event), where_sql(event.where), where_sql(self.definition.where), span]
        if self.definition.cohort:
            parts.append(cohort_sql(self.definition.cohort))
            if self.unit.counts_groups:
                parts.append(self.unit.cohort_sql(self.definition.cohort))
        return conjunction(parts)

    # Chart and microscope ---------------------------------------------------

    def chart_sql(self, count_actors: str) -> Fragment:
        """Return ``segment``, ``segment_rank``, ``bucket``, ``period`` and ``actors`` rows.

        A NULL ``period`` row is the cohort's size. Mode ``on``: ``actors``
        returned in ``period``. Mode ``on_or_after``: ``actors`` whose last
        return came in ``period``, so the retained actors of period N are the
        sum over periods N and later. Counted by a group type, ``actors``
        counts groups, and ``count_actors`` is the aggregate counting
        distinct values of ``unit.column``. Without a group-by, ``segment``
        is NULL and ``segment_rank`` 0. With one, a unit in two segments
        counts in each.
        """
        ctes, params = self.ctes()
        unit = self.unit.column
        if self.grouped:
            labels, keys, join = "", "segment, segment_rank, bucket", f" JOIN start_segments USING ({unit})"
        else:
            labels, keys, join = "CAST(NULL AS VARCHAR) AS segment, 0 AS segment_rank, ", "bucket", ""
        if self.definition.mode == "on":
            returned = (
                f"SELECT {labels}{keys}, period, {count_actors} AS actors FROM returns{join} GROUP BY {keys}, period"
            )
        else:
            last = f"SELECT {unit}, bucket, max(period) AS period FROM returns GROUP BY {unit}, bucket"
            returned = f"SELECT {labels}{keys}, period, count(*) AS actors FROM ({last}){join} GROUP BY {keys}, period"
        sql = (
            f"{ctes}SELECT {labels}{keys}, CAST(NULL AS BIGINT) AS period, count(*) AS actors FROM first_starts{join} "
            f"GROUP BY {keys} UNION ALL {returned}"
        )
        return sql, params

    def point_events_sql(self, bucket: int, period: int, dropped: bool, segment: str | None = None) -> Fragment:
        """Return the events behind one point, with every column of ``events`` but ``dedupe_key``.

        Retained: each retained actor's return events in period ``period``
        (mode ``on_or_after``: in that period or a later one counted). Not
        retained (``dropped``): each cohort actor's first start event, or no
        event when the period has not begun (see ``retention`` for the rule).
        Counted by a group type, the rows are (event, group) pairs with the
        group's ``group_id``: an event naming two counted groups is there once
        for each group it counts for. A grouped chart's point keeps the units
        of ``segment`` only.
        """
        ctes, params = self.ctes(bucket, segment)
        unit = self.unit.column
        # Counted by a group type, each chosen event comes with the group it counts for.
        group = ", group_id" if self.unit.counts_groups else ""
        retained = f"FROM returns WHERE {self._retained_sql()}"
        chosen_params = [period]
        if dropped:
            # The same rule as the chart's ``started`` column: a cell whose period has not begun by the
            # project's last event, and which counts no return, has no not-retained units.
            begun = f"(? <= (SELECT max(event_time) FROM events) OR EXISTS (SELECT 1 {retained}))"
            chosen = (
                f"SELECT start_seq AS seq{group} FROM first_starts "
                f"WHERE {unit} NOT IN (SELECT {unit} {retained}) AND {begun}"
            )
            chosen_params = [period, self.period_start(bucket, period), period]
            event, span = self.definition.start, self.cohorts.range_sql()
        else:
            chosen = f"SELECT seq{group} {retained}"
            event, span = self.definition.return_event, self.return_span()
        # The seq list implies the event type and time span. Stating them lets DuckDB skip row groups.
        bounds, bound_params = conjunction([event_type_sql(event.event), span])
        if self.unit.counts_groups:
            sql = (
                f"{ctes}SELECT events.* EXCLUDE (dedupe_key), chosen.group_id FROM events "
                f"JOIN ({chosen}) AS chosen ON chosen.seq = events.seq WHERE {bounds}"
            )
        else:
            sql = f"{ctes}SELECT * EXCLUDE (dedupe_key) FROM events WHERE seq IN ({chosen}) AND {bounds}"
        return sql, params + chosen_params + bound_params

    def _retained_sql(self) -> str:
        """Return the condition on a ``returns`` row for its actor to count as retained in period ``?``."""
        return "period = ?" if self.definition.mode == "on" else "period >= ?"


def check_supported(definition: ChartDefinition) -> None:
    """Raise DefinitionError for a retention chart this module cannot count."""
    if definition.type != "retention":
        raise DefinitionError(f"type: this is a {definition.type} chart, not a retention chart.")
    if definition.start is None or definition.return_event is None:
        raise DefinitionError("start, return: a retention chart needs both a start and a return event.")
    if definition.periods > MAX_PERIODS:
        raise DefinitionError(f"periods: {definition.periods} is more than {MAX_PERIODS}. Count fewer periods.")


def _extended_range(definition: ChartDefinition, week_start: str) -> DateRange:
    """Return the whole days or weeks of every period: from the range's first period to the last one's end."""
    if definition.period == "day":
        return DateRange(definition.range.start, definition.range.end + timedelta(days=definition.periods))
    first_weekday = WEEK_STARTS.get(week_start, 0)
    first = definition.range.start - timedelta(days=(definition.range.start.weekday() - first_weekday) % 7)
    last = definition.range.end + timedelta(weeks=definition.periods)
    return DateRange(first, last + timedelta(days=6 - (last.weekday() - first_weekday) % 7))
