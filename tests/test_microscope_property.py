"""Property test: for random events and charts, every point's value equals its user list, user by user.

The expected users of each point are computed here in plain Python, with the
identity rules written out by hand. An event with a real user id belongs to
that user. An anonymous event belongs to the first user its device was seen
identified with (by time, then file order), else to the device.
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
from tui.analytics.microscope import point_users, point_users_count
from tui.analytics.point import Point
from tui.analytics.segmentation import segmentation

START = datetime(2024, 3, 9, 0, 0, tzinfo=timezone.utc)
ZONES = ["America/New_York", "Asia/Kolkata", "Europe/Berlin"]
USER_IDS = [None, "u1", "u2", "u3", "null", "0"]
DEVICE_IDS = [None, "d1", "d2", "d3", "d4"]
FAKE_USER_IDS = {"null", "0"}

event_strategy = st.fixed_dictionaries({
    "event_type": st.sampled_from(["A", "B", "C"]),
    "minute": st.integers(min_value=0, max_value=3 * 24 * 60),
    "user_id": st.sampled_from(USER_IDS),
    "device_id": st.sampled_from(DEVICE_IDS),
    "color": st.sampled_from(["red", "blue", None]),
    "platform": st.sampled_from(["iOS", "Web", None]),
})
where_strategy = st.sampled_from([
    [],
    [{"property": "color", "op": "=", "value": "red"}],
    [{"property": "color", "op": "!=", "value": "red"}],
    [{"property": "color", "op": "set"}],
])
chart_strategy = st.fixed_dictionaries({
    "event": st.sampled_from(["A", "B", "*"]),
    "where": where_strategy,
    "interval": st.sampled_from(["day", "hour"]),
    "group_by": st.sampled_from([None, "platform"]),
    "zone": st.sampled_from(ZONES),
})


def source_events(drawn: list[dict]) -> list[dict]:
    """Return the import rows of the drawn events; an event without any real id gets device d1."""
    rows = []
    for event in drawn:
        device = event["device_id"]
        if not _is_user(event["user_id"]) and device is None:
            device = "d1"
        row = {
            "event_type": event["event_type"],
            "event_time": (START + timedelta(minutes=event["minute"])).isoformat(),
            "event_properties": {} if event["color"] is None else {"color": event["color"]},
        }
        for key, value in (("user_id", event["user_id"]), ("device_id", device), ("platform", event["platform"])):
            if value is not None:
                row[key] = value
        rows.append(row)
    return rows


def _is_user(user_id: str | None) -> bool:
    return user_id is not None and user_id not in FAKE_USER_IDS


def actor_names(rows: list[dict]) -> list[str]:
    """Return each row's actor as its display id: the user id, the device's first user, else the device id."""
    device_owner = {}
    ordered = sorted(enumerate(rows), key=lambda item: (item[1]["event_time"], item[0]))
    for _, row in ordered:
        if _is_user(row.get("user_id")) and row.get("device_id") and row["device_id"] not in device_owner:
            device_owner[row["device_id"]] = row["user_id"]
    names = []
    for row in rows:
        if _is_user(row.get("user_id")):
            names.append(row["user_id"])
        else:
            names.append(device_owner.get(row["device_id"], row["device_id"]))
    return names


def chart_object(drawn: dict) -> dict:
    days = ("2024-03-10", "2024-03-10") if drawn["interval"] == "hour" else ("2024-03-09", "2024-03-11")
    obj = {
        "type": "segmentation",
        "events": [{"event": drawn["event"], "where": drawn["where"]}],
        "measure": "uniques",
        "interval": drawn["interval"],
        "range": {"from": days[0], "to": days[1]},
        "timezone": drawn["zone"],
    }
    if drawn["group_by"]:
        obj["group_by"] = drawn["group_by"]
    return obj


def expected_users(rows: list[dict], names: list[str], chart: dict, bucket_start, bucket_end, segment) -> set[str]:
    """Return the display ids of the actors behind one point, by reading the rows one by one."""
    found = set()
    for row, name in zip(rows, names):
        when = datetime.fromisoformat(row["event_time"])
        if not bucket_start <= when < bucket_end or not in_series(row, chart):
            continue
        if chart.get("group_by") and row.get("platform", "(none)") != segment:
            continue
        found.add(name)
    return found


def in_series(row: dict, chart: dict) -> bool:
    """Tell whether ``row`` is an event of the chart's series: its event type and where items."""
    series = chart["events"][0]
    if series["event"] != "*" and row["event_type"] != series["event"]:
        return False
    return _passes(row, series["where"])


def _passes(row: dict, where: list[dict]) -> bool:
    color = row["event_properties"].get("color")
    for item in where:
        if item["op"] == "=" and color != item["value"]:
            return False
        if item["op"] == "!=" and color == item["value"]:
            return False
        if item["op"] == "set" and color is None:
            return False
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn_events=st.lists(event_strategy, min_size=1, max_size=25), drawn_chart=chart_strategy)
def test_point_users_equal_chart_and_hand_count(drawn_events, drawn_chart):
    rows = source_events(drawn_events)
    names = actor_names(rows)
    obj = chart_object(drawn_chart)
    definition = parse_chart(obj)

    with tempfile.TemporaryDirectory() as folder:
        with build_project(Path(folder), rows, timezone="UTC") as project:
            cursor = project.cursor()
            chart = segmentation(cursor, definition, project)
            zone = ZoneInfo(drawn_chart["zone"])
            for point in chart.itertuples():
                target = Point(definition, point.series, point.segment, point.bucket)
                start = point.bucket_start.to_pydatetime().astimezone(zone)
                end = point.bucket_end.to_pydatetime().astimezone(zone)
                expected = expected_users(rows, names, obj, start, end, point.segment)

                listed = set(point_users(cursor, target, project, limit=None)["user_id"])
                assert point_users_count(cursor, target, project) == point.value, (point, obj)
                assert listed == expected, (point, obj)
                assert len(expected) == point.value, (point, obj)

            # A segment the chart leaves out must have no events in the range.
            range_start = chart["bucket_start"].min().to_pydatetime()
            range_end = chart["bucket_end"].max().to_pydatetime()
            segments = {
                row.get("platform", "(none)") for row in rows
                if range_start <= datetime.fromisoformat(row["event_time"]) < range_end and in_series(row, obj)
            }
            if obj.get("group_by"):
                assert segments <= set(chart["segment"]), obj
