"""Retention start cohorts by the chart's interval, with the periods counted from each start event's own day or week.

The main project is in America/Los_Angeles, start event ``Signup``, return
event ``Open``, weekly cohorts of daily periods over 2024-03-06 (Wednesday)
to 2024-03-13 (Wednesday). Clocks move to summer time at 02:00 on Sunday
03-10, so the week of Monday 03-04 ends at 2024-03-11T07:00Z, not 08:00Z.
Local times:

- alice: signup Saturday 03-09 23:30 PST, open Sunday 03-10 00:30: day 1.
- bob: signup Sunday 03-10 23:30 PDT (Monday in UTC), open Monday 03-11 00:30: day 1.
- dave: signup Wednesday 03-06 01:00, open Tuesday 03-12 23:00: day 6.
- erin: signup Tuesday 03-05 23:30, before the range, then Thursday 03-07 12:00: no open.
- carol: signup Monday 03-11 00:30, open Tuesday 03-12 11:00: day 1.

So cohort [03-06, 03-11) has alice, bob, dave and erin; day 1 retains alice and
bob, day 6 dave. Cohort [03-11, 03-14) has carol, retained on day 1. The last
event is dave's open at 03-12 23:00 PDT, so day 7 of the first cohort and
days 2 on of the second had not begun.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from builders import build_project
from test_chart_types_cli import loupe, rows
from tui.analytics.definition import parse_chart
from tui.analytics.retention import retention, retention_point_events_sql

ZONE = "America/Los_Angeles"
WEEKLY = {
    "type": "retention",
    "start": {"event": "Signup"},
    "return": {"event": "Open"},
    "interval": "week",
    "period": "day",
    "periods": 7,
    "range": {"from": "2024-03-06", "to": "2024-03-13"},
}


def event(event_type: str, time: str, user: str) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user}


EVENTS = [
    event("Signup", "2024-03-10T07:30:00Z", "alice"),
    event("Open", "2024-03-10T08:30:00Z", "alice"),
    event("Signup", "2024-03-11T06:30:00Z", "bob"),
    event("Open", "2024-03-11T07:30:00Z", "bob"),
    event("Signup", "2024-03-06T09:00:00Z", "dave"),
    event("Open", "2024-03-13T06:00:00Z", "dave"),
    event("Signup", "2024-03-06T07:30:00Z", "erin"),
    event("Signup", "2024-03-07T20:00:00Z", "erin"),
    event("Signup", "2024-03-11T07:30:00Z", "carol"),
    event("Open", "2024-03-12T18:00:00Z", "carol"),
]


@pytest.fixture
def project(tmp_path):
    with build_project(tmp_path, EVENTS, timezone=ZONE) as opened:
        yield opened


def run(project, obj: dict) -> pd.DataFrame:
    return retention(project.cursor(), parse_chart(obj), project)


def table(frame: pd.DataFrame, column: str) -> list[list]:
    """Return ``column`` as one list per cohort bucket, in period order."""
    ordered = frame.sort_values(["bucket", "period"])
    return [group[column].tolist() for _, group in ordered.groupby("bucket")]


def point_users(project, obj: dict, bucket, period: int, dropped: bool = False) -> list[str]:
    """Return the user ids of a point's events, the list the microscope shows for it."""
    sql, params = retention_point_events_sql(parse_chart(obj), project, bucket, period, dropped)
    found = project.cursor().execute(
        f"SELECT DISTINCT actors.user_id FROM ({sql}) AS part JOIN actors USING (actor_id) ORDER BY 1", params
    ).fetchall()
    return [user for (user,) in found]


def test_weekly_cohorts_across_dst_week(project):
    frame = run(project, WEEKLY)

    starts = frame.drop_duplicates("bucket")
    assert [stamp.isoformat() for stamp in starts["bucket_start"]] == [
        "2024-03-06T00:00:00-08:00", "2024-03-11T00:00:00-07:00",
    ]
    assert [stamp.isoformat() for stamp in starts["bucket_end"]] == [
        "2024-03-11T00:00:00-07:00", "2024-03-14T00:00:00-07:00",
    ]
    assert table(frame, "cohort_size") == [[4] * 8, [1] * 8]
    assert table(frame, "retained") == [[0, 2, 0, 0, 0, 0, 1, 0], [0, 1, 0, 0, 0, 0, 0, 0]]


def test_weekly_cohort_started_and_complete(project):
    frame = run(project, WEEKLY)

    # Day 7 of the first cohort begins at 03-13 00:00 PDT for dave, after the last event.
    assert table(frame, "started") == [[True] * 7 + [False], [True, True] + [False] * 6]
    assert table(frame, "not_retained") == [[4, 2, 4, 4, 4, 4, 3, 0], [1, 0, 0, 0, 0, 0, 0, 0]]
    # bob's day 1 is Monday 03-11 and ends at 03-12 00:00 PDT. Day 2 ends after the last event.
    assert table(frame, "complete") == [[True, True] + [False] * 6, [False] * 8]


def test_weekly_cohort_point_lists_match_chart(project):
    frame = run(project, WEEKLY)

    for cell in frame.itertuples():
        retained = point_users(project, WEEKLY, cell.bucket, cell.period)
        not_retained = point_users(project, WEEKLY, cell.bucket, cell.period, dropped=True)
        assert len(retained) == cell.retained, cell
        assert len(not_retained) == cell.not_retained, cell
    assert point_users(project, WEEKLY, 0, 1) == ["alice", "bob"]
    assert point_users(project, WEEKLY, 0, 1, dropped=True) == ["dave", "erin"]
    assert point_users(project, WEEKLY, 0, 6) == ["dave"]
    # A date inside a week names the cohort of that week.
    assert point_users(project, WEEKLY, date(2024, 3, 10), 1) == ["alice", "bob"]
    assert point_users(project, WEEKLY, date(2024, 3, 12), 1) == ["carol"]


def test_chart_without_interval_takes_period(project):
    weekly_periods = {key: value for key, value in WEEKLY.items() if key != "interval"} | {"period": "week"}
    definition = parse_chart(weekly_periods)

    assert definition.interval == "week"
    assert definition.to_json()["interval"] == "week"
    frame = run(project, weekly_periods)
    assert [stamp.isoformat() for stamp in frame.drop_duplicates("bucket")["bucket_start"]] == [
        "2024-03-06T00:00:00-08:00", "2024-03-11T00:00:00-07:00",
    ]
    # alice opened in the week of her signup. bob (Sunday to Monday) and dave (Wednesday to Tuesday) the next.
    assert table(frame, "retained")[0][:2] == [1, 2]

    daily_periods = {key: value for key, value in WEEKLY.items() if key != "interval"}
    assert parse_chart(daily_periods).interval == "day"
    assert len(run(project, daily_periods).drop_duplicates("bucket")) == 8


def test_daily_cohorts_with_weekly_periods(project):
    obj = WEEKLY | {"interval": "day", "period": "week", "periods": 1}
    frame = run(project, obj)

    sizes = dict(zip(frame["bucket_start"].dt.strftime("%m-%d"), frame["cohort_size"]))
    assert sizes == {"03-06": 1, "03-07": 1, "03-08": 0, "03-09": 1, "03-10": 1, "03-11": 1, "03-12": 0, "03-13": 0}
    retained = frame.set_index([frame["bucket_start"].dt.strftime("%m-%d"), "period"])["retained"]
    # alice's open is on Sunday, the last day of her signup's week, and bob's on the Monday after his.
    assert retained[("03-09", 0)] == 1
    assert retained[("03-10", 1)] == 1
    # dave's open on 03-12 is in the week after his signup on Wednesday 03-06, and carol's in her signup's week.
    assert retained[("03-06", 1)] == 1
    assert retained[("03-11", 0)] == 1
    assert point_users(project, obj, date(2024, 3, 10), 1) == ["bob"]


def test_monthly_cohorts_across_dst_end(tmp_path):
    # Los Angeles returns to standard time at 02:00 on Sunday 2024-11-03.
    events = [
        event("Signup", "2024-11-01T06:30:00Z", "ann"),   # 10-31 23:30 PDT
        event("Open", "2024-11-01T07:30:00Z", "ann"),     # 11-01 00:30 PDT: day 1
        event("Signup", "2024-11-03T07:30:00Z", "ben"),   # 11-03 00:30 PDT
        event("Open", "2024-11-04T07:30:00Z", "ben"),     # 11-03 23:30 PST: day 0
        event("Open", "2024-11-04T08:30:00Z", "ben"),     # 11-04 00:30 PST: day 1
    ]
    obj = WEEKLY | {"interval": "month", "periods": 1, "range": {"from": "2024-10-30", "to": "2024-11-04"}}
    with build_project(tmp_path, events, timezone=ZONE) as project:
        frame = run(project, obj)

        assert [stamp.isoformat() for stamp in frame.drop_duplicates("bucket")["bucket_start"]] == [
            "2024-10-30T00:00:00-07:00", "2024-11-01T00:00:00-07:00",
        ]
        assert frame.drop_duplicates("bucket")["bucket_end"].iloc[-1].isoformat() == "2024-11-05T00:00:00-08:00"
        assert table(frame, "cohort_size") == [[1, 1], [1, 1]]
        assert table(frame, "retained") == [[0, 1], [1, 1]]
        assert point_users(project, obj, 1, 0) == ["ben"]


def test_cli_weekly_cohort_rows_and_users(tmp_path, capsys):
    with build_project(tmp_path, EVENTS, timezone=ZONE) as project:
        path = project.path

    assert loupe(tmp_path, path, WEEKLY, "chart", "--format", "csv") == 0
    printed = rows(capsys.readouterr().out)
    assert sorted({row["bucket_start"][:10] for row in printed}) == ["2024-03-06", "2024-03-11"]
    day_one = [row for row in printed if row["period"] == "1"]
    day_one_retained = [(row["bucket_start"][:10], row["retained"]) for row in day_one]
    assert day_one_retained == [("2024-03-06", "2"), ("2024-03-11", "1")]

    options = ["--point", "2024-03-06", "--period", "1", "--format", "csv"]
    assert loupe(tmp_path, path, WEEKLY, "users", *options) == 0
    assert sorted(row["user_id"] for row in rows(capsys.readouterr().out)) == ["alice", "bob"]
    assert loupe(tmp_path, path, WEEKLY, "users", *options, "--dropped") == 0
    assert sorted(row["user_id"] for row in rows(capsys.readouterr().out)) == ["dave", "erin"]
