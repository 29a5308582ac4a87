"""Funnel conversion over time: actors bucketed by the start of their kept conversion, checked by hand."""

from __future__ import annotations

import math

import pandas as pd

from builders import build_project
from funnel_helpers import chart, event, run
from tui.analytics.definition import parse_chart
from tui.analytics.funnel import OVER_TIME_COLUMNS, funnel_over_time

NEW_YORK = "America/New_York"


def over_time(project, obj) -> pd.DataFrame:
    return funnel_over_time(project.cursor(), parse_chart(obj), project)


def converted_by_bucket(frame: pd.DataFrame) -> dict[str, list[int]]:
    """Return each bucket's converted counts per step, keyed by the bucket start's local date and hour."""
    keys = frame["bucket_start"].dt.strftime("%m-%d %H:%M")
    return {key: group["converted"].tolist() for key, group in frame.groupby(keys, sort=True)}


def test_days_cut_in_project_timezone_across_dst(tmp_path):
    # New York moves to daylight time at 2024-03-10 02:00 local (07:00Z), so March 10 has 23 hours.
    project = build_project(tmp_path, [
        # 2024-03-09 23:30 EST, purchase after midnight: counts on March 9.
        event("Signup", "2024-03-10T04:30:00Z", "alice"),
        event("Purchase", "2024-03-10T05:30:00Z", "alice"),
        event("Signup", "2024-03-10T12:00:00Z", "carol"),
        event("Purchase", "2024-03-10T12:10:00Z", "carol"),
        # 2024-03-10 23:59:59 EDT, purchase the next day within the window: counts on March 10.
        event("Signup", "2024-03-11T03:59:59Z", "dave"),
        event("Purchase", "2024-03-11T10:00:00Z", "dave"),
        # 2024-03-11 00:30 EDT, no purchase.
        event("Signup", "2024-03-11T04:30:00Z", "bob"),
    ], timezone=NEW_YORK)
    obj = chart(["Signup", "Purchase"], first="2024-03-09", last="2024-03-11")
    frame = over_time(project, obj)

    assert frame.columns.tolist() == OVER_TIME_COLUMNS
    assert converted_by_bucket(frame) == {"03-09 00:00": [1, 1], "03-10 00:00": [2, 2], "03-11 00:00": [1, 0]}
    march_10 = frame.iloc[2]
    assert march_10["bucket_end"] - march_10["bucket_start"] == pd.Timedelta(hours=23)
    assert str(march_10["bucket_start"].tz) == NEW_YORK
    assert frame["dropped"].tolist() == [0, 0, 0, 0, 0, 1]
    assert frame["conversion"].tolist() == [1.0, 1.0, 1.0, 1.0, 1.0, 0.0]


def test_buckets_sum_to_funnel(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Purchase", "2024-03-01T10:30:00Z", "alice"),
        event("Signup", "2024-03-02T10:00:00Z", "bob"),
        event("Signup", "2024-03-03T10:00:00Z", "carol"),
        event("Purchase", "2024-03-03T11:00:00Z", "carol"),
    ])
    obj = chart(["Signup", "Purchase"], first="2024-03-01", last="2024-03-03")
    frame = over_time(project, obj)
    totals = frame.groupby("step")[["converted", "dropped"]].sum()

    assert totals["converted"].tolist() == run(project, obj)["converted"].tolist() == [3, 2]
    assert totals["dropped"].tolist() == [0, 1]


def test_kept_conversion_decides_bucket(tmp_path):
    project = build_project(tmp_path, [
        # The March 1 signup never converts; the March 2 one does and is kept.
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Signup", "2024-03-02T10:00:00Z", "alice"),
        event("Purchase", "2024-03-02T10:30:00Z", "alice"),
    ])
    obj = chart(["Signup", "Purchase"], first="2024-03-01", last="2024-03-02", window="1h")

    assert converted_by_bucket(over_time(project, obj)) == {"03-01 00:00": [0, 0], "03-02 00:00": [1, 1]}


def test_any_order_buckets_by_window_start(tmp_path):
    project = build_project(tmp_path, [
        # C cannot open alice's window, so it opens at A on March 2.
        event("C", "2024-03-01T23:55:00Z", "alice"),
        event("A", "2024-03-02T00:05:00Z", "alice"),
        # B opens bob's window on March 1; A follows on March 2.
        event("B", "2024-03-01T23:55:00Z", "bob"),
        event("A", "2024-03-02T00:05:00Z", "bob"),
    ])
    obj = chart(["A", "B", "C"], first="2024-03-01", last="2024-03-02", order="any")

    assert converted_by_bucket(over_time(project, obj)) == {"03-01 00:00": [1, 1, 0], "03-02 00:00": [1, 0, 0]}


def test_hour_buckets_and_empty_buckets(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T01:15:00Z", "alice"),
        event("Purchase", "2024-03-01T01:20:00Z", "alice"),
    ])
    obj = chart(["Signup", "Purchase"], interval="hour")
    frame = over_time(project, obj)

    assert len(frame) == 24 * 2
    assert frame["converted"].sum() == 2
    assert frame.iloc[2:4]["converted"].tolist() == [1, 1]
    assert frame.iloc[2]["bucket_start"] == pd.Timestamp("2024-03-01T01:00:00Z")
    empty = frame.iloc[0]
    assert empty["converted"] == 0
    assert math.isnan(empty["conversion"])
    assert math.isnan(empty["overall"])


def test_month_buckets(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-02-10T10:00:00Z", "alice"),
        event("Purchase", "2024-02-10T11:00:00Z", "alice"),
        event("Signup", "2024-03-05T10:00:00Z", "bob"),
    ])
    obj = chart(["Signup", "Purchase"], first="2024-02-01", last="2024-03-31", interval="month")

    assert converted_by_bucket(over_time(project, obj)) == {"02-01 00:00": [1, 1], "03-01 00:00": [1, 0]}
