"""Sessions grouped by a group type, and segmentation and sessions grouped by saved cohorts, counted by hand.

The project (UTC; sessions cut after 30 minutes without events):

| session | user  | events (time, event, companies)                   | length | day   |
| 1       | alice | 10:00 Open Acme; 10:03 Buy Acme and Globex         | 180 s  | 03-01 |
| 2       | bob   | 11:00 Open Acme                                    | 0 s    | 03-01 |
| 3       | alice | 15:00 Open (no company)                            | 0 s    | 03-01 |
| 4       | carol | 12:00 Open Globex                                  | 0 s    | 03-02 |

Account Acme has two members, alice and bob. Saved cohorts of users:
"Buyers" = alice and bob, "Early" = alice; carol is in none. A cohort of
companies, "Accounts" = Acme, is no segment: only cohorts of users are.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project
from groups_data import event
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.microscope import point_users
from tui.analytics.point import Point
from tui.analytics.segmentation import segmentation
from tui.analytics.sessions import sessions_chart
from tui.cli import main
from tui.store.cohorts import save_cohort

RANGE = {"from": "2024-03-01", "to": "2024-03-02"}


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "alice", company="Acme"),
        event("Buy", "2024-03-01T10:03:00Z", "alice", company=["Acme", "Globex"]),
        event("Open", "2024-03-01T11:00:00Z", "bob", company="Acme"),
        event("Open", "2024-03-01T15:00:00Z", "alice"),
        event("Open", "2024-03-02T12:00:00Z", "carol", company="Globex"),
    ])
    ids = dict(project.con.execute("SELECT user_id, actor_id FROM users").fetchall())
    save_cohort(project, "Buyers", ("SELECT unnest(?)", [[ids["alice"], ids["bob"]]]), None)
    save_cohort(project, "Early", ("SELECT unnest(?)", [[ids["alice"]]]), None)
    acme = project.con.execute("SELECT group_id FROM groups WHERE group_name = 'Acme'").fetchone()[0]
    save_cohort(project, "Accounts", ("SELECT unnest(?)", [[acme]]), None, member_kind="groups:company")
    yield project
    project.close()


def sessions(project, **keys):
    return sessions_chart(project.cursor(), parse_chart({"type": "sessions", "range": RANGE, **keys}), project)


def by_segment(frame) -> dict[str, list[float]]:
    """Return each segment's values in bucket order, segments in the chart's order."""
    return {segment: rows.sort_values("bucket")["value"].tolist() for segment, rows in frame.groupby("segment", sort=False)}


def listed(project, chart: dict, segment, bucket) -> list[str]:
    point = Point(parse_chart(chart), 0, segment, bucket)
    return sorted(point_users(project.cursor(), point, project)["user_id"])


def test_sessions_by_company_touched(project):
    chart = {"type": "sessions", "range": RANGE, "group_by": "group:company"}

    assert by_segment(sessions(project, group_by="group:company")) == {
        "Acme": [2, 0], "Globex": [1, 1], "(none)": [1, 0],
    }
    assert by_segment(sessions(project, group_by="group:company", measure="avg_length")) == {
        "Acme": [90, 0], "Globex": [180, 0], "(none)": [0, 0],
    }
    assert by_segment(sessions(project, group_by="group:company", measure="per_user")) == {
        "Acme": [1, 0], "Globex": [1, 1], "(none)": [1, 0],
    }
    assert listed(project, chart, "Acme", 0) == ["alice", "bob"]
    assert listed(project, chart, "Globex", 0) == ["alice"]
    assert listed(project, chart, "(none)", 0) == ["alice"]
    assert listed(project, chart, "Globex", 1) == ["carol"]


def test_where_applies_before_sessions_are_labelled(project):
    # Without the Buy event, alice's first session names Acme alone and lasts 0 s.
    where = [{"property": "event_type", "op": "=", "value": "Open"}]
    chart = {"type": "sessions", "range": RANGE, "group_by": "group:company", "where": where}

    assert by_segment(sessions(project, group_by="group:company", where=where)) == {
        "Acme": [2, 0], "Globex": [0, 1], "(none)": [1, 0],
    }
    assert listed(project, chart, "Globex", 1) == ["carol"]


def test_sessions_counted_and_grouped_by_company(project):
    frame = sessions(project, group_by="group:company", count_by="group:company", measure="per_user")

    # Acme on 03-01: sessions 1 and 2 for one company; Globex: session 1 for one company.
    assert by_segment(frame) == {"Acme": [2, 0], "Globex": [1, 1]}


def test_segmentation_by_cohorts(project):
    chart = {"type": "segmentation", "events": [{"event": "Open"}], "range": RANGE, "group_by": "cohorts"}
    frame = segmentation(project.cursor(), parse_chart(chart), project)
    totals = segmentation(project.cursor(), parse_chart(dict(chart, measure="totals")), project)

    assert by_segment(frame) == {"Buyers": [2, 0], "Early": [1, 0], "(none)": [0, 1]}
    # alice's two Opens count in both of her cohorts.
    assert by_segment(totals) == {"Buyers": [3, 0], "Early": [2, 0], "(none)": [0, 1]}
    assert listed(project, chart, "Buyers", 0) == ["alice", "bob"]
    assert listed(project, chart, "Early", 0) == ["alice"]
    assert listed(project, chart, "(none)", 1) == ["carol"]


def test_sessions_by_cohorts(project):
    chart = {"type": "sessions", "range": RANGE, "group_by": "cohorts"}

    assert by_segment(sessions(project, group_by="cohorts")) == {"Buyers": [3, 0], "Early": [2, 0], "(none)": [0, 1]}
    assert listed(project, chart, "Buyers", 0) == ["alice", "bob"]
    assert listed(project, chart, "(none)", 1) == ["carol"]


def test_more_than_ten_cohorts_fold_into_other(project):
    alice = project.con.execute("SELECT actor_id FROM users WHERE user_id = 'alice'").fetchone()[0]
    for number in range(10):
        save_cohort(project, f"Extra {number}", ("SELECT unnest(?)", [[alice]]), None)
    chart = {"type": "segmentation", "events": [{"event": "Open"}], "range": RANGE, "group_by": "cohorts"}
    frame = by_segment(segmentation(project.cursor(), parse_chart(chart), project))

    # 12 cohorts of users: Buyers has 2 users first; the 11 with alice alone tie and go by name, Early first.
    # Nine of those make the top 10, so "Extra 8" and "Extra 9" are (other), where alice counts once.
    assert list(frame) == ["Buyers", "Early", *[f"Extra {number}" for number in range(8)], "(other)", "(none)"]
    assert frame["(other)"] == [1, 0]
    assert listed(project, chart, "(other)", 0) == ["alice"]


@pytest.mark.parametrize("chart", [
    {"type": "funnel", "steps": [{"event": "Open"}, {"event": "Buy"}], "range": RANGE, "group_by": "cohorts"},
    {"type": "retention", "start": {"event": "Open"}, "return": {"event": "Open"}, "range": RANGE, "group_by": "cohorts"},
])
def test_cohort_segments_only_on_segmentation_and_sessions(chart):
    with pytest.raises(DefinitionError, match=r"group_by: 'cohorts' .* applies only to 'segmentation', 'sessions' charts"):
        parse_chart(chart)


def test_cli_sessions_segment_point(project, tmp_path, capsys):
    chart = {"type": "sessions", "range": RANGE, "group_by": "group:company", "segments": {"drop": ["(none)"]}}
    chart_file = tmp_path / "chart.json"
    chart_file.write_text(json.dumps(chart), encoding="utf-8")
    path = str(project.path)
    project.close()

    assert main(["chart", str(chart_file), "--project", path]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(row["segment"], row["bucket_start"][:10], row["value"]) for row in rows] == [
        ("Acme", "2024-03-01", "2"), ("Acme", "2024-03-02", "0"),
        ("Globex", "2024-03-01", "1"), ("Globex", "2024-03-02", "1"),
    ]
    options = ["--project", path, "--point", "2024-03-01", "--segment", "Acme", "--format", "csv"]
    assert main(["users", str(chart_file), *options]) == 0
    listed_rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["user_id"] for row in listed_rows] == ["alice", "bob"]
