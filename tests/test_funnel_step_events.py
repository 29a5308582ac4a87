"""The events behind a funnel step's part: those each actor's kept conversion used, checked by hand."""

from __future__ import annotations

import pytest

from builders import build_project
from funnel_helpers import chart, event, step_event_rows
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.funnel import funnel_step_events_sql
from tui.analytics.segmentation import point_events_sql

EVENTS = [
    # Alice signs up twice, and the conversion from her first signup is kept.
    event("Signup", "2024-03-01T10:00:00Z", "alice"),
    event("Search", "2024-03-01T10:10:00Z", "alice"),
    event("Signup", "2024-03-01T10:20:00Z", "alice"),
    event("Purchase", "2024-03-01T10:30:00Z", "alice"),
    event("Signup", "2024-03-01T11:00:00Z", "bob"),
    event("Purchase", "2024-03-01T09:00:00Z", "bob"),
]


@pytest.fixture
def project(tmp_path):
    return build_project(tmp_path, EVENTS)


def test_converted_part_has_steps_up_to_step(project):
    obj = chart(["Signup", "Purchase"])

    assert step_event_rows(project, obj, 2) == [
        ("alice", "Signup", "2024-03-01T10:00:00"),
        ("alice", "Purchase", "2024-03-01T10:30:00"),
    ]
    assert step_event_rows(project, obj, 1) == [
        ("alice", "Signup", "2024-03-01T10:00:00"),
        ("bob", "Signup", "2024-03-01T11:00:00"),
    ]


def test_dropped_part_has_steps_before_step(project):
    obj = chart(["Signup", "Purchase"])

    assert step_event_rows(project, obj, 2, dropped=True) == [("bob", "Signup", "2024-03-01T11:00:00")]
    assert step_event_rows(project, obj, 1, dropped=True) == []


def test_any_order_uses_window_events(project):
    obj = chart(["Signup", "Purchase"], order="any", window="2h")

    # Bob's purchase came first and opens his window.
    assert step_event_rows(project, obj, 2) == [
        ("alice", "Signup", "2024-03-01T10:00:00"),
        ("alice", "Purchase", "2024-03-01T10:30:00"),
        ("bob", "Purchase", "2024-03-01T09:00:00"),
        ("bob", "Signup", "2024-03-01T11:00:00"),
    ]


def test_columns_match_point_events(project):
    funnel_definition = parse_chart(chart(["Signup", "Purchase"]))
    segmentation = parse_chart({"type": "segmentation", "events": [{"event": "Signup"}],
                                "range": {"from": "2024-03-01", "to": "2024-03-01"}})
    step_sql, step_params = funnel_step_events_sql(funnel_definition, project, 2, False)
    point_sql, point_params = point_events_sql(segmentation, project, 0, None, 0)

    step_columns = [column[0] for column in project.cursor().execute(step_sql, step_params).description]
    point_columns = [column[0] for column in project.cursor().execute(point_sql, point_params).description]
    assert step_columns == point_columns
    assert "dedupe_key" not in step_columns


def test_step_out_of_range_is_rejected(project):
    with pytest.raises(DefinitionError, match="step: no step 3. This funnel has steps 1 to 2."):
        funnel_step_events_sql(parse_chart(chart(["Signup", "Purchase"])), project, 3, False)
