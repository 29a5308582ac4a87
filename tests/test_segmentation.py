"""Event segmentation values against counts worked out by hand on small imported projects."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd
import pytest

from builders import build_project
from tui.analytics import uniques
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.segmentation import (
    ChartSettings,
    chart_buckets,
    chart_settings,
    find_bucket,
    point_events_sql,
    segmentation,
)


def chart(events, first="2024-03-01", last="2024-03-03", **changes) -> dict:
    """Return a segmentation chart of ``events`` (names or event objects) over ``first``..``last``."""
    specs = [{"event": event} if isinstance(event, str) else event for event in events]
    obj = {"type": "segmentation", "events": specs, "range": {"from": first, "to": last}}
    obj.update(changes)
    return obj


def run(project, obj) -> pd.DataFrame:
    return segmentation(project.cursor(), parse_chart(obj), project)


def values(frame, series=0, segment=None) -> list[float]:
    """Return the values of one series and segment, in bucket order."""
    rows = frame[frame["series"] == series]
    rows = rows[rows["segment"].isna()] if segment is None else rows[rows["segment"] == segment]
    return rows.sort_values("bucket")["value"].tolist()


def event(event_type, time, user=None, device=None, **fields) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user, "device_id": device, **fields}


def point_users(project, obj, series, segment, bucket) -> int:
    sql, params = point_events_sql(parse_chart(obj), project, series, segment, bucket)
    return project.con.execute(f"SELECT count(DISTINCT actor_id) FROM ({sql})", params).fetchone()[0]


def test_events_at_same_timestamp(tmp_path):
    project = build_project(tmp_path, [
        event("Click", "2024-03-01T10:00:00Z", "alice"),
        event("Click", "2024-03-01T10:00:00Z", "alice", insert_id="second"),
        event("Click", "2024-03-01T10:00:00Z", "bob"),
    ])

    assert values(run(project, chart(["Click"]))) == [2, 0, 0]
    assert values(run(project, chart(["Click"], measure="totals"))) == [3, 0, 0]


def test_frame_columns_and_types(tmp_path):
    project = build_project(tmp_path, [event("Click", "2024-03-02T10:00:00Z", "alice")])

    frame = run(project, chart(["Click"]))

    assert list(frame.columns) == ["series", "series_name", "segment", "bucket", "bucket_start", "bucket_end", "value"]
    assert frame["series"].tolist() == [0, 0, 0]
    assert frame["series_name"].tolist() == ["Click"] * 3
    assert frame["segment"].tolist() == [None, None, None]
    assert frame["bucket"].tolist() == [0, 1, 2]
    assert frame["bucket_start"].iloc[1].isoformat() == "2024-03-02T00:00:00+00:00"
    assert frame["bucket_end"].iloc[2].isoformat() == "2024-03-04T00:00:00+00:00"
    assert frame["value"].dtype == "float64"


def test_los_angeles_days_across_dst(tmp_path):
    # Spring forward on 2024-03-10: that local day runs from 08:00Z to 07:00Z the next day.
    project = build_project(tmp_path, [
        event("Open", "2024-03-10T07:59:59Z", "a"),   # 2024-03-09 23:59:59 PST
        event("Open", "2024-03-10T08:00:00Z", "b"),   # 2024-03-10 00:00 PST
        event("Open", "2024-03-10T10:30:00Z", "c"),   # 2024-03-10 03:30 PDT
        event("Open", "2024-03-11T06:59:59Z", "d"),   # 2024-03-10 23:59:59 PDT
        event("Open", "2024-03-11T07:00:00Z", "e"),   # 2024-03-11 00:00 PDT
    ], timezone="America/Los_Angeles")

    frame = run(project, chart(["Open"], "2024-03-09", "2024-03-11"))

    assert values(frame) == [1, 3, 1]
    assert [start.isoformat() for start in frame["bucket_start"]] == [
        "2024-03-09T00:00:00-08:00", "2024-03-10T00:00:00-08:00", "2024-03-11T00:00:00-07:00",
    ]


def test_los_angeles_fall_back_day(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-11-03T06:59:59Z", "a"),   # 2024-11-02 23:59:59 PDT
        event("Open", "2024-11-03T07:00:00Z", "b"),   # 2024-11-03 00:00 PDT
        event("Open", "2024-11-03T08:30:00Z", "c"),   # 01:30 PDT
        event("Open", "2024-11-03T09:30:00Z", "d"),   # 01:30 PST, the repeated hour
        event("Open", "2024-11-04T07:59:59Z", "e"),   # 2024-11-03 23:59:59 PST
        event("Open", "2024-11-04T08:00:00Z", "f"),   # 2024-11-04 00:00 PST
    ], timezone="America/Los_Angeles")

    assert values(run(project, chart(["Open"], "2024-11-02", "2024-11-04"))) == [1, 4, 1]


def test_hour_buckets_around_fall_back(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-11-03T08:30:00Z", "a"),   # 01:30 PDT
        event("Open", "2024-11-03T08:45:00Z", "b"),   # 01:45 PDT
        event("Open", "2024-11-03T09:30:00Z", "a"),   # 01:30 PST
        event("Open", "2024-11-03T10:00:00Z", "c"),   # 02:00 PST
    ], timezone="America/Los_Angeles")

    frame = run(project, chart(["Open"], "2024-11-03", "2024-11-03", interval="hour"))

    assert len(frame) == 25
    assert values(frame)[:5] == [0, 2, 1, 1, 0]
    assert [start.isoformat() for start in frame["bucket_start"].iloc[1:3]] == [
        "2024-11-03T01:00:00-07:00", "2024-11-03T01:00:00-08:00",
    ]


def test_cairo_days_across_dst(tmp_path):
    # 2024-04-26 00:00 EET did not exist: clocks went to 01:00 EEST (22:00Z on the 25th).
    project = build_project(tmp_path, [
        event("Open", "2024-04-25T21:59:59Z", "a"),   # 2024-04-25 23:59:59 EET
        event("Open", "2024-04-25T22:00:00Z", "b"),   # 2024-04-26 01:00 EEST
        event("Open", "2024-04-26T20:59:59Z", "c"),   # 2024-04-26 23:59:59 EEST
        event("Open", "2024-04-26T21:00:00Z", "d"),   # 2024-04-27 00:00 EEST
        # 2024-10-31 24:00 EEST fell back to 23:00 EET, so 23:30 happens twice on the 31st.
        event("Open", "2024-10-31T20:30:00Z", "e"),   # 23:30 EEST
        event("Open", "2024-10-31T21:30:00Z", "f"),   # 23:30 EET
        event("Open", "2024-10-31T22:00:00Z", "g"),   # 2024-11-01 00:00 EET
    ], timezone="Africa/Cairo")

    april = run(project, chart(["Open"], "2024-04-25", "2024-04-27"))
    october = run(project, chart(["Open"], "2024-10-31", "2024-11-01"))

    assert values(april) == [1, 2, 1]
    assert april["bucket_start"].iloc[1].isoformat() == "2024-04-26T01:00:00+03:00"
    assert values(october) == [2, 1]


def test_chart_timezone_overrides_project(tmp_path):
    project = build_project(tmp_path, [event("Open", "2024-03-02T03:00:00Z", "a")])

    in_utc = run(project, chart(["Open"]))
    in_new_york = run(project, chart(["Open"], timezone="America/New_York"))

    assert values(in_utc) == [0, 1, 0]
    assert values(in_new_york) == [1, 0, 0]
    assert in_new_york["bucket_start"].iloc[0].isoformat() == "2024-03-01T00:00:00-05:00"


def test_fake_user_ids_count_by_device(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "null", "d1"),
        event("Open", "2024-03-01T10:01:00Z", None, "d1"),
        event("Open", "2024-03-01T10:02:00Z", "undefined", "d2"),
        event("Open", "2024-03-01T10:03:00Z", "0", "d3"),
        event("Open", "2024-03-01T10:04:00Z", " None ", "d4"),
        event("Open", "2024-03-01T10:05:00Z", "", "d4"),
    ])

    assert values(run(project, chart(["Open"]))) == [4, 0, 0]


def test_identified_device_counts_once(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T09:00:00Z", None, "phone"),
        event("Open", "2024-03-01T10:00:00Z", "alice", "phone"),
        event("Open", "2024-03-02T10:00:00Z", None, "phone"),
        event("Open", "2024-03-02T11:00:00Z", None, "tablet"),
    ])

    frame = run(project, chart(["Open"], "2024-03-01", "2024-03-02"))

    # The phone's anonymous events belong to alice; the tablet stays its own actor.
    assert values(frame) == [1, 2]


def test_unicode_and_long_event_names(tmp_path):
    long_name = "Ω" + "x" * 999
    markup = "[bold red]Buy[/] \x1b[31m ünïcødé 🛒"
    project = build_project(tmp_path, [
        event(long_name, "2024-03-01T10:00:00Z", "a"),
        event(long_name, "2024-03-01T11:00:00Z", "b"),
        event(markup, "2024-03-02T10:00:00Z", "a"),
        event("Other", "2024-03-02T10:00:00Z", "c"),
    ])

    frame = run(project, chart([long_name, markup]))

    assert values(frame, series=0) == [2, 0, 0]
    assert values(frame, series=1) == [0, 1, 0]
    assert frame[frame["series"] == 0]["series_name"].iloc[0] == long_name
    assert frame[frame["series"] == 1]["series_name"].iloc[0] == markup


def test_any_event_series(tmp_path):
    project = build_project(tmp_path, [
        event("A", "2024-03-01T10:00:00Z", "a"),
        event("B", "2024-03-01T11:00:00Z", "b"),
        event("B", "2024-03-02T11:00:00Z", "b"),
    ])

    frame = run(project, chart(["*"]))

    assert values(frame) == [2, 1, 0]
    assert frame["series_name"].iloc[0] == "Any event"


def test_where_on_user_property_as_sent(tmp_path):
    # Alice was on the free plan on day 1 and pro on day 2; her latest plan must not leak into day 1.
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "alice", user_properties={"plan": "free"}),
        event("Open", "2024-03-01T11:00:00Z", "bob", user_properties={"plan": "pro"}),
        event("Open", "2024-03-02T10:00:00Z", "alice", user_properties={"plan": "pro"}),
        event("Open", "2024-03-02T11:00:00Z", "carol"),
    ])
    pro = {"event": "Open", "where": [{"property": "user.plan", "op": "=", "value": "pro"}]}
    not_pro = {"event": "Open", "where": [{"property": "user.plan", "op": "!=", "value": "pro"}]}

    frame = run(project, chart([pro, not_pro]))

    assert values(frame, series=0) == [1, 1, 0]
    assert values(frame, series=1) == [1, 1, 0]


def test_chart_level_where_applies_to_every_series(tmp_path):
    project = build_project(tmp_path, [
        event("A", "2024-03-01T10:00:00Z", "a", platform="iOS"),
        event("A", "2024-03-01T10:00:00Z", "b", platform="Android"),
        event("B", "2024-03-01T10:00:00Z", "c", platform="iOS"),
    ])

    frame = run(project, chart(["A", "B"], where=[{"property": "platform", "op": "=", "value": "iOS"}]))

    assert values(frame, series=0) == [1, 0, 0]
    assert values(frame, series=1) == [1, 0, 0]


def build_countries(tmp_path):
    """Return a project where country ``c00`` has 13 users, ``c01`` 12, ..., ``c12`` 1, plus ties and gaps."""
    events = []
    for rank in range(13):
        for user in range(13 - rank):
            events.append(event("Buy", "2024-03-01T10:00:00Z", f"u{rank}-{user}", country=f"c{rank:02}"))
    # Two countries tie at 1 user with c12: names break the tie (c12 < x-tie-a < x-tie-b).
    events.append(event("Buy", "2024-03-02T10:00:00Z", "tie-b", country="x-tie-b"))
    events.append(event("Buy", "2024-03-02T10:00:00Z", "tie-a", country="x-tie-a"))
    # One user buys in two countries and counts in both segments.
    events.append(event("Buy", "2024-03-02T12:00:00Z", "u0-0", country="c09"))
    events.append(event("Buy", "2024-03-02T13:00:00Z", "nowhere"))
    return build_project(tmp_path, events)


def test_group_by_top_ten_other_and_none(tmp_path):
    project = build_countries(tmp_path)

    frame = run(project, chart(["Buy"], group_by="country"))

    segments = list(dict.fromkeys(frame["segment"]))
    assert segments == [f"c{rank:02}" for rank in range(10)] + ["(other)", "(none)"]
    assert values(frame, segment="c00") == [13, 0, 0]
    assert values(frame, segment="c09") == [4, 1, 0]
    # c10 (3 users), c11 (2), c12 (1), x-tie-a and x-tie-b (1 each).
    assert values(frame, segment="(other)") == [6, 2, 0]
    assert values(frame, segment="(none)") == [0, 1, 0]
    assert len(frame) == 12 * 3


def test_group_by_ties_broken_by_name(tmp_path):
    project = build_project(tmp_path, [
        event("Buy", "2024-03-01T10:00:00Z", f"u{index}", os=name)
        for index, name in enumerate(["zeta", "alpha", "mu", "beta", "eta", "iota", "nu", "kappa", "chi", "pi", "tau"])
    ])

    frame = run(project, chart(["Buy"], group_by="os"))

    segments = list(dict.fromkeys(frame["segment"]))
    assert segments == ["alpha", "beta", "chi", "eta", "iota", "kappa", "mu", "nu", "pi", "tau", "(other)"]
    assert values(frame, segment="(other)") == [1, 0, 0]


def test_group_by_event_and_user_property(tmp_path):
    project = build_project(tmp_path, [
        event("Buy", "2024-03-01T10:00:00Z", "a", event_properties={"item.kind": "book"}, user_properties={"tier": 1}),
        event("Buy", "2024-03-01T11:00:00Z", "b", event_properties={"item.kind": "pen"}, user_properties={"tier": 1}),
        event("Buy", "2024-03-01T12:00:00Z", "a", event_properties={"item.kind": "pen"}, user_properties={"tier": 2}),
    ])

    by_kind = run(project, chart(["Buy"], group_by="item.kind"))
    by_tier = run(project, chart(["Buy"], group_by="user.tier"))

    assert values(by_kind, segment="pen") == [2, 0, 0]
    assert values(by_kind, segment="book") == [1, 0, 0]
    assert values(by_tier, segment="1") == [2, 0, 0]
    assert values(by_tier, segment="2") == [1, 0, 0]


def build_measures(tmp_path):
    """Day 1: a buys twice (price 10 and "5"), b once (price "n/a"); c only opens. Day 2: b buys at 4.5."""
    return build_project(tmp_path, [
        event("Buy", "2024-03-01T10:00:00Z", "a", event_properties={"price": 10}),
        event("Buy", "2024-03-01T11:00:00Z", "a", event_properties={"price": "5"}),
        event("Buy", "2024-03-01T12:00:00Z", "b", event_properties={"price": "n/a"}),
        event("Open", "2024-03-01T12:00:00Z", "c"),
        event("Open", "2024-03-02T09:00:00Z", "a"),
        event("Buy", "2024-03-02T12:00:00Z", "b", event_properties={"price": 4.5}),
    ])


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("uniques", [2, 1, 0]),
        ("totals", [3, 1, 0]),
        ("average", [1.5, 1, 0]),
        ("pct_active", [100 * 2 / 3, 50, 0]),
        ("sum:price", [15, 4.5, 0]),
        ("avg:price", [7.5, 4.5, 0]),
    ],
)
def test_each_measure(tmp_path, measure, expected):
    project = build_measures(tmp_path)

    frame = run(project, chart(["Buy"], measure=measure))

    assert values(frame) == pytest.approx(expected)
    assert frame["series_name"].iloc[0] == ("Buy" if measure == "uniques" else f"Buy: {measure}")


def test_pct_active_per_segment(tmp_path):
    project = build_project(tmp_path, [
        event("Buy", "2024-03-01T10:00:00Z", "a", platform="iOS"),
        event("Open", "2024-03-01T10:00:00Z", "b", platform="iOS"),
        event("Open", "2024-03-01T10:00:00Z", "c", platform="Web"),
        event("Buy", "2024-03-01T10:00:00Z", "d", platform="Web"),
        event("Open", "2024-03-01T10:00:00Z", "e", platform="Web"),
        event("Open", "2024-03-01T10:00:00Z", "f", platform="Web"),
    ])

    frame = run(project, chart(["Buy"], measure="pct_active", group_by="platform"))

    assert values(frame, segment="iOS") == [50, 0, 0]
    assert values(frame, segment="Web") == [25, 0, 0]


def test_week_buckets_starting_sunday(tmp_path):
    # 2024-03-02 is a Saturday, 2024-03-03 a Sunday.
    project = build_project(tmp_path, [
        event("Open", "2024-03-02T10:00:00Z", "a"),
        event("Open", "2024-03-03T10:00:00Z", "a"),
        event("Open", "2024-03-09T10:00:00Z", "b"),
        event("Open", "2024-03-10T00:00:00Z", "c"),
    ])
    project.set_setting("week_start", "sunday")

    frame = run(project, chart(["Open"], "2024-03-01", "2024-03-12", interval="week"))

    assert [start.date().isoformat() for start in frame["bucket_start"]] == ["2024-03-01", "2024-03-03", "2024-03-10"]
    assert values(frame) == [1, 2, 1]


def test_month_buckets_and_range_clipping(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-01-14T23:59:59Z", "early"),
        event("Open", "2024-01-15T00:00:00Z", "a"),
        event("Open", "2024-01-31T23:59:59Z", "b"),
        event("Open", "2024-02-01T00:00:00Z", "a"),
        event("Open", "2024-02-29T12:00:00Z", "c"),
        event("Open", "2024-03-10T23:59:59Z", "d"),
        event("Open", "2024-03-11T00:00:00Z", "late"),
    ])

    frame = run(project, chart(["Open"], "2024-01-15", "2024-03-10", interval="month"))

    assert values(frame) == [2, 2, 1]
    assert frame["bucket_start"].iloc[0].isoformat() == "2024-01-15T00:00:00+00:00"
    assert frame["bucket_end"].iloc[2].isoformat() == "2024-03-11T00:00:00+00:00"


def test_no_events_in_range(tmp_path):
    project = build_project(tmp_path, [event("Open", "2024-02-01T10:00:00Z", "a")])

    plain = run(project, chart(["Open"], measure="pct_active"))
    grouped = run(project, chart(["Open"], group_by="country"))

    assert values(plain) == [0, 0, 0]
    assert len(grouped) == 0
    assert list(grouped.columns) == list(plain.columns)


def test_series_without_events_is_all_zero(tmp_path):
    project = build_project(tmp_path, [event("Open", "2024-03-01T10:00:00Z", "a")])

    frame = run(project, chart(["Open", "Never"]))

    assert values(frame, series=1) == [0, 0, 0]


def test_cohort_filter(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "a"),
        event("Open", "2024-03-01T10:00:00Z", "b"),
        event("Open", "2024-03-01T10:00:00Z", "c"),
    ])
    actor_of_a = project.con.execute("SELECT actor_id FROM actors WHERE user_id = 'a'").fetchone()[0]
    project.con.execute(
        "INSERT INTO cohorts (cohort_id, name, member_kind, as_of, created_at) VALUES (1, 'Fans', 'users', now(), now())"
    )
    project.con.execute("INSERT INTO cohort_members VALUES (1, ?)", [actor_of_a])

    assert values(run(project, chart(["Open"], cohort="Fans"))) == [1, 0, 0]
    with pytest.raises(DefinitionError, match="cohort: no cohort named 'Foes' in this project \\(cohorts: 'Fans'\\)"):
        run(project, chart(["Open"], cohort="Foes"))


def test_other_chart_type_raises(tmp_path):
    project = build_project(tmp_path, [event("Open", "2024-03-01T10:00:00Z", "a")])

    with pytest.raises(DefinitionError, match="this is a funnel chart"):
        run(project, {"type": "funnel", "steps": [{"event": "a"}, {"event": "b"}], "range": {"from": "2024-03-01", "to": "2024-03-02"}})


def test_bitmap_and_hash_counts_agree(tmp_path, monkeypatch):
    project = build_countries(tmp_path)
    obj = chart(["Buy", "*"], group_by="country", measure="pct_active")

    with_bitmap = run(project, obj)
    monkeypatch.setattr(uniques, "BITMAP_BUDGET_BYTES", 0)
    with_hash_sets = run(project, obj)

    assert with_bitmap["value"].tolist() == with_hash_sets["value"].tolist()


POINT_CHARTS = [
    chart(["Buy", "*"], group_by="country"),
    chart(["Buy"], group_by="user.plan", interval="hour", last="2024-03-02"),
    chart([{"event": "Buy", "where": [{"property": "price", "op": ">", "value": 3}]}], measure="sum:price"),
    chart(["Open"], "2024-02-26", "2024-03-10", interval="week", timezone="America/Los_Angeles"),
]


@pytest.mark.parametrize("obj", POINT_CHARTS, ids=["group-by", "hourly", "sum-where", "weekly-la"])
def test_point_events_match_chart_uniques(tmp_path, obj):
    project = build_project(tmp_path, [
        event("Buy", f"2024-03-0{day}T{hour:02}:30:00Z", f"u{(day * hour) % 7}", country=f"c{hour % 13}",
              user_properties={"plan": ["free", "pro", None][hour % 3]}, event_properties={"price": hour % 5})
        for day in range(1, 4) for hour in range(0, 24, 3)
    ] + [
        event("Open", f"2024-03-0{day}T0{day}:00:00Z", f"u{day}") for day in range(1, 8)
    ])
    uniques_chart = dict(obj, measure="uniques")

    frame = run(project, uniques_chart)

    assert frame["value"].sum() > 0
    for row in frame.itertuples():
        assert point_users(project, uniques_chart, row.series, row.segment, row.bucket) == row.value, row


def test_point_events_select_bucket_by_date(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-02T10:00:00Z", "a"),
        event("Open", "2024-03-02T11:00:00Z", "b"),
        event("Open", "2024-03-03T11:00:00Z", "c"),
    ])
    obj = chart(["Open"])

    assert point_users(project, obj, 0, None, date(2024, 3, 2)) == 2
    assert point_users(project, obj, 0, None, datetime(2024, 3, 3, 12, tzinfo=timezone.utc)) == 1
    with pytest.raises(DefinitionError, match="point: .* is outside the chart's range"):
        point_events_sql(parse_chart(obj), project, 0, None, date(2024, 3, 4))
    with pytest.raises(DefinitionError, match="series: no series 1"):
        point_events_sql(parse_chart(obj), project, 1, None, 0)


def test_chart_settings_sources(tmp_path):
    project = build_project(tmp_path, [event("Open", "2024-03-02T10:00:00Z", "a")], timezone="Asia/Tokyo")

    assert chart_settings(project) == ChartSettings("Asia/Tokyo", "monday")
    assert chart_settings({"timezone": "Europe/Paris"}) == ChartSettings("Europe/Paris", "monday")
    assert chart_settings(ChartSettings("UTC", "sunday")) == ChartSettings("UTC", "sunday")
    buckets = chart_buckets(parse_chart(chart(["Open"])), {"timezone": "Europe/Paris"})
    assert find_bucket(buckets, date(2024, 3, 2)) == 1
