"""Chart definition parsing, validation messages and the JSON round trip."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from tui.analytics.definition import (
    DateRange,
    DefinitionError,
    EventSpec,
    Filter,
    load_chart_file,
    parse_chart,
)

RANGE = {"from": "2024-03-01", "to": "2024-03-31"}

SEGMENTATION = {
    "type": "segmentation",
    "events": [
        {"event": "Purchase", "where": [{"property": "platform", "op": "=", "value": "iOS"}]},
        {"event": "*"},
    ],
    "measure": "uniques",
    "interval": "day",
    "range": RANGE,
    "group_by": "country",
    "cohort": None,
}

FUNNEL = {
    "type": "funnel",
    "steps": [
        {"event": "Signed Up"},
        {"event": "Purchase", "where": [{"property": "user.plan", "op": "in", "value": ["pro", "team"]}]},
    ],
    "window": "30m",
    "order": "exact",
    "exclude": [{"event": "Churned", "between": [1, 2]}],
    "count_by": "group:company",
    "interval": "week",
    "range": RANGE,
}

SESSIONS = {"type": "sessions", "measure": "avg_length", "interval": "hour", "range": RANGE, "timezone": "Asia/Tokyo"}
SESSION_LENGTHS = {"type": "sessions", "measure": "length", "length_buckets": [30, 90.5, 600], "interval": "day",
                   "range": RANGE, "count_by": "group:company"}

RETENTION = {
    "type": "retention",
    "start": {"event": "Signed Up"},
    "return": {"event": "*", "where": [{"property": "country", "op": "set"}]},
    "period": "week",
    "periods": 8,
    "mode": "on_or_after",
    "rolling": True,
    "interval": "month",
    "range": RANGE,
}


def chart(**changes) -> dict:
    """Return a minimal valid segmentation chart with ``changes`` applied."""
    obj = {"type": "segmentation", "events": [{"event": "Purchase"}], "range": dict(RANGE)}
    obj.update(changes)
    return obj


def error_of(obj) -> str:
    with pytest.raises(DefinitionError) as caught:
        parse_chart(obj)
    return str(caught.value)


def test_segmentation_example_parses():
    parsed = parse_chart(SEGMENTATION)

    assert parsed.type == "segmentation"
    assert parsed.range == DateRange(date(2024, 3, 1), date(2024, 3, 31))
    assert parsed.events[0] == EventSpec("Purchase", (Filter("platform", "=", "iOS"),))
    assert parsed.events[1] == EventSpec("*")
    assert parsed.group_by == "country"
    assert parsed.cohort is None
    assert parsed.interval == "day"


def test_defaults_without_optional_keys():
    parsed = parse_chart(chart())

    assert parsed.measure == "uniques"
    assert parsed.interval == "day"
    assert parsed.where == ()
    assert parsed.timezone is None


def test_funnel_keys_parse():
    parsed = parse_chart(FUNNEL)

    assert len(parsed.steps) == 2
    assert parsed.steps[1].where == (Filter("user.plan", "in", ("pro", "team")),)
    assert parsed.window_seconds == 1800
    assert parsed.order == "exact"
    assert parsed.exclude[0].event == EventSpec("Churned")
    assert parsed.exclude[0].between == (1, 2)
    assert parsed.count_by == "group:company"


def test_retention_and_sessions_keys_parse():
    retention = parse_chart(RETENTION)
    sessions = parse_chart(SESSIONS)

    assert retention.start == EventSpec("Signed Up")
    assert retention.return_event.where == (Filter("country", "set"),)
    assert (retention.period, retention.periods, retention.mode, retention.rolling) == ("week", 8, "on_or_after", True)
    assert sessions.measure == "avg_length"
    assert sessions.timezone == "Asia/Tokyo"


def test_session_length_buckets_parse():
    lengths = parse_chart(SESSION_LENGTHS)
    defaults = parse_chart(dict(SESSION_LENGTHS, length_buckets=None))
    plain = parse_chart({"type": "sessions", "range": RANGE})

    assert lengths.length_buckets == (30, 90.5, 600)
    assert lengths.length_edges == (30, 90.5, 600)
    assert lengths.count_by == "group:company"
    assert defaults.length_buckets is None
    assert defaults.length_edges == (10, 60, 300, 900, 1800, 3600)
    assert plain.measure == "sessions"
    assert plain.to_json() == {"type": "sessions", "interval": "day", "range": RANGE}


@pytest.mark.parametrize(
    "obj",
    [SEGMENTATION, FUNNEL, SESSIONS, SESSION_LENGTHS, dict(SESSION_LENGTHS, length_buckets=None), RETENTION],
    ids=["segmentation", "funnel", "sessions", "session-lengths", "session-lengths-null", "retention"],
)
def test_round_trip_writes_same_json(obj):
    parsed = parse_chart(obj)

    assert parsed.to_json() == obj
    assert parse_chart(json.loads(json.dumps(parsed.to_json()))) == parsed


def test_to_json_writes_changed_defaults():
    parsed = parse_chart(chart())
    changed = dataclasses.replace(parsed, measure="totals", group_by="os")

    written = changed.to_json()

    assert written["measure"] == "totals"
    assert written["group_by"] == "os"
    assert "cohort" not in written


def test_property_measures_and_windows():
    assert parse_chart(chart(measure="sum:price")).measure_property == "price"
    assert parse_chart(chart(measure="avg:user.age")).measure_property == "user.age"
    assert parse_chart(chart(measure="totals")).measure_property is None
    funnel = dict(FUNNEL, window="1.5h")
    assert parse_chart(funnel).window_seconds == 5400


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            chart(events=[{"event": "A", "where": [{"property": "p", "op": "=", "value": 1},
                                                   {"property": "p", "op": "like", "value": "x"}]}]),
            "events[0].where[1].op: unknown operator 'like'. Use one of '=', '!=', 'in'",
        ),
        (chart(colour="red"), "colour: unknown key."),
        (chart(steps=[]), "steps: does not apply to segmentation charts (it is for 'funnel' charts)."),
        (chart(measure="median"), "measure: unknown measure 'median'."),
        (chart(measure="sum:"), "measure: must be a non-empty text"),
        (chart(interval="minute"), "interval: invalid value 'minute'."),
        (chart(range={"from": "2024-03-05", "to": "2024-03-01"}), "range: 'to' (2024-03-01) is before 'from'"),
        (chart(range={"from": "2024-02-30", "to": "2024-03-01"}), "range.from: '2024-02-30' is not a calendar date."),
        (chart(range={"from": "03/01/2024", "to": "2024-03-01"}), "range.from: invalid date '03/01/2024'."),
        (chart(range={"from": "2024-03-01"}), "range.to: missing."),
        (chart(range={"from": "2024-03-01", "to": "2024-03-02", "step": 1}), "range.step: unknown key."),
        (chart(events=[]), "events: has 0 entries. Give at least 1."),
        (chart(events=[{"where": []}]), "events[0].event: missing."),
        (chart(events=[{"event": ""}]), "events[0].event: must be a non-empty text"),
        (chart(events=[{"event": "A", "filter": []}]), "events[0].filter: unknown key."),
        (chart(events=[{"event": "A", "where": [{"property": "p", "op": "="}]}]),
         "events[0].where[0].value: missing value for operator '='. To match a missing property"),
        (chart(events=[{"event": "A", "where": [{"property": "p", "op": "in", "value": []}]}]),
         "events[0].where[0].value: operator 'in' needs a non-empty list"),
        (chart(events=[{"event": "A", "where": [{"property": "p", "op": "in", "value": [1, {"a": 1}]}]}]),
         "events[0].where[0].value[1]: must be text, a number or true/false"),
        (chart(events=[{"event": "A", "where": [{"property": "p", "op": "set", "value": 1}]}]),
         "events[0].where[0].value: operator 'set' takes no value."),
        (chart(events=[{"event": "A", "where": [{"property": "p", "op": "contains", "value": 3}]}]),
         "events[0].where[0].value: operator 'contains' needs a text value"),
        (chart(where=[{"property": "user.", "op": "set"}]), "where[0].property: 'user.' needs a user property name"),
        (chart(group_by="group:"), "group_by: 'group:' needs a group type"),
        (chart(count_by="company"), "count_by: must be 'group:TYPE'"),
        (chart(timezone="Mars/Olympus"), "timezone: unknown time zone 'Mars/Olympus'."),
        (chart(type="pie"), "type: unknown chart type 'pie'."),
        ({"events": []}, "type: missing."),
        ([1, 2], "chart definition must be a JSON object, not a list."),
        (dict(FUNNEL, steps=[{"event": "A"}]), "steps: has 1 entries. Give 2 to 10."),
        (dict(FUNNEL, steps=[{"event": str(n)} for n in range(11)]), "steps: has 11 entries. Give 2 to 10."),
        (dict(FUNNEL, window="0d"), "window: window '0d' must be longer than zero."),
        (dict(FUNNEL, window="-1h"), "window: invalid window '-1h'."),
        (dict(FUNNEL, window="10"), "window: invalid window '10'."),
        (dict(FUNNEL, order="random"), "order: invalid value 'random'."),
        (dict(FUNNEL, exclude=[{"event": "X", "between": [2, 1]}]), "exclude[0].between: must be two step numbers"),
        (dict(FUNNEL, exclude=[{"event": "X", "between": [1, 3]}]), "exclude[0].between: must be two step numbers"),
        (dict(FUNNEL, exclude=[{"event": "X"}]), "exclude[0].between: missing."),
        (dict(FUNNEL, measure="uniques"), "measure: does not apply to funnel charts"),
        (dict(SESSIONS, measure="uniques"), "measure: invalid value 'uniques'."),
        (dict(SESSIONS, count_by="company"), "count_by: must be 'group:TYPE'"),
        (dict(SESSIONS, length_buckets=[10]), "length_buckets: applies only to the measure 'length', not 'avg_length'."),
        ({k: v for k, v in SESSION_LENGTHS.items() if k != "measure"},
         "length_buckets: applies only to the measure 'length', not 'sessions'."),
        (dict(SESSION_LENGTHS, length_buckets=[]), "length_buckets: must be a non-empty list of increasing positive"),
        (dict(SESSION_LENGTHS, length_buckets=[60, 10]), "not [60, 10]."),
        (dict(SESSION_LENGTHS, length_buckets=[10, 10]), "not [10, 10]."),
        (dict(SESSION_LENGTHS, length_buckets=[0, 10]), "not [0, 10]."),
        (dict(SESSION_LENGTHS, length_buckets=[10, "1m"]), "not [10, '1m']."),
        (dict(SESSION_LENGTHS, length_buckets=[True]), "not [True]."),
        (dict(SESSION_LENGTHS, length_buckets=[float("inf")]), "not [inf]."),
        (dict(SESSION_LENGTHS, length_buckets=60), "not 60."),
        (dict(SEGMENTATION, length_buckets=[10]), "length_buckets: does not apply to segmentation charts"),
        (dict(RETENTION, periods=0), "periods: must be a whole number of at least 1, not 0."),
        (dict(RETENTION, periods=True), "periods: must be a whole number of at least 1, not True."),
        (dict(RETENTION, rolling="yes"), "rolling: must be true or false, not 'yes'."),
        (dict(RETENTION, mode="before"), "mode: invalid value 'before'."),
        (dict(RETENTION, period="month"), "period: invalid value 'month'."),
        ({k: v for k, v in RETENTION.items() if k != "return"}, "return: missing."),
    ],
)
def test_invalid_definition_names_key(obj, expected):
    assert expected in error_of(obj)


def test_filter_values_keep_their_type():
    where = [
        {"property": "price", "op": ">=", "value": 10},
        {"property": "beta", "op": "=", "value": True},
        {"property": "name", "op": "not in", "value": ["a", 2.5]},
        {"property": "email", "op": "not set"},
    ]
    parsed = parse_chart(chart(where=where))

    assert parsed.where[0] == Filter("price", ">=", 10)
    assert parsed.where[1] == Filter("beta", "=", True)
    assert parsed.where[2] == Filter("name", "not in", ("a", 2.5))
    assert parsed.where[3] == Filter("email", "not set", None)
    assert parsed.to_json()["where"] == where


def test_unicode_and_long_event_names_accepted():
    long_name = "é" * 1000
    parsed = parse_chart(chart(events=[{"event": long_name}, {"event": "[bold]x[/bold]"}]))

    assert parsed.events[0].event == long_name
    assert parsed.events[1].event == "[bold]x[/bold]"


def test_load_chart_file_parses(tmp_path):
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(SEGMENTATION), encoding="utf-8")

    assert load_chart_file(path) == parse_chart(SEGMENTATION)


def test_load_chart_file_errors_name_file(tmp_path):
    missing = tmp_path / "missing.json"
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "segmentation",\n "events": [}', encoding="utf-8")
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps(chart(measure="median")), encoding="utf-8")

    with pytest.raises(DefinitionError, match="missing.json: chart file not found"):
        load_chart_file(missing)
    with pytest.raises(DefinitionError, match=r"broken.json: invalid JSON at line 2, column 13"):
        load_chart_file(broken)
    with pytest.raises(DefinitionError, match=r"invalid.json: measure: unknown measure 'median'"):
        load_chart_file(invalid)
