"""``--point WHEN`` inside a bucket picks that bucket and names it on stderr, after ``loupe COMMAND:``.

A bucket start prints nothing.

Los Angeles moves to daylight time at 02:00 on 2024-03-10, so that day's
bucket is [03-10 00:00 -08:00, 03-11 00:00 -07:00), 23 hours long.
"""

from __future__ import annotations

import csv
import io

import pytest

from builders import build_project
from microscope_data import chart_json, write_chart
from tui.cli import main

LOS_ANGELES = "America/Los_Angeles"
CHART = chart_json("Buy", "2024-03-09", "2024-03-11", timezone=LOS_ANGELES)
RETENTION = {
    "type": "retention",
    "start": {"event": "Buy"},
    "return": {"event": "View"},
    "period": "day",
    "periods": 2,
    "range": {"from": "2024-03-09", "to": "2024-03-11"},
    "timezone": LOS_ANGELES,
}
MARCH_10 = "[2024-03-10T00:00:00-08:00, 2024-03-11T00:00:00-07:00) America/Los_Angeles"


@pytest.fixture
def project_path(tmp_path):
    events = [
        # 03-10 11:00 and 13:00 in Los Angeles (PDT).
        {"event_type": "Buy", "event_time": "2024-03-10T18:00:00Z", "user_id": "ann"},
        {"event_type": "Buy", "event_time": "2024-03-10T20:00:00Z", "user_id": "bo"},
        # 03-09 23:30 in Los Angeles (PST): the day before.
        {"event_type": "Buy", "event_time": "2024-03-10T07:30:00Z", "user_id": "cy"},
        {"event_type": "View", "event_time": "2024-03-11T18:00:00Z", "user_id": "ann"},
    ]
    with build_project(tmp_path, events) as project:
        path = project.path
    return path


def users(tmp_path, project_path, capsys, when: str, chart=CHART, *options) -> tuple[list[str], list[str]]:
    """Run ``loupe users`` on ``--point when`` and return the user ids printed and the stderr lines about ``--point``.

    The command's own summary line on stderr is left out.
    """
    chart_path = write_chart(tmp_path, chart)
    code = main(["users", str(chart_path), "--project", str(project_path), "--point", when, "--format", "csv", *options])
    output = capsys.readouterr()
    assert code == 0, output.err
    ids = sorted(row["user_id"] for row in csv.DictReader(io.StringIO(output.out)))
    return ids, [line for line in output.err.splitlines() if line.startswith("loupe users: --point")]


@pytest.mark.parametrize("when", ["2024-03-10", "2024-03-10T00:00:00", "2024-03-10T08:00:00+00:00"])
def test_bucket_start_prints_nothing(tmp_path, project_path, capsys, when):
    ids, err = users(tmp_path, project_path, capsys, when)
    assert ids == ["ann", "bo"]
    assert err == []


@pytest.mark.parametrize("when", ["2024-03-10T12:00", "2024-03-10T23:59:59-07:00", "2024-03-11T06:59:59Z"])
def test_time_inside_bucket_named(tmp_path, project_path, capsys, when):
    ids, err = users(tmp_path, project_path, capsys, when)
    assert ids == ["ann", "bo"]
    assert err == [f"loupe users: --point {when}: not a bucket start, so the bucket containing it is used: {MARCH_10}"]


def test_previous_day_bucket_named(tmp_path, project_path, capsys):
    # 07:59:59Z is 23:59:59 PST on 03-09.
    ids, err = users(tmp_path, project_path, capsys, "2024-03-10T07:59:59Z")
    assert ids == ["cy"]
    assert len(err) == 1
    assert err[0].endswith(": [2024-03-09T00:00:00-08:00, 2024-03-10T00:00:00-08:00) America/Los_Angeles")


def test_retention_cohort_named(tmp_path, project_path, capsys):
    ids, err = users(tmp_path, project_path, capsys, "2024-03-10T15:00", RETENTION, "--period", "1")
    # ann came back on 03-11; bo did not.
    assert ids == ["ann"]
    assert err == [
        f"loupe users: --point 2024-03-10T15:00: not a bucket start, so the bucket containing it is used: {MARCH_10}"
    ]
