"""The SQL of a funnel: each actor's conversion, from which step counts and actor lists both come.

A *conversion* starts at one step-1 event in the chart's range. For each later
step in turn, it takes the actor's earliest unused event of that step at or
after the previous step's time, at most one window after the start. Events
are ordered by ``(client_time, seq)``; windows are measured on ``client_time``.
Taking the earliest event at every step reaches the most steps a start can
reach, so each start needs one join per step. In ``exact`` order the event of
each step must be the actor's next event after the previous step's.

Each actor then keeps one conversion, the one reaching the most steps, ties
broken by the earliest start. The ``conversions`` relation contains that row per
actor, with ``reached`` (steps reached) and each step's ``t{k}`` (epoch
microseconds of ``client_time``). The chart counts it and the microscope filters
it, so a step's count equals the length of its actor list.
"""

from __future__ import annotations

from tui.analytics.buckets import Buckets
from tui.analytics.definition import ANY_EVENT, ChartDefinition, DefinitionError, EventSpec
from tui.analytics.filters import Fragment, cohort_sql, conjunction, event_type_sql, where_sql

SUPPORTED_ORDERS = ("this", "exact")

# More than any event's seq can reach (2**48, about 2.8e14 events). Times in
# microseconds times this stay far inside the HUGEINT range.
SEQ_SPAN = 2**48

# Every event of the actors who did step 1, numbered in event order. "No other
# event between steps" in exact order counts events of any type, ignoring the
# chart's where items.
# NOTE: events of equal client_time take the order of seq here, not either order.
POSITIONS_SQL = (
    "SELECT seq, row_number() OVER (PARTITION BY actor_id ORDER BY client_time, seq) AS pos "
    "FROM events WHERE actor_id IN (SELECT actor_id FROM step1)"
)


class FunnelQuery:
    """SQL builder for the conversions of one funnel chart over its range."""

    def __init__(self, definition: ChartDefinition, buckets: Buckets):
        check_supported(definition)
        self.definition = definition
        self.buckets = buckets
        self.step_count = len(definition.steps)
        # Whole microseconds, so a step exactly one window after the start is inside it.
        self.window_us = round(definition.window_seconds * 1_000_000)

    # Relations --------------------------------------------------------------

    def conversions_sql(self) -> Fragment:
        """Return one row per actor who did step 1 in the range: ``actor_id``, ``reached``, ``t1`` to ``tK``."""
        ctes, params = self._step_ctes()
        chains = self._chain_ctes()
        reached = self._reached_sql()
        times = ", ".join(f"t{k}, seq{k}" for k in range(1, self.step_count + 1))
        sql = (
            f"WITH {', '.join(ctes + chains)}, "
            f"scored AS (SELECT actor_id, start_t, start_seq, {times}, {reached} AS reached "
            f"FROM chain{self.step_count} AS scored_chain) "
            f"SELECT actor_id, reached, {times} FROM scored "
            "QUALIFY row_number() OVER (PARTITION BY actor_id ORDER BY reached DESC, start_t, start_seq) = 1"
        )
        return sql, params

    def counts_sql(self) -> Fragment:
        """Return one row of ``converted{k}``, ``median{k}`` and ``average{k}`` (seconds) for every step."""
        conversions, params = self.conversions_sql()
        columns = ["count(*) AS converted1"]
        for k in range(2, self.step_count + 1):
            seconds = f"(t{k} - t{k - 1}) / 1e6"
            columns += [
                f"coalesce(count_if(reached >= {k}), 0) AS converted{k}",
                f"median({seconds}) FILTER (WHERE reached >= {k}) AS median{k}",
                f"avg({seconds}) FILTER (WHERE reached >= {k}) AS average{k}",
            ]
        return f"SELECT {', '.join(columns)} FROM ({conversions})", params

    def step_actors_sql(self, step: int, dropped: bool) -> Fragment:
        """Return the ``actor_id`` of each actor who reached ``step`` (or, if ``dropped``, stopped just before it)."""
        if not 1 <= step <= self.step_count:
            raise DefinitionError(f"step: no step {step}. This funnel has steps 1 to {self.step_count}.")
        conversions, params = self.conversions_sql()
        condition = f"reached = {step - 1}" if dropped else f"reached >= {step}"
        return f"SELECT actor_id FROM ({conversions}) WHERE {condition} ORDER BY actor_id", params

    # Steps ------------------------------------------------------------------

    def _step_ctes(self) -> tuple[list[str], list]:
        """Return one CTE per step (``step{k}``: ``actor_id``, ``t``, ``seq``) and one per exclusion."""
        ctes, params = [], []
        start_sql, start_params = self._events_sql(self.definition.steps[0], in_range=True)
        ctes.append(f"step1 AS ({start_sql})")
        params += start_params
        if self.definition.order == "exact":
            ctes.append(f"positions AS ({POSITIONS_SQL})")
        for k in range(2, self.step_count + 1):
            sql, step_params = self._events_sql(self.definition.steps[k - 1], in_range=False)
            ctes.append(f"step{k} AS ({sql})")
            params += step_params
        for index, exclusion in enumerate(self.definition.exclude):
            sql, exclusion_params = self._events_sql(exclusion.event, in_range=False)
            ctes.append(f"excluded{index} AS ({sql})")
            params += exclusion_params
        return ctes, params

    def _events_sql(self, step: EventSpec, in_range: bool) -> Fragment:
        """Return the events of one step (or exclusion) that may belong to a conversion."""
        parts = [event_type_sql(step.event), where_sql(step.where), where_sql(self.definition.where)]
        if self.definition.cohort:
            parts.append(cohort_sql(self.definition.cohort))
        if in_range:
            # The range, on the server time that decides buckets, selects the events that start a conversion.
            parts.append(("event_time >= ? AND event_time < ?", [self.buckets.range_start, self.buckets.range_end]))
        else:
            # Only actors who started a conversion matter for the later steps.
            parts.append(("actor_id IN (SELECT actor_id FROM step1)", []))
        predicate, params = conjunction(parts)
        return f"SELECT actor_id, epoch_us(client_time) AS t, seq FROM events WHERE {predicate}", params

    # Chains -----------------------------------------------------------------

    def _chain_ctes(self) -> list[str]:
        """Return the CTEs ``chain1`` to ``chainK``: each start with the events it took for steps 1 to k."""
        ctes = [
            "chain1 AS (SELECT actor_id, t AS start_t, seq AS start_seq, t AS t1, seq AS seq1, pos AS pos1, "
            f"[seq] AS used FROM {self._step_relation(1)} AS step)"
        ]
        for k in range(2, self.step_count + 1):
            ctes.append(f"chain{k} AS ({self._next_step_sql(k)})")
        return ctes

    def _next_step_sql(self, k: int) -> str:
        """Return the SQL extending every chain with the earliest fitting event of step ``k``."""
        earlier_steps = ", ".join(f"chain.t{j}, chain.seq{j}, chain.pos{j}" for j in range(1, k))
        if self.definition.order == "this" and not self._may_reuse(k):
            return self._next_step_asof_sql(k, earlier_steps)
        key = "(step.t, step.seq)"
        # A range join: every start meets every step-k event of its actor in its window.
        return (
            f"SELECT chain.actor_id, chain.start_t, chain.start_seq, {earlier_steps}, "
            f"arg_min(step.t, {key}) AS t{k}, arg_min(step.seq, {key}) AS seq{k}, arg_min(step.pos, {key}) AS pos{k}, "
            f"CASE WHEN seq{k} IS NULL THEN chain.used ELSE list_append(chain.used, seq{k}) END AS used "
            f"FROM chain{k - 1} AS chain LEFT JOIN {self._step_relation(k)} AS step "
            f"ON step.actor_id = chain.actor_id AND step.t <= chain.start_t + {self.window_us} "
            f"AND {self._follows_sql(k)} "
            f"GROUP BY chain.actor_id, chain.start_t, chain.start_seq, {earlier_steps}, chain.used"
        )

    def _next_step_asof_sql(self, k: int, earlier_steps: str) -> str:
        """Return the SQL of ``_next_step_sql`` as an ASOF join, for a step whose events no earlier step took.

        The join finds the first step-``k`` event at or after the start of
        the previous step's ``client_time``, ordered by ``event_key``, in
        O(n log n) rather than the range join's starts times events per actor.
        """
        inside = f"step.t <= chain.start_t + {self.window_us}"
        return (
            f"SELECT chain.actor_id, chain.start_t, chain.start_seq, {earlier_steps}, "
            f"CASE WHEN {inside} THEN step.t END AS t{k}, CASE WHEN {inside} THEN step.seq END AS seq{k}, "
            f"CAST(NULL AS BIGINT) AS pos{k}, "
            f"CASE WHEN {inside} THEN list_append(chain.used, step.seq) ELSE chain.used END AS used "
            f"FROM chain{k - 1} AS chain ASOF LEFT JOIN "
            f"(SELECT step{k}.*, {_event_key('t', 'seq')} AS event_key FROM step{k}) AS step "
            f"ON step.actor_id = chain.actor_id AND {_event_key(f'chain.t{k - 1}', '0')} <= step.event_key"
        )

    def _may_reuse(self, k: int) -> bool:
        """Return whether an event taken by an earlier step may also match step ``k``."""
        event = self.definition.steps[k - 1].event
        earlier = {step.event for step in self.definition.steps[: k - 1]}
        return event == ANY_EVENT or ANY_EVENT in earlier or event in earlier

    def _follows_sql(self, k: int) -> str:
        """Return the condition for a step-``k`` event to follow the chain's step ``k - 1``.

        In ``this`` order the event may share the previous step's ``client_time``
        with a lower ``seq``, because events of equal time satisfy consecutive
        steps in either order, and ``used`` keeps one event from filling two
        steps. In ``exact`` order it must be the actor's next event.
        """
        if self.definition.order == "exact":
            return f"step.pos = chain.pos{k - 1} + 1"
        return f"step.t >= chain.t{k - 1} AND NOT list_contains(chain.used, step.seq)"

    def _step_relation(self, k: int) -> str:
        """Return the relation of step ``k``'s events with ``pos``, their place in the actor's events (exact order only)."""
        if self.definition.order == "exact":
            return f"(SELECT step{k}.*, positions.pos FROM step{k} JOIN positions USING (seq))"
        return f"(SELECT step{k}.*, CAST(NULL AS BIGINT) AS pos FROM step{k})"

    def _reached_sql(self) -> str:
        """Return the number of steps a chain reached, cut short by the exclusions it breaks."""
        reached = " + ".join(f"(t{k} IS NOT NULL)::INTEGER" for k in range(1, self.step_count + 1))
        for index, exclusion in enumerate(self.definition.exclude):
            first, second = exclusion.between
            # An excluded event strictly between the two steps' events, in event order, drops the actor at `second`.
            between = (
                f"EXISTS (SELECT 1 FROM excluded{index} AS excluded WHERE excluded.actor_id = scored_chain.actor_id "
                f"AND (excluded.t, excluded.seq) > (t{first}, seq{first}) "
                f"AND (excluded.t, excluded.seq) < (t{second}, seq{second}))"
            )
            reached = f"CASE WHEN t{second} IS NOT NULL AND {between} THEN least({reached}, {second - 1}) ELSE {reached} END"
        return reached


def _event_key(time: str, seq: str) -> str:
    """Return one HUGEINT that sorts events by ``(client_time, seq)``: microseconds shifted past any ``seq``."""
    return f"(CAST({time} AS HUGEINT) * {SEQ_SPAN} + {seq})"


def check_supported(definition: ChartDefinition) -> None:
    """Raise DefinitionError for a funnel this module cannot count yet."""
    if definition.type != "funnel":
        raise DefinitionError(f"type: this is a {definition.type} chart, not a funnel.")
    if definition.order not in SUPPORTED_ORDERS:
        # TODO: 'any' order.
        raise DefinitionError(f"order: {definition.order!r} is not supported yet. Use 'this' or 'exact'.")
    if definition.count_by:
        # TODO: count groups instead of actors.
        raise DefinitionError(f"count_by: {definition.count_by!r}: counting groups is not supported yet.")
    if definition.group_by:
        # TODO: one funnel per segment.
        raise DefinitionError(f"group_by: {definition.group_by!r}: grouping a funnel is not supported yet.")
