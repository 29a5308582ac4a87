"""Chains of a funnel in ``exact`` order, found with one pass of ``lead()`` over each actor's events.

In ``exact`` order step k's event must be the actor's next event, of any
type, after step k-1's, and at most one window after the start. So a chain
starting at event e takes the K-1 events that follow e as long as each one
matches its step and lies inside the window: a chain has no choice to make.

Only the events up to one window after some start can be part of a chain,
so the pass reads only the events in the starts' window buckets
(``window_buckets_sql``). Every event from a start to one window after it is
there. So within the window, the next event in the buckets is the actor's
real next event. Past the window, the next event in the buckets is at least
as late as the real one, so the chain stops either way.

"Actor" stands for the counted unit, ``unit_id``, as in ``funnel_ordered``.
"""

from __future__ import annotations

from tui.analytics.counted_unit import counted_unit
from tui.analytics.definition import ChartDefinition
from tui.analytics.funnel_steps import (
    after_starts_sql,
    bits_sql,
    in_window_buckets_sql,
    step_predicate,
    window_buckets_sql,
)


def exact_chain_ctes(definition: ChartDefinition, starts: str, window_us: int) -> tuple[list[str], list]:
    """Return the CTEs ending in ``chain{K}``: each start in ``starts`` with its events for steps 1 to K.

    ``starts`` names a relation of step-1 events (``step_columns``). The last
    CTE has ``unit_id``, ``start_t``, ``start_seq``, ``start_time`` and
    ``t{k}``, ``seq{k}`` for every step, NULL from the first step missed on.
    """
    step_count = len(definition.steps)
    unit = counted_unit(definition)
    source, source_params = unit.source_sql()
    # Bit k-2 is set when the event matches step k. Step 1 needs no bit, because chains begin at ``starts``.
    mask, mask_params = bits_sql([step_predicate(definition, step) for step in definition.steps[1:]])
    events = (
        f"SELECT {unit.key} AS unit_id, epoch_us(client_time) AS t, events.seq AS seq, {mask} AS mask FROM {source} "
        f"WHERE {after_starts_sql(window_us)} AND {in_window_buckets_sql(unit, 'exact_buckets', window_us)}"
    )
    following = ", ".join(
        f"lead(t, {j}) OVER following AS next_t{j}, lead(seq, {j}) OVER following AS next_seq{j}, "
        f"lead(mask, {j}) OVER following AS next_mask{j}"
        for j in range(1, step_count)
    )
    # NOTE: events of equal client_time follow one another in the order of seq here, not in either order.
    next_events = (
        f"SELECT unit_id, seq, {following} FROM exact_events "
        "WINDOW following AS (PARTITION BY unit_id ORDER BY t, seq)"
    )
    ctes = [
        f"exact_buckets AS ({window_buckets_sql(starts, window_us)})",
        f"exact_events AS ({events})",
        f"exact_next AS ({next_events})",
        f"chain{step_count} AS ({_chain_sql(starts, step_count, window_us)})",
    ]
    return ctes, mask_params + source_params


def _chain_sql(starts: str, step_count: int, window_us: int) -> str:
    """Return each start with the events of the steps its chain reaches, from ``exact_next``."""
    columns = ["starts.t AS t1", "starts.seq AS seq1"]
    reached = "TRUE"
    for k in range(2, step_count + 1):
        j = k - 1
        # A chain reaches step k when it reached step k-1 and its j-th next event matches step k inside the window.
        reached = (
            f"{reached} AND (next_mask{j} & {1 << (k - 2)}) <> 0 AND next_t{j} <= starts.t + {window_us}"
        )
        columns += [f"CASE WHEN {reached} THEN next_t{j} END AS t{k}", f"CASE WHEN {reached} THEN next_seq{j} END AS seq{k}"]
    return (
        "SELECT starts.unit_id, starts.t AS start_t, starts.seq AS start_seq, starts.event_time AS start_time, "
        f"{', '.join(columns)} FROM {starts} AS starts JOIN exact_next USING (unit_id, seq)"
    )
