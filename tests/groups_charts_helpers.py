"""Helpers for the tests of retention, sessions and funnel charts counted by a group type: a point's groups,
their members and their rows."""

from __future__ import annotations

from tui.analytics.groups import group_users, point_groups
from tui.analytics.microscope import point_users
from tui.analytics.point import Point, point_events


def group_names(project, point: Point) -> list[str]:
    """Return the names of the groups the microscope lists for ``point``, sorted."""
    listed = point_groups(project.cursor(), point, project, sort="group_name", descending=False, limit=None)
    return listed["group_name"].tolist()


def member_names(project, point: Point, name: str) -> list[str]:
    """Return the user ids of the members whose events put the group ``name`` in ``point``, sorted."""
    found = point_groups(project.cursor(), point, project, search=name, limit=None)
    group = found[found["group_name"] == name].iloc[0]
    users = group_users(point, project, int(group["group_id"]), name)
    return point_users(project.cursor(), users, project, sort="user_id", descending=False)["user_id"].tolist()


def event_rows(project, point: Point) -> list[tuple[str, str, str, str]]:
    """Return the point's rows as (event type, UTC time, user id, group name), sorted."""
    sql, params = point_events(point, project)
    rows = project.con.execute(
        "SELECT point.event_type, strftime(point.event_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S'), "
        f"point.user_id, groups.group_name FROM ({sql}) AS point JOIN groups USING (group_id) ORDER BY ALL",
        params,
    ).fetchall()
    return [tuple(row) for row in rows]
