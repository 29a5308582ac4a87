"""Funnel points whose entry bucket (or range) has not ended: more actors may still enter, at every step.

The funnel is view then buy, window 1 day, range 03-01 to 03-04 (UTC), with
the events of ``test_app_funnel_over_time_partial``: ann enters 03-01, bo
03-03, cy 03-04, and the last event is cy's buy at 03-04 11:00. The clock
is set by hand, so the buckets still to come are chosen by the test.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from builders import build_project
from test_app_funnel_over_time_partial import CHART, EVENTS
from tui.analytics.definition import parse_chart
from tui.analytics.point import OPEN_RANGE, OPEN_WINDOW, Point, point_open_reason

DEFINITION = parse_chart(CHART)
# Noon on 03-04: buckets 03-01 to 03-03 are over, 03-04 is not.
MARCH_4_NOON = datetime(2024, 3, 4, 12, tzinfo=timezone.utc)
# Noon on 03-03: 03-03 is not over and 03-04 has not begun. The data ends here too, since it ends at the clock.
MARCH_3_NOON = datetime(2024, 3, 3, 12, tzinfo=timezone.utc)


@pytest.fixture
def shop(tmp_path):
    project = build_project(tmp_path, EVENTS)
    yield project
    project.close()


def over_time_reasons(shop, bucket: int, now: datetime) -> list[str | None]:
    """Return the open reason of each part of ``bucket``: step 1, step 2 converted, step 2 dropped off."""
    points = [
        Point(DEFINITION, bucket=bucket, step=1, over_time=True),
        Point(DEFINITION, bucket=bucket, step=2, over_time=True),
        Point(DEFINITION, bucket=bucket, step=2, dropped=True, over_time=True),
    ]
    return [point_open_reason(shop.con, point, shop, now) for point in points]


def test_bucket_not_over_every_step(shop):
    assert over_time_reasons(shop, 3, MARCH_4_NOON) == [OPEN_RANGE, OPEN_RANGE, OPEN_RANGE]


def test_bucket_not_begun_every_step(shop):
    assert over_time_reasons(shop, 3, MARCH_3_NOON) == [OPEN_RANGE, OPEN_RANGE, OPEN_RANGE]
    assert over_time_reasons(shop, 2, MARCH_3_NOON) == [OPEN_RANGE, OPEN_RANGE, OPEN_RANGE]


def test_ended_bucket_waits_for_windows(shop):
    # 03-03 is over at noon on 03-04, but its entrants' windows may run to 03-05 00:00, after the last event.
    assert over_time_reasons(shop, 2, MARCH_4_NOON) == [None, OPEN_WINDOW, OPEN_WINDOW]
    # 03-01's windows ended by 03-02 00:00.
    assert over_time_reasons(shop, 0, MARCH_4_NOON) == [None, None, None]


def test_bars_range_not_over(shop):
    # The bars' entry bucket is the whole range, which ends 03-05 00:00.
    for step, dropped in ((1, False), (2, False), (2, True)):
        point = Point(DEFINITION, step=step, dropped=dropped)
        assert point_open_reason(shop.con, point, shop, MARCH_4_NOON) == OPEN_RANGE, (step, dropped)
