"""The SQL pieces that let an event segmentation chart count groups and segment by group or cohort name.

``event_groups`` has one row per event and group it names. Counting by a
group type joins it to ``events``, so the chart's relation has one row per
(event, group of that type). Segmenting by a group type labels each event
with the names of its groups of that type, through ``event_labels``.
Segmenting by ``cohorts`` labels each event with the names of the saved
cohorts of users its actor is in, through ``actor_labels``.
"""

from __future__ import annotations

from tui.analytics.definition import GROUP_BY_COHORTS, GROUP_PREFIX, ChartDefinition
from tui.analytics.filters import Fragment

# Each event's smallest group id of one type.
_FIRST_GROUPS = "SELECT seq, min(group_id) AS first_group_id FROM event_groups WHERE group_type = ? GROUP BY seq"
# The rows of one event and its groups of one type, with each group's name.
_SEGMENT_GROUPS = (
    "SELECT event_groups.seq, groups.group_name FROM event_groups JOIN groups USING (group_id) "
    "WHERE event_groups.group_type = ?"
)
# Cohorts of groups are left out: ``group_by: "cohorts"`` segments actors, and a cohort of groups has no
# actors. The builder offers that group-by only while a cohort of users exists (``has_user_cohorts``).
USER_COHORTS = "SELECT cohort_id, name FROM cohorts WHERE member_kind = 'users'"
# Each actor (``member_id``, not ``actor_id``, which would clash with the events') with the name of
# every cohort of users it is in, as ``group_name`` like ``_SEGMENT_GROUPS``.
ACTOR_COHORTS = (
    "SELECT DISTINCT cohort_members.member_id, user_cohorts.name AS group_name "
    f"FROM cohort_members JOIN ({USER_COHORTS}) AS user_cohorts USING (cohort_id)"
)


def group_type(reference: str | None) -> str | None:
    """Return ``TYPE`` of a ``group:TYPE`` reference (a ``count_by`` or ``group_by``), else None."""
    if reference and reference.startswith(GROUP_PREFIX):
        return reference[len(GROUP_PREFIX):]
    return None


def group_types(cursor) -> list[str]:
    """Return the project's group types in byte order, each a ``group:TYPE`` a chart may be grouped by."""
    return [name for (name,) in cursor.execute("SELECT DISTINCT group_type FROM groups ORDER BY group_type").fetchall()]


def has_user_cohorts(cursor) -> bool:
    """Tell whether the project has a cohort of users, the only kind ``group_by: "cohorts"`` segments by."""
    return bool(cursor.execute(f"SELECT EXISTS ({USER_COHORTS})").fetchall()[0][0])


def segments_by_cohorts(definition: ChartDefinition) -> bool:
    """Tell whether the chart segments by the saved cohorts of users its actors are in."""
    return definition.group_by == GROUP_BY_COHORTS


def counted_column(definition: ChartDefinition) -> str:
    """Return the column whose distinct values a chart counts: ``group_id`` when it counts groups, else ``actor_id``."""
    return "group_id" if group_type(definition.count_by) else "actor_id"


def group_sources_sql(
    counted_type: str | None,
    segment_type: str | None,
    first_groups: bool,
    segment_names: bool,
    by_cohorts: bool = False,
) -> Fragment:
    """Return ``events`` joined to the groups it is counted by and to the names of the groups it is segmented by.

    The aliases are ``counted_groups`` (``group_id``), ``first_groups``
    (``first_group_id``, with ``first_groups``) and ``segment_groups``
    (``group_name``, with ``segment_names``, or always when both types are the same).
    ``by_cohorts`` with ``segment_names`` makes ``segment_groups`` the names of the actor's cohorts of users.
    """
    sql, params = "events", []
    if counted_type is not None:
        # An inner join: an event naming no group of the counted type is not part of the chart.
        sql += " JOIN event_groups AS counted_groups ON counted_groups.seq = events.seq AND counted_groups.group_type = ?"
        params.append(counted_type)
        if first_groups:
            sql += f" JOIN ({_FIRST_GROUPS}) AS first_groups ON first_groups.seq = events.seq"
            params.append(counted_type)
    if segment_type is not None and segment_type == counted_type:
        # Counted and segmented by one type: a row's segment is the group it counts.
        sql += " JOIN groups AS segment_groups ON segment_groups.group_id = counted_groups.group_id"
    elif segment_type is not None and segment_names:
        sql += f" LEFT JOIN ({_SEGMENT_GROUPS}) AS segment_groups ON segment_groups.seq = events.seq"
        params.append(segment_type)
    elif by_cohorts and segment_names:
        sql += f" LEFT JOIN ({ACTOR_COHORTS}) AS segment_groups ON segment_groups.member_id = events.actor_id"
    return sql, params


def event_labels_sql(segment_type: str, other: str, other_rank: int) -> Fragment:
    """Return the CTEs ``top_groups`` and ``event_labels``, given a CTE ``top_segments`` of group names.

    ``event_labels`` has one row per (event ``seq``, ``segment``) with its
    ``segment_rank``: the name of each top group the event names, and one
    ``other`` for any number of other groups. An event naming no group of
    ``segment_type`` has no row.
    """
    labels = (
        "SELECT event_groups.seq, top_groups.segment_value AS segment, top_groups.segment_rank "
        "FROM event_groups JOIN top_groups USING (group_id) WHERE event_groups.group_type = ? "
        f"UNION ALL SELECT DISTINCT seq, '{other}', {int(other_rank)} FROM event_groups "
        "WHERE group_type = ? AND group_id NOT IN (SELECT group_id FROM top_groups)"
    )
    sql = (
        "top_groups AS (SELECT groups.group_id, top_segments.segment_value, top_segments.segment_rank "
        "FROM top_segments JOIN groups ON groups.group_name = top_segments.segment_value AND groups.group_type = ?), "
        f"event_labels AS ({labels})"
    )
    return sql, [segment_type] * 3


def actor_labels_sql(other: str, other_rank: int) -> Fragment:
    """Return the CTEs ``top_cohorts`` and ``actor_labels``, given a CTE ``top_segments`` of cohort names.

    ``actor_labels`` has one row per (``actor_id``, ``segment``) with its
    ``segment_rank``: the name of each top cohort of users the actor is in,
    and one ``other`` for any number of other such cohorts. An actor in no
    cohort of users has no row.
    """
    labels = (
        "SELECT DISTINCT cohort_members.member_id AS actor_id, top_cohorts.segment_value AS segment, "
        "top_cohorts.segment_rank FROM cohort_members JOIN top_cohorts USING (cohort_id) "
        f"UNION ALL SELECT DISTINCT cohort_members.member_id, '{other}', {int(other_rank)} "
        f"FROM cohort_members JOIN ({USER_COHORTS}) AS user_cohorts USING (cohort_id) "
        "WHERE cohort_id NOT IN (SELECT cohort_id FROM top_cohorts)"
    )
    sql = (
        "top_cohorts AS (SELECT user_cohorts.cohort_id, top_segments.segment_value, top_segments.segment_rank "
        f"FROM top_segments JOIN ({USER_COHORTS}) AS user_cohorts ON user_cohorts.name = top_segments.segment_value), "
        f"actor_labels AS ({labels})"
    )
    return sql, []
