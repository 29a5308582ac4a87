"""The command line on cells that can still change or have not begun, its booleans, and counts of one."""

from __future__ import annotations

import csv
import io
import json

from builders import build_project
from microscope_data import write_chart
from test_chart_types_cli import RETENTION
from test_drivers_over_time import ENTRY_EVENTS, FUNNEL
from tui.cli import COMMANDS, main

# The retention chart is Signup then Open, daily, periods 0 to 2, cohorts March 1 and 2 (UTC).
# ann signs up on March 1 and opens on March 2; bo signs up on March 2. The last event, ann's open at
# 09:00 on March 2, is after the start of March 2 but before March 3, so day 2 of March 1's cohort and
# days 1 and 2 of March 2's have not begun.
RETENTION_EVENTS = [
    {"event_type": "Signup", "event_time": "2024-03-01T10:00:00Z", "user_id": "ann"},
    {"event_type": "Signup", "event_time": "2024-03-02T08:00:00Z", "user_id": "bo"},
    {"event_type": "Open", "event_time": "2024-03-02T09:00:00Z", "user_id": "ann"},
]
NOT_BEGUN = "Day 2 has not begun for this cohort by the project's last event, so it has no users yet."


def run(tmp_path, events, chart, command, *options, timezone="UTC") -> int:
    chart_path = write_chart(tmp_path, chart)
    with build_project(tmp_path, events, timezone=timezone) as project:
        path = str(project.path)
    return main([command, str(chart_path), "--project", path, *options])


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_over_time_window_open_at_edge(tmp_path, capsys):
    # The last event is exactly March 1's bucket end plus the 1-day window, so its windows are over.
    events = ENTRY_EVENTS + [{"event_type": "look", "event_time": "2024-03-03T00:00:00Z", "user_id": "z"}]
    status = run(tmp_path, events, FUNNEL, "chart", "--over-time", "--format", "csv")

    output = capsys.readouterr()
    assert status == 0
    rows = csv_rows(output.out)
    assert [(row["bucket_start"][:10], row["step"], row["window_open"]) for row in rows] == [
        ("2024-03-01", "1", "false"), ("2024-03-01", "2", "false"),
        ("2024-03-02", "1", "true"), ("2024-03-02", "2", "true"),
    ]
    assert "window_open is true for entry buckets where some entrant's window had not ended" in output.err


def test_over_time_window_open_across_dst(tmp_path, capsys):
    # New York's March 10, 2024 has 23 hours. March 9's entrants' windows end by 05:00 UTC on March 11
    # (its bucket end plus 24 hours), March 10's by 04:00 UTC on March 12. The last event is a second
    # before the first of these, so both buckets are still open.
    status = run_dst_chart(tmp_path, "2024-03-11T04:59:59Z")

    rows = [row for row in json.loads(capsys.readouterr().out) if row["step"] == 1]
    assert status == 0
    assert [(row["bucket_start"], row["window_open"]) for row in rows] == [
        ("2024-03-09T00:00:00-05:00", True), ("2024-03-10T00:00:00-05:00", True),
    ]


def test_over_time_window_closed_after_dst(tmp_path, capsys):
    # At 04:00 UTC on March 12 both are over: a 24-hour March 10 would keep its windows open an hour longer.
    status = run_dst_chart(tmp_path, "2024-03-12T04:00:00Z")

    rows = [row for row in json.loads(capsys.readouterr().out) if row["step"] == 1]
    assert status == 0
    assert [(row["bucket_start"], row["window_open"]) for row in rows] == [
        ("2024-03-09T00:00:00-05:00", False), ("2024-03-10T00:00:00-05:00", False),
    ]


def run_dst_chart(tmp_path, last_event: str) -> int:
    """Print, as JSON, the funnel over time of one view on March 9 and one on March 10 in New York."""
    events = [
        {"event_type": "view", "event_time": "2024-03-09T12:00:00Z", "user_id": "u1"},
        {"event_type": "view", "event_time": "2024-03-10T12:00:00Z", "user_id": "u2"},
        {"event_type": "look", "event_time": last_event, "user_id": "u3"},
    ]
    chart = dict(FUNNEL, range={"from": "2024-03-09", "to": "2024-03-10"})
    return run(tmp_path, events, chart, "chart", "--over-time", "--format", "json", timezone="America/New_York")


def test_retention_not_begun_csv(tmp_path, capsys):
    status = run(tmp_path, RETENTION_EVENTS, RETENTION, "chart", "--format", "csv")

    output = capsys.readouterr()
    assert status == 0
    columns = ("bucket_start", "period", "cohort_size", "retained", "not_retained", "rate", "complete", "started")
    assert [tuple(row[column] for column in columns) for row in csv_rows(output.out)] == [
        ("2024-03-01T00:00:00+00:00", "0", "1", "0", "1", "0.0", "true", "true"),
        ("2024-03-01T00:00:00+00:00", "1", "1", "1", "0", "1.0", "false", "true"),
        ("2024-03-01T00:00:00+00:00", "2", "1", "", "", "", "false", "false"),
        ("2024-03-02T00:00:00+00:00", "0", "1", "0", "1", "0.0", "false", "true"),
        ("2024-03-02T00:00:00+00:00", "1", "1", "", "", "", "false", "false"),
        ("2024-03-02T00:00:00+00:00", "2", "1", "", "", "", "false", "false"),
    ]
    assert "started is false (with empty retained, not_retained and rate) for periods that had not begun" in output.err


def test_retention_not_begun_json(tmp_path, capsys):
    status = run(tmp_path, RETENTION_EVENTS, RETENTION, "chart", "--format", "json")

    rows = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [(row["rate"], row["complete"], row["started"]) for row in rows] == [
        (0.0, True, True), (1.0, False, True), (None, False, False),
        (0.0, False, True), (None, False, False), (None, False, False),
    ]
    assert [(row["retained"], row["not_retained"]) for row in rows] == [
        (0, 1), (1, 0), (None, None), (0, 1), (None, None), (None, None),
    ]


def test_users_of_not_begun_period(tmp_path, capsys):
    status = run(tmp_path, RETENTION_EVENTS, RETENTION, "users", "--point", "2024-03-01", "--period", "2")

    output = capsys.readouterr()
    assert status == 0
    assert output.err.splitlines() == [
        "Signup then Open, day 2 (on), retained, [2024-03-01 00:00, 2024-03-02 00:00) UTC: 0 users",
        NOT_BEGUN,
    ]


def test_users_of_begun_empty_period(tmp_path, capsys):
    # bo did not come back on day 0, which has begun: 0 users, and nothing about a period not begun.
    status = run(tmp_path, RETENTION_EVENTS, RETENTION, "users", "--point", "2024-03-02", "--period", "0")

    output = capsys.readouterr()
    assert status == 0
    assert output.err.endswith(": 0 users\n")
    assert "has not begun" not in output.err


def test_users_of_one(tmp_path, capsys):
    status = run(tmp_path, RETENTION_EVENTS, RETENTION, "users", "--point", "2024-03-01", "--period", "1")

    output = capsys.readouterr()
    assert status == 0
    assert output.err.endswith(" UTC: 1 user\n")
    assert [row["user_id"] for row in csv_rows(output.out)] == ["ann"]


def test_export_of_one_user(tmp_path, capsys):
    chart_path = write_chart(tmp_path, RETENTION)
    with build_project(tmp_path, RETENTION_EVENTS) as project:
        path = str(project.path)
    out = tmp_path / "users.csv"

    status = main([
        "export", "users", str(chart_path), "--project", path, "--point", "2024-03-01", "--period", "1",
        "--out", str(out),
    ])

    assert status == 0
    assert capsys.readouterr().out == f"Wrote 1 of 1 user to {out}.\n"


def test_drivers_point_bucket_in_zone(tmp_path, capsys):
    status = run(
        tmp_path, ENTRY_EVENTS, FUNNEL, "drivers", "--step", "2", "--point", "2024-03-02", "--format", "csv",
        timezone="Europe/Berlin",
    )

    output = capsys.readouterr()
    assert status == 0
    assert output.err.startswith("step 2, entered in [2024-03-02 00:00, 2024-03-03 00:00) Europe/Berlin: ")


def test_export_summary_names_groups():
    assert COMMANDS["export"][1] == "write a data point's users or groups to a CSV file"
