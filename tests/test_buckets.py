"""Bucket boundaries across DST changes, week starts, months, clipping, and the SQL bucket index."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest

from tui.analytics.buckets import MAX_BUCKETS, make_buckets
from tui.analytics.definition import DateRange, DefinitionError

UTC = timezone.utc


def local_starts(buckets) -> list[str]:
    return [buckets.start(index).isoformat() for index in range(len(buckets))]


def hours(buckets, index) -> float:
    return (buckets.boundaries[index + 1] - buckets.boundaries[index]).total_seconds() / 3600


def test_los_angeles_days_across_both_dst_changes():
    # 2024-03-10 02:00 PST jumps to 03:00 PDT; 2024-11-03 02:00 PDT falls back to 01:00 PST.
    spring = make_buckets(DateRange(date(2024, 3, 9), date(2024, 3, 11)), "day", "America/Los_Angeles")
    fall = make_buckets(DateRange(date(2024, 11, 2), date(2024, 11, 4)), "day", "America/Los_Angeles")

    assert local_starts(spring) == [
        "2024-03-09T00:00:00-08:00",
        "2024-03-10T00:00:00-08:00",
        "2024-03-11T00:00:00-07:00",
    ]
    assert [hours(spring, index) for index in range(3)] == [24, 23, 24]
    assert local_starts(fall) == [
        "2024-11-02T00:00:00-07:00",
        "2024-11-03T00:00:00-07:00",
        "2024-11-04T00:00:00-08:00",
    ]
    assert [hours(fall, index) for index in range(3)] == [24, 25, 24]
    assert fall.end(2).isoformat() == "2024-11-05T00:00:00-08:00"


def test_los_angeles_year_has_each_day_once():
    buckets = make_buckets(DateRange(date(2024, 1, 1), date(2024, 12, 31)), "day", "America/Los_Angeles")

    days = [buckets.start(index).date() for index in range(len(buckets))]
    assert len(buckets) == 366
    assert days == [date(2024, 1, 1) + timedelta(days=offset) for offset in range(366)]
    assert all(buckets.start(index).time().isoformat() == "00:00:00" for index in range(len(buckets)))


def test_cairo_day_without_midnight_starts_at_one():
    # Egypt's DST began on Friday 2024-04-26: 00:00 EET became 01:00 EEST, so that local midnight never happened.
    buckets = make_buckets(DateRange(date(2024, 4, 25), date(2024, 4, 27)), "day", "Africa/Cairo")

    assert local_starts(buckets) == [
        "2024-04-25T00:00:00+02:00",
        "2024-04-26T01:00:00+03:00",
        "2024-04-27T00:00:00+03:00",
    ]
    assert buckets.boundaries[1] == datetime(2024, 4, 25, 22, tzinfo=UTC)
    assert [hours(buckets, index) for index in range(3)] == [24, 23, 24]


def test_cairo_year_has_each_day_once():
    # Egypt's DST ended on Thursday 2024-10-31 at 24:00 EEST, falling back to 23:00 EET.
    buckets = make_buckets(DateRange(date(2024, 1, 1), date(2024, 12, 31)), "day", "Africa/Cairo")

    days = [buckets.start(index).date() for index in range(len(buckets))]
    assert days == [date(2024, 1, 1) + timedelta(days=offset) for offset in range(366)]
    october_31 = days.index(date(2024, 10, 31))
    assert hours(buckets, october_31) == 25
    assert sorted(hours(buckets, index) for index in range(len(buckets)))[:2] == [23, 24]


def test_hour_buckets_repeat_fall_back_hour():
    buckets = make_buckets(DateRange(date(2024, 11, 3), date(2024, 11, 3)), "hour", "America/Los_Angeles")

    starts = local_starts(buckets)
    assert len(buckets) == 25
    assert starts[:4] == [
        "2024-11-03T00:00:00-07:00",
        "2024-11-03T01:00:00-07:00",
        "2024-11-03T01:00:00-08:00",
        "2024-11-03T02:00:00-08:00",
    ]
    assert all(hours(buckets, index) == 1 for index in range(len(buckets)))
    assert buckets.boundaries[1] == datetime(2024, 11, 3, 8, tzinfo=UTC)
    assert buckets.boundaries[2] == datetime(2024, 11, 3, 9, tzinfo=UTC)


def test_hour_buckets_skip_spring_forward_hour():
    buckets = make_buckets(DateRange(date(2024, 3, 10), date(2024, 3, 10)), "hour", "America/Los_Angeles")

    starts = local_starts(buckets)
    assert len(buckets) == 23
    assert starts[1:3] == ["2024-03-10T01:00:00-08:00", "2024-03-10T03:00:00-07:00"]


def test_week_buckets_start_on_sunday_and_clip():
    # 2024-03-01 is a Friday and 2024-03-20 a Wednesday.
    buckets = make_buckets(DateRange(date(2024, 3, 1), date(2024, 3, 20)), "week", "UTC", week_start="sunday")

    assert [buckets.start(index).date().isoformat() for index in range(len(buckets))] == [
        "2024-03-01", "2024-03-03", "2024-03-10", "2024-03-17",
    ]
    assert buckets.end(3).date() == date(2024, 3, 21)


def test_week_buckets_start_on_monday():
    buckets = make_buckets(DateRange(date(2024, 3, 1), date(2024, 3, 20)), "week", "UTC", week_start="monday")

    assert [buckets.start(index).date().isoformat() for index in range(len(buckets))] == [
        "2024-03-01", "2024-03-04", "2024-03-11", "2024-03-18",
    ]


def test_month_buckets_clip_to_range():
    buckets = make_buckets(DateRange(date(2024, 1, 15), date(2024, 3, 10)), "month", "Europe/Berlin")

    assert local_starts(buckets) == [
        "2024-01-15T00:00:00+01:00",
        "2024-02-01T00:00:00+01:00",
        "2024-03-01T00:00:00+01:00",
    ]
    assert buckets.end(2).isoformat() == "2024-03-11T00:00:00+01:00"


def test_range_inside_one_bucket_clips_both_ends():
    buckets = make_buckets(DateRange(date(2024, 3, 5), date(2024, 3, 6)), "month", "UTC")

    assert len(buckets) == 1
    assert buckets.start(0).isoformat() == "2024-03-05T00:00:00+00:00"
    assert buckets.end(0).isoformat() == "2024-03-07T00:00:00+00:00"


def test_index_of_outside_range_is_none():
    buckets = make_buckets(DateRange(date(2024, 3, 5), date(2024, 3, 6)), "day", "UTC")

    assert buckets.index_of(datetime(2024, 3, 4, 23, 59, tzinfo=UTC)) is None
    assert buckets.index_of(datetime(2024, 3, 7, tzinfo=UTC)) is None
    assert buckets.index_of(datetime(2024, 3, 6, 23, 59, tzinfo=UTC)) == 1


def test_frame_has_local_timestamps():
    frame = make_buckets(DateRange(date(2024, 3, 9), date(2024, 3, 10)), "day", "America/Los_Angeles").frame()

    assert frame["bucket"].tolist() == [0, 1]
    assert str(frame["bucket_start"].dt.tz) == "America/Los_Angeles"
    assert frame["bucket_end"].iloc[1].isoformat() == "2024-03-11T00:00:00-07:00"


def test_invalid_settings_raise():
    march = DateRange(date(2024, 3, 1), date(2024, 3, 2))

    with pytest.raises(DefinitionError, match="week_start: invalid value 'friday'"):
        make_buckets(march, "week", "UTC", week_start="friday")
    with pytest.raises(DefinitionError, match="timezone: unknown time zone 'Nowhere/City'"):
        make_buckets(march, "day", "Nowhere/City")
    with pytest.raises(DefinitionError, match=f"more than {MAX_BUCKETS}"):
        make_buckets(DateRange(date(2000, 1, 1), date(2020, 1, 1)), "hour", "UTC")


ZONES = [
    "UTC", "America/Los_Angeles", "Africa/Cairo", "Europe/London", "Australia/Lord_Howe",
    "Asia/Kathmandu", "Pacific/Chatham", "America/Santiago", "Asia/Kolkata", "America/St_Johns",
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("interval", ["hour", "day", "week", "month"])
def test_sql_index_matches_boundaries(zone, interval):
    last = date(2024, 12, 31) if interval != "hour" else date(2024, 11, 30)
    buckets = make_buckets(DateRange(date(2024, 1, 3), last), interval, zone, week_start="sunday")

    # Probe each bucket at its first and last microsecond and in the middle.
    probes, expected = [], []
    for index in range(len(buckets)):
        start, end = buckets.boundaries[index], buckets.boundaries[index + 1]
        for instant in (start, start + (end - start) / 2, end - timedelta(microseconds=1)):
            probes.append(instant)
            expected.append(index)

    expression, params = buckets.index_sql("probe")
    con = duckdb.connect()
    con.execute("CREATE TABLE probes AS SELECT unnest(?::TIMESTAMPTZ[]) AS probe", [probes])
    computed = [row[0] for row in con.execute(f"SELECT {expression} FROM probes", params).fetchall()]

    assert computed == expected
    assert [buckets.index_of(instant) for instant in probes] == expected
