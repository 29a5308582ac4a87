"""The microscope on a point of a funnel's conversion over time: the actors who entered in one bucket.

Each test's expected users come from the events as written here, not from
the query under test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import build_project
from funnel_helpers import chart, event
from test_groups_charts_property import funnel_chart_strategy, funnel_object, group_event_strategy, import_group_rows
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.funnel import funnel, funnel_over_time
from tui.analytics.point import Point, point_actor_count, point_actors_sql, point_label, point_range

# Signup → Cart → Buy over March 1 and 2 (UTC), window 1 day.
# ann signs up late on March 1 and buys after midnight, so she converts in March 1's bucket.
# bo stops at the cart and cy at the signup, both on March 1. di converts on March 2.
# ed signs up on March 2 and reaches the cart after the range ends, inside the window.
EVENTS = [
    event("Signup", "2024-03-01T23:30:00Z", "ann"),
    event("Cart", "2024-03-02T00:10:00Z", "ann"),
    event("Buy", "2024-03-02T00:20:00Z", "ann"),
    event("Signup", "2024-03-01T10:00:00Z", "bo"),
    event("Cart", "2024-03-01T10:05:00Z", "bo"),
    event("Signup", "2024-03-01T12:00:00Z", "cy"),
    event("Signup", "2024-03-02T09:00:00Z", "di"),
    event("Cart", "2024-03-02T09:10:00Z", "di"),
    event("Buy", "2024-03-02T09:20:00Z", "di"),
    event("Signup", "2024-03-02T15:00:00Z", "ed"),
    event("Cart", "2024-03-03T02:00:00Z", "ed"),
]
SHOP = chart(["Signup", "Cart", "Buy"], first="2024-03-01", last="2024-03-02", window="1d")
# (bucket, step, dropped) -> the users of that part among those who entered in the bucket.
EXPECTED = {
    (0, 1, False): {"ann", "bo", "cy"},
    (0, 2, False): {"ann", "bo"},
    (0, 2, True): {"cy"},
    (0, 3, False): {"ann"},
    (0, 3, True): {"bo"},
    (1, 1, False): {"di", "ed"},
    (1, 2, False): {"di", "ed"},
    (1, 2, True): set(),
    (1, 3, False): {"di"},
    (1, 3, True): {"ed"},
}


def listed_users(project, point: Point) -> set[str]:
    """Return the user ids of ``point``'s actors, checking that its actor count agrees."""
    sql, params = point_actors_sql(point, project)
    cursor = project.cursor()
    rows = cursor.execute(
        f"SELECT actors.user_id FROM ({sql}) AS part JOIN actors USING (actor_id)", params
    ).fetchall()
    assert point_actor_count(cursor, point, project) == len(rows)
    return {name for (name,) in rows}


@pytest.fixture
def shop(tmp_path):
    with build_project(tmp_path, EVENTS) as project:
        yield project


def test_entry_bucket_lists_by_hand(shop):
    definition = parse_chart(SHOP)

    for (bucket, step, dropped), users in EXPECTED.items():
        point = Point(definition, step=step, dropped=dropped, bucket=bucket, over_time=True)
        assert listed_users(shop, point) == users, (bucket, step, dropped)


def test_entry_bucket_counts_equal_lists(shop):
    definition = parse_chart(SHOP)
    frame = funnel_over_time(shop.cursor(), definition, shop)

    for row in frame.itertuples(index=False):
        bucket = 0 if row.bucket_start.day == 1 else 1
        converted = Point(definition, step=row.step, bucket=bucket, over_time=True)
        assert row.converted == len(EXPECTED[(bucket, row.step, False)])
        assert point_actor_count(shop.cursor(), converted, shop) == row.converted
        if row.step > 1:
            dropped = Point(definition, step=row.step, dropped=True, bucket=bucket, over_time=True)
            assert point_actor_count(shop.cursor(), dropped, shop) == row.dropped


def test_entry_buckets_add_up_to_whole_range(shop):
    definition = parse_chart(SHOP)

    for step in (1, 2, 3):
        whole = listed_users(shop, Point(definition, step=step))
        by_bucket = [listed_users(shop, Point(definition, step=step, bucket=b, over_time=True)) for b in (0, 1)]
        assert by_bucket[0] | by_bucket[1] == whole
        assert not by_bucket[0] & by_bucket[1]


def test_entry_bucket_in_project_zone(tmp_path):
    # In New York ann's 23:30 UTC signup is 18:30 on March 1, and di's 03:00 UTC one is 22:00 on March 1.
    events = [
        event("Signup", "2024-03-01T23:30:00Z", "ann"),
        event("Buy", "2024-03-02T00:20:00Z", "ann"),
        event("Signup", "2024-03-02T03:00:00Z", "di"),
        event("Buy", "2024-03-02T05:00:00Z", "di"),
        event("Signup", "2024-03-02T06:00:00Z", "ed"),
    ]
    obj = chart(["Signup", "Buy"], first="2024-03-01", last="2024-03-02")
    with build_project(tmp_path, events, timezone="America/New_York") as project:
        definition = parse_chart(obj)
        march_1 = Point(definition, step=2, bucket=0, over_time=True)
        march_2 = Point(definition, step=2, bucket=1, over_time=True)
        march_2_entered = Point(definition, step=1, bucket=1, over_time=True)

        assert listed_users(project, march_1) == {"ann", "di"}
        assert listed_users(project, march_2) == set()
        assert listed_users(project, march_2_entered) == {"ed"}


def test_entry_bucket_of_segment(tmp_path):
    events = [
        event("Signup", "2024-03-01T10:00:00Z", "ann", platform="iOS"),
        event("Buy", "2024-03-01T11:00:00Z", "ann"),
        event("Signup", "2024-03-01T12:00:00Z", "bo", platform="Web"),
        event("Buy", "2024-03-01T13:00:00Z", "bo"),
        event("Signup", "2024-03-02T10:00:00Z", "cy", platform="iOS"),
    ]
    obj = chart(["Signup", "Buy"], first="2024-03-01", last="2024-03-02", group_by="platform")
    with build_project(tmp_path, events) as project:
        definition = parse_chart(obj)
        ios_first_day = Point(definition, step=2, segment="iOS", bucket=0, over_time=True)
        ios_second_day = Point(definition, step=2, dropped=True, segment="iOS", bucket=1, over_time=True)

        assert listed_users(project, ios_first_day) == {"ann"}
        assert listed_users(project, ios_second_day) == {"cy"}


def test_entry_bucket_label_and_range(shop):
    definition = parse_chart(SHOP)
    point = Point(definition, step=3, bucket=1, over_time=True)

    label = point_label(point, shop)
    assert label.bucket_text() == "[2024-03-02 00:00, 2024-03-03 00:00) UTC"
    assert label.series_name == "Step 3 Buy, converted, entered in the bucket (window 1d, this order)"
    start, end = point_range(point, shop)
    assert (start.isoformat(), end.isoformat()) == ("2024-03-02T00:00:00+00:00", "2024-03-04T00:00:00+00:00")


def test_entry_bucket_outside_chart(shop):
    point = Point(parse_chart(SHOP), step=2, bucket=2, over_time=True)

    with pytest.raises(DefinitionError, match="bucket: no bucket 2. This chart has buckets 0 to 1."):
        point_actor_count(shop.cursor(), point, shop)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn_events=st.lists(group_event_strategy, min_size=1, max_size=25), drawn_chart=funnel_chart_strategy)
def test_entry_bucket_counts_equal_lists_property(drawn_events, drawn_chart):
    definition = parse_chart(funnel_object(drawn_chart, None))

    with tempfile.TemporaryDirectory() as folder, build_project(Path(folder), import_group_rows(drawn_events)) as project:
        cursor = project.cursor()
        frame = funnel_over_time(cursor, definition, project)
        whole = funnel(cursor, definition, project)
        starts = list(dict.fromkeys(frame["bucket_start"]))
        for row in frame.itertuples(index=False):
            bucket = starts.index(row.bucket_start)
            context = (bucket, row.step, drawn_chart)
            converted = Point(definition, step=row.step, bucket=bucket, over_time=True)
            assert point_actor_count(cursor, converted, project) == row.converted, context
            if row.step > 1:
                dropped = Point(definition, step=row.step, dropped=True, bucket=bucket, over_time=True)
                assert point_actor_count(cursor, dropped, project) == row.dropped, context
        sums = frame.groupby("step")["converted"].sum().tolist()
        assert sums == whole["converted"].tolist()
