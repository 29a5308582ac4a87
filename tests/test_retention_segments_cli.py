"""The command line on a retention chart with a group-by: the printed segment and the users of a segment's point."""

from __future__ import annotations

import pytest

from builders import build_project
from test_chart_types_cli import loupe, rows

GROUPED = {
    "type": "retention",
    "start": {"event": "Signup"},
    "return": {"event": "Open"},
    "periods": 1,
    "range": {"from": "2024-03-01", "to": "2024-03-01"},
    "group_by": "plan",
}

# ann (pro) and bo (free) return on day 1, cy (pro) never; ann's later free sign-up leaves her in pro.
EVENTS = [
    ("ann", "Signup", "2024-03-01T10:00", "pro"), ("ann", "Signup", "2024-03-01T11:00", "free"),
    ("ann", "Open", "2024-03-02T09:00", None),
    ("bo", "Signup", "2024-03-01T11:00", "free"), ("bo", "Open", "2024-03-02T12:00", None),
    ("cy", "Signup", "2024-03-01T12:00", "pro"),
]


@pytest.fixture
def project_path(tmp_path):
    events = [
        {"event_type": kind, "event_time": f"{time}:00Z", "user_id": user, "event_properties": {"plan": plan}}
        for user, kind, time, plan in EVENTS
    ]
    with build_project(tmp_path, events) as project:
        path = project.path
    return path


def test_grouped_chart_prints_segment(tmp_path, project_path, capsys):
    status = loupe(tmp_path, project_path, GROUPED, "chart", "--format", "csv")

    printed = rows(capsys.readouterr().out)
    assert status == 0
    assert list(printed[0])[:2] == ["segment", "bucket_start"]
    assert [(row["segment"], row["period"], row["cohort_size"], row["retained"]) for row in printed] == [
        ("pro", "0", "2", "0"), ("pro", "1", "2", "1"), ("free", "0", "1", "0"), ("free", "1", "1", "1"),
    ]


def test_ungrouped_chart_has_no_segment_column(tmp_path, project_path, capsys):
    chart = {key: value for key, value in GROUPED.items() if key != "group_by"}
    status = loupe(tmp_path, project_path, chart, "chart", "--format", "csv")

    assert status == 0
    assert list(rows(capsys.readouterr().out)[0])[0] == "bucket_start"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--segment", "pro"], ["ann"]),
        (["--segment", "pro", "--dropped"], ["cy"]),
        (["--segment", "free"], ["bo"]),
    ],
)
def test_segment_point_users(tmp_path, project_path, capsys, options, expected):
    status = loupe(
        tmp_path, project_path, GROUPED, "users", "--point", "2024-03-01", "--period", "1", *options, "--format", "csv"
    )

    assert status == 0
    assert sorted(row["user_id"] for row in rows(capsys.readouterr().out)) == expected


def test_grouped_point_needs_segment(tmp_path, project_path, capsys):
    status = loupe(tmp_path, project_path, GROUPED, "users", "--point", "2024-03-01", "--period", "1")

    assert status == 2
    message = capsys.readouterr().err
    assert "--segment: this chart is grouped by 'plan'; name a segment, one of 'pro', 'free'." in message


def test_unknown_segment_rejected(tmp_path, project_path, capsys):
    status = loupe(
        tmp_path, project_path, GROUPED, "users", "--point", "2024-03-01", "--period", "1", "--segment", "gold"
    )

    assert status == 2
    assert "--segment: no segment 'gold' in this chart. Segments: 'pro', 'free'." in capsys.readouterr().err


def test_segment_on_ungrouped_chart_rejected(tmp_path, project_path, capsys):
    chart = {key: value for key, value in GROUPED.items() if key != "group_by"}
    status = loupe(tmp_path, project_path, chart, "users", "--point", "2024-03-01", "--period", "1", "--segment", "pro")

    assert status == 2
    assert "--segment: 'pro' given, but this chart has no group-by." in capsys.readouterr().err
