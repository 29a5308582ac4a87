"""User sessions charts against sessions worked out by hand on small imported projects."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from builders import build_project
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.session_span import max_session_span_us
from tui.analytics.sessions import format_duration, series_names, sessions_chart, sessions_point_events_sql
from tui.cli import main
from tui.store.project import create_project
from tui.store.session_gap import change_session_gap

MEASURES = ("sessions", "avg_length", "per_user", "length")


def chart(first="2024-03-01", last="2024-03-03", **changes) -> dict:
    obj = {"type": "sessions", "range": {"from": first, "to": last}}
    obj.update(changes)
    return obj


def run(project, obj) -> pd.DataFrame:
    return sessions_chart(project.cursor(), parse_chart(obj), project)


def values(frame, series=0, segment=None) -> list[float]:
    """Return the values of one series and segment, in bucket order."""
    rows = frame[frame["series"] == series]
    rows = rows[rows["segment"].isna()] if segment is None else rows[rows["segment"] == segment]
    return rows.sort_values("bucket")["value"].tolist()


def event(time, user=None, device=None, event_type="Open", **fields) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user, "device_id": device, **fields}


def point_events(project, obj, series, segment, bucket, span_us=None) -> pd.DataFrame:
    sql, params = sessions_point_events_sql(parse_chart(obj), project, series, segment, bucket, span_us)
    return project.con.execute(sql, params).fetchdf()


def test_gap_of_31_minutes_splits_session(tmp_path):
    # No session_id column, so the import cuts sessions after more than 30 minutes without events.
    project = build_project(tmp_path, [
        event("2024-03-01T10:00:00Z", "a"),
        event("2024-03-01T10:29:00Z", "a"),   # 29 minutes later: same session
        event("2024-03-01T11:00:00Z", "a"),   # 31 minutes later: a new session
        event("2024-03-01T11:30:00Z", "a"),   # exactly 30 minutes later: same session
        event("2024-03-02T09:00:00Z", "b"),
    ])

    assert values(run(project, chart())) == [2, 1, 0]
    assert values(run(project, chart(measure="avg_length"))) == [(29 * 60 + 30 * 60) / 2, 0, 0]
    assert values(run(project, chart(measure="per_user"))) == [2, 1, 0]


def test_gap_follows_project_setting(tmp_path):
    project = create_project(tmp_path / "gap.duckdb")
    change_session_gap(project, 10)
    build_project(tmp_path, [
        event("2024-03-01T10:00:00Z", "a"),
        event("2024-03-01T10:09:00Z", "a"),
        event("2024-03-01T10:20:00Z", "a"),
    ], name="gap.duckdb")

    assert values(run(project, chart())) == [2, 0, 0]


def test_session_ids_and_out_of_session_events(tmp_path):
    # The file has a session_id column, so an event without one, or with -1, is out of session.
    project = build_project(tmp_path, [
        event("2024-03-01T10:00:00Z", "a", session_id="s1"),
        event("2024-03-01T12:00:00Z", "a", session_id="s1"),   # two hours apart, one session by its id
        event("2024-03-01T10:05:00Z", "a", session_id="s2"),
        event("2024-03-01T10:00:00Z", "b", session_id="s1"),   # the same id on another user is another session
        event("2024-03-01T10:00:00Z", "c", session_id="-1"),
        event("2024-03-01T10:01:00Z", "c", session_id="-1"),
        event("2024-03-01T10:00:00Z", "d"),
        event("2024-03-01T10:00:00Z", "e", session_id=-1),
    ])

    assert values(run(project, chart())) == [3, 0, 0]
    assert values(run(project, chart(measure="per_user"))) == [1.5, 0, 0]
    assert values(run(project, chart(measure="avg_length"))) == [7200 / 3, 0, 0]
    in_session = point_events(project, chart(), 0, None, 0)
    assert sorted(in_session["user_id"]) == ["a", "a", "a", "b"]


def test_events_at_same_timestamp(tmp_path):
    project = build_project(tmp_path, [
        event("2024-03-01T10:00:00Z", "a", event_type="Click"),
        event("2024-03-01T10:00:00Z", "a", event_type="Click", insert_id="second"),
        event("2024-03-01T10:00:00Z", "a", event_type="View"),
    ])

    assert values(run(project, chart())) == [1, 0, 0]
    assert values(run(project, chart(measure="length")), series=0) == [1, 0, 0]
    assert len(point_events(project, chart(measure="length"), 0, None, 0)) == 3


def build_lengths(tmp_path):
    """Sessions (by id) of 0 s, 9.999999 s, exactly 10 s, 59 s, exactly 60 s, exactly 1 h and 2 h."""
    lengths = {"zero": None, "almost": "00:00:09.999999", "ten": "00:00:10", "fifty-nine": "00:00:59",
               "minute": "00:01:00", "hour": "01:00:00", "two-hours": "02:00:00"}
    events = []
    for name, length in lengths.items():
        events.append(event("2024-03-01T10:00:00Z", name, session_id="s"))
        if length:
            events.append(event(f"2024-03-01T1{int(length[:2])}:{length[3:]}Z", name, session_id="s"))
    return build_project(tmp_path, events)


def test_length_distribution_edges(tmp_path):
    project = build_lengths(tmp_path)

    frame = run(project, chart(measure="length"))

    assert list(dict.fromkeys(frame["series_name"])) == [
        "Length [0s, 10s)", "Length [10s, 1m)", "Length [1m, 5m)", "Length [5m, 15m)",
        "Length [15m, 30m)", "Length [30m, 1h)", "Length [1h, ∞)",
    ]
    by_series = [values(frame, series)[0] for series in range(7)]
    assert by_series == [2, 2, 1, 0, 0, 0, 2]
    assert frame["segment"].isna().all()


def test_length_distribution_custom_edges(tmp_path):
    project = build_lengths(tmp_path)
    obj = chart(measure="length", length_buckets=[10, 90.5, 7200])

    frame = run(project, obj)

    assert list(dict.fromkeys(frame["series_name"])) == [
        "Length [0s, 10s)", "Length [10s, 90.5s)", "Length [90.5s, 2h)", "Length [2h, ∞)",
    ]
    assert [values(frame, series)[0] for series in range(4)] == [2, 3, 1, 1]
    ten_seconds = point_events(project, obj, 1, None, 0)
    assert sorted(set(ten_seconds["user_id"])) == ["fifty-nine", "minute", "ten"]


def test_session_crossing_midnight_and_dst(tmp_path):
    # Los Angeles sprang forward at 02:00 on 2024-03-10.
    project = build_project(tmp_path, [
        event("2024-03-10T07:50:00Z", "a"),   # 2024-03-09 23:50 PST
        event("2024-03-10T08:15:00Z", "a"),   # 2024-03-10 00:15 PST, same session
        event("2024-03-10T09:50:00Z", "b"),   # 01:50 PST
        event("2024-03-10T10:10:00Z", "b"),   # 03:10 PDT: 20 minutes later
        event("2024-03-11T06:55:00Z", "c"),   # 2024-03-10 23:55 PDT
        event("2024-03-11T07:05:00Z", "c"),   # 2024-03-11 00:05 PDT
    ], timezone="America/Los_Angeles")
    obj = chart("2024-03-09", "2024-03-11")

    assert values(run(project, obj)) == [1, 2, 0]
    assert values(run(project, dict(obj, measure="avg_length"))) == [1500, (1200 + 600) / 2, 0]
    assert values(run(project, dict(obj, timezone="UTC"))) == [0, 2, 1]


def test_hour_buckets_across_dst(tmp_path):
    project = build_project(tmp_path, [
        event("2024-03-10T09:50:00Z", "b"),   # 01:50 PST
        event("2024-03-10T10:10:00Z", "b"),   # 03:10 PDT
        event("2024-03-10T10:20:00Z", "c"),   # 03:20 PDT
    ], timezone="America/Los_Angeles")

    frame = run(project, chart("2024-03-10", "2024-03-10", interval="hour"))

    assert len(frame) == 23
    assert values(frame)[1:3] == [1, 1]
    assert frame["bucket_start"].iloc[2].isoformat() == "2024-03-10T03:00:00-07:00"


def test_range_edges_use_whole_sessions(tmp_path):
    project = build_project(tmp_path, [
        event("2024-02-29T23:50:00Z", "early"),   # starts before the range: not counted
        event("2024-03-01T00:10:00Z", "early"),
        event("2024-03-01T23:50:00Z", "late"),    # starts in the range, ends after it
        event("2024-03-02T00:20:00Z", "late"),
    ])
    obj = chart("2024-03-01", "2024-03-01")

    assert values(run(project, obj)) == [1]
    assert values(run(project, dict(obj, measure="avg_length"))) == [1800]
    late = point_events(project, obj, 0, None, 0)
    assert late["user_id"].tolist() == ["late", "late"]


def test_where_applies_before_sessions_form(tmp_path):
    project = build_project(tmp_path, [
        event("2024-03-01T09:55:00Z", "a", platform="Android"),
        event("2024-03-01T10:00:00Z", "a", platform="iOS"),
        event("2024-03-01T10:05:00Z", "a", platform="iOS"),
        event("2024-03-01T10:20:00Z", "a", platform="Android"),
        event("2024-03-01T15:00:00Z", "b", platform="Android"),   # an Android-only session
        event("2024-03-01T23:55:00Z", "c", platform="Android"),   # starts on day 1 unfiltered ...
        event("2024-03-02T00:05:00Z", "c", platform="iOS"),       # ... on day 2 with iOS events only
    ])
    ios = [{"property": "platform", "op": "=", "value": "iOS"}]

    assert values(run(project, chart())) == [3, 0, 0]
    assert values(run(project, chart(where=ios))) == [1, 1, 0]
    assert values(run(project, chart(measure="avg_length"))) == [(1500 + 0 + 600) / 3, 0, 0]
    assert values(run(project, chart(measure="avg_length", where=ios))) == [300, 0, 0]
    filtered = point_events(project, chart(where=ios), 0, None, 0)
    assert filtered["platform"].tolist() == ["iOS", "iOS"]


def test_cohort_filter(tmp_path):
    project = build_project(tmp_path, [
        event("2024-03-01T10:00:00Z", "a"),
        event("2024-03-01T12:00:00Z", "a"),
        event("2024-03-01T10:00:00Z", "b"),
    ])
    actor_of_a = project.con.execute("SELECT actor_id FROM actors WHERE user_id = 'a'").fetchone()[0]
    project.con.execute(
        "INSERT INTO cohorts (cohort_id, name, member_kind, as_of, created_at) VALUES (1, 'Fans', 'users', now(), now())"
    )
    project.con.execute("INSERT INTO cohort_members VALUES (1, ?)", [actor_of_a])

    assert values(run(project, chart(cohort="Fans"))) == [2, 0, 0]
    with pytest.raises(DefinitionError, match="cohort: no cohort named 'Foes'"):
        run(project, chart(cohort="Foes"))


def test_anonymous_events_join_identified_session(tmp_path):
    # The device's anonymous events belong to alice once the device is identified, in a later import.
    project = build_project(tmp_path, [event("2024-03-01T10:00:00Z", None, "phone")])
    assert values(run(project, chart())) == [1, 0, 0]

    build_project(tmp_path, [
        event("2024-03-01T10:10:00Z", "alice", "phone"),
        event("2024-03-01T10:20:00Z", None, "phone"),
    ])

    assert values(run(project, chart())) == [1, 0, 0]
    assert values(run(project, chart(measure="avg_length"))) == [1200, 0, 0]


def test_new_import_lengthens_known_span(tmp_path):
    project = build_project(tmp_path, [event("2024-03-01T10:00:00Z", "a", session_id="s")])
    assert values(run(project, chart("2024-03-03", "2024-03-03"))) == [0]

    # One session now runs from 2024-03-01 to 2024-03-03: it starts before the range, so it is not counted.
    build_project(tmp_path, [event("2024-03-03T10:00:00Z", "a", session_id="s")])

    assert max_session_span_us(project.cursor()) == 2 * 86400 * 1_000_000
    assert values(run(project, chart("2024-03-03", "2024-03-03"))) == [0]
    assert values(run(project, chart("2024-03-01", "2024-03-03", measure="avg_length"))) == [2 * 86400, 0, 0]


def test_chart_inside_open_transaction(tmp_path):
    project = build_project(tmp_path, [event("2024-03-01T10:00:00Z", "a"), event("2024-03-02T10:00:00Z", "a")])
    cursor = project.cursor()
    cursor.execute("BEGIN TRANSACTION")

    frame = sessions_chart(cursor, parse_chart(chart()), project)
    again = sessions_chart(cursor, parse_chart(chart()), project)
    cursor.execute("COMMIT")

    assert values(frame) == [1, 1, 0]
    assert values(again) == [1, 1, 0]


def test_group_by_first_event_value(tmp_path):
    project = build_project(tmp_path, [
        event("2024-03-01T10:00:00Z", "a", platform="iOS"),
        event("2024-03-01T10:05:00Z", "a", platform="Android"),
        event("2024-03-01T10:00:00Z", "b"),
        event("2024-03-01T10:05:00Z", "b", platform="Android"),
        event("2024-03-01T10:00:00Z", "c", platform="Android"),
        event("2024-03-01T10:00:00Z", "d", platform="[bold]Wéb[/] 🛒"),
    ])

    frame = run(project, chart(group_by="platform"))

    assert list(dict.fromkeys(frame["segment"])) == ["Android", "[bold]Wéb[/] 🛒", "iOS", "(none)"]
    assert values(frame, segment="iOS") == [1, 0, 0]
    assert values(frame, segment="Android") == [1, 0, 0]
    assert values(frame, segment="(none)") == [1, 0, 0]
    assert values(frame, segment="[bold]Wéb[/] 🛒") == [1, 0, 0]


def test_group_by_top_ten_and_other(tmp_path):
    project = build_project(tmp_path, [
        event(f"2024-03-01T{hour:02}:00:00Z", f"u{rank}", country=f"c{rank:02}")
        for rank in range(12) for hour in range(12 - rank)
    ])

    frame = run(project, chart(group_by="country", measure="length"))

    assert list(dict.fromkeys(frame["segment"])) == [f"c{rank:02}" for rank in range(10)] + ["(other)"]
    assert values(frame, series=0, segment="c00") == [12, 0, 0]
    assert values(frame, series=0, segment="(other)") == [3, 0, 0]
    assert len(frame) == 7 * 11 * 3


def build_points(tmp_path):
    events = []
    for day in range(1, 4):
        for user in range(5):
            for minute in range(0, 40 * (user + 1), 13 * (day + user)):
                events.append(event(f"2024-03-0{day}T{10 + minute // 60:02}:{minute % 60:02}:00Z", f"u{user}",
                                    platform=["iOS", "Android", None][(user + minute) % 3]))
        events.append(event(f"2024-03-0{day}T23:50:00Z", "night", platform="iOS"))
        events.append(event(f"2024-03-0{day + 1}T00:10:00Z", "night", platform="Web"))
    return build_project(tmp_path, events)


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("group_by", [None, "platform"])
def test_point_events_match_chart(tmp_path, measure, group_by):
    project = build_points(tmp_path)
    obj = chart(measure=measure, group_by=group_by)
    counts = chart(measure="sessions", group_by=group_by)
    span = max_session_span_us(project.cursor())

    frame = run(project, obj)
    sessions = run(project, counts)
    per_user = run(project, dict(counts, measure="per_user"))

    assert frame["value"].sum() > 0
    for row in frame.itertuples():
        bounded = point_events(project, obj, row.series, row.segment, row.bucket, span)
        unbounded = point_events(project, obj, row.series, row.segment, row.bucket)
        assert sorted(bounded["seq"]) == sorted(unbounded["seq"]), row
        if measure == "length":
            assert bounded["session_key"].nunique() == row.value, row
            continue
        expected = values(sessions, 0, row.segment)[row.bucket]
        assert bounded["session_key"].nunique() == expected, row
        users = bounded["actor_id"].nunique()
        ratio = values(per_user, 0, row.segment)[row.bucket]
        assert (expected / users if users else 0) == pytest.approx(ratio), row


def test_series_names_and_series_check(tmp_path):
    project = build_project(tmp_path, [event("2024-03-01T10:00:00Z", "a")])

    assert series_names(parse_chart(chart())) == ["Sessions"]
    assert series_names(parse_chart(chart(measure="avg_length"))) == ["Average session length (s)"]
    assert series_names(parse_chart(chart(measure="per_user"))) == ["Sessions per user"]
    assert [format_duration(seconds) for seconds in (0, 90, 90.5, 300, 86400, 1209600)] == [
        "0s", "90s", "90.5s", "5m", "1d", "2w",
    ]
    with pytest.raises(DefinitionError, match="series: no series 1. This chart has series 0 to 0."):
        sessions_point_events_sql(parse_chart(chart()), project, 1, None, 0)
    with pytest.raises(DefinitionError, match="point: .* is outside the chart's range"):
        sessions_point_events_sql(parse_chart(chart()), project, 0, None, 3)


def test_unsupported_definitions_raise(tmp_path):
    project = build_project(tmp_path, [event("2024-03-01T10:00:00Z", "a")])

    with pytest.raises(DefinitionError, match="type: this is a segmentation chart, not a user sessions chart"):
        run(project, {"type": "segmentation", "events": [{"event": "Open"}], "range": chart()["range"]})


def test_no_sessions_in_range(tmp_path):
    project = build_project(tmp_path, [event("2024-02-01T10:00:00Z", "a")])

    plain = run(project, chart(measure="avg_length"))
    grouped = run(project, chart(group_by="country"))

    assert values(plain) == [0, 0, 0]
    assert len(grouped) == 0
    assert list(grouped.columns) == list(plain.columns)


def test_chart_command_prints_sessions(tmp_path, capsys):
    with build_project(tmp_path, [
        event("2024-03-01T10:00:00Z", "a"),
        event("2024-03-01T10:00:20Z", "a"),
        event("2024-03-02T10:00:00Z", "b"),
    ]) as project:
        path = project.path
    chart_file = tmp_path / "chart.json"
    chart_file.write_text(json.dumps(chart(measure="length", length_buckets=[10])), encoding="utf-8")

    status = main(["chart", str(chart_file), "--project", str(path), "--format", "csv"])

    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert status == 0
    short, long = "Length [0s, 10s)", "Length [10s, ∞)"
    assert [(row["series"], row["bucket_start"][:10], row["value"]) for row in rows] == [
        (short, "2024-03-01", "0"), (short, "2024-03-02", "1"), (short, "2024-03-03", "0"),
        (long, "2024-03-01", "1"), (long, "2024-03-02", "0"), (long, "2024-03-03", "0"),
    ]
    assert "series 0: Length [0s, 10s); series 1: Length [10s, ∞)" in captured.err
