"""The SQL of a funnel: each actor's kept conversion, from which counts, actor lists and step events all come.

How a conversion is found depends on the step order: ``funnel_ordered`` for
``this`` and ``exact``, ``funnel_any`` for ``any``. Both end in one relation
with a row per actor (see ``FunnelQuery.kept_sql``). The chart counts it, the
chart over time groups it by the bucket of the conversion's start, and the
microscope filters it. So a step's count equals the length of its actor list
and the number of actors among its step events.

With ``count_by: "group:TYPE"`` the unit is the group: conversions are found
per group exactly as per actor, from the events of any member that name it,
and the relations below have ``group_id`` where they would have ``actor_id``.
The step events then carry ``group_id`` and the real ``actor_id`` of the
member who did each one.

With ``group_by`` the kept conversions are labelled afterwards
(``funnel_segments``): the chart counts them per segment, and the microscope
and drivers filter them to one segment.
"""

from __future__ import annotations

from tui.analytics.buckets import Buckets
from tui.analytics.counted_unit import counted_unit
from tui.analytics.definition import GROUP_BY_COHORTS, ChartDefinition, DefinitionError
from tui.analytics.filters import Fragment
from tui.analytics.funnel_any import AnyOrderConversions
from tui.analytics.funnel_ordered import OrderedConversions
from tui.analytics.funnel_segments import FunnelSegments


class FunnelQuery:
    """SQL builder for the conversions of one funnel chart over its range."""

    def __init__(self, definition: ChartDefinition, buckets: Buckets):
        check_supported(definition)
        self.definition = definition
        self.buckets = buckets
        self.step_count = len(definition.steps)
        self.unit = counted_unit(definition)
        builder = AnyOrderConversions if definition.order == "any" else OrderedConversions
        self._conversions = builder(definition, buckets)
        self.segments = FunnelSegments(definition, self.unit) if definition.group_by else None

    # Relations --------------------------------------------------------------

    def kept_sql(self) -> Fragment:
        """Return one row per actor with a conversion, with the columns of ``conversions_sql`` plus two.

        The actor's (or group's) id is named ``unit_id`` here.
        ``start_seq`` is the ``seq`` of the event that started the kept
        conversion and ``start_time`` its ``event_time``, which decides its bucket.
        """
        ctes, params = self._conversions.kept_ctes()
        return f"WITH {', '.join(ctes)} SELECT * FROM kept", params

    def labelled_sql(self) -> Fragment:
        """Return the rows of ``kept_sql`` with ``segment`` and ``segment_rank``, one row per (actor, segment).

        Only a funnel with ``group_by`` has segments.
        """
        if self.segments is None:
            raise DefinitionError("group_by: this funnel has no group_by, so its conversions have no segments.")
        ctes, params = self._conversions.kept_ctes()
        labelled, label_params = self.segments.labelled_ctes("kept")
        return f"WITH {', '.join(ctes)}, {labelled} SELECT * FROM labelled", params + label_params

    def conversions_sql(self, segment: str | None = None, bucket: int | None = None) -> Fragment:
        """Return one row per actor (or group) with a conversion: id, ``reached``, ``start_t``, ``t1``.., ``seq1``...

        The id column is ``actor_id``, or ``group_id`` when the chart counts groups.
        ``segment``, on a funnel with ``group_by``, keeps the conversions of
        that segment. Without it every conversion is there once. ``bucket``
        keeps the conversions that started in that bucket, the ones
        ``over_time_sql`` counts there.

        ``reached`` is the number of steps reached (at least 1). ``t{k}`` and
        ``seq{k}`` are the epoch microseconds of ``client_time`` and the
        ``seq`` of the event used for step k, NULL past ``reached``.
        ``start_t`` is the ``client_time`` (epoch microseconds) of the event
        that starts the window: ``t1`` in ``this`` and ``exact`` order, the
        earliest of the ``t{k}`` in ``any`` order.
        """
        kept, params = self._segment_sql(segment)
        if bucket is not None:
            kept, params = self._bucket_sql(kept, params, bucket)
        times = ", ".join(f"t{k}" for k in self._steps())
        seqs = ", ".join(f"seq{k}" for k in self._steps())
        unit = f"unit_id AS {self.unit.column}"
        return f"SELECT {unit}, reached, start_t, {times}, {seqs} FROM ({kept})", params

    def counts_sql(self) -> Fragment:
        """Return one row of ``converted{k}``, ``median{k}`` and ``average{k}`` (seconds) for every step k.

        Time to convert runs from the previous step's event in ``this`` and
        ``exact`` order (NULL for step 1) and from the window's start in ``any``
        order, where steps have no previous one. With ``group_by`` there is a
        row per segment, with ``segment`` first, in the order of
        ``segment_rank``, and no row when nothing converted.
        """
        if self.segments is not None:
            labelled, params = self.labelled_sql()
            columns = ", ".join(self._count_columns())
            sql = (
                f"SELECT segment, {columns} FROM ({labelled}) "
                "GROUP BY segment, segment_rank ORDER BY segment_rank, segment"
            )
            return sql, params
        conversions, params = self.conversions_sql()
        return f"SELECT {', '.join(self._count_columns())} FROM ({conversions})", params

    def _count_columns(self) -> list[str]:
        """Return the aggregates of ``counts_sql``, over rows with ``reached``, ``start_t`` and the ``t{k}``."""
        columns = []
        for k in self._steps():
            columns.append(f"coalesce(count_if(reached >= {k}), 0) AS converted{k}")
            if self.definition.order != "any" and k == 1:
                columns += ["CAST(NULL AS DOUBLE) AS median1", "CAST(NULL AS DOUBLE) AS average1"]
                continue
            since = "start_t" if self.definition.order == "any" else f"t{k - 1}"
            seconds = f"(t{k} - {since}) / 1e6"
            columns += [
                f"median({seconds}) FILTER (WHERE reached >= {k}) AS median{k}",
                f"avg({seconds}) FILTER (WHERE reached >= {k}) AS average{k}",
            ]
        return columns

    def over_time_sql(self) -> Fragment:
        """Return ``bucket`` and ``converted{k}`` for every bucket in which some kept conversion started.

        With ``group_by`` the rows are per bucket and segment, with ``segment`` and ``segment_rank``.
        """
        grouped = self.segments is not None
        kept, params = self.labelled_sql() if grouped else self.kept_sql()
        bucket, bucket_params = self.buckets.index_sql("start_time")
        counts = ", ".join(f"count_if(reached >= {k}) AS converted{k}" for k in self._steps())
        segment = "segment, segment_rank, " if grouped else ""
        sql = f"SELECT {bucket} AS bucket, {segment}{counts} FROM ({kept}) GROUP BY ALL ORDER BY bucket"
        return sql, bucket_params + params

    def step_actors_sql(
        self, step: int, dropped: bool, segment: str | None = None, bucket: int | None = None
    ) -> Fragment:
        """Return the ``actor_id`` of each actor who reached ``step`` (or, if ``dropped``, stopped just before it).

        Counted by a group type, the column is ``group_id``, one row per group.
        ``segment`` and ``bucket`` keep one segment's or one start bucket's actors, as in ``conversions_sql``.
        """
        self._check_step(step)
        conversions, params = self.conversions_sql(segment, bucket)
        unit = self.unit.column
        return f"SELECT {unit} FROM ({conversions}) WHERE {_part_sql(step, dropped)} ORDER BY {unit}", params

    def step_events_sql(
        self, step: int, dropped: bool, segment: str | None = None, bucket: int | None = None
    ) -> Fragment:
        """Return the events each actor of one step's part used for its kept conversion.

        That is steps 1 to ``step`` for the converted part and 1 to
        ``step - 1`` for the dropped part (no events for step 1's dropped
        part, which is empty). Rows have every column of ``events`` except
        ``dedupe_key``, whose UHUGEINT type pandas cannot hold. Counted by a
        group type, the rows are (event, group) pairs with the group's
        ``group_id``, because an event of two groups may serve both.
        ``segment`` and ``bucket`` keep one segment's or one start bucket's actors, as in ``conversions_sql``.
        """
        self._check_step(step)
        last = step - 1 if dropped else step
        groups = self.unit.counts_groups
        if last == 0:
            group = ", CAST(NULL AS BIGINT) AS group_id" if groups else ""
            return f"SELECT * EXCLUDE (dedupe_key){group} FROM events WHERE FALSE", []
        conversions, params = self.conversions_sql(segment, bucket)
        seqs = ", ".join(f"seq{k}" for k in range(1, last + 1))
        if groups:
            chosen = f"SELECT unnest([{seqs}]) AS seq, group_id FROM ({conversions}) WHERE {_part_sql(step, dropped)}"
            sql = (
                "SELECT events.* EXCLUDE (dedupe_key), chosen.group_id FROM events "
                f"JOIN ({chosen}) AS chosen ON chosen.seq = events.seq"
            )
            return sql, params
        sql = (
            "SELECT * EXCLUDE (dedupe_key) FROM events WHERE seq IN "
            f"(SELECT unnest([{seqs}]) FROM ({conversions}) WHERE {_part_sql(step, dropped)})"
        )
        return sql, params

    def _segment_sql(self, segment: str | None) -> Fragment:
        """Return the kept conversions, only those of ``segment`` when it is given."""
        if segment is None:
            return self.kept_sql()
        check_segment(self.definition, segment)
        labelled, params = self.labelled_sql()
        # A conversion has one row per segment, so one segment's rows hold each conversion once.
        return f"SELECT * EXCLUDE (segment, segment_rank) FROM ({labelled}) WHERE segment = ?", params + [segment]

    def _bucket_sql(self, kept: str, params: list, bucket: int) -> Fragment:
        """Return the rows of ``kept`` whose conversion started in ``bucket``.

        The index comes from the same expression as in ``over_time_sql``, so
        a bucket's list and its count over time cannot disagree.
        """
        if not 0 <= bucket < len(self.buckets):
            raise DefinitionError(f"bucket: no bucket {bucket}. This chart has buckets 0 to {len(self.buckets) - 1}.")
        index, index_params = self.buckets.index_sql("start_time")
        return f"SELECT * FROM ({kept}) WHERE {index} = ?", params + index_params + [bucket]

    def _steps(self) -> range:
        return range(1, self.step_count + 1)

    def _check_step(self, step: int) -> None:
        if not 1 <= step <= self.step_count:
            raise DefinitionError(f"step: no step {step}. This funnel has steps 1 to {self.step_count}.")


def _part_sql(step: int, dropped: bool) -> str:
    """Return the condition on ``reached`` of one step's converted or dropped part."""
    return f"reached = {step - 1}" if dropped else f"reached >= {step}"


def check_supported(definition: ChartDefinition) -> None:
    """Raise DefinitionError for a funnel this module cannot count yet."""
    if definition.type != "funnel":
        raise DefinitionError(f"type: this is a {definition.type} chart, not a funnel.")
    if definition.group_by == GROUP_BY_COHORTS:
        raise DefinitionError(
            "group_by: 'cohorts' segments only event segmentation and sessions charts. "
            "Group a funnel by a property or by 'group:TYPE'."
        )


def check_segment(definition: ChartDefinition, segment: str | None) -> None:
    """Raise DefinitionError when a funnel with ``group_by`` gets no segment, or one without it gets one."""
    if definition.group_by is not None and segment is None:
        raise DefinitionError(
            f"segment: this funnel is grouped by {definition.group_by!r}, so each step has a part per segment. "
            "Name the segment of the point."
        )
    if definition.group_by is None and segment is not None:
        raise DefinitionError(f"segment: {segment!r} given, but this funnel has no group_by. Leave the segment out.")
