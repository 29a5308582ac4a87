"""Retention cells whose period had not begun by the project's last event: no not-retained users, no list.

The project is in New York (UTC-5 before 10 March 2024). Start and return are
``Open``, daily, periods 0 to 3, range 2024-03-01 to 2024-03-02. Local times:

- alice (plan pro): opens 03-01 10:00, again 03-02 10:00, which is day 1.
- bob (plan free): opens 03-01 11:00 and never again.
- carol (plan pro): opens 03-02 10:00, again 03-03 22:00, which is day 1.

The last event is carol's, 03-04 03:00 UTC but 03-03 22:00 in New York. So
day 03-03 has begun and 03-04 has not. Cohort 03-01: day 2 (03-03) has begun
but is incomplete, and day 3 (03-04) has not begun. Cohort 03-02: day 1
(03-03) is incomplete, and days 2 and 3 have not begun. In UTC, day 03-04 has
begun, so only day 3 of cohort 03-02 has not begun there.
"""

from __future__ import annotations

import pytest

from builders import build_project
from test_retention import chart, event, part_users, run, table
from tui.analytics.definition import parse_chart
from tui.analytics.retention import retention_point_events_sql

ZONE = "America/New_York"

EVENTS = [
    event("Open", "2024-03-01T15:00:00Z", "alice", plan="pro"),
    event("Open", "2024-03-02T15:00:00Z", "alice", plan="pro"),
    event("Open", "2024-03-01T16:00:00Z", "bob", plan="free"),
    event("Open", "2024-03-02T15:00:00Z", "carol", plan="pro"),
    event("Open", "2024-03-04T03:00:00Z", "carol", plan="pro"),
]


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, EVENTS, timezone=ZONE)
    yield project
    project.close()


def segment_users(project, obj, segment, bucket, period, dropped=True) -> list[str]:
    """Return the user ids of one segment's point, sorted."""
    sql, params = retention_point_events_sql(parse_chart(obj), project, bucket, period, dropped, segment)
    rows = project.cursor().execute(f"SELECT DISTINCT user_id FROM ({sql}) ORDER BY ALL", params).fetchall()
    return [row[0] for row in rows]


def daily(**changes) -> dict:
    return chart(first="2024-03-01", last="2024-03-02", periods=3, **changes)


def test_not_begun_cells_not_retained_zero(project):
    frame = run(project, daily())

    assert table(frame, "started") == [[True, True, True, False], [True, True, False, False]]
    assert table(frame, "complete") == [[True, True, False, False], [True, False, False, False]]
    assert table(frame) == [[0, 1, 0, 0], [0, 1, 0, 0]]
    # A begun but incomplete cell still counts everyone without a return so far.
    assert table(frame, "not_retained") == [[2, 1, 2, 0], [1, 0, 0, 0]]
    assert table(frame, "cohort_size") == [[2, 2, 2, 2], [1, 1, 1, 1]]


def test_not_begun_depends_on_zone(project):
    frame = run(project, daily(timezone="UTC"))

    # In UTC carol returns on 03-04, day 2 of her cohort.
    assert table(frame, "started") == [[True, True, True, True], [True, True, True, False]]
    assert table(frame) == [[0, 1, 0, 0], [0, 0, 1, 0]]
    assert table(frame, "not_retained") == [[2, 1, 2, 2], [1, 1, 0, 0]]
    assert part_users(project, daily(timezone="UTC"), 0, 3, dropped=True) == ["alice", "bob"]


def test_not_begun_point_lists_are_empty(project):
    obj = daily()

    assert part_users(project, obj, 0, 3, dropped=True) == []
    assert part_users(project, obj, 0, 3) == []
    assert part_users(project, obj, 1, 2, dropped=True) == []
    assert part_users(project, obj, 1, 3, dropped=True) == []
    assert part_users(project, obj, 0, 2, dropped=True) == ["alice", "bob"]
    assert part_users(project, obj, 0, 1, dropped=True) == ["bob"]


def test_not_begun_on_or_after(project):
    obj = daily(mode="on_or_after")
    frame = run(project, obj)

    assert table(frame) == [[1, 1, 0, 0], [1, 1, 0, 0]]
    assert table(frame, "not_retained") == [[1, 1, 2, 0], [0, 0, 0, 0]]
    assert part_users(project, obj, 0, 3, dropped=True) == []
    assert part_users(project, obj, 0, 2, dropped=True) == ["alice", "bob"]


def test_not_begun_per_segment(project):
    obj = daily(group_by="plan")
    frame = run(project, obj)
    pro = frame[frame["segment"] == "pro"]
    free = frame[frame["segment"] == "free"]

    assert table(pro, "not_retained") == [[1, 0, 1, 0], [1, 0, 0, 0]]
    assert table(free, "not_retained") == [[1, 1, 1, 0], [0, 0, 0, 0]]
    assert table(pro, "started") == [[True, True, True, False], [True, True, False, False]]
    for bucket, period in ((0, 3), (1, 2), (1, 3)):
        for segment in ("pro", "free"):
            assert segment_users(project, obj, segment, bucket, period) == [], (segment, bucket, period)
    assert segment_users(project, obj, "pro", 0, 2) == ["alice"]


def test_return_ahead_of_clock_starts_cell(tmp_path):
    # Rolling periods follow client_time: dave's device puts his return 3 days ahead, in a period not begun yet.
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "dave"),
        event("Open", "2024-03-01T12:00:00Z", "dave", client_time="2024-03-04T10:30:00Z"),
        event("Open", "2024-03-01T11:00:00Z", "eve"),
    ])
    obj = chart(periods=3, rolling=True)
    frame = run(project, obj)

    assert table(frame, "started") == [[True, False, False, True]]
    assert table(frame) == [[0, 0, 0, 1]]
    assert table(frame, "not_retained") == [[2, 0, 0, 1]]
    assert part_users(project, obj, 0, 3, dropped=True) == ["eve"]
    assert part_users(project, obj, 0, 2, dropped=True) == []
    project.close()
