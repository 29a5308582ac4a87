"""The chart builder's draft without a running app: its list, step edits, typed values and type switches."""

import copy

import pytest

from tui.analytics.definition import TYPE_KEYS, parse_chart
from tui.app import builder_draft as drafts
from tui.app import builder_values as values
from tui.app.builder_draft import DraftError, SeriesRow, series_rows, step_pairs
from tui.app.builder_types import SetAside, switch_type

RANGE = {"from": "2024-03-01", "to": "2024-03-31"}
PRO_PLAN = {"property": "plan", "op": "=", "value": "pro"}
ON_IOS = {"property": "platform", "op": "=", "value": "iOS"}


def segmentation(*names: str, **keys) -> dict:
    return {"type": "segmentation", "events": [{"event": name} for name in names], "range": RANGE} | keys


def funnel(*names: str, **keys) -> dict:
    return {"type": "funnel", "steps": [{"event": name} for name in names], "range": RANGE} | keys


def test_funnel_rows_list_steps_exclusions_filters():
    draft = funnel("Signup", "Purchase", "[b]Pay[/b]", where=[ON_IOS])
    draft["steps"][1]["where"] = [PRO_PLAN]
    draft["exclude"] = [{"event": "Refund", "between": [2, 3], "where": [PRO_PLAN]}]

    rows = series_rows(draft)
    assert [row.label for row in rows] == [
        "1  Signup",
        "2  Purchase",
        "     where plan = pro",
        "3  [b]Pay[/b]",
        "Exclude Refund between steps 2 and 3",
        "     where plan = pro",
        "Every event where platform = iOS",
    ]
    assert [row.place for row in rows] == [
        ("steps", 0, None), ("steps", 1, None), ("steps", 1, 0), ("steps", 2, None),
        ("exclude", 0, None), ("exclude", 0, 0), ("where", None, 0),
    ]


def test_retention_rows_show_unset_event():
    draft = {"type": "retention", "start": {"event": "Signup"}, "range": RANGE}
    rows = series_rows(draft)
    assert [row.label for row in rows] == ["Start   Signup", "Return  (none: press Enter to choose)"]

    drafts.set_event(draft, rows[1], "Purchase")
    assert draft["return"] == {"event": "Purchase"}
    with pytest.raises(DraftError, match="needs a start event"):
        drafts.remove_row(draft, rows[0])


def test_add_event_limits():
    draft = funnel(*[f"step {number}" for number in range(1, 11)])
    with pytest.raises(DraftError, match="at most 10 steps"):
        drafts.add_event(draft, "one more")
    with pytest.raises(DraftError, match="takes no events"):
        drafts.add_event({"type": "sessions", "range": RANGE}, "Signup")

    retention = {"type": "retention", "range": RANGE}
    drafts.add_event(retention, "Signup")
    drafts.add_event(retention, "Purchase")
    assert retention["start"] == {"event": "Signup"}
    assert retention["return"] == {"event": "Purchase"}
    with pytest.raises(DraftError, match="one start and one return"):
        drafts.add_event(retention, "Refund")


def test_filters_on_rows_and_chart():
    draft = funnel("Signup", "Purchase")
    rows = series_rows(draft)
    drafts.add_filter(draft, rows[1], PRO_PLAN)
    drafts.add_filter(draft, SeriesRow("where", None, None, ""), ON_IOS)
    assert draft["steps"][1]["where"] == [PRO_PLAN]
    assert draft["where"] == [ON_IOS]

    chart_row = series_rows(draft)[-1]
    assert chart_row.place == ("where", None, 0)
    drafts.remove_row(draft, chart_row)
    assert "where" not in draft
    drafts.remove_row(draft, series_rows(draft)[2])
    assert draft["steps"][1] == {"event": "Purchase"}


def test_move_row_within_bounds():
    draft = segmentation("A", "B", "C")
    rows = series_rows(draft)
    moved = drafts.move_row(draft, rows[2], -1)
    assert moved.place == ("events", 1, None)
    assert [spec["event"] for spec in draft["events"]] == ["A", "C", "B"]
    assert drafts.move_row(draft, rows[0], -1) is None
    assert drafts.move_row(draft, series_rows(draft)[2], 1) is None
    assert [spec["event"] for spec in draft["events"]] == ["A", "C", "B"]


@pytest.mark.parametrize(
    "between, removed, expected",
    [
        ([2, 3], 4, [2, 3]),  # after the exclusion: unchanged
        ([2, 3], 1, [1, 2]),  # before it: both ends shift down
        ([2, 3], 2, [1, 2]),  # its first step: widens back to the step before
        ([2, 3], 3, [2, 3]),  # its second step: widens to the step after
        ([1, 2], 1, [1, 2]),  # the first step: the next two steps
        ([3, 4], 4, [2, 3]),  # the last step: the two steps before it
        ([1, 4], 2, [1, 3]),  # inside it: it still spans the funnel
    ],
)
def test_removed_step_renumbers_exclusions(between, removed, expected):
    draft = funnel("A", "B", "C", "D", exclude=[{"event": "X", "between": between}])
    drafts.remove_row(draft, SeriesRow("steps", removed - 1, None, ""))
    assert draft["exclude"][0]["between"] == expected
    parse_chart(draft)


def test_step_pairs_whole_funnel_first():
    assert step_pairs(3) == [(1, 3), (1, 2), (2, 3)]
    assert step_pairs(2) == [(1, 2)]
    assert step_pairs(1) == []


def test_typed_options():
    draft = {}
    values.set_typed_option(draft, "periods", " 4 ", int)
    assert draft == {"periods": 4}
    values.set_typed_option(draft, "periods", "-", int)
    assert draft == {"periods": "-"}
    values.set_typed_option(draft, "periods", "  ", int)
    assert draft == {}
    assert values.set_option(draft, "order", "this", "this") is False
    assert draft == {}
    assert values.set_option(draft, "order", "any", "this") is True
    assert draft == {"order": "any"}


def test_switch_keeps_shared_keys():
    shared = {
        "interval": "week", "where": [ON_IOS], "group_by": "country",
        "cohort": "Beta testers", "timezone": "Europe/Berlin",
    }
    draft = segmentation("Signup", "Purchase", measure="totals", **copy.deepcopy(shared))
    set_aside = SetAside()
    for kind in ("funnel", "retention", "sessions", "segmentation"):
        assert switch_type(draft, kind, set_aside) is None
        assert {key: draft[key] for key in shared} == shared
        assert draft["range"] == RANGE
        assert draft["type"] == kind
        parse_chart(draft)
    assert draft["events"] == [{"event": "Signup"}, {"event": "Purchase"}]
    assert draft["measure"] == "totals"


def test_switch_converts_events():
    draft = segmentation("Signup", "Purchase", "Refund")
    draft["events"][1]["where"] = [PRO_PLAN]
    set_aside = SetAside()

    switch_type(draft, "funnel", set_aside)
    assert draft["steps"] == [{"event": "Signup"}, {"event": "Purchase", "where": [PRO_PLAN]}, {"event": "Refund"}]
    assert "events" not in draft

    switch_type(draft, "retention", set_aside)
    assert draft["start"] == {"event": "Signup"}
    assert draft["return"] == {"event": "Purchase", "where": [PRO_PLAN]}
    assert "steps" not in draft

    # Retention kept two of the three events, and the third comes back on the way out.
    switch_type(draft, "segmentation", set_aside)
    assert [spec["event"] for spec in draft["events"]] == ["Signup", "Purchase", "Refund"]


def test_switch_back_after_edit_drops_cut_events():
    draft = segmentation("Signup", "Purchase", "Refund")
    set_aside = SetAside()
    switch_type(draft, "retention", set_aside)
    draft["return"] = {"event": "View item"}
    switch_type(draft, "funnel", set_aside)
    assert draft["steps"] == [{"event": "Signup"}, {"event": "View item"}]


def test_switch_to_funnel_keeps_ten_steps():
    names = [f"event {number}" for number in range(12)]
    draft = segmentation(*names)
    set_aside = SetAside()
    note = switch_type(draft, "funnel", set_aside)
    assert note == "A funnel has at most 10 steps, so it keeps the first 10 of the 12 events."
    assert len(draft["steps"]) == 10
    parse_chart(draft)
    switch_type(draft, "segmentation", set_aside)
    assert [spec["event"] for spec in draft["events"]] == names


def test_switch_sets_aside_type_settings():
    draft = funnel("Signup", "Purchase", window="2h", order="any", exclude=[{"event": "Refund", "between": [1, 2]}])
    set_aside = SetAside()
    switch_type(draft, "sessions", set_aside)
    assert set(draft) == {"type", "range"}
    parse_chart(draft)
    draft["measure"] = "per_user"

    switch_type(draft, "funnel", set_aside)
    assert draft["window"] == "2h"
    assert draft["order"] == "any"
    assert draft["exclude"] == [{"event": "Refund", "between": [1, 2]}]
    assert draft["steps"] == [{"event": "Signup"}, {"event": "Purchase"}]
    assert "measure" not in draft

    switch_type(draft, "sessions", set_aside)
    assert draft["measure"] == "per_user"


def test_switch_carries_count_by():
    draft = segmentation("Signup", "Purchase", count_by="group:company")
    set_aside = SetAside()
    for kind in ("sessions", "funnel", "retention", "sessions", "segmentation"):
        switch_type(draft, kind, set_aside)
        # A type that does not count by groups sets count_by aside until the next type that does.
        assert ("count_by" in draft) == ("count_by" in TYPE_KEYS[kind])
        parse_chart(draft)
    assert draft["count_by"] == "group:company"


@pytest.mark.parametrize(
    "text, expected",
    [("10, 60, 300", [10, 60, 300]), ("10s, 1m, 1.5m, 1h", [10, 60, 90, 3600]), ("0.5, 2", [0.5, 2])],
)
def test_length_edges_typed(text, expected):
    assert values.length_edges(text) == expected
    assert values.length_edges(", ".join(values.format_seconds(edge) for edge in expected)) == expected


@pytest.mark.parametrize("text", ["10, ", "ten", "5 minutes"])
def test_length_edges_rejected(text):
    with pytest.raises(ValueError):
        values.length_edges(text)


def test_switched_draft_is_independent_of_set_aside():
    draft = segmentation("Signup", "Purchase")
    set_aside = SetAside()
    switch_type(draft, "funnel", set_aside)
    draft["steps"][0]["where"] = [PRO_PLAN]
    assert set_aside.events[0] == {"event": "Signup"}
