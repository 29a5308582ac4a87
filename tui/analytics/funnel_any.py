"""Conversions of a funnel in ``any`` order, as SQL CTEs ending in ``kept``.

A conversion *window* starts at an event that matches one of the funnel's
steps and whose ``event_time`` is in the chart's range. It covers the actor's
events with ``client_time`` from the start's up to one window later, both
edges included. Events of the window's first instant count whatever their
``seq``, because events with equal times may fill steps in either order.

A window *reaches* K steps when steps 1 to K can each take a distinct event
inside it. One event never fills two steps, also when two steps name the same
event type or ``*``. The start event must also be able to fill one of those
steps, so a conversion begins with the event that opened its window. Each
actor keeps the window that reaches the most steps, ties broken by the
earliest start ``(client_time, seq)``, and counts for steps 1 to K of it.

Step events may share events, so reaching K steps is a matching problem. By
Hall's theorem, steps 1 to K can take distinct events exactly when every
subset S of them matches at least |S| events of the window. Two steps
*overlap* when they may match one event (same event type, or ``*``). Only
*connected* subsets need checking, those whose steps are linked by a path of
overlapping pairs within the subset. Any other subset splits into parts that
match disjoint events, and their conditions imply its own. Each window counts,
per subset, the events matching it with one window function, so counting
stays set-based and O(n log n) per subset.

An exclusion has no "between" in this order: an excluded event anywhere in a
window cuts that window at the later step the exclusion names (``between:
[1, 3]`` leaves it at most 2 steps). This includes excluded events after the
steps' events and events that also match a step.

``t{k}``/``seq{k}`` name the events the kept window uses. Step 1 takes the
earliest event of the window that still lets steps 2 to K take distinct
events. Step 2 takes the earliest of the rest that lets steps 3 to K do so,
and so on. One of the events always lies at the window's start time.

"Actor" here stands for the unit the funnel counts, ``unit_id`` in the SQL:
the actor, or the group with ``count_by``, whose events are the events of
any member that name it.
"""

from __future__ import annotations

from itertools import combinations

from tui.analytics.buckets import Buckets
from tui.analytics.counted_unit import counted_unit
from tui.analytics.definition import ANY_EVENT, ChartDefinition
from tui.analytics.filters import Fragment
from tui.analytics.funnel_any_near import best_with_first_starts_ctes, in_candidate_bucket_sql, near_marks_ctes
from tui.analytics.funnel_steps import bits_sql, in_range, step_predicate, window_us


class AnyOrderConversions:
    """SQL builder of the kept conversion window per actor for a funnel in ``any`` order."""

    def __init__(self, definition: ChartDefinition, buckets: Buckets):
        self.definition = definition
        self.buckets = buckets
        self.step_count = len(definition.steps)
        self.window_us = window_us(definition)
        self.unit = counted_unit(definition)
        self.subsets = hall_subsets([step.event for step in definition.steps])
        # Steps that may share an event need Hall's condition when steps are matched to events.
        self.overlapping = len(self.subsets) > self.step_count
        # Bits of the ``*`` steps without where items. Every event in ``marks`` passes the chart's
        # where items and cohort, as every step and exclusion requires them, so it matches such a step.
        self.every_event_steps = sum(
            1 << index for index, step in enumerate(definition.steps) if step.event == ANY_EVENT and not step.where
        )

    def kept_ctes(self) -> tuple[list[str], list]:
        """Return the CTEs whose last, ``kept``, contains one row per actor (see ``FunnelQuery.kept_sql``)."""
        ctes, params = self._event_ctes()
        # The range selects the window starts after the window functions ran, so later events still count.
        range_sql, range_params = self.buckets.range_sql("start_time")
        windows, candidates = "marks", ""
        if self._skips_far_windows():
            ctes += near_marks_ctes(self.window_us)
            windows, candidates = "near_marks", f" AND {in_candidate_bucket_sql(self.window_us)}"
        ctes += [
            f"windows AS ({self._windows_sql(windows)})",
            f"capped AS (SELECT unit_id, start_t, start_seq, start_time, start_mask, {self._capped_sql()} AS capped "
            f"FROM windows WHERE start_mask <> 0 AND {range_sql}{candidates})",
        ]
        params += range_params
        if self._skips_far_windows():
            best_ctes, best_params = best_with_first_starts_ctes(self._best_sql(2), in_range(self.buckets))
            ctes += best_ctes
            params += best_params
        else:
            ctes.append(f"best AS ({self._best_sql(1)})")
        ctes.append(f"window_events AS ({self._window_events_sql()})")
        if self.overlapping:
            ctes.append(f"hall AS ({self._hall_sql()})")
        ctes.append("chain0 AS (SELECT unit_id, reached, start_t, start_seq, start_time FROM best)")
        for k in range(1, self.step_count + 1):
            ctes += self._step_pick_ctes(k)
        times = ", ".join(f"t{k}, seq{k}" for k in range(1, self.step_count + 1))
        ctes.append(f"kept AS (SELECT unit_id, reached, start_t, start_seq, start_time, {times} FROM chain{self.step_count})")
        return ctes, params

    def _skips_far_windows(self) -> bool:
        """Return whether the window pass reads only ``near_marks`` (see ``funnel_any_near``).

        With ``*`` as step 1 or 2 nearly every bucket would be a candidate, so
        the extra grouping and semi-join would only cost time.
        """
        return all(step.event != ANY_EVENT for step in self.definition.steps[:2])

    # Events -----------------------------------------------------------------

    def _event_ctes(self) -> tuple[list[str], list]:
        """Return ``starters`` and ``marks``, the funnel's events of the actors with a window start, with bit masks.

        ``marks.mask`` has bit k-1 set when the event matches step k and
        ``marks.excluded`` bit i when it matches exclusion i. Only events
        that some window of their actor may contain are kept: from the
        actor's first start to one window after the last. One scan of
        ``events`` tags every step and exclusion at once.
        """
        steps = [step_predicate(self.definition, step) for step in self.definition.steps]
        exclusions = [step_predicate(self.definition, exclusion.event) for exclusion in self.definition.exclude]
        range_sql, range_params = in_range(self.buckets)
        any_step, any_step_params = _disjunction(steps)
        source, source_params = self.unit.source_sql()
        unit = self.unit.key
        starters = (
            f"starters AS (SELECT {unit} AS unit_id, min(epoch_us(client_time)) AS first_t, "
            f"max(epoch_us(client_time)) + {self.window_us} AS last_t "
            f"FROM {source} WHERE {range_sql} AND {any_step} GROUP BY {unit})"
        )
        mask, mask_params = bits_sql(steps)
        excluded, excluded_params = bits_sql(exclusions)
        tagged, tagged_params = _disjunction(steps + exclusions)
        marks = (
            f"marks AS (SELECT {unit} AS unit_id, epoch_us(client_time) AS t, events.seq AS seq, event_time, "
            f"{mask} AS mask, {excluded} AS excluded FROM {source} JOIN starters ON starters.unit_id = {unit} "
            f"WHERE {tagged} AND epoch_us(client_time) BETWEEN starters.first_t AND starters.last_t)"
        )
        params = source_params + range_params + any_step_params
        params += mask_params + excluded_params + source_params + tagged_params
        return [starters, marks], params

    # Windows ----------------------------------------------------------------

    def _windows_sql(self, marks: str) -> str:
        """Return, per funnel event in ``marks``, the counts of events matching each subset and each exclusion in its window."""
        # sum() of 0/1 ran about a quarter faster than count(*) FILTER in DuckDB 2.0.1.
        counts = [
            f"sum(((mask & {subset}) <> 0)::INTEGER) OVER frame AS {self._matched_column(subset)}"
            for subset in self.subsets
            if not subset & self.every_event_steps
        ]
        if any(subset & self.every_event_steps for subset in self.subsets):
            # Every subset with such a step matches every event, so one count serves them all.
            counts.append("count(*) OVER frame AS matched_all")
        counts += [
            f"sum(((excluded & {1 << index}) <> 0)::INTEGER) OVER frame AS exclusion_hits{index}"
            for index in range(len(self.definition.exclude))
        ]
        # RANGE frames include the peers of the current row, so events at the start time count whatever their seq.
        return (
            f"SELECT unit_id, t AS start_t, seq AS start_seq, event_time AS start_time, mask AS start_mask, "
            f"{', '.join(counts)} FROM {marks} "
            f"WINDOW frame AS (PARTITION BY unit_id ORDER BY t RANGE BETWEEN CURRENT ROW AND {self.window_us} FOLLOWING)"
        )

    def _capped_sql(self) -> str:
        """Return the most steps a window's events can fill, cut by its exclusions (before the start-event rule)."""
        # Steps 1..K fit unless some subset S inside them has fewer events than steps, so a
        # failing subset whose highest step is m limits the window to m - 1 steps.
        limits = [
            f"CASE WHEN {self._matched_column(subset)} < {subset.bit_count()} THEN {subset.bit_length() - 1} END"
            for subset in self.subsets
        ]
        limits += [
            f"CASE WHEN exclusion_hits{index} > 0 THEN {exclusion.between[1] - 1} END"
            for index, exclusion in enumerate(self.definition.exclude)
        ]
        # DuckDB's least() skips NULLs, so a window without any limit reaches every step.
        return f"coalesce(least({', '.join(limits)}), {self.step_count})"

    def _matched_column(self, subset: int) -> str:
        """Return the column of ``windows`` that counts the window's events matching a step of ``subset``."""
        return "matched_all" if subset & self.every_event_steps else f"matched{subset}"

    def _best_sql(self, minimum: int) -> str:
        """Return each actor's kept window among those reaching ``minimum`` steps: the most steps reached, then the earliest start."""
        # The start event must match one of the steps reached, else the window reaches none.
        reached = "CASE WHEN (start_mask & ((1 << capped) - 1)) <> 0 THEN capped ELSE 0 END"
        return (
            f"SELECT unit_id, reached, start_t, start_seq, start_time FROM "
            f"(SELECT *, {reached} AS reached FROM capped) WHERE reached >= {minimum} "
            "QUALIFY row_number() OVER (PARTITION BY unit_id ORDER BY reached DESC, start_t, start_seq) = 1"
        )

    # Matching ---------------------------------------------------------------

    def _window_events_sql(self) -> str:
        """Return the events of each kept window that match a step it reached, masked to those steps.

        Events with the same mask are interchangeable for the matching, and no
        matching uses more than K of them, so only the first K of each mask stay.
        """
        masked = "marks.mask & ((1 << best.reached) - 1)"
        inside = f"marks.t >= best.start_t AND marks.t <= best.start_t + {self.window_us}"
        return (
            f"SELECT unit_id, t, seq, mask FROM (SELECT best.unit_id, marks.t, marks.seq, {masked} AS mask "
            f"FROM best JOIN marks ON marks.unit_id = best.unit_id AND {inside} WHERE {masked} <> 0) "
            f"QUALIFY row_number() OVER (PARTITION BY unit_id, mask ORDER BY t, seq) <= {self.step_count}"
        )

    def _hall_sql(self) -> str:
        """Return, per kept window and subset of steps, how many of its events match the subset."""
        values = ", ".join(f"({subset}, {subset.bit_count()})" for subset in self.subsets)
        return (
            "SELECT window_events.unit_id, subsets.subset, subsets.size, count(*) AS matched "
            f"FROM window_events JOIN (VALUES {values}) AS subsets(subset, size) "
            "ON (window_events.mask & subsets.subset) <> 0 GROUP BY ALL"
        )

    def _step_pick_ctes(self, k: int) -> list[str]:
        """Return the CTEs choosing step ``k``'s event for every kept window, ending in ``chain{k}``.

        A candidate is an unused event matching step ``k``. It *fits* unless
        taking it leaves some subset S of steps k+1..K with fewer unused
        matching events than |S|, which is Hall's condition for the rest.
        Without overlapping steps every candidate fits.
        """
        used = " AND ".join(f"event.seq <> chain.seq{j}" for j in range(1, k)) or "TRUE"
        masks = ", ".join(f"chain.mask{j}" for j in range(1, k))
        taken_count = " + ".join(f"((candidate.mask{j} & hall.subset) <> 0)::INTEGER" for j in range(1, k + 1))
        later_steps = f"(hall.subset & {(1 << k) - 1}) = 0 AND hall.subset < (1 << candidate.reached)"
        key = "(candidate.t, candidate.seq)"
        ctes = [
            f"candidates{k} AS (SELECT chain.unit_id, chain.reached, {masks + ', ' if masks else ''}"
            f"event.t, event.seq, event.mask AS mask{k} FROM chain{k - 1} AS chain "
            "JOIN window_events AS event ON event.unit_id = chain.unit_id "
            f"WHERE chain.reached >= {k} AND (event.mask & {1 << (k - 1)}) <> 0 AND {used})"
        ]
        fitting = f"candidates{k} AS candidate"
        if self.overlapping:
            ctes.append(
                f"unfit{k} AS (SELECT DISTINCT candidate.unit_id, candidate.seq FROM candidates{k} AS candidate "
                f"JOIN hall ON hall.unit_id = candidate.unit_id AND {later_steps} "
                f"WHERE hall.matched - ({taken_count}) < hall.size)"
            )
            fitting += f" ANTI JOIN unfit{k} USING (unit_id, seq)"
        return ctes + [
            f"pick{k} AS (SELECT candidate.unit_id, arg_min(candidate.t, {key}) AS t{k}, "
            f"arg_min(candidate.seq, {key}) AS seq{k}, arg_min(candidate.mask{k}, {key}) AS mask{k} "
            f"FROM {fitting} GROUP BY candidate.unit_id)",
            f"chain{k} AS (SELECT chain.*, pick{k}.t{k}, pick{k}.seq{k}, pick{k}.mask{k} "
            f"FROM chain{k - 1} AS chain LEFT JOIN pick{k} USING (unit_id))",
        ]


def _disjunction(parts: list[Fragment]) -> Fragment:
    """Return the OR of predicate fragments, with their parameters in order."""
    sql = " OR ".join(f"({part})" for part, _ in parts)
    return f"({sql})", [param for _, part_params in parts for param in part_params]


def hall_subsets(events: list[str]) -> list[int]:
    """Return the step subsets (bit k-1 for step k) whose Hall condition decides how many steps fit.

    Steps that may match one event form overlap groups, and only the
    connected subsets within a group need checking. A subset that splits into
    two parts with no overlapping pair across them matches as many events as
    its parts together, so its condition follows from theirs, also after some
    events are taken. That is one subset per step when no two steps may share
    an event, and up to 2**10 - 1 when ten steps are all ``*``.
    """
    # NOTE: each subset costs one window aggregate over every event of the actors, so a ``*`` step makes any
    # order slow. Subsets with a ``*`` step without where items share one count. A 4-step funnel with ``*``
    # as step 2 took about 3.7 s of CPU time with connected subsets only, and about 5 s with every subset of
    # the group. Both ran on the funnel bench's 10M events (DuckDB 2.0.1, 2 cores, load average near 7.5).
    # Longer funnels were not timed.
    subsets = []
    for group in _overlap_groups(events):
        for size in range(1, len(group) + 1):
            for members in combinations(group, size):
                if _connected(members, events):
                    subsets.append(sum(1 << index for index in members))
    return sorted(subsets)


def _overlap(first: str, second: str) -> bool:
    """Return whether steps of these event types may match one event."""
    return first == second or ANY_EVENT in (first, second)


def _connected(members: tuple[int, ...], events: list[str]) -> bool:
    """Return whether the steps ``members`` are linked by overlapping pairs among themselves."""
    reached, frontier = {members[0]}, [members[0]]
    while frontier:
        current = frontier.pop()
        for other in members:
            if other not in reached and _overlap(events[current], events[other]):
                reached.add(other)
                frontier.append(other)
    return len(reached) == len(members)


def _overlap_groups(events: list[str]) -> list[list[int]]:
    """Return the 0-based step indexes grouped by the pairs of steps that may match one event."""
    group_of = list(range(len(events)))

    def root(index: int) -> int:
        while group_of[index] != index:
            index = group_of[index]
        return index

    for first, second in combinations(range(len(events)), 2):
        if _overlap(events[first], events[second]):
            group_of[root(second)] = root(first)
    groups: dict[int, list[int]] = {}
    for index in range(len(events)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())
