"""Property test: for random events and grouped funnels, every segment's count equals its list and a labelling by hand.

The ungrouped funnel's kept conversions (one per actor or company) are
labelled here in plain Python from the imported rows. A conversion's labels
are the group-by value of the event that filled step 1, or each company that
event names for ``group:company``. A funnel counting companies and grouped by
company labels each company with its own name. Then every (segment, step, part) of the grouped funnel must count
exactly the units labelled so, and the microscope must list exactly them.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import build_project
from test_groups_charts_property import companies_of, funnel_chart_strategy, funnel_object, group_event_strategy, import_group_rows
from tui.analytics.definition import parse_chart
from tui.analytics.funnel import funnel
from tui.analytics.funnel_sql import FunnelQuery
from tui.analytics.groups import point_group_count
from tui.analytics.point import Point, point_actor_count, point_events
from tui.analytics.segmentation import chart_buckets
from tui.analytics.segmentation_sql import SEGMENT_NONE, SEGMENT_OTHER, TOP_SEGMENTS

grouping_strategy = st.fixed_dictionaries({
    "group_by": st.sampled_from(["color", "platform", "group:company"]),
    "count_by": st.sampled_from([None, "group:company"]),
})


def kept_conversions(cursor, definition, project) -> dict[int, tuple[int, int]]:
    """Return each unit's ``(reached, seq1)`` in the ungrouped funnel's kept conversions."""
    sql, params = FunnelQuery(definition, chart_buckets(definition, project)).conversions_sql()
    unit = "group_id" if definition.count_by else "actor_id"
    return {unit_id: (reached, seq1) for unit_id, reached, seq1 in cursor.execute(
        f"SELECT {unit}, reached, seq1 FROM ({sql})", params
    ).fetchall()}


def values_by_seq(cursor, rows: list[dict], group_by: str) -> dict[int, list[str]]:
    """Return the group-by values of each imported event by its seq, read from the import rows."""
    seqs = dict(cursor.execute("SELECT insert_id, seq FROM events").fetchall())
    values = {}
    for row in rows:
        if group_by == "group:company":
            found = companies_of(row.get("groups", {}).get("company"))
        else:
            value = row["event_properties"].get("color") if group_by == "color" else row.get(group_by)
            found = [] if value is None else [value]
        values[seqs[row["insert_id"]]] = found
    return values


def hand_labels(values: dict[int, list[str]]) -> dict[int, set[str]]:
    """Return each unit's segments, given each unit's group-by values: top values, (other) and (none)."""
    counts = defaultdict(int)
    for found in values.values():
        for value in set(found):
            counts[value] += 1
    top = set(sorted(counts, key=lambda value: (-counts[value], value))[:TOP_SEGMENTS])
    labels = {}
    for unit, found in values.items():
        labels[unit] = {value if value in top else SEGMENT_OTHER for value in found} or {SEGMENT_NONE}
    return labels


def listed_units(cursor, point: Point, project) -> set[int]:
    """Return the ids of the units the microscope finds for ``point``, checking the count functions agree."""
    sql, params = point_events(point, project)
    unit = "group_id" if point.definition.count_by else "actor_id"
    found = {unit_id for (unit_id,) in cursor.execute(f"SELECT DISTINCT {unit} FROM ({sql})", params).fetchall()}
    count = point_group_count(cursor, point, project) if point.definition.count_by else point_actor_count(cursor, point, project)
    assert count == len(found)
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drawn_events=st.lists(group_event_strategy, min_size=1, max_size=25),
    drawn_chart=funnel_chart_strategy,
    grouping=grouping_strategy,
)
def test_segment_counts_equal_lists_and_hand_labels(drawn_events, drawn_chart, grouping):
    rows = import_group_rows(drawn_events)
    plain = parse_chart(funnel_object(drawn_chart, grouping["count_by"]))
    grouped = parse_chart({**funnel_object(drawn_chart, grouping["count_by"]), "group_by": grouping["group_by"]})
    steps = len(drawn_chart["steps"])

    with tempfile.TemporaryDirectory() as folder, build_project(Path(folder), rows) as project:
        cursor = project.cursor()
        kept = kept_conversions(cursor, plain, project)
        if grouping["count_by"] and grouping["group_by"] == grouping["count_by"]:
            names = dict(cursor.execute("SELECT group_id, group_name FROM groups").fetchall())
            values = {unit: [names[unit]] for unit in kept}
        else:
            by_seq = values_by_seq(cursor, rows, grouping["group_by"])
            values = {unit: by_seq[seq1] for unit, (_, seq1) in kept.items()}
        labels = hand_labels(values)

        frame = funnel(cursor, grouped, project)
        expected_segments = set().union(*labels.values())
        assert set(frame["segment"]) == expected_segments, (drawn_chart, grouping)
        for row in frame.itertuples(index=False):
            members = {unit for unit, segments in labels.items() if row.segment in segments}
            converted = {unit for unit in members if kept[unit][0] >= row.step}
            dropped = {unit for unit in members if kept[unit][0] == row.step - 1}
            context = (row.segment, row.step, drawn_chart, grouping)
            assert row.converted == len(converted), context
            assert row.dropped == len(dropped), context
            assert listed_units(cursor, Point(grouped, step=row.step, segment=row.segment), project) == converted, context
            if row.step > 1:
                point = Point(grouped, step=row.step, dropped=True, segment=row.segment)
                assert listed_units(cursor, point, project) == dropped, context
        assert len(frame) == steps * len(set(frame["segment"]))
