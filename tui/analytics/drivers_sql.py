"""The SQL of conversion drivers: which actors (or groups) did each candidate event between two funnel steps.

The *population* of step ``s`` is every actor whose kept conversion reached
step ``s - 1``; the *converted* reached step ``s`` and the others *dropped*.
Both come from ``FunnelQuery.conversions_sql``, so they match the funnel's
counts. On a funnel with ``group_by`` they are the actors of one segment,
the same actors that segment's funnel counts. Given an entry bucket (a point
of the funnel's conversion over time) they are the actors whose kept
conversion started in that bucket, the ones that point counts. An actor's
events *in between* are those strictly after the event that completed step
``s - 1`` (the latest of the events used for steps 1 to ``s - 1``, by
``(client_time, seq)``) and:

- for a converted actor, strictly before the event that completed step ``s``;
- for a dropped actor, up to the end of the conversion window (inclusive).
  That end is the earlier of the window's own end and one window after the
  chart's range ends. The second bound only matters when a device clock puts a
  start after the range's server-time end, and it is the latest moment at which
  any conversion of the chart could still complete.

A funnel with ``count_by: "group:TYPE"`` compares groups instead. The
population is the groups whose kept conversion reached step ``s - 1``, and
the bounds above come from the group's conversion, whose step events may be
different members' events. A group's events in between are the events within
those bounds that name the group (a row of ``event_groups``), done by any
member. So a group did a candidate when at least one such event is of that
type (or has that property value). A member's event that does not name the
group is not the group's, and an event naming two groups of the population
counts for both. With a ``cohort`` only the events that the cohort keeps count,
the same events the funnel's steps are read from. ``converted_users`` and
``dropped_users`` then count groups.

Candidates are every event type except the funnel's step event types and, for
each requested ``(event, property)`` pair, every value the property took on
that event in between. The chart's ``where`` items choose the step events,
not the candidates: a driver is anything the actor did.

``counts_sql`` counts, in one statement, the actors (or groups) of each part
who did each candidate. ``events_sql`` selects the events behind one
candidate, with the same bounds, so a driver's list has as many actors (or
groups) as its count.
"""

from __future__ import annotations

from tui.analytics.buckets import Buckets
from tui.analytics.definition import ANY_EVENT, ChartDefinition, DefinitionError
from tui.analytics.filters import Fragment, cohort_sql, property_sql
from tui.analytics.funnel_sql import FunnelQuery, check_segment
from tui.analytics.funnel_steps import window_us

# A candidate needs at least min(MAX_SUPPORT, SUPPORT_PERCENT % of the population) actors.
MAX_SUPPORT = 25
SUPPORT_PERCENT = 2
PARTS = ("all", "converted", "dropped")


class DriversQuery:
    """SQL builder for the drivers of one step of a funnel chart."""

    def __init__(self, definition: ChartDefinition, buckets: Buckets, step: int,
                 properties: tuple[tuple[str, str], ...] = (), segment: str | None = None,
                 bucket: int | None = None):
        """``segment`` is the segment whose actors form the population; a funnel with ``group_by`` needs one.

        ``bucket``, the index of an interval bucket, keeps the actors whose
        kept conversion started in it. None keeps the whole range.
        """
        self.funnel = FunnelQuery(definition, buckets)
        self.unit = self.funnel.unit
        check_segment(definition, segment)
        self.segment = segment
        self.bucket = bucket
        self.cohort = definition.cohort
        self.window_us = window_us(definition)
        check_step(step, self.funnel.step_count)
        self.buckets = buckets
        self.step = step
        self.properties = check_properties(properties)
        self.step_events = sorted({spec.event for spec in definition.steps if spec.event != ANY_EVENT})

    # Statements -------------------------------------------------------------

    def counts_sql(self) -> Fragment:
        """Return the candidates that pass the support rule, with the group sizes on every row.

        Columns: ``population``, ``converted``, ``min_support``,
        ``property_values``, then ``event``, ``property``, ``value`` (NULL for
        event candidates), ``converted_users`` and ``dropped_users``. With no
        candidate left, one row has only the first four set.
        ``property_values`` lists, for each requested pair with a value in
        between, the number of distinct values before the support rule (NULL
        when no pair has one), so a pair without rows can be explained.
        """
        population, params = self._population_cte()
        in_between, between_params = self._between_cte()
        hits, hit_params = self._hits_cte()
        # Support counts integer percent without floats: ceil(2% of n) is (2n + 99) // 100.
        support = f"least({MAX_SUPPORT}, ({SUPPORT_PERCENT} * count(*) + 99) // 100)"
        sql = (
            f"WITH {population}, {in_between}, {hits}, "
            "counts AS (SELECT event, property, value, count_if(converted) AS converted_users, "
            "count_if(NOT converted) AS dropped_users FROM hits GROUP BY event, property, value), "
            "value_counts AS (SELECT list(struct_pack(event := event, property := property, "
            "value_count := value_count)) AS property_values "
            "FROM (SELECT event, property, count(*) AS value_count FROM counts "
            "WHERE property IS NOT NULL GROUP BY event, property)), "
            f"totals AS (SELECT count(*) AS population, coalesce(count_if(converted), 0) AS converted, "
            f"{support} AS min_support, (SELECT property_values FROM value_counts) AS property_values "
            "FROM population) "
            "SELECT totals.*, counts.* FROM totals LEFT JOIN counts "
            "ON counts.converted_users + counts.dropped_users >= totals.min_support "
            "AND totals.population - counts.converted_users - counts.dropped_users >= totals.min_support "
            "ORDER BY counts.event, counts.property, counts.value"
        )
        return sql, params + between_params + hit_params

    def events_sql(self, event: str, property: str | None = None, value: str | None = None,
                   part: str = "all") -> Fragment:
        """Return the events that make each actor count for one candidate: all ``events`` columns but ``dedupe_key``.

        ``part`` keeps the actors of one part: ``converted``, ``dropped`` or
        ``all``. Counted by groups, the rows are (event, group) pairs with
        the group's ``group_id``, as in ``FunnelQuery.step_events_sql``.
        """
        self._check_candidate(event, property, value, part)
        population, params = self._population_cte()
        paired, paired_params = self._paired_sql(("events.event_type = ?", [event]))
        params += paired_params
        conditions = [_IN_BETWEEN]
        if property is not None:
            text, property_params = property_sql(property)
            conditions.append(f"{text} = ?")
            params += property_params + [value]
        if part != "all":
            conditions.append("converted" if part == "converted" else "NOT converted")
        sql = (
            f"WITH {population} SELECT * EXCLUDE ({', '.join(_BOUND_COLUMNS)}) FROM ({paired}) "
            f"WHERE {' AND '.join(conditions)} ORDER BY {self.unit.column}, client_time, seq"
        )
        return sql, params

    # Relations --------------------------------------------------------------

    def _population_cte(self) -> Fragment:
        """Return the CTE ``population``: the unit's id, ``converted`` and the bounds of the events in between.

        The id is ``actor_id``, or ``group_id`` when the funnel counts groups.
        The bounds are exclusive, each a ``(client_time, seq)`` pair:
        ``after_t``, ``after_seq`` and ``before_t``, ``before_seq``, times in
        epoch microseconds.
        """
        conversions, params = self.funnel.conversions_sql(self.segment, self.bucket)
        unit = self.unit.column
        step, window = self.step, self.window_us
        window_end = f"least(start_t + {window}, epoch_us(CAST(? AS TIMESTAMPTZ)) + {window})"
        # One past the last microsecond of the window, with seq 0: every event at the window's end is before it.
        dropped_before = f"struct_pack(t := {window_end} + 1, seq := CAST(0 AS BIGINT))"
        bounds = (
            f"SELECT {unit}, reached >= {step} AS converted, {_latest_event(step - 1)} AS after_bound, "
            f"CASE WHEN reached >= {step} THEN {_latest_event(step)} ELSE {dropped_before} END AS before_bound "
            f"FROM ({conversions}) WHERE reached >= {step - 1}"
        )
        sql = (
            f"population AS (SELECT {unit}, converted, after_bound.t AS after_t, after_bound.seq AS after_seq, "
            f"before_bound.t AS before_t, before_bound.seq AS before_seq FROM ({bounds}))"
        )
        # The range end's mark comes before the conversions' marks in the text, so its value comes first.
        return sql, [self.buckets.range_end] + params

    def _between_cte(self) -> Fragment:
        """Return the CTE ``between``: the population's events in between that any candidate may use.

        Column ``value{i}`` is the value of the ``i``-th requested property on
        events of its event type, else NULL.
        """
        columns, params = ["event_type", f"{self.unit.column} AS unit_id", "converted"], []
        for index, (event, name) in enumerate(self.properties):
            text, property_params = property_sql(name)
            columns.append(f"CASE WHEN event_type = ? THEN {text} END AS value{index}")
            params += [event] + property_params
        paired, paired_params = self._paired_sql(self._candidate_types_sql())
        sql = f"between AS (SELECT {', '.join(columns)} FROM ({paired}) WHERE {_IN_BETWEEN})"
        return sql, params + paired_params

    def _hits_cte(self) -> Fragment:
        """Return the CTE ``hits``: one row per candidate and actor (or group) who did it."""
        branches = ["SELECT DISTINCT event_type AS event, CAST(NULL AS VARCHAR) AS property, "
                    "CAST(NULL AS VARCHAR) AS value, unit_id, converted FROM between"
                    + (f" WHERE event_type NOT IN ({_marks(self.step_events)})" if self.step_events else "")]
        params = list(self.step_events)
        for index, (event, name) in enumerate(self.properties):
            branches.append(
                f"SELECT DISTINCT CAST(? AS VARCHAR), CAST(? AS VARCHAR), value{index}, unit_id, converted "
                f"FROM between WHERE value{index} IS NOT NULL"
            )
            params += [event, name]
        return f"hits AS ({' UNION ALL '.join(branches)})", params

    def _paired_sql(self, condition: Fragment) -> Fragment:
        """Return the population's events that pass ``condition``, each with its unit's part and bounds.

        Counted by groups, an event is paired with each group of the
        population it names, so its rows carry ``group_id``, and the chart's
        cohort keeps only the events its steps could use.
        """
        sql, params = condition
        if not self.unit.counts_groups:
            return _PAIRED_SQL.format(sql), list(params)
        if self.cohort:
            cohort, cohort_params = cohort_sql(self.cohort)
            sql, params = f"({sql}) AND {cohort}", list(params) + cohort_params
        return _GROUP_PAIRED_SQL.format(sql), list(params)

    def _candidate_types_sql(self) -> Fragment:
        """Return the condition keeping the event types some candidate may use."""
        if not self.step_events:
            return "TRUE", []
        named = sorted({event for event, _ in self.properties})
        sql = f"event_type NOT IN ({_marks(self.step_events)})"
        if named:
            sql = f"({sql} OR event_type IN ({_marks(named)}))"
        return sql, self.step_events + named

    def _check_candidate(self, event: str, property: str | None, value: str | None, part: str) -> None:
        if part not in PARTS:
            raise DefinitionError(f"part: {part!r} is not one of {', '.join(PARTS)}.")
        if property is None and event in self.step_events:
            raise DefinitionError(f"event: {event!r} is a step of this funnel, so it is not a driver.")
        if property is not None and value is None:
            raise DefinitionError(f"value: a property driver needs the value of {property!r}.")


# Columns the population adds to each event. A group's event rows keep the population's ``group_id``.
_BOUND_COLUMNS = ("converted", "after_t", "after_seq", "before_t", "before_seq")
# The population's events, with their actor's group and bounds, among the events passing a condition ({}).
# OFFSET 0 stops DuckDB (2.0.1) from moving the bounds into the hash join's condition: on 10M events
# the join with them took about 3 times as long as the join on actor_id followed by a filter.
_PAIRED_SQL = (
    "SELECT events.* EXCLUDE (dedupe_key), population.* EXCLUDE (actor_id) FROM events "
    "JOIN population ON population.actor_id = events.actor_id WHERE {} OFFSET 0"
)
# The same for a population of groups: each event with every group of the population that it names.
_GROUP_PAIRED_SQL = (
    "SELECT events.* EXCLUDE (dedupe_key), population.* FROM events "
    "JOIN event_groups AS linked ON linked.seq = events.seq "
    "JOIN population ON population.group_id = linked.group_id WHERE {} OFFSET 0"
)
# An event of the paired relation strictly between its actor's bounds, in (client_time, seq) order.
_IN_BETWEEN = (
    "epoch_us(client_time) BETWEEN after_t AND before_t "
    "AND (epoch_us(client_time) > after_t OR seq > after_seq) "
    "AND (epoch_us(client_time) < before_t OR seq < before_seq)"
)


def _latest_event(last_step: int) -> str:
    """Return ``(t, seq)`` as a struct of the latest event a conversion used for steps 1 to ``last_step``.

    In this and exact order that is usually step ``last_step``'s own event. But
    events of equal ``client_time`` fill consecutive steps in either order, and
    in any order the steps may come in any order. Structs compare field by
    field, so ``greatest`` orders them by ``(t, seq)``.
    """
    events = [f"struct_pack(t := t{k}, seq := seq{k})" for k in range(1, last_step + 1)]
    return events[0] if len(events) == 1 else f"greatest({', '.join(events)})"


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))


def check_step(step: int, step_count: int) -> None:
    """Raise DefinitionError unless ``step`` is a step after the first of a funnel of ``step_count`` steps."""
    if not isinstance(step, int) or isinstance(step, bool) or not 2 <= step <= step_count:
        raise DefinitionError(
            f"step: {step!r} has no drivers. Drivers compare a step with the one before it, "
            f"so pick a step from 2 to {step_count}."
        )


def check_properties(properties) -> tuple[tuple[str, str], ...]:
    """Return ``properties`` as a tuple of ``(event, property)`` pairs, raising DefinitionError on a bad pair."""
    pairs = []
    for index, pair in enumerate(properties):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(x, str) and x for x in pair)):
            raise DefinitionError(f"properties[{index}]: {pair!r} is not an (event, property) pair of names.")
        pairs.append((pair[0], pair[1]))
    return tuple(dict.fromkeys(pairs))
