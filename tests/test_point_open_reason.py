"""Whether later events can still change a point: ``point_open_reason`` on small hand-made projects.

The funnel is view then buy, window 1 day (the events of
``test_app_funnel_over_time_partial``): ann enters 03-01, bo 03-03, cy
03-04, and the last event is cy's buy at 03-04 11:00 UTC.

The retention project is ``test_app_retention``'s, in Berlin: cohorts 03-30
and 03-31, days 0 to 2, and the last event at 04-01 10:00 Berlin time.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from builders import build_project
from funnel_app import event
from test_app_funnel_over_time_partial import CHART, EVENTS
from test_app_retention import SIGNUP_RETENTION, signup_events
from tui.analytics.definition import parse_chart
from tui.analytics.point import OPEN_BUCKET, OPEN_PERIOD, OPEN_RANGE, OPEN_WINDOW, Point, point_open_reason
from tui.analytics.retention import retention
from tui.store.project import create_project

# After every date of these projects, so only the data ends their windows and periods.
LATER = datetime(2025, 1, 1, tzinfo=timezone.utc)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture
def shop(tmp_path):
    project = build_project(tmp_path, EVENTS)
    yield project
    project.close()


@pytest.fixture
def signups(tmp_path):
    project = build_project(tmp_path, signup_events(), timezone="Europe/Berlin")
    yield project
    project.close()


def funnel(**changes):
    return parse_chart(dict(CHART, **changes))


def test_funnel_bars_window_open(shop):
    # The range ends 03-05 00:00, so its last entrant's window runs to 03-06, after the last event.
    definition = funnel()
    for dropped in (False, True):
        point = Point(definition, step=2, dropped=dropped)
        assert point_open_reason(shop.con, point, shop, LATER) == OPEN_WINDOW


def test_funnel_bars_window_over(shop):
    # The range ends 03-03 00:00, so every window ended by 03-04 00:00, before the last event.
    definition = funnel(range={"from": "2024-03-01", "to": "2024-03-02"})
    assert point_open_reason(shop.con, Point(definition, step=2), shop, LATER) is None
    assert point_open_reason(shop.con, Point(definition, step=2, dropped=True), shop, LATER) is None


def test_funnel_window_edge_is_over(tmp_path):
    # The last entrant enters before 03-03 00:00, so a window ending at the last event has ended.
    edge = [event("view", "2024-03-02T23:00:00Z", "ann"), event("view", "2024-03-04T00:00:00Z", "bo")]
    project = build_project(tmp_path, edge)
    definition = funnel(range={"from": "2024-03-01", "to": "2024-03-02"})
    assert point_open_reason(project.con, Point(definition, step=2), project, LATER) is None

    # One second earlier, the data ends inside that window.
    project.close()
    early = [event("view", "2024-03-02T23:00:00Z", "ann"), event("view", "2024-03-03T23:59:59Z", "bo")]
    project = build_project(tmp_path, early, name="early.duckdb")
    assert point_open_reason(project.con, Point(definition, step=2), project, LATER) == OPEN_WINDOW
    project.close()


def test_funnel_step_one_open_until_range_ends(shop):
    definition = funnel()
    step_one = Point(definition, step=1)
    assert point_open_reason(shop.con, step_one, shop, LATER) is None
    # On 03-04 at noon the range, which ends 03-05 00:00, still runs, so more users can enter.
    assert point_open_reason(shop.con, step_one, shop, utc("2024-03-04T12:00:00")) == OPEN_RANGE


def test_funnel_over_time_uses_last_event(shop):
    # Entry buckets 03-01 to 03-04: windows end 03-02, 03-03 (no entrant), 03-05 and 03-06 at 00:00.
    definition = funnel()
    reasons = [
        point_open_reason(shop.con, Point(definition, bucket=bucket, step=2, over_time=True), shop, LATER)
        for bucket in range(4)
    ]
    assert reasons == [None, None, OPEN_WINDOW, OPEN_WINDOW]


def test_funnel_future_events_do_not_close_windows(tmp_path):
    # An event stamped after now does not end windows that are still open now.
    rows = [event("view", "2024-03-02T10:00:00Z", "ann"), event("view", "2030-01-01T00:00:00Z", "bo")]
    project = build_project(tmp_path, rows)
    definition = funnel(range={"from": "2024-03-01", "to": "2024-03-02"})
    now = utc("2024-03-03T12:00:00")
    assert point_open_reason(project.con, Point(definition, step=2), project, now) == OPEN_WINDOW
    project.close()


def test_segmentation_bucket_open_until_it_ends(shop):
    definition = parse_chart(
        {"type": "segmentation", "events": [{"event": "view"}], "range": {"from": "2024-03-01", "to": "2024-03-04"}}
    )
    last_day = Point(definition, bucket=3)
    assert point_open_reason(shop.con, last_day, shop, utc("2024-03-04T23:59:59")) == OPEN_BUCKET
    assert point_open_reason(shop.con, last_day, shop, utc("2024-03-05T00:00:00")) is None
    assert point_open_reason(shop.con, Point(definition, bucket=2), shop, utc("2024-03-04T12:00:00")) is None


def test_retention_cells_by_hand(signups):
    # Days end at Berlin midnight, and the last event is 04-01 10:00 there.
    definition = parse_chart(SIGNUP_RETENTION)
    expected = {
        # Cohort 03-30: day 0 ends 03-31 00:00, day 1 04-01 00:00, day 2 04-02 00:00.
        (0, 0): None,
        (0, 1): None,
        (0, 2): OPEN_PERIOD,
        # Cohort 03-31: day 0 ends 04-01 00:00, day 1 04-02 00:00.
        (1, 0): None,
        (1, 1): OPEN_PERIOD,
        (1, 2): OPEN_PERIOD,
    }
    for (bucket, period), reason in expected.items():
        for dropped in (False, True):
            point = Point(definition, bucket=bucket, period=period, dropped=dropped)
            assert point_open_reason(signups.con, point, signups, LATER) == reason, (bucket, period, dropped)


def test_retention_matches_chart_complete(signups):
    # In mode ``on`` a cell is open exactly when the chart marks it incomplete.
    definition = parse_chart(SIGNUP_RETENTION)
    frame = retention(signups.con, definition, signups)
    for row in frame.itertuples():
        point = Point(definition, bucket=row.bucket, period=row.period)
        is_open = point_open_reason(signups.con, point, signups, LATER) == OPEN_PERIOD
        assert is_open == (not row.complete), (row.bucket, row.period)


def test_retention_on_or_after_waits_for_last_period(signups):
    # Day 1 of cohort 03-30 is over, but a return on day 2, which runs on, would still count for it.
    definition = parse_chart(dict(SIGNUP_RETENTION, mode="on_or_after"))
    point = Point(definition, bucket=0, period=1)
    assert point_open_reason(signups.con, point, signups, LATER) == OPEN_PERIOD
    # With one period fewer, day 1 is the last one counted, and it is over.
    shorter = parse_chart(dict(SIGNUP_RETENTION, mode="on_or_after", periods=1))
    assert point_open_reason(signups.con, Point(shorter, bucket=0, period=1), signups, LATER) is None


def test_retention_without_events(tmp_path):
    # With no event at all, no cell is complete on the chart, so none is over here either.
    project = create_project(tmp_path / "empty.duckdb")
    definition = parse_chart(SIGNUP_RETENTION)
    assert point_open_reason(project.con, Point(definition, bucket=0, period=0), project, LATER) == OPEN_PERIOD
    project.close()
