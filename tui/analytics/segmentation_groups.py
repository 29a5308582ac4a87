"""The SQL pieces that let an event segmentation chart count groups and segment by group name.

``event_groups`` has one row per event and group it names. Counting by a
group type joins it to ``events``, so the chart's relation has one row per
(event, group of that type). Segmenting by a group type labels each event
with the names of its groups of that type, through ``event_labels``.
"""

from __future__ import annotations

from tui.analytics.definition import GROUP_PREFIX, ChartDefinition
from tui.analytics.filters import Fragment

# Each event's smallest group id of one type.
_FIRST_GROUPS = "SELECT seq, min(group_id) AS first_group_id FROM event_groups WHERE group_type = ? GROUP BY seq"
# The rows of one event and its groups of one type, with each group's name.
_SEGMENT_GROUPS = (
    "SELECT event_groups.seq, groups.group_name FROM event_groups JOIN groups USING (group_id) "
    "WHERE event_groups.group_type = ?"
)


def group_type(reference: str | None) -> str | None:
    """Return ``TYPE`` of a ``group:TYPE`` reference (a ``count_by`` or ``group_by``), else None."""
    if reference and reference.startswith(GROUP_PREFIX):
        return reference[len(GROUP_PREFIX):]
    return None


def counted_column(definition: ChartDefinition) -> str:
    """Return the column whose distinct values a chart counts: ``group_id`` when it counts groups, else ``actor_id``."""
    return "group_id" if group_type(definition.count_by) else "actor_id"


def group_sources_sql(
    counted_type: str | None, segment_type: str | None, first_groups: bool, segment_names: bool
) -> Fragment:
    """Return ``events`` joined to the groups it is counted by and to the names of the groups it is segmented by.

    The aliases are ``counted_groups`` (``group_id``), ``first_groups``
    (``first_group_id``, with ``first_groups``) and ``segment_groups``
    (``group_name``, with ``segment_names``, or always when both types are the same).
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
