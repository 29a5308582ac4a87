"""A sessions point with the project's maximum session span: the same events, and a range that covers its sessions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from builders import build_project
from tui.analytics.definition import parse_chart
from tui.analytics.microscope import path_rows
from tui.analytics.point import MAX_SESSION_TAIL, Point, point_events, point_range, with_session_span
from tui.analytics.session_span import max_session_span_us
from tui.analytics.sessions import sessions_chart

MINUTE_US = 60 * 1_000_000


def chart(zone: str = "UTC", **changes) -> dict:
    obj = {"type": "sessions", "range": {"from": "2024-03-01", "to": "2024-03-03"}, "timezone": zone}
    obj.update(changes)
    return obj


def event(event_type: str, time: str, user: str, **fields) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user, **fields}


def night_events(offset_hours: int) -> list[dict]:
    """Return a session from 23:50 to 00:20 local time across 1 to 2 March, and others on 1 and 2 March.

    ``offset_hours`` is the zone's offset from UTC, so the local times fall on
    the same clock times in every zone. Sessions come from the 30-minute gap.
    """

    def at(day: int, hour: int, minute: int) -> str:
        local = datetime(2024, 3, day, hour, minute, tzinfo=timezone(timedelta(hours=offset_hours)))
        return local.astimezone(timezone.utc).isoformat()

    return [
        event("login", at(1, 23, 50), "night"),
        event("search", at(2, 0, 5), "night"),
        event("logout", at(2, 0, 20), "night"),
        # Ten hours later: a new session of the same user, on 2 March.
        event("login", at(2, 10, 0), "night"),
        event("login", at(1, 12, 0), "day"),
        event("logout", at(1, 12, 10), "day"),
    ]


def day_point(obj: dict, bucket: int = 0) -> Point:
    return Point(parse_chart(obj), bucket=bucket)


def event_seqs(project, point: Point) -> list[int]:
    sql, params = point_events(point, project)
    return sorted(project.cursor().execute(f"SELECT seq FROM ({sql})", params).fetchnumpy()["seq"].tolist())


def paths_of(project, point: Point) -> dict[str, int]:
    frame = path_rows(project.cursor(), point, project)
    return dict(zip(frame["path"], frame["users"]))


def sessions_in(frame, bucket: int, segment: str | None) -> float:
    """Return the ``sessions`` chart's value at one bucket and segment."""
    rows = frame[frame["bucket"] == bucket]
    rows = rows[rows["segment"].isna()] if segment is None else rows[rows["segment"] == segment]
    return rows["value"].sum()


def test_span_set_for_sessions_only(tmp_path):
    project = build_project(tmp_path, night_events(0))
    cursor = project.cursor()
    sessions_point = day_point(chart())
    segmentation = Point(parse_chart({"type": "segmentation", "events": [{"event": "login"}], "range": chart()["range"]}))

    with_span = with_session_span(cursor, sessions_point)
    # The session from 23:50 to 00:20 has the maximum span.
    assert with_span.session_span_us == 30 * MINUTE_US
    assert with_session_span(cursor, segmentation) is segmentation
    # The span only speeds up the queries, so the point stays the same point.
    assert with_span == sessions_point
    assert hash(with_span) == hash(sessions_point)


@pytest.mark.parametrize("measure", ["sessions", "avg_length", "per_user", "length"])
@pytest.mark.parametrize("group_by", [None, "plan"])
def test_span_keeps_point_events(tmp_path, measure, group_by):
    events = night_events(0) + [
        event("open", f"2024-03-0{day}T{hour:02}:{minute:02}:00Z", f"u{user}", plan=["free", "pro", None][user % 3])
        for day in (1, 2, 3)
        for user in range(4)
        for hour in (8, 9)
        for minute in range(0, 50, 7 * (user + 1))
    ]
    project = build_project(tmp_path, events)
    obj = chart(measure=measure, group_by=group_by)
    frame = sessions_chart(project.cursor(), parse_chart(obj), project)
    counts = sessions_chart(project.cursor(), parse_chart(dict(obj, measure="sessions")), project)
    assert frame["value"].sum() > 0

    for row in frame.itertuples():
        point = Point(parse_chart(obj), series=row.series, segment=row.segment, bucket=row.bucket)
        spanned = with_session_span(project.cursor(), point)
        assert spanned.session_span_us is not None
        assert event_seqs(project, spanned) == event_seqs(project, point), row

        sql, params = point_events(spanned, project)
        sessions = project.cursor().execute(f"SELECT count(DISTINCT session_key) FROM ({sql})", params).fetchone()[0]
        if measure == "length":
            assert sessions == row.value, row
        else:
            assert sessions == sessions_in(counts, row.bucket, row.segment), row


@pytest.mark.parametrize(("zone", "offset_hours"), [("UTC", 0), ("America/New_York", -5)])
def test_range_ends_after_session(tmp_path, zone, offset_hours):
    project = build_project(tmp_path, night_events(offset_hours))
    point = with_session_span(project.cursor(), day_point(chart(zone)))

    start, end = point_range(point, project)
    midnight = datetime(2024, 3, 2, tzinfo=ZoneInfo(zone))
    assert start == midnight - timedelta(days=1)
    # The bucket's end plus the 30-minute span: the 00:20 logout is inside, the 10:00 login is not.
    assert end == midnight + timedelta(minutes=30)

    assert paths_of(project, point) == {"login > search > logout > End": 1, "login > logout > End": 1}


def test_range_without_span_stops_at_bucket(tmp_path):
    project = build_project(tmp_path, night_events(0))
    point = day_point(chart())

    assert point_range(point, project)[1] == datetime(2024, 3, 2, tzinfo=timezone.utc)
    assert paths_of(project, point) == {"login > End": 1, "login > logout > End": 1}


def test_range_tail_capped(tmp_path):
    # One session id spans three days, so the span is three days and the range runs one day past the bucket.
    events = [
        event("login", "2024-03-01T10:00:00Z", "long", session_id="s1"),
        event("logout", "2024-03-04T10:00:00Z", "long", session_id="s1"),
    ]
    project = build_project(tmp_path, events)
    point = with_session_span(project.cursor(), day_point(chart()))

    assert point.session_span_us == max_session_span_us(project.cursor()) == 3 * 24 * 60 * MINUTE_US
    assert point_range(point, project)[1] == datetime(2024, 3, 2, tzinfo=timezone.utc) + MAX_SESSION_TAIL
