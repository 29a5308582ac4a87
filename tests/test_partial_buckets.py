"""Partial buckets: weeks and months the chart's range cuts, and the bucket that has not ended yet."""

from datetime import date, datetime, timezone

import pytest

from tui.analytics.buckets import is_partial, make_buckets
from tui.analytics.definition import DateRange

# Long after every range below, so only the range can make a bucket partial.
LATER = datetime(2030, 1, 1, tzinfo=timezone.utc)


def partial_flags(start: date, end: date, interval: str, zone: str = "UTC", week_start: str = "monday", now=LATER):
    """Return ``(start date, end date, partial)`` of every bucket of the range, in the zone's local dates."""
    buckets = make_buckets(DateRange(start, end), interval, zone, week_start)
    flags = []
    for index in range(len(buckets)):
        bucket_start, bucket_end = buckets.start(index), buckets.end(index)
        flags.append((bucket_start.date(), bucket_end.date(), is_partial(bucket_start, bucket_end, interval, now)))
    return flags


def test_weeks_cut_at_both_ends():
    # 2024-03-06 is a Wednesday and 2024-03-20 a Wednesday: Monday weeks start on the 11th and the 18th.
    assert partial_flags(date(2024, 3, 6), date(2024, 3, 20), "week") == [
        (date(2024, 3, 6), date(2024, 3, 11), True),
        (date(2024, 3, 11), date(2024, 3, 18), False),
        (date(2024, 3, 18), date(2024, 3, 21), True),
    ]


def test_whole_weeks_not_partial():
    # Monday 2024-03-04 to Sunday 2024-03-17.
    flags = partial_flags(date(2024, 3, 4), date(2024, 3, 17), "week")
    assert [flag for _, _, flag in flags] == [False, False]


def test_sunday_weeks():
    # Sunday weeks: 2024-03-03 to Saturday 2024-03-09 is whole, the Sunday 2024-03-10 alone is cut.
    flags = partial_flags(date(2024, 3, 3), date(2024, 3, 10), "week", week_start="sunday")
    assert flags == [(date(2024, 3, 3), date(2024, 3, 10), False), (date(2024, 3, 10), date(2024, 3, 11), True)]


def test_week_across_dst_whole():
    # Los Angeles springs forward on Sunday 2024-03-10, so the week of the 4th has 167 hours but all 7 days.
    flags = partial_flags(date(2024, 3, 4), date(2024, 3, 17), "week", zone="America/Los_Angeles")
    assert flags == [
        (date(2024, 3, 4), date(2024, 3, 11), False),
        (date(2024, 3, 11), date(2024, 3, 18), False),
    ]


def test_months_cut_at_both_ends():
    assert partial_flags(date(2024, 2, 15), date(2024, 4, 29), "month", zone="Europe/Berlin") == [
        (date(2024, 2, 15), date(2024, 3, 1), True),
        (date(2024, 3, 1), date(2024, 4, 1), False),
        (date(2024, 4, 1), date(2024, 4, 30), True),
    ]


def test_month_cut_inside_one_month():
    assert partial_flags(date(2024, 2, 1), date(2024, 2, 28), "month") == [(date(2024, 2, 1), date(2024, 2, 29), True)]
    assert partial_flags(date(2024, 2, 1), date(2024, 2, 29), "month") == [(date(2024, 2, 1), date(2024, 3, 1), False)]


@pytest.mark.parametrize("interval", ["day", "hour"])
def test_days_and_hours_never_cut(interval):
    # 2024-03-10 has 23 hours in Los Angeles; its day and its hours are whole all the same.
    flags = partial_flags(date(2024, 3, 9), date(2024, 3, 11), interval, zone="America/Los_Angeles")
    assert len(flags) == (3 if interval == "day" else 71)
    assert not any(flag for _, _, flag in flags)


def test_running_bucket_partial():
    buckets = make_buckets(DateRange(date(2024, 3, 4), date(2024, 3, 10)), "day", "Asia/Kolkata")
    # 2024-03-06 10:00 in Kolkata is 04:30 UTC: the 6th's day is running, the 5th's is over, the 7th's is to come.
    now = datetime(2024, 3, 6, 4, 30, tzinfo=timezone.utc)
    flags = [is_partial(buckets.start(index), buckets.end(index), "day", now) for index in range(len(buckets))]
    assert flags == [False, False, True, True, True, True, True]


def test_bucket_ending_now_is_over():
    buckets = make_buckets(DateRange(date(2024, 3, 4), date(2024, 3, 4)), "day", "UTC")
    end = datetime(2024, 3, 5, tzinfo=timezone.utc)
    assert not is_partial(buckets.start(0), buckets.end(0), "day", end)
    assert is_partial(buckets.start(0), buckets.end(0), "day", datetime(2024, 3, 4, 23, 59, tzinfo=timezone.utc))
