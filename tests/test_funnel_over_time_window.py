"""Entry buckets of a funnel's conversion over time whose conversion window had not ended by the end of the data."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from builders import build_project
from funnel_helpers import chart, event
from tui.analytics.definition import parse_chart
from tui.analytics.funnel import funnel_over_time
from tui.analytics.funnel_over_time import WINDOW_OPEN_COLUMN, data_end, with_window_state

BERLIN = "Europe/Berlin"
# Later than any event here, so the last event decides where the data ends.
LATER = datetime(2030, 1, 1, tzinfo=timezone.utc)


def open_by_day(project, obj, now=LATER) -> dict[str, bool]:
    """Return whether each entry bucket's window was open, keyed by its local start date."""
    cursor = project.cursor()
    frame = with_window_state(cursor, parse_chart(obj), funnel_over_time(cursor, parse_chart(obj), project), now)
    last = frame[frame["step"] == 2]
    return dict(zip(last["bucket_start"].dt.strftime("%m-%d"), last[WINDOW_OPEN_COLUMN]))


def shop(last_event: str) -> list[dict]:
    return [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Purchase", "2024-03-01T11:00:00Z", "alice"),
        event("Signup", "2024-03-03T10:00:00Z", "bob"),
        event("Ping", last_event, "carol"),
    ]


@pytest.mark.parametrize(
    ("last_event", "window", "expected"),
    [
        # 03-02 ends 03-03 00:00 and its window by 03-04 00:00, before the last event. 03-03's runs to 03-05 00:00.
        ("2024-03-04T02:00:00Z", "1d", {"03-01": False, "03-02": False, "03-03": True}),
        # The window edge is inclusive: the last 03-02 entrant's window closes at 03-04 00:00, exactly the last event.
        ("2024-03-04T00:00:00Z", "1d", {"03-01": False, "03-02": False, "03-03": True}),
        # A longer window keeps 03-02 open too, though no one entered then: its rate could still appear.
        ("2024-03-04T02:00:00Z", "2d", {"03-01": False, "03-02": True, "03-03": True}),
    ],
)
def test_buckets_open_until_window_ends(tmp_path, last_event, window, expected):
    project = build_project(tmp_path, shop(last_event))
    obj = chart(["Signup", "Purchase"], last="2024-03-03", window=window)

    assert open_by_day(project, obj) == expected


def test_now_before_last_event_decides(tmp_path):
    project = build_project(tmp_path, shop("2024-03-09T00:00:00Z"))
    obj = chart(["Signup", "Purchase"], last="2024-03-03", window="1d")
    now = datetime(2024, 3, 3, 12, tzinfo=timezone.utc)

    assert data_end(project.cursor(), now) == now
    assert open_by_day(project, obj, now) == {"03-01": False, "03-02": True, "03-03": True}


def test_window_across_dst_in_berlin(tmp_path):
    # Berlin moves to summer time at 02:00 on 03-31, so 03-31 ends at 22:00Z and a 1-day window 24 hours later.
    obj = chart(["Signup", "Purchase"], first="2024-03-30", last="2024-03-31", window="1d")
    closed = build_project(tmp_path, [
        event("Signup", "2024-03-31T10:00:00Z", "alice"),
        event("Ping", "2024-04-01T22:00:00Z", "carol"),
    ], timezone=BERLIN, name="closed.duckdb")
    assert open_by_day(closed, obj) == {"03-30": False, "03-31": False}

    still_open = build_project(tmp_path, [
        event("Signup", "2024-03-31T10:00:00Z", "alice"),
        event("Ping", "2024-04-01T21:59:59Z", "carol"),
    ], timezone=BERLIN, name="open.duckdb")
    assert open_by_day(still_open, obj) == {"03-30": False, "03-31": True}


def test_segments_share_bucket_state(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice", source="iOS"),
        event("Signup", "2024-03-03T10:00:00Z", "bob", source="Web"),
        event("Ping", "2024-03-04T02:00:00Z", "carol"),
    ])
    obj = chart(["Signup", "Purchase"], last="2024-03-03", window="1d", group_by="source")
    cursor = project.cursor()
    frame = with_window_state(cursor, parse_chart(obj), funnel_over_time(cursor, parse_chart(obj), project), LATER)
    last = frame[frame["step"] == 2]

    for segment in ("iOS", "Web"):
        rows = last[last["segment"] == segment]
        assert rows[WINDOW_OPEN_COLUMN].tolist() == [False, False, True], segment
