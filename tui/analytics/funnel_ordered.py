"""Conversions of a funnel in ``this`` or ``exact`` order, as SQL CTEs ending in ``kept``.

A *conversion* starts at one step-1 event in the chart's range. For each later
step in turn, it takes the actor's earliest unused event of that step at or
after the previous step's time, at most one window after the start. Events
are ordered by ``(client_time, seq)``; windows are measured on ``client_time``.
Taking the earliest event at every step reaches the most steps a start can
reach, so each start needs one join per step. In ``exact`` order the event of
each step must be the actor's next event after the previous step's, so a
start has one chain, which ``funnel_exact`` reads off the events that follow it.

A later step with other filters or another event type (or ``*``) may match
some of a step's events. The earliest time is still right then, but the
later step may need one of the events at that time. So the chain branches
into one row per distinct set of later steps its candidates match, and the
best branch wins.

An excluded event strictly between the events of the two steps an exclusion
names, in event order, cuts the conversion short at the later step. Each
actor then keeps one conversion, the one reaching the most steps, ties broken
by the earliest start.

"Actor" here stands for the unit the funnel counts, ``unit_id`` in the SQL:
the actor, or the group with ``count_by``. A group's events are the events
of any member that name it, so member A may do step 1 and member B step 2.
"""

from __future__ import annotations

from tui.analytics.buckets import Buckets
from tui.analytics.counted_unit import counted_unit
from tui.analytics.definition import ANY_EVENT, ChartDefinition
from tui.analytics.funnel_exact import exact_chain_ctes
from tui.analytics.funnel_steps import (
    after_starts_sql,
    in_range,
    in_window_buckets_sql,
    step_events_sql,
    window_buckets_sql,
    window_us,
)

# The maximum window for which chains start only at ``near_starts``. It was
# measured on the funnel bench's generated data (10M events, DuckDB 2.0.1, two
# threads, a 1-minute load average near 8). There that plan took about 25% less
# CPU time than ranking every start with a 1-day window, and about 10% less with
# 3 days. It took 15% more with 7 days and 55% more with 30 days, because nearly
# every start is then near a step-2 event.
# NOTE: the break-even depends on how often actors do step 2, so this bound is
# an estimate from one data set.
NEAR_STARTS_MAX_WINDOW_US = 86_400_000_000


class OrderedConversions:
    """SQL builder of the kept conversion per actor for a funnel in ``this`` or ``exact`` order."""

    def __init__(self, definition: ChartDefinition, buckets: Buckets):
        self.definition = definition
        self.buckets = buckets
        self.step_count = len(definition.steps)
        self.window_us = window_us(definition)
        self.unit = counted_unit(definition)
        # Only a range join in ``this`` order can meet an event a chain already used.
        self.tracks_used = definition.order == "this" and any(self._overlaps(k) for k in range(2, self.step_count + 1))

    def kept_ctes(self) -> tuple[list[str], list]:
        """Return the CTEs whose last, ``kept``, contains one row per actor (see ``FunnelQuery.kept_sql``)."""
        ctes, params = self._step_ctes()
        if self.definition.order == "exact":
            chain_ctes, chain_params = exact_chain_ctes(self.definition, self._starts(), self.window_us)
            ctes += chain_ctes
            params += chain_params
        else:
            ctes += self._chain_ctes()
        times = ", ".join(f"t{k}, seq{k}" for k in range(1, self.step_count + 1))
        ctes.append(
            f"scored AS (SELECT unit_id, start_t, start_seq, start_time, {times}, {self._reached_sql()} AS reached "
            f"FROM chain{self.step_count} AS scored_chain)"
        )
        if self._skips_far_starts():
            ctes += self._kept_from_near_starts_ctes()
        else:
            ctes.append(f"kept AS ({self._kept_sql(times)})")
        return ctes, params

    def _kept_sql(self, times: str, condition: str = "TRUE") -> str:
        """Return the SQL keeping each actor's chain that reaches the most steps, ties broken by the earliest start.

        Only the chains that pass ``condition`` compete.
        """
        order = "reached DESC, start_t, start_seq"
        if self._branches():
            # Branches of one start tie on start_t, and the one with the earliest events wins.
            order += ", " + ", ".join(f"t{k}, seq{k}" for k in range(2, self.step_count + 1))
        return (
            f"SELECT unit_id, reached, start_t, start_seq, start_time, {times} FROM scored WHERE {condition} "
            f"QUALIFY row_number() OVER (PARTITION BY unit_id ORDER BY {order}) = 1"
        )

    def _kept_from_near_starts_ctes(self) -> list[str]:
        """Return ``best``, ``first_start`` and ``kept`` for chains built from ``near_starts`` only.

        An actor whose chains all stop at step 1 keeps its earliest start,
        so only the few chains past step 1 need the ranking by ``reached``.
        The earliest start comes from a grouping of ``step1``, because most
        starts have no chain. Its chain row, if it has one, supplies the later
        steps' events, which an exclusion may leave past ``reached``.
        """
        times = ", ".join(f"t{k}, seq{k}" for k in range(1, self.step_count + 1))
        later = ", ".join(f"scored.t{k}, scored.seq{k}" for k in range(2, self.step_count + 1))
        # The key orders starts by (t, seq) for any sign of seq, because t fills the high 64 bits and seq, shifted into [0, 2**64), the low ones.
        key = "(t::HUGEINT << 64) + seq + 9223372036854775808"
        first_start = (
            "SELECT unit_id, min(t) AS t, arg_min(seq, start_key) AS seq, arg_min(event_time, start_key) AS event_time "
            f"FROM (SELECT *, {key} AS start_key FROM step1) GROUP BY unit_id"
        )
        kept = (
            "SELECT * FROM best UNION ALL "
            "SELECT first_start.unit_id, coalesce(scored.reached, 1), first_start.t, first_start.seq, first_start.event_time, "
            f"first_start.t, first_start.seq, {later} FROM first_start ANTI JOIN best USING (unit_id) "
            "LEFT JOIN scored ON scored.unit_id = first_start.unit_id AND scored.start_seq = first_start.seq"
        )
        return [f"best AS ({self._kept_sql(times, 'reached >= 2')})", f"first_start AS ({first_start})", f"kept AS ({kept})"]

    # Steps ------------------------------------------------------------------

    def _step_ctes(self) -> tuple[list[str], list]:
        """Return one CTE per step (``step{k}``), one per exclusion (``excluded{i}``), and ``marks`` when chains branch."""
        start_sql, start_params = step_events_sql(self.definition, self.definition.steps[0], in_range(self.buckets))
        ctes, params = [f"step1 AS ({start_sql})"], list(start_params)
        # Later steps and exclusions need only the times a conversion can reach, and the actors who started one.
        reachable = after_starts_sql(self.window_us)
        started = (f"{self.unit.key} IN (SELECT unit_id FROM step1) AND {reachable}", [])
        if self._joins_by_range():
            # A range join (or exact order's next event) meets only the events one window after some start.
            ctes.append(f"start_buckets AS ({window_buckets_sql('step1', self.window_us)})")
        later_ctes, later_params = self._later_step_ctes(reachable)
        ctes += later_ctes
        params += later_params
        if self._skips_far_starts():
            near_ctes = self._near_ctes()
            # Exact order finds step 2 as the next event of the chain, so it needs no ``near_step2``.
            ctes += near_ctes[:1] if self.definition.order == "exact" else near_ctes

        for index, exclusion in enumerate(self.definition.exclude):
            sql, exclusion_params = step_events_sql(self.definition, exclusion.event, started)
            ctes.append(f"excluded{index} AS ({sql})")
            params += exclusion_params
        if self._branches():
            # Bit k-1 of mask is set when the event matches step k.
            tagged = " UNION ALL ".join(f"SELECT *, {1 << (k - 1)} AS mask FROM step{k}" for k in range(1, self.step_count + 1))
            ctes.append(
                "marks AS (SELECT unit_id, t, seq, any_value(event_time) AS event_time, bit_or(mask) AS mask "
                f"FROM ({tagged}) GROUP BY unit_id, t, seq)"
            )
        return ctes, params

    def _near_ctes(self) -> list[str]:
        """Return the CTEs ``near_starts`` and ``near_step2``, the step-1 and step-2 events that may pair up in one window.

        Time is cut into buckets one window wide, so a step-2 event at most
        one window after a start lies in the start's bucket or the next one.
        Two hash semi-joins on (actor, bucket) keep the starts with a step-2
        event in either bucket and the step-2 events with a start in their
        bucket or the one before. A start left out has no step-2 event in its
        window, so its chain stops at step 1.
        """
        bucket = f"t // {max(self.window_us, 1)}"
        return [
            f"near_starts AS (SELECT step1.* FROM step1 SEMI JOIN (SELECT unit_id, {bucket} AS bucket FROM step2 "
            f"UNION ALL SELECT unit_id, {bucket} - 1 FROM step2) AS near "
            f"ON near.unit_id = step1.unit_id AND near.bucket = step1.{bucket})",
            f"near_step2 AS (SELECT step2.* FROM step2 SEMI JOIN (SELECT unit_id, {bucket} AS bucket FROM near_starts "
            f"UNION ALL SELECT unit_id, {bucket} + 1 FROM near_starts) AS near "
            f"ON near.unit_id = step2.unit_id AND near.bucket = step2.{bucket})",
        ]

    def _later_step_ctes(self, reachable: str) -> tuple[list[str], list]:
        """Return ``step{k}`` for steps 2 to K, each followed by ``earliest{k}`` when an ASOF join finds the step (k > 2).

        Exact order reads steps 3 to K off ``exact_next``, so it returns ``step2`` alone, and only for ``near_starts``.
        """
        ctes, params = [], []
        in_windows = (f"{reachable} AND {in_window_buckets_sql(self.unit, 'start_buckets', self.window_us)}", [])
        for k in range(2, self.step_count + 1):
            if self.definition.order == "exact" and (k > 2 or not self._skips_far_starts()):
                continue
            # The ASOF join (or step 2's window) partitions by actor itself, so a semi-join on actors would only cost time there.
            restriction = (reachable, []) if self._asof_at(k) else in_windows
            sql, step_params = step_events_sql(self.definition, self.definition.steps[k - 1], restriction)
            ctes.append(f"step{k} AS ({sql})")
            params += step_params
            if self._asof_at(k) and k > 2:
                # The ASOF join takes the lowest seq among the step's events at the earliest fitting time.
                ctes.append(f"earliest{k} AS (SELECT unit_id, t, min(seq) AS seq FROM step{k} GROUP BY unit_id, t)")
        return ctes, params

    # Chains -----------------------------------------------------------------

    def _chain_ctes(self) -> list[str]:
        """Return the CTEs ``chain1`` to ``chainK``: each start with the events it took for steps 1 to k."""
        ctes = [f"chain1 AS ({self._chain1_sql(self._step_relation(1))})"]
        for k in range(2, self.step_count + 1):
            ctes.append(f"chain{k} AS ({self._next_step_sql(k)})")
        return ctes

    def _chain1_sql(self, relation: str, extra: str = "") -> str:
        """Return the SQL of ``chain1`` on step 1's events in ``relation``, with its ``extra`` columns."""
        return (
            "SELECT unit_id, t AS start_t, seq AS start_seq, event_time AS start_time, "
            f"t AS t1, seq AS seq1, pos AS pos1{self._used_sql('[seq]')}{extra} FROM {relation} AS step"
        )

    def _next_step_sql(self, k: int) -> str:
        """Return the SQL extending every chain with the earliest fitting event of step ``k``."""
        earlier_steps = ", ".join(f"chain.t{j}, chain.seq{j}, chain.pos{j}" for j in range(1, k))
        if self._asof_at(k):
            return self._next_step_asof_sql(k, earlier_steps)
        if self._branches_at(k):
            return self._next_step_branches_sql(k, earlier_steps)
        key = "(step.t, step.seq)"
        # A range join: every start meets every step-k event of its actor in its window.
        return (
            f"SELECT chain.unit_id, chain.start_t, chain.start_seq, chain.start_time, {earlier_steps}, "
            f"arg_min(step.t, {key}) AS t{k}, arg_min(step.seq, {key}) AS seq{k}, arg_min(step.pos, {key}) AS pos{k}"
            f"{self._used_sql(f'CASE WHEN seq{k} IS NULL THEN chain.used ELSE list_append(chain.used, seq{k}) END')} "
            f"FROM chain{k - 1} AS chain LEFT JOIN {self._step_relation(k)} AS step "
            f"ON {self._fits_sql(k)} "
            f"GROUP BY chain.unit_id, chain.start_t, chain.start_seq, chain.start_time, {earlier_steps}"
            f"{self._used_sql('chain.used', named=False)}"
        )

    def _next_step_branches_sql(self, k: int, earlier_steps: str) -> str:
        """Return the SQL of ``_next_step_sql`` for a step whose events may also match a different later step.

        A chain gets one row per distinct ``later`` among the step's unused
        events at the earliest fitting time (the one with the lowest ``seq``
        for each), or one row with NULLs when none fits.
        """
        branch = "chain.unit_id, chain.start_seq, chain.used"
        return (
            f"SELECT chain.unit_id, chain.start_t, chain.start_seq, chain.start_time, {earlier_steps}, "
            f"step.t AS t{k}, step.seq AS seq{k}, step.pos AS pos{k}, "
            "CASE WHEN step.seq IS NULL THEN chain.used ELSE list_append(chain.used, step.seq) END AS used "
            f"FROM chain{k - 1} AS chain LEFT JOIN {self._step_relation(k)} AS step ON {self._fits_sql(k)} "
            f"QUALIFY step.seq IS NULL OR (step.t = min(step.t) OVER (PARTITION BY {branch}) "
            f"AND row_number() OVER (PARTITION BY {branch}, step.t, step.later ORDER BY step.seq) = 1)"
        )

    def _fits_sql(self, k: int) -> str:
        """Return the join condition of a chain and a step-``k`` event of its actor that fits in its window."""
        return (
            f"step.unit_id = chain.unit_id AND step.t <= chain.start_t + {self.window_us} "
            f"AND {self._follows_sql(k)}"
        )

    def _next_step_asof_sql(self, k: int, earlier_steps: str) -> str:
        """Return the SQL of ``_next_step_sql`` for a step that shares no events with another step.

        An ASOF join (a window for step 2, see ``_next_step2_sql``) finds the
        step's earliest event at or after the previous step's ``client_time``,
        in O(n log n) rather than the range join's starts times events per
        actor. Chains that already stopped skip the join.
        """
        if k == 2:
            source, found_t, found_seq = f"({self._next_step2_sql()}) AS chain", "chain.next_t", "chain.next_seq"
        else:
            source = (
                f"(SELECT * FROM chain{k - 1} WHERE t{k - 1} IS NOT NULL) AS chain ASOF LEFT JOIN earliest{k} AS step "
                f"ON step.unit_id = chain.unit_id AND chain.t{k - 1} <= step.t"
            )
            found_t, found_seq = "step.t", "step.seq"
        inside = f"{found_t} <= chain.start_t + {self.window_us}"
        used = f"CASE WHEN {inside} THEN list_append(chain.used, {found_seq}) ELSE chain.used END"
        sql = (
            f"SELECT chain.unit_id, chain.start_t, chain.start_seq, chain.start_time, {earlier_steps}, "
            f"CASE WHEN {inside} THEN {found_t} END AS t{k}, CASE WHEN {inside} THEN {found_seq} END AS seq{k}, "
            f"CAST(NULL AS BIGINT) AS pos{k}{self._used_sql(used)} FROM {source}"
        )
        if k == 2:
            # Every chain has a step-1 event, so only later steps can find stopped chains.
            return sql
        return (
            f"{sql} UNION ALL SELECT chain.unit_id, chain.start_t, chain.start_seq, chain.start_time, {earlier_steps}, "
            f"NULL, NULL, NULL{self._used_sql('chain.used')} FROM chain{k - 1} AS chain WHERE chain.t{k - 1} IS NULL"
        )

    def _next_step2_sql(self) -> str:
        """Return ``chain1`` with ``next_t`` and ``next_seq``: the actor's first step-2 event at or after each start.

        One window over the actor's step-1 and step-2 events, ordered by
        ``(t, kind, seq)``, finds it: a start sorts before the step-2 events of
        its own time, which may follow it, and the first of those has the
        lowest ``seq``. It skips grouping step 2's events by time, and in
        the 10M-event funnel bench on two threads (DuckDB 2.0.1) it ran about
        5% faster than an ASOF join on such an ``earliest2``.
        """
        found = "first_value(CASE WHEN kind = 2 THEN {} END IGNORE NULLS) OVER following"
        starts, step2 = ("near_starts", "near_step2") if self._skips_far_starts() else ("step1", "step2")
        events = (
            f"SELECT *, {found.format('t')} AS next_t, {found.format('seq')} AS next_seq "
            f"FROM (SELECT unit_id, t, seq, event_time, 1 AS kind FROM {starts} "
            f"UNION ALL SELECT unit_id, t, seq, NULL, 2 FROM {step2}) "
            "WINDOW following AS (PARTITION BY unit_id ORDER BY t, kind, seq ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) "
            "QUALIFY kind = 1"
        )
        return self._chain1_sql(f"(SELECT *, CAST(NULL AS BIGINT) AS pos FROM ({events}))", ", next_t, next_seq")

    def _starts(self) -> str:
        """Return the name of the relation of step-1 events that chains start at."""
        return "near_starts" if self._skips_far_starts() else "step1"

    def _joins_by_range(self) -> bool:
        """Return whether some later step is found by a range join, or by the next event in exact order."""
        return any(not self._asof_at(k) for k in range(2, self.step_count + 1))

    def _skips_far_starts(self) -> bool:
        """Return whether chains start only at ``near_starts``.

        In ``this`` order that needs step 2 found by the window pass and one
        chain row per start, so no branches. It pays only for short windows,
        because the two semi-joins cost more than they save when most starts
        are near a step-2 event. In ``exact`` order it needs a step 2 other
        than ``*``, whose events would be every event.
        """
        if self.definition.order == "exact":
            return self.definition.steps[1].event != ANY_EVENT
        if self.window_us > NEAR_STARTS_MAX_WINDOW_US or self.step_count < 2:
            return False
        return self._asof_at(2) and not self._branches()

    def _asof_at(self, k: int) -> bool:
        """Return whether step ``k`` is found by an ASOF join: in ``this`` order, when no other step may match its events."""
        return self.definition.order == "this" and not self._overlaps(k)

    def _used_sql(self, expression: str, named: bool = True) -> str:
        """Return ``, expression AS used`` when chains track their used events, else nothing."""
        if not self.tracks_used:
            return ""
        return f", {expression} AS used" if named else f", {expression}"

    def _overlaps(self, k: int) -> bool:
        """Return whether an event of step ``k`` may also match another step."""
        event = self.definition.steps[k - 1].event
        others = {step.event for index, step in enumerate(self.definition.steps) if index != k - 1}
        return event == ANY_EVENT or ANY_EVENT in others or event in others

    def _branches_at(self, k: int) -> bool:
        """Return whether step ``k``'s choice among events of equal time may matter to a later step.

        It may when a later step with other filters or another event type
        may match some of step ``k``'s events. In ``exact`` order each step
        has one candidate, so nothing branches.
        """
        if self.definition.order != "this" or k == 1:
            return False
        step = self.definition.steps[k - 1]
        return any(
            later != step and (later.event == step.event or ANY_EVENT in (later.event, step.event))
            for later in self.definition.steps[k:]
        )

    def _branches(self) -> bool:
        return any(self._branches_at(k) for k in range(2, self.step_count + 1))

    def _follows_sql(self, k: int) -> str:
        """Return the condition for a step-``k`` event to follow the chain's step ``k - 1`` in ``this`` order.

        The event may share the previous step's ``client_time`` with a lower
        ``seq``, because events of equal time satisfy consecutive steps in
        either order, and ``used`` keeps one event from filling two steps.
        """
        return f"step.t >= chain.t{k - 1} AND NOT list_contains(chain.used, step.seq)"

    def _step_relation(self, k: int) -> str:
        """Return step ``k``'s events with ``pos`` and ``later``, for ``this`` order.

        ``pos`` is always NULL. ``later`` has bit j-k-1 set when the event also
        matches a later step j (steps that may share events only).
        """
        if self._branches_at(k):
            return (
                f"(SELECT unit_id, t, seq, event_time, CAST(NULL AS BIGINT) AS pos, mask >> {k} AS later "
                f"FROM marks WHERE (mask & {1 << (k - 1)}) <> 0)"
            )
        return f"(SELECT step{k}.*, CAST(NULL AS BIGINT) AS pos, 0 AS later FROM step{k})"

    def _reached_sql(self) -> str:
        """Return the number of steps a chain reached, cut short by the exclusions it breaks."""
        reached = " + ".join(f"(t{k} IS NOT NULL)::INTEGER" for k in range(1, self.step_count + 1))
        for index, exclusion in enumerate(self.definition.exclude):
            first, second = exclusion.between
            # An excluded event strictly between the two steps' events, in event order, drops the actor at `second`.
            between = (
                f"EXISTS (SELECT 1 FROM excluded{index} AS excluded WHERE excluded.unit_id = scored_chain.unit_id "
                f"AND (excluded.t, excluded.seq) > (t{first}, seq{first}) "
                f"AND (excluded.t, excluded.seq) < (t{second}, seq{second}))"
            )
            reached = f"CASE WHEN t{second} IS NOT NULL AND {between} THEN least({reached}, {second - 1}) ELSE {reached} END"
        return reached
