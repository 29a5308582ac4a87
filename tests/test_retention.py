"""Retention tables and point event lists against values worked out by hand on small imported projects."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from builders import build_project
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.retention import retention, retention_point_events_sql, retention_summary
from tui.store.cohorts import save_cohort


def chart(start="Open", returned="Open", first="2024-03-01", last="2024-03-01", **changes) -> dict:
    """Return a retention chart from ``start`` to ``returned`` (names or event objects) over ``first``..``last``."""
    obj = {
        "type": "retention",
        "start": {"event": start} if isinstance(start, str) else start,
        "return": {"event": returned} if isinstance(returned, str) else returned,
        "range": {"from": first, "to": last},
    }
    obj.update(changes)
    return obj


def event(event_type, time, user=None, device=None, **fields) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user, "device_id": device, **fields}


def run(project, obj) -> pd.DataFrame:
    return retention(project.cursor(), parse_chart(obj), project)


def table(frame, column="retained") -> list[list]:
    """Return ``column`` as one list per cohort bucket, in period order."""
    ordered = frame.sort_values(["bucket", "period"])
    return [group[column].tolist() for _, group in ordered.groupby("bucket")]


def part_rows(project, obj, bucket, period, dropped=False) -> list[tuple[str, str, str]]:
    """Return the point's events as (event type, UTC time, actor's user id or device id), sorted."""
    sql, params = retention_point_events_sql(parse_chart(obj), project, bucket, period, dropped)
    rows = project.cursor().execute(
        "SELECT part.event_type, strftime(part.event_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S'), "
        f"coalesce(actors.user_id, actors.device_id) FROM ({sql}) AS part JOIN actors USING (actor_id) ORDER BY ALL",
        params,
    ).fetchall()
    return [tuple(row) for row in rows]


def part_users(project, obj, bucket, period, dropped=False) -> list[str]:
    """Return the point's actors by user id (device id when never identified), sorted."""
    return sorted({name for _, _, name in part_rows(project, obj, bucket, period, dropped)})


# Rules -----------------------------------------------------------------------


def test_on_versus_on_or_after(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "alice"),
        event("Open", "2024-03-03T09:00:00Z", "alice"),
        event("Open", "2024-03-01T11:00:00Z", "bob"),
        event("Open", "2024-03-02T08:00:00Z", "bob"),
        event("Open", "2024-03-04T12:00:00Z", "bob"),
        event("Open", "2024-03-01T12:00:00Z", "carol"),
    ])
    on = chart(periods=3)
    on_or_after = chart(periods=3, mode="on_or_after")

    assert table(run(project, on)) == [[0, 1, 1, 1]]
    assert table(run(project, on), "not_retained") == [[3, 2, 2, 2]]
    assert table(run(project, on_or_after)) == [[2, 2, 2, 1]]
    assert table(run(project, on_or_after), "cohort_size") == [[3, 3, 3, 3]]
    assert part_rows(project, on, 0, 2) == [("Open", "2024-03-03T09:00:00", "alice")]
    assert part_rows(project, on_or_after, 0, 2) == [
        ("Open", "2024-03-03T09:00:00", "alice"),
        ("Open", "2024-03-04T12:00:00", "bob"),
    ]
    assert part_users(project, on_or_after, 0, 1) == ["alice", "bob"]
    assert part_rows(project, on_or_after, 0, 3, dropped=True) == [
        ("Open", "2024-03-01T10:00:00", "alice"),
        ("Open", "2024-03-01T12:00:00", "carol"),
    ]


def test_cohort_by_first_start_event(tmp_path):
    project = build_project(tmp_path, [
        # The later start comes first in the file; the earlier one still decides the cohort.
        event("Open", "2024-03-02T10:00:00Z", "alice"),
        event("Open", "2024-03-01T10:00:00Z", "alice"),
        event("Buy", "2024-03-03T10:00:00Z", "alice"),
    ])
    obj = chart("Open", "Buy", last="2024-03-02", periods=2)
    frame = run(project, obj)

    assert table(frame, "cohort_size") == [[1, 1, 1], [0, 0, 0]]
    assert table(frame) == [[0, 0, 1], [0, 0, 0]]
    assert all(math.isnan(rate) for rate in table(frame, "rate")[1])
    assert part_rows(project, obj, 0, 1, dropped=True) == [("Open", "2024-03-01T10:00:00", "alice")]


def test_repeated_start_event_returns(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "alice"),
        event("Open", "2024-03-01T10:00:00Z", "bob", insert_id="bob-1"),
        event("Open", "2024-03-01T10:00:00Z", "bob", insert_id="bob-2"),
        event("Open", "2024-03-01T11:00:00Z", "carol"),
        event("Open", "2024-03-01T12:00:00Z", "carol"),
    ])
    obj = chart(periods=1)

    # A start event never returns itself, but a second one at the same time does.
    assert table(run(project, obj)) == [[2, 0]]
    assert part_rows(project, obj, 0, 0) == [
        ("Open", "2024-03-01T10:00:00", "bob"),
        ("Open", "2024-03-01T12:00:00", "carol"),
    ]


def test_same_time_return_follows_file_order(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "alice"),
        event("Buy", "2024-03-01T10:00:00Z", "alice"),
        event("Buy", "2024-03-01T10:00:00Z", "bob"),
        event("Open", "2024-03-01T10:00:00Z", "bob"),
    ])
    obj = chart("Open", "Buy", periods=1)

    assert table(run(project, obj)) == [[1, 0]]
    assert part_users(project, obj, 0, 0) == ["alice"]
    assert part_users(project, obj, 0, 0, dropped=True) == ["bob"]


def test_return_uses_client_time_order(tmp_path):
    # The server times put the return first, but the device captured the start first.
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:05Z", "alice", client_time="2024-03-01T09:59:00Z"),
        event("Buy", "2024-03-01T10:00:00Z", "alice", client_time="2024-03-01T09:59:30Z"),
    ])

    assert table(run(project, chart("Open", "Buy", periods=1))) == [[1, 0]]


def test_returns_after_range_end_count(tmp_path):
    project = build_project(tmp_path, [
        event("Buy", "2024-02-29T10:00:00Z", "alice"),
        event("Open", "2024-03-01T10:00:00Z", "alice"),
        event("Buy", "2024-03-05T10:00:00Z", "alice"),
        # Past the last period (7 days after 1 March), so it counts nowhere.
        event("Buy", "2024-03-09T10:00:00Z", "alice"),
    ])
    obj = chart("Open", "Buy", periods=7)

    assert table(run(project, obj)) == [[0, 0, 0, 0, 1, 0, 0, 0]]
    assert part_rows(project, obj, 0, 4) == [("Buy", "2024-03-05T10:00:00", "alice")]
    assert part_rows(project, chart("Open", "Buy", periods=7, mode="on_or_after"), 0, 0) == [
        ("Buy", "2024-03-05T10:00:00", "alice"),
    ]


def test_anonymous_events_later_identified(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", device="d1"),
        event("Open", "2024-03-01T11:00:00Z", device="d2"),
        event("Buy", "2024-03-03T10:00:00Z", "u1", device="d1"),
    ])
    obj = chart("Open", "Buy", periods=2)

    assert table(run(project, obj), "cohort_size") == [[2, 2, 2]]
    assert table(run(project, obj)) == [[0, 0, 1]]
    assert part_rows(project, obj, 0, 2) == [("Buy", "2024-03-03T10:00:00", "u1")]
    assert part_users(project, obj, 0, 2, dropped=True) == ["d2"]
    # u1's first start event is the anonymous one from d1.
    assert part_rows(project, obj, 0, 1, dropped=True) == [
        ("Open", "2024-03-01T10:00:00", "u1"),
        ("Open", "2024-03-01T11:00:00", "d2"),
    ]


def test_where_items_and_cohort(tmp_path):
    pro = [{"property": "plan", "op": "=", "value": "pro"}]
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "alice", platform="iOS", plan="pro"),
        event("Buy", "2024-03-02T10:00:00Z", "alice", platform="iOS"),
        event("Open", "2024-03-01T10:00:00Z", "bob", platform="iOS", plan="free"),
        event("Buy", "2024-03-02T10:00:00Z", "bob", platform="iOS"),
        event("Open", "2024-03-01T10:00:00Z", "carol", platform="iOS", plan="pro"),
        event("Buy", "2024-03-02T10:00:00Z", "carol", platform="Web"),
        event("Open", "2024-03-01T10:00:00Z", "dan", platform="Web", plan="pro"),
        event("Buy", "2024-03-02T10:00:00Z", "dan", platform="Web"),
    ])
    ios = [{"property": "platform", "op": "=", "value": "iOS"}]
    obj = chart({"event": "Open", "where": pro}, "Buy", periods=1, where=ios)

    assert table(run(project, obj), "cohort_size") == [[2, 2]]
    assert table(run(project, obj)) == [[0, 1]]
    assert part_users(project, obj, 0, 1) == ["alice"]
    assert part_users(project, obj, 0, 1, dropped=True) == ["carol"]

    members = ("SELECT actor_id FROM actors WHERE user_id IN ('carol', 'dan')", [])
    save_cohort(project, "Carol and Dan", members, None)
    obj["cohort"] = "Carol and Dan"
    assert table(run(project, obj), "cohort_size") == [[1, 1]]
    assert table(run(project, obj)) == [[0, 0]]


def test_markup_and_unicode_event_names(tmp_path):
    start, returned = "Öffnen [bold]✓[/bold]", "買う 'x'; --"
    project = build_project(tmp_path, [
        event(start, "2024-03-01T10:00:00Z", "zoë"),
        event(returned, "2024-03-02T10:00:00Z", "zoë"),
    ])
    obj = chart(start, returned, periods=1)

    assert table(run(project, obj)) == [[0, 1]]
    assert part_rows(project, obj, 0, 1) == [(returned, "2024-03-02T10:00:00", "zoë")]


# Periods in time zones --------------------------------------------------------


def test_berlin_days_across_dst(tmp_path):
    # Berlin springs forward at 01:00 UTC on 2024-03-31, so that local day has 23 hours.
    project = build_project(tmp_path, [
        event("Open", "2024-03-30T22:30:00Z", "anna"),  # 03-30 23:30 CET
        event("Buy", "2024-03-31T21:30:00Z", "anna"),   # 03-31 23:30 CEST: period 1
        event("Open", "2024-03-30T23:30:00Z", "ben"),   # 03-31 00:30 CET, a 03-30 event in UTC
        event("Buy", "2024-03-31T21:59:59Z", "ben"),    # 03-31 23:59:59 CEST: period 0
        event("Open", "2024-03-31T00:30:00Z", "cora"),  # 03-31 01:30 CET
        event("Buy", "2024-03-31T22:30:00Z", "cora"),   # 04-01 00:30 CEST: period 1, not 24 h after midnight
    ], timezone="Europe/Berlin")
    obj = chart("Open", "Buy", "2024-03-30", "2024-03-31", periods=1)
    frame = run(project, obj)

    assert table(frame, "cohort_size") == [[1, 1], [2, 2]]
    assert table(frame) == [[0, 1], [1, 1]]
    assert part_users(project, obj, 1, 0) == ["ben"]
    assert part_users(project, obj, 1, 1) == ["cora"]
    assert [start.isoformat() for start in frame["bucket_start"].unique()] == [
        "2024-03-30T00:00:00+01:00", "2024-03-31T00:00:00+01:00",
    ]
    assert frame["bucket_end"].iloc[-1].isoformat() == "2024-04-01T00:00:00+02:00"


def test_chart_timezone_overrides_project(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-30T23:30:00Z", "ben"),
        event("Buy", "2024-03-31T21:59:59Z", "ben"),
    ])
    utc = chart("Open", "Buy", "2024-03-30", "2024-03-31", periods=1)
    berlin = dict(utc, timezone="Europe/Berlin")

    assert table(run(project, utc)) == [[0, 1], [0, 0]]
    assert table(run(project, berlin)) == [[0, 0], [1, 0]]


def test_weekly_periods(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-10T20:00:00Z", "alice"),  # Sunday of the first week
        event("Buy", "2024-03-11T08:00:00Z", "alice"),   # Monday: the next calendar week
        event("Open", "2024-03-06T10:00:00Z", "bob"),
        event("Buy", "2024-03-12T10:00:00Z", "bob"),
        event("Open", "2024-03-11T09:00:00Z", "carol"),
        event("Buy", "2024-03-16T09:00:00Z", "carol"),
    ])
    calendar = chart("Open", "Buy", "2024-03-04", "2024-03-17", period="week", periods=1)
    rolling = dict(calendar, rolling=True)

    assert table(run(project, calendar), "cohort_size") == [[2, 2], [1, 1]]
    assert table(run(project, calendar)) == [[0, 2], [1, 0]]
    assert table(run(project, rolling)) == [[2, 0], [1, 0]]
    assert part_users(project, calendar, 0, 1) == ["alice", "bob"]
    assert [start.isoformat() for start in run(project, calendar)["bucket_start"].unique()] == [
        "2024-03-04T00:00:00+00:00", "2024-03-11T00:00:00+00:00",
    ]


def test_weeks_starting_sunday_clip_first_bucket(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-10T20:00:00Z", "alice"),  # Sunday opens a week
        event("Buy", "2024-03-11T08:00:00Z", "alice"),
        event("Open", "2024-03-06T10:00:00Z", "bob"),
        event("Buy", "2024-03-12T10:00:00Z", "bob"),
    ])
    project.set_setting("week_start", "sunday")
    frame = run(project, chart("Open", "Buy", "2024-03-04", "2024-03-16", period="week", periods=1))

    assert table(frame, "cohort_size") == [[1, 1], [1, 1]]
    assert table(frame) == [[0, 1], [1, 0]]
    assert frame["bucket_start"].iloc[0].isoformat() == "2024-03-04T00:00:00+00:00"
    assert frame["bucket_end"].iloc[0].isoformat() == "2024-03-10T00:00:00+00:00"


def test_berlin_week_of_dst_change(tmp_path):
    # The week of Monday 2024-03-25 has 167 hours in Berlin and ends at 2024-03-31T22:00Z.
    project = build_project(tmp_path, [
        event("Open", "2024-03-25T10:00:00Z", "dana"),
        event("Buy", "2024-03-31T21:30:00Z", "dana"),   # Sunday 23:30 CEST
        event("Open", "2024-03-25T10:00:00Z", "eli"),
        event("Buy", "2024-03-31T22:30:00Z", "eli"),    # Monday 00:30 CEST
    ], timezone="Europe/Berlin")
    frame = run(project, chart("Open", "Buy", "2024-03-25", "2024-03-31", period="week", periods=1))

    assert table(frame) == [[1, 1]]
    assert frame["bucket_end"].iloc[0].isoformat() == "2024-04-01T00:00:00+02:00"


def test_rolling_versus_calendar_days(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T23:00:00Z", "alice"),
        event("Buy", "2024-03-02T01:00:00Z", "alice"),   # 2 hours later, the next day
        event("Open", "2024-03-01T01:00:00Z", "bob"),
        event("Buy", "2024-03-02T02:00:00Z", "bob"),     # 25 hours later
    ])
    calendar = chart("Open", "Buy", periods=1)
    rolling = chart("Open", "Buy", periods=1, rolling=True)

    assert table(run(project, calendar)) == [[0, 2]]
    assert table(run(project, rolling)) == [[1, 1]]
    assert part_users(project, rolling, 0, 0) == ["alice"]
    assert part_users(project, rolling, 0, 1) == ["bob"]


def test_rolling_day_across_dst_is_24_hours(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-30T12:00:00Z", "anna"),
        event("Buy", "2024-03-31T11:30:00Z", "anna"),   # 23.5 hours later, though 24.5 on the wall clock
    ], timezone="Europe/Berlin")
    frame = run(project, chart("Open", "Buy", "2024-03-30", "2024-03-30", periods=1, rolling=True))

    assert table(frame) == [[1, 0]]


# Completeness and summary ------------------------------------------------------


def test_incomplete_periods_left_out_of_average(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "a"),
        event("Open", "2024-03-02T10:00:00Z", "a"),
        event("Open", "2024-03-03T10:00:00Z", "a"),
        event("Open", "2024-03-01T12:00:00Z", "b"),
        event("Open", "2024-03-02T09:00:00Z", "c"),
        event("Open", "2024-03-03T11:00:00Z", "c"),  # the project's last event
    ])
    frame = run(project, chart(last="2024-03-02", periods=2))

    assert table(frame, "cohort_size") == [[2, 2, 2], [1, 1, 1]]
    assert table(frame) == [[0, 1, 1], [0, 1, 0]]
    assert table(frame, "complete") == [[True, True, False], [True, False, False]]

    summary = retention_summary(frame)
    assert list(summary.columns) == ["segment", "period", "cohorts", "cohort_size", "retained", "rate"]
    assert summary["segment"].tolist() == [None, None, None]
    assert summary["period"].tolist() == [0, 1, 2]
    assert summary["cohorts"].tolist() == [2, 1, 0]
    assert summary["cohort_size"].tolist() == [3, 2, 0]
    assert summary["retained"].tolist() == [0, 1, 0]
    assert summary["rate"].iloc[:2].tolist() == [0.0, 0.5]
    assert math.isnan(summary["rate"].iloc[2])


def test_rolling_cell_completes_after_last_start_window(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "a"),
        event("Open", "2024-03-02T23:59:59Z", "b"),  # the project's last event
    ])
    frame = run(project, chart(periods=1, rolling=True))

    # Period 0 ends for the whole 1 March cohort by 2 March 24:00 at the latest.
    assert table(frame, "complete") == [[False, False]]
    project.close()
    later = build_project(tmp_path, [event("Open", "2024-03-03T00:00:00Z", "c")])
    assert table(run(later, chart(periods=1, rolling=True)), "complete") == [[True, False]]


def test_frame_columns_and_empty_project(tmp_path):
    project = build_project(tmp_path, [event("Other", "2024-03-01T10:00:00Z", "a")])
    frame = run(project, chart(last="2024-03-02", periods=2))

    assert list(frame.columns) == [
        "segment", "bucket", "bucket_start", "bucket_end", "period", "cohort_size", "retained", "not_retained",
        "rate", "complete", "started",
    ]
    assert frame["segment"].tolist() == [None] * 6
    assert frame["bucket"].tolist() == [0, 0, 0, 1, 1, 1]
    assert frame["period"].tolist() == [0, 1, 2, 0, 1, 2]
    assert frame["cohort_size"].tolist() == [0] * 6
    assert frame["rate"].isna().all()
    assert frame["cohort_size"].dtype == "int64"
    assert frame["complete"].dtype == bool
    assert retention_summary(frame)["cohorts"].tolist() == [0, 0, 0]


# Errors ------------------------------------------------------------------------


def test_point_outside_chart_rejected(tmp_path):
    project = build_project(tmp_path, [event("Open", "2024-03-01T10:00:00Z", "a")])
    definition = parse_chart(chart(periods=2))

    with pytest.raises(DefinitionError, match="period: no period 3"):
        retention_point_events_sql(definition, project, 0, 3, False)
    with pytest.raises(DefinitionError, match="period: no period -1"):
        retention_point_events_sql(definition, project, 0, -1, True)
    with pytest.raises(DefinitionError, match="outside the chart's range"):
        retention_point_events_sql(definition, project, 1, 0, False)


def test_point_found_by_date(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-02T10:00:00Z", "a"),
        event("Open", "2024-03-03T10:00:00Z", "a"),
    ])
    obj = chart(last="2024-03-02", periods=1)

    assert part_rows(project, obj, pd.Timestamp("2024-03-02").date(), 1) == [("Open", "2024-03-03T10:00:00", "a")]


@pytest.mark.parametrize("changes, message", [
    ({"periods": 1001}, "periods: 1001 is more than 1000"),
    ({"cohort": "Nobody"}, "cohort: no cohort named 'Nobody'"),
])
def test_unsupported_charts_rejected(tmp_path, changes, message):
    project = build_project(tmp_path, [event("Open", "2024-03-01T10:00:00Z", "a")])

    with pytest.raises(DefinitionError, match=message):
        run(project, chart(**changes))


def test_other_chart_type_rejected(tmp_path):
    project = build_project(tmp_path, [event("Open", "2024-03-01T10:00:00Z", "a")])
    segmentation = parse_chart({"type": "segmentation", "events": [{"event": "Open"}],
                                "range": {"from": "2024-03-01", "to": "2024-03-01"}})

    with pytest.raises(DefinitionError, match="not a retention chart"):
        retention(project.cursor(), segmentation, project)
