"""User streams: the window around a point's bucket, counted events, session breaks, batches."""

from __future__ import annotations

import pytest

from builders import build_project
from microscope_data import chart_json, day_point, minutes_after
from tui.analytics.microscope import find_actor, point_streams, stream_property_names, user_stream

# Buy events count only with plan "pro"; the bucket is 2024-03-03 (index 2).
CHART = chart_json("Buy", where=[{"property": "plan", "op": "=", "value": "pro"}])
POINT = day_point(CHART, 2)


def alice_events() -> list[dict]:
    """30 events the day before the bucket, 10 in it (3 counted), 60 the day after."""
    events = []
    for index in range(30):
        events.append(_event("View", minutes_after("2024-03-02T10:00", index), "s1", {"n": index}))
    in_bucket = [
        ("View", "s1"), ("Buy", "s1"), ("Buy", "s1"), ("View", "s2"), ("Buy", "s2"),
        ("Buy", "s2"), ("View", "s2"), ("Buy", "s3"), ("View", "s3"), ("View", "s3"),
    ]
    plans = {1: "pro", 2: "free", 4: "pro", 5: "free", 7: "pro"}
    for index, (event_type, session) in enumerate(in_bucket):
        properties = {"n": 100 + index}
        if index in plans:
            properties["plan"] = plans[index]
        events.append(_event(event_type, minutes_after("2024-03-03T08:00", index), session, properties))
    for index in range(60):
        events.append(_event("View", minutes_after("2024-03-04T08:00", index), "s4", {"n": 200 + index}))
    return events


def _event(event_type: str, time: str, session: str, properties: dict, user: str = "alice") -> dict:
    return {
        "event_type": event_type, "event_time": time, "user_id": user,
        "session_id": session, "event_properties": properties,
    }


@pytest.fixture
def project(tmp_path):
    bob = [_event("Buy", "2024-03-03T09:00:00+00:00", "b1", {"plan": "pro", "n": 900}, user="bob")]
    with build_project(tmp_path, alice_events() + bob) as project:
        yield project


def stream_of(project, user: str, point=POINT, names=("n",)):
    cursor = project.cursor()
    return user_stream(cursor, point, project, find_actor(cursor, user), property_names=list(names))


def test_stream_window_rows(project):
    stream = stream_of(project, "alice")

    numbers = [int(value) for value in stream["n"]]
    assert numbers == list(range(5, 30)) + list(range(100, 110)) + list(range(200, 240))
    assert stream["position"].tolist() == ["before"] * 25 + ["in"] * 10 + ["after"] * 40


def test_stream_counts_only_where_matches(project):
    stream = stream_of(project, "alice")

    counted = [int(value) for value in stream.loc[stream["counted"], "n"]]
    assert counted == [101, 104, 107]
    assert stream.loc[stream["counted"], "event_type"].unique().tolist() == ["Buy"]
    buys_not_counted = stream[(stream["event_type"] == "Buy") & ~stream["counted"]]
    assert [int(value) for value in buys_not_counted["n"]] == [102, 105]


def test_stream_marks_session_breaks(project):
    stream = stream_of(project, "alice")

    breaks = [int(value) for value in stream.loc[stream["session_break"], "n"]]
    # The stream opens mid-session (s1 started before the 25 events shown), so its first row is no break.
    assert breaks == [103, 107, 200]


def test_stream_without_after_when_bucket_full(tmp_path):
    events = [_event("Buy", minutes_after("2024-03-03T00:00", index), "s", {"plan": "pro", "n": index})
              for index in range(55)]
    events += [_event("View", "2024-03-04T00:00:00+00:00", "s", {"n": 99})]
    with build_project(tmp_path, events) as project:
        stream = stream_of(project, "alice")

    assert len(stream) == 55
    assert set(stream["position"]) == {"in"}
    assert stream["counted"].all()


def test_stream_orders_by_client_time(tmp_path):
    # The server times are in one order, the device captured the events in the other.
    events = [
        {**_event("Buy", "2024-03-03T10:00:00+00:00", "s", {"plan": "pro", "n": 1}),
         "client_time": "2024-03-03T10:05:00+00:00"},
        {**_event("View", "2024-03-03T10:01:00+00:00", "s", {"n": 2}),
         "client_time": "2024-03-03T10:00:00+00:00"},
    ]
    with build_project(tmp_path, events) as project:
        stream = stream_of(project, "alice")

    assert [int(value) for value in stream["n"]] == [2, 1]


def test_point_streams_batch_order(project):
    cursor = project.cursor()
    alice, bob = find_actor(cursor, "alice"), find_actor(cursor, "bob")

    streams = point_streams(cursor, POINT, project, [bob, alice])

    assert streams["actor_id"].iloc[0] == bob
    assert streams["actor_id"].tolist() == [bob] + [alice] * 75
    assert streams.loc[streams["actor_id"] == bob, "counted"].tolist() == [True]


def test_stream_property_names_by_use(project):
    cursor = project.cursor()
    alice = find_actor(cursor, "alice")

    assert stream_property_names(cursor, POINT, project, [alice]) == ["n", "plan"]


def test_stream_property_named_like_column(tmp_path):
    events = [_event("Buy", "2024-03-03T10:00:00+00:00", "s", {"plan": "pro", "counted": "no"})]
    with build_project(tmp_path, events) as project:
        stream = stream_of(project, "alice", names=("counted",))

    assert stream["counted"].tolist() == [True]
    assert stream["event.counted"].tolist() == ["no"]


def test_stream_same_time_keeps_last_25_before(tmp_path):
    # 27 events share one time the day before, so import order alone decides which 25 are the latest.
    events = [_event("View", "2024-03-02T10:00:00+00:00", "s", {"n": index}) for index in range(27)]
    events += [_event("Buy", "2024-03-03T10:00:00+00:00", "s", {"plan": "pro", "n": 100})]
    with build_project(tmp_path, events) as project:
        stream = stream_of(project, "alice")

    assert [int(value) for value in stream["n"]] == list(range(2, 27)) + [100]
    assert stream["session_break"].tolist() == [False] * 26


def test_stream_before_by_device_order(tmp_path):
    # A late server time puts event 1 in the bucket although the device captured it before event 2.
    events = [
        {**_event("View", "2024-03-03T00:00:30+00:00", "s", {"n": 1}), "client_time": "2024-03-02T23:58:00+00:00"},
        {**_event("View", "2024-03-02T23:59:00+00:00", "s", {"n": 2}), "client_time": "2024-03-02T23:59:00+00:00"},
        {**_event("Buy", "2024-03-03T01:00:00+00:00", "t", {"plan": "pro", "n": 3})},
    ]
    with build_project(tmp_path, events) as project:
        stream = stream_of(project, "alice")

    assert [int(value) for value in stream["n"]] == [1, 2, 3]
    assert stream["position"].tolist() == ["in", "before", "in"]
    assert stream["session_break"].tolist() == [True, False, True]
