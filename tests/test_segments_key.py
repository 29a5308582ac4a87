"""The ``segments`` key: parsing, saving back, hiding lines, and the chart changes that write it."""

from __future__ import annotations

import pandas as pd
import pytest

from builders import build_project
from tui.analytics.definition import DefinitionError, SegmentChoice, parse_chart
from tui.analytics.point import Point
from tui.analytics.segment_filter import keep_segments
from tui.analytics.segmentation import segmentation
from tui.analytics.sessions import sessions_chart
from tui.app.chart_changes import ChartChangeError, excluded_line, filtered_to_line
from tui.app.describe import describe_chart

RANGE = {"from": "2024-03-01", "to": "2024-03-02"}
SHORT = "Length [0s, 1m)"
LONG = "Length [1m, ∞)"


def segmentation_chart(**changes) -> dict:
    return {"type": "segmentation", "events": [{"event": "Open"}], "range": RANGE, **changes}


def lengths_chart(**changes) -> dict:
    return {"type": "sessions", "measure": "length", "length_buckets": [60], "range": RANGE, **changes}


def event(time, user, **fields) -> dict:
    return {"event_type": "Open", "event_time": time, "user_id": user, "device_id": None, **fields}


def lines(frame: pd.DataFrame) -> set[tuple]:
    return set(zip(frame["series_name"], frame["segment"]))


def test_segments_parse_and_save_back_exactly():
    chart = segmentation_chart(group_by="platform", segments={"keep": ["iOS", "Ünïcode 🚀"]})
    definition = parse_chart(chart)

    assert definition.segments == SegmentChoice("keep", ("iOS", "Ünïcode 🚀"))
    assert definition.to_json()["segments"] == {"keep": ["iOS", "Ünïcode 🚀"]}
    assert parse_chart(definition.to_json()) == definition
    assert parse_chart(lengths_chart(segments={"drop": [SHORT]})).segments == SegmentChoice("drop", (SHORT,))


@pytest.mark.parametrize(("value", "message"), [
    ({"keep": ["a"], "drop": ["b"]}, "segments: must be an object with exactly one key, 'keep' or 'drop'"),
    ({"only": ["a"]}, "segments: must be an object with exactly one key"),
    (["a"], "segments: must be an object"),
    ({"keep": []}, "segments.keep: must be a non-empty list of segment labels"),
    ({"drop": ["a", 1]}, "segments.drop: must be a non-empty list of segment labels"),
    ({"keep": "a"}, "segments.keep: must be a non-empty list"),
])
def test_bad_segments_name_the_key(value, message):
    with pytest.raises(DefinitionError, match=message.replace("(", r"\(")):
        parse_chart(segmentation_chart(group_by="platform", segments=value))


def test_segments_need_lines_to_choose_from():
    with pytest.raises(DefinitionError, match="segments: applies only to a chart with group_by"):
        parse_chart(segmentation_chart(segments={"keep": ["iOS"]}))
    with pytest.raises(DefinitionError, match="segments: applies only"):
        parse_chart({"type": "sessions", "range": RANGE, "segments": {"keep": ["iOS"]}})


def test_keep_and_drop_hide_lines_and_keep_values():
    frame = pd.DataFrame({
        "series": [0, 0, 0, 1], "series_name": ["A", "A", "A", "B"],
        "segment": ["iOS", "Android", "(none)", "iOS"], "value": [3.0, 2.0, 1.0, 5.0],
    })
    keep = parse_chart(segmentation_chart(group_by="platform", segments={"keep": ["iOS", "gone"]}))
    drop = parse_chart(segmentation_chart(group_by="platform", segments={"drop": ["(none)"]}))
    plain = parse_chart(segmentation_chart(group_by="platform"))

    assert keep_segments(frame, keep).to_dict("list") == {
        "series": [0, 1], "series_name": ["A", "B"], "segment": ["iOS", "iOS"], "value": [3.0, 5.0],
    }
    assert keep_segments(frame, drop)["segment"].tolist() == ["iOS", "Android", "iOS"]
    assert keep_segments(frame, plain) is frame


def test_length_bucket_labels_pair_with_segments():
    frame = pd.DataFrame({
        "series_name": [SHORT, SHORT, LONG, LONG], "segment": ["iOS", "Web", "iOS", "Web"], "value": [1, 2, 3, 4],
    })
    both = ["Web", LONG]
    kept = keep_segments(frame, parse_chart(lengths_chart(group_by="platform", segments={"keep": both})))
    dropped = keep_segments(frame, parse_chart(lengths_chart(group_by="platform", segments={"drop": both})))
    by_bucket = keep_segments(frame, parse_chart(lengths_chart(group_by="platform", segments={"keep": [SHORT]})))

    assert lines(kept) == {(LONG, "Web")}
    assert lines(dropped) == {(SHORT, "iOS"), (SHORT, "Web"), (LONG, "iOS")}
    assert lines(by_bucket) == {(SHORT, "iOS"), (SHORT, "Web")}


def test_charts_apply_the_key(tmp_path):
    # alice: a session of 2 min on iOS; bob: one event on Web (a 0 s session); carol: no platform.
    project = build_project(tmp_path, [
        event("2024-03-01T10:00:00Z", "alice", platform="iOS"),
        event("2024-03-01T10:02:00Z", "alice", platform="iOS"),
        event("2024-03-01T11:00:00Z", "bob", platform="Web"),
        event("2024-03-01T12:00:00Z", "carol"),
    ])
    cursor = project.cursor()
    grouped = segmentation(cursor, parse_chart(segmentation_chart(group_by="platform")), project)
    without = segmentation(
        cursor, parse_chart(segmentation_chart(group_by="platform", segments={"drop": ["(none)"]})), project
    )
    long_only = sessions_chart(cursor, parse_chart(lengths_chart(segments={"keep": [LONG]})), project)

    assert set(grouped["segment"]) == {"iOS", "Web", "(none)"}
    assert without.to_dict("list") == grouped[grouped["segment"] != "(none)"].reset_index(drop=True).to_dict("list")
    assert long_only["series_name"].unique().tolist() == [LONG]
    assert long_only["value"].tolist() == [1.0, 0.0]


def test_description_says_the_chart_is_narrowed():
    keep = parse_chart(segmentation_chart(group_by="platform", segments={"keep": ["iOS", "[b]Android[/b]"]}))
    drop = parse_chart(lengths_chart(group_by="group:company", segments={"drop": ["(other)"]}))

    assert describe_chart(keep, None).endswith("by platform · only: iOS, [b]Android[/b]")
    assert "by group:company · without: (other)" in describe_chart(drop, None)


def test_length_bucket_changes_write_key():
    definition = parse_chart(lengths_chart())
    point = Point(definition, series=1, segment=None, bucket=0)

    assert filtered_to_line(point, [None]).segments == SegmentChoice("keep", (LONG,))
    excluded = excluded_line(point, [None])
    assert excluded.segments == SegmentChoice("drop", (LONG,))
    # The one bucket left is the only line shown.
    with pytest.raises(ChartChangeError, match="the chart shows only this line, so there is nothing to drop"):
        excluded_line(Point(excluded, series=0), [None])


def test_grouped_sessions_filter_exclude():
    definition = parse_chart(lengths_chart(group_by="platform"))
    point = Point(definition, series=0, segment="iOS", bucket=1)

    kept = filtered_to_line(point, ["iOS", "Web"])
    assert kept.segments == SegmentChoice("keep", (SHORT, "iOS"))
    assert kept.where == definition.where
    dropped = excluded_line(point, ["iOS", "Web"])
    assert dropped.segments == SegmentChoice("drop", (SHORT, "iOS"))
    with pytest.raises(ChartChangeError, match="already keeps or drops lines of another kind"):
        excluded_line(Point(dropped, series=1, segment="Web"), ["iOS", "Web"])

    by_segment = parse_chart(lengths_chart(measure="sessions", length_buckets=None, group_by="platform"))
    first = excluded_line(Point(by_segment, segment="iOS"), ["iOS", "Web", "(none)"])
    second = excluded_line(Point(first, segment="(none)"), ["Web", "(none)"])
    assert second.segments == SegmentChoice("drop", ("iOS", "(none)"))
    with pytest.raises(ChartChangeError, match="the chart shows only this line"):
        filtered_to_line(Point(second, segment="Web"), ["Web"])
    kept_two = filtered_to_line(Point(first, segment="Web"), ["Web", "(none)"])
    assert kept_two.segments == SegmentChoice("keep", ("Web",))
    two = parse_chart(dict(by_segment.to_json(), segments={"keep": ["Web", "iOS"]}))
    assert excluded_line(Point(two, segment="iOS"), ["iOS", "Web"]).segments == SegmentChoice("keep", ("Web",))
    with pytest.raises(ChartChangeError, match="the chart shows only this line"):
        excluded_line(Point(kept_two, segment="Web"), ["Web"])


def test_group_type_filter_keeps_event():
    definition = parse_chart({
        "type": "segmentation", "events": [{"event": "Open"}, {"event": "Buy"}], "range": RANGE,
        "group_by": "group:company", "segments": {"drop": ["Acme"]},
    })
    kept = filtered_to_line(Point(definition, series=1, segment="Globex"), ["Globex", "(none)"])

    assert [spec.event for spec in kept.events] == ["Buy"]
    assert kept.segments == SegmentChoice("keep", ("Globex",))
    # A property group-by still filters with `where`.
    by_property = parse_chart(segmentation_chart(group_by="platform"))
    assert filtered_to_line(Point(by_property, segment="iOS"), ["iOS", "Web"]).where == ()
    assert filtered_to_line(Point(by_property, segment="iOS"), ["iOS", "Web"]).segments is None


def test_one_line_charts_say_why():
    plain = parse_chart({"type": "sessions", "range": RANGE})
    with pytest.raises(ChartChangeError, match="no Group by, so there is one line"):
        filtered_to_line(Point(plain), [None])
    one_segment = parse_chart({"type": "sessions", "range": RANGE, "group_by": "cohorts"})
    with pytest.raises(ChartChangeError, match="the chart shows only this line, so there is nothing to drop"):
        excluded_line(Point(one_segment, segment="(none)"), ["(none)"])


@pytest.mark.parametrize("chart", [
    {"type": "funnel", "steps": [{"event": "Open"}, {"event": "Buy"}], "range": RANGE, "group_by": "platform"},
    {"type": "retention", "start": {"event": "Open"}, "return": {"event": "Open"}, "range": RANGE, "group_by": "platform"},
])
def test_funnel_and_retention_lines_by_the_key(chart):
    definition = parse_chart(chart)
    point = Point(definition, segment="iOS", step=1) if chart["type"] == "funnel" else Point(definition, segment="iOS")

    assert filtered_to_line(point, ["iOS", "Web"]).segments == SegmentChoice("keep", ("iOS",))
    assert excluded_line(point, ["iOS", "Web"]).segments == SegmentChoice("drop", ("iOS",))
    # Points that do not list their segments still get the key.
    assert excluded_line(point, []).segments == SegmentChoice("drop", ("iOS",))
    with pytest.raises(ChartChangeError, match="the chart shows only this line"):
        filtered_to_line(point, ["iOS"])


def test_where_filter_replaces_the_key():
    definition = parse_chart(segmentation_chart(group_by="platform", segments={"drop": ["Web"]}))
    kept = filtered_to_line(Point(definition, segment="iOS"), ["iOS", "(none)"])

    assert kept.segments is None
    assert [item.to_json() for item in kept.events[0].where] == [{"property": "platform", "op": "=", "value": "iOS"}]
