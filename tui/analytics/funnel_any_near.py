"""The windows of an ``any``-order funnel that may reach step 2, and the kept window of the actors with none.

A window reaches two or more steps only when it contains an event of step 1
and another of step 2. Time is cut into buckets one window wide, so a window
lies in its start's bucket and the next one. A bucket b of an actor is a
*candidate* when b and b+1 together contain events of both steps. Only
windows starting in a candidate bucket can reach step 2, and their events
all lie in candidate buckets or the bucket after one, so the window pass
reads just those events (``near_marks``).

Every other window reaches at most one step. A window reaching exactly one
step starts at a step-1 event, because a start matching only a later step j
counts only when steps 1 to j fit, which makes two or more. Every step-1
start in the range reaches step 1, because its own event fills step 1 and
an exclusion cuts a window before its later step, which is step 2 or after.
So an actor without a candidate window reaching step 2 keeps its earliest
step-1 start in the range (``first_start``).

The relations read ``marks`` of ``funnel_any``: ``unit_id``, ``t``, ``seq``,
``event_time``, ``mask`` (bit k-1 for step k) and ``excluded``.
"""

from __future__ import annotations

from tui.analytics.filters import Fragment


def near_marks_ctes(window_us: int) -> list[str]:
    """Return ``pair_steps``, ``candidate_buckets`` and ``near_marks``, the events of windows that may reach step 2."""
    bucket = f"t // {max(window_us, 1)}"
    # Bits 0 and 1 of pair_steps tell whether the bucket has an event of step 1 and of step 2.
    pair_steps = f"SELECT unit_id, {bucket} AS bucket, bit_or(mask & 3) AS steps FROM marks WHERE (mask & 3) <> 0 GROUP BY ALL"
    candidates = (
        "SELECT unit_id, bucket FROM (SELECT unit_id, bucket, steps FROM pair_steps "
        "UNION ALL SELECT unit_id, bucket - 1, steps FROM pair_steps) GROUP BY unit_id, bucket HAVING bit_or(steps) = 3"
    )
    near = (
        f"SELECT marks.* FROM marks SEMI JOIN (SELECT unit_id, bucket FROM candidate_buckets "
        f"UNION ALL SELECT unit_id, bucket + 1 FROM candidate_buckets) AS near "
        f"ON near.unit_id = marks.unit_id AND near.bucket = marks.{bucket}"
    )
    return [f"pair_steps AS ({pair_steps})", f"candidate_buckets AS ({candidates})", f"near_marks AS ({near})"]


def in_candidate_bucket_sql(window_us: int) -> str:
    """Return the predicate on ``windows`` keeping the windows that start in a candidate bucket."""
    return f"(unit_id, start_t // {max(window_us, 1)}) IN (SELECT (unit_id, bucket) FROM candidate_buckets)"


def best_with_first_starts_ctes(best_near_sql: str, range_fragment: Fragment) -> tuple[list[str], list]:
    """Return ``best_near``, ``first_start`` and ``best``: each actor's kept window, one row per actor.

    ``best_near_sql`` selects the best candidate window per actor among those
    reaching step 2. ``range_fragment`` is the chart's range on ``event_time``.
    """
    range_sql, range_params = range_fragment
    first_start = (
        "SELECT unit_id, 1 AS reached, min(t) AS start_t, arg_min(seq, (t, seq)) AS start_seq, "
        f"arg_min(event_time, (t, seq)) AS start_time FROM marks WHERE (mask & 1) <> 0 AND {range_sql} GROUP BY unit_id"
    )
    best = "SELECT * FROM best_near UNION ALL SELECT first_start.* FROM first_start ANTI JOIN best_near USING (unit_id)"
    ctes = [f"best_near AS ({best_near_sql})", f"first_start AS ({first_start})", f"best AS ({best})"]
    return ctes, range_params
