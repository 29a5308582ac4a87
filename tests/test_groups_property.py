"""Property test: for random events with groups and charts counted by company, every point's value is its group list.

The expected companies of each point are worked out here in plain Python,
from the rows as written. An event counts for every company it names. A
segment of ``group:team`` contains the events naming that team, and
``(none)`` the events naming no team.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import build_project
from tui.analytics.definition import parse_chart
from tui.analytics.groups import point_group_count, point_groups
from tui.analytics.point import Point
from tui.analytics.segmentation import segmentation

START = datetime(2024, 3, 9, 0, 0, tzinfo=timezone.utc)
ZONES = ["America/New_York", "Asia/Kolkata", "Europe/Berlin"]
COMPANIES = ["Acme", "Globex", "Ünïcode 🚀", "[bold]Initech[/bold]"]

company_strategy = st.one_of(
    st.none(),
    st.sampled_from(COMPANIES),
    st.lists(st.sampled_from(COMPANIES), min_size=1, max_size=3),
)
event_strategy = st.fixed_dictionaries({
    "event_type": st.sampled_from(["A", "B"]),
    "minute": st.integers(min_value=0, max_value=3 * 24 * 60),
    "user_id": st.sampled_from([None, "u1", "u2", "u3"]),
    "company": company_strategy,
    "team": st.sampled_from([None, "red", "blue"]),
})
chart_strategy = st.fixed_dictionaries({
    "event": st.sampled_from(["A", "*"]),
    "interval": st.sampled_from(["day", "hour"]),
    "group_by": st.sampled_from([None, "group:team", "group:company"]),
    "measure": st.sampled_from(["uniques", "totals"]),
    "zone": st.sampled_from(ZONES),
})


def source_events(drawn: list[dict]) -> list[dict]:
    """Return the import rows of the drawn events; an event without a user id gets device d1."""
    rows = []
    for event in drawn:
        row = {
            "event_type": event["event_type"],
            "event_time": (START + timedelta(minutes=event["minute"])).isoformat(),
            "user_id": event["user_id"],
            "device_id": None if event["user_id"] else "d1",
        }
        groups = {key: event[key] for key in ("company", "team") if event[key] is not None}
        if groups:
            row["groups"] = groups
        rows.append(row)
    return rows


def names(row: dict, group_type: str) -> set[str]:
    value = row.get("groups", {}).get(group_type)
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def chart_object(drawn: dict) -> dict:
    days = ("2024-03-10", "2024-03-10") if drawn["interval"] == "hour" else ("2024-03-09", "2024-03-11")
    obj = {
        "type": "segmentation",
        "events": [{"event": drawn["event"]}],
        "measure": drawn["measure"],
        "interval": drawn["interval"],
        "range": {"from": days[0], "to": days[1]},
        "timezone": drawn["zone"],
        "count_by": "group:company",
    }
    if drawn["group_by"]:
        obj["group_by"] = drawn["group_by"]
    return obj


def point_rows(rows: list[dict], chart: dict, start, end, segment) -> list[tuple[int, set[str]]]:
    """Return (row index, companies counted) for each event of one point, read row by row."""
    found = []
    group_by = chart.get("group_by")
    for index, row in enumerate(rows):
        when = datetime.fromisoformat(row["event_time"])
        event = chart["events"][0]["event"]
        if not start <= when < end or event not in ("*", row["event_type"]):
            continue
        companies = names(row, "company")
        if group_by == "group:company":
            companies &= {segment}
        elif group_by == "group:team":
            teams = names(row, "team")
            if (segment == "(none)" and teams) or (segment != "(none)" and segment not in teams):
                continue
        if companies:
            found.append((index, companies))
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn_events=st.lists(event_strategy, min_size=1, max_size=25), drawn_chart=chart_strategy)
def test_point_groups_equal_chart_and_hand_count(drawn_events, drawn_chart):
    rows = source_events(drawn_events)
    obj = chart_object(drawn_chart)
    definition = parse_chart(obj)
    uniques_definition = parse_chart(dict(obj, measure="uniques"))

    with tempfile.TemporaryDirectory() as folder:
        with build_project(Path(folder), rows) as project:
            cursor = project.cursor()
            chart = segmentation(cursor, definition, project)
            zone = ZoneInfo(drawn_chart["zone"])
            for point in chart.itertuples():
                start = point.bucket_start.to_pydatetime().astimezone(zone)
                end = point.bucket_end.to_pydatetime().astimezone(zone)
                expected = point_rows(rows, obj, start, end, point.segment)
                companies = set().union(*(found for _, found in expected)) if expected else set()

                target = Point(uniques_definition, point.series, point.segment, point.bucket)
                listed = point_groups(cursor, target, project, limit=None)
                assert set(listed["group_name"]) == companies, (point, obj)
                assert point_group_count(cursor, target, project) == len(companies), (point, obj)
                if obj["measure"] == "uniques":
                    assert point.value == len(companies), (point, obj)
                else:
                    assert point.value == len(expected), (point, obj)
