"""Compare two points: the users in both, only in the first, only in the second.

Each part is an ActorSet, so it can be listed, streamed, pathed, exported or
saved as a cohort like a point. A part's events are the events that put its
users in the points: the first point's for ``only_first``, the second's for
``only_second``, and both points' for ``both`` (an event in both points
counts once). Its range runs from the earlier bucket start to the later
bucket end.
"""

from __future__ import annotations

from typing import Any

import duckdb

from tui.analytics.microscope.actor_set import (
    ActorSet,
    MicroscopeError,
    Target,
    actor_events_sql,
    as_actor_set,
    events_actor_set,
)

PARTS = ("both", "only_first", "only_second")


def compare_points(cursor: duckdb.DuckDBPyConnection, first: Target, second: Target, settings: Any) -> dict[str, int]:
    """Return user counts: ``first``, ``second``, ``both``, ``only_first``, ``only_second``.

    ``only_first + both`` equals ``first`` and ``only_second + both`` equals ``second``.
    """
    first_set, second_set = as_actor_set(first, settings), as_actor_set(second, settings)
    first_sql, first_params = _actor_ids(first_set)
    second_sql, second_params = _actor_ids(second_set)
    # The full outer join leaves the side without the actor NULL, so each side is tested with IS NOT NULL.
    sql = (
        "SELECT count(*) FILTER (WHERE in_first), count(*) FILTER (WHERE in_second), "
        "count(*) FILTER (WHERE in_first AND in_second), "
        "count(*) FILTER (WHERE in_first AND NOT in_second), count(*) FILTER (WHERE in_second AND NOT in_first) "
        "FROM (SELECT first_side.actor_id IS NOT NULL AS in_first, second_side.actor_id IS NOT NULL AS in_second "
        f"FROM ({first_sql}) AS first_side FULL OUTER JOIN ({second_sql}) AS second_side "
        "ON first_side.actor_id = second_side.actor_id)"
    )
    counts = cursor.execute(sql, first_params + second_params).fetchall()[0]
    return dict(zip(("first", "second", "both", "only_first", "only_second"), counts))


def compare_actors_sql(first: Target, second: Target, settings: Any, part: str) -> ActorSet:
    """Return one part of a comparison (``both``, ``only_first``, ``only_second``) as an ActorSet."""
    if part not in PARTS:
        raise MicroscopeError(f"part: {part!r} is not a part of a comparison. Use one of {', '.join(PARTS)}.")
    first_set, second_set = as_actor_set(first, settings), as_actor_set(second, settings)
    if part == "only_first":
        return _only(first_set, second_set, f"only in {first_set.label}, not in {second_set.label}")
    if part == "only_second":
        return _only(second_set, first_set, f"only in {second_set.label}, not in {first_set.label}")
    return _both(first_set, second_set)


def _only(included: ActorSet, excluded: ActorSet, label: str) -> ActorSet:
    """Return the actors of ``included`` that are not in ``excluded``, with the events of ``included``."""
    events, params = included.events
    excluded_sql, excluded_params = _actor_ids(excluded)
    sql = f"SELECT * FROM ({events}) WHERE actor_id NOT IN ({excluded_sql})"
    return events_actor_set(label, (sql, params + excluded_params), included.start, included.end)


def _both(first: ActorSet, second: ActorSet) -> ActorSet:
    """Return the actors in both sets, with the events of both (each event once)."""
    first_events, first_params = actor_events_sql(first, _actor_ids(second))
    second_events, second_params = actor_events_sql(second, _actor_ids(first))
    first_seqs, first_seq_params = first.events
    sql = (
        f"SELECT * FROM ({first_events}) UNION ALL "
        f"SELECT * FROM ({second_events}) WHERE seq NOT IN (SELECT seq FROM ({first_seqs}))"
    )
    label = f"in both {first.label} and {second.label}"
    events = (sql, first_params + second_params + first_seq_params)
    return events_actor_set(label, events, min(first.start, second.start), max(first.end, second.end))


def _actor_ids(actor_set: ActorSet) -> tuple[str, list]:
    sql, params = actor_set.actors
    return f"SELECT actor_id FROM ({sql})", list(params)
