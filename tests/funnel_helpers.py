"""Helpers for the funnel tests: chart objects, events, and the funnel's parts as user names."""

from __future__ import annotations

from datetime import datetime

from tui.analytics.definition import parse_chart
from tui.analytics.funnel import funnel, funnel_step_actors_sql, funnel_step_events_sql
from tui.analytics.funnel_sql import FunnelQuery
from tui.analytics.segmentation import chart_buckets


def chart(steps, first="2024-03-01", last="2024-03-01", **changes) -> dict:
    """Return a funnel chart of ``steps`` (names or step objects) over ``first``..``last``."""
    specs = [{"event": step} if isinstance(step, str) else step for step in steps]
    obj = {"type": "funnel", "steps": specs, "range": {"from": first, "to": last}}
    obj.update(changes)
    return obj


def event(event_type, time, user=None, device=None, **fields) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user, "device_id": device, **fields}


def run(project, obj):
    return funnel(project.cursor(), parse_chart(obj), project)


def step_users(project, obj, step, dropped=False) -> list[str]:
    """Return the user ids (device ids for anonymous actors) in one step's converted or dropped part."""
    sql, params = funnel_step_actors_sql(parse_chart(obj), project, step, dropped)
    rows = project.cursor().execute(
        f"SELECT coalesce(actors.user_id, actors.device_id) FROM ({sql}) AS part "
        "JOIN actors USING (actor_id) ORDER BY 1",
        params,
    ).fetchall()
    return [name for (name,) in rows]


def step_event_rows(project, obj, step, dropped=False) -> list[tuple[str, str, str]]:
    """Return ``(user, event_type, client_time as ISO text)`` of one part's step events, in user and time order."""
    sql, params = funnel_step_events_sql(parse_chart(obj), project, step, dropped)
    rows = project.cursor().execute(
        "SELECT coalesce(actors.user_id, actors.device_id), part.event_type, "
        "strftime(part.client_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S') "
        f"FROM ({sql}) AS part JOIN actors USING (actor_id) ORDER BY 1, part.client_time, part.seq",
        params,
    ).fetchall()
    return [tuple(row) for row in rows]


def conversions(project, obj) -> dict[str, dict]:
    """Return each user's row of ``conversions_sql``, keyed by user id (device id for anonymous actors)."""
    definition = parse_chart(obj)
    sql, params = FunnelQuery(definition, chart_buckets(definition, project)).conversions_sql()
    frame = project.cursor().execute(
        f"SELECT coalesce(actors.user_id, actors.device_id) AS name, kept.* "
        f"FROM ({sql}) AS kept JOIN actors USING (actor_id)",
        params,
    ).fetchdf()
    return {row["name"]: row for row in frame.to_dict("records")}


def micros(text: str) -> int:
    """Return the epoch microseconds of an ISO time with an offset, as the funnel's ``t{k}`` columns hold them."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()) * 1_000_000

