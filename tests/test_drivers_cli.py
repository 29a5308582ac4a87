"""``loupe drivers``: the driver table on stdout, the groups and window on stderr, and clear errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project
from test_drivers import HELP, event, planted_events, support_events
from tui.cli import main

FUNNEL = {"type": "funnel", "steps": [{"event": "Signup"}, {"event": "Purchase"}],
          "range": {"from": "2024-03-01", "to": "2024-03-01"}, "window": "1d"}


def write_chart(tmp_path, obj=FUNNEL, name="chart.json"):
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def project_file(tmp_path, events) -> str:
    with build_project(tmp_path, events) as project:
        return str(project.path)


@pytest.fixture
def planted_path(tmp_path):
    return project_file(tmp_path, planted_events())


def run_drivers(tmp_path, project_path, *options, chart=FUNNEL):
    return main(["drivers", str(write_chart(tmp_path, chart)), "--project", project_path, *options])


def test_drivers_csv(tmp_path, planted_path, capsys):
    status = run_drivers(tmp_path, planted_path, "--step", "2", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert status == 0
    assert list(rows[0]) == ["event", "converted_users", "dropped_users", "phi", "odds_ratio", "p_value", "q_value"]
    assert [(row["event"], row["converted_users"], row["dropped_users"]) for row in rows] == [
        (HELP, "0", "3"), ("Coupon Viewed", "4", "1"), ("Chat", "1", "0"),
    ]
    assert float(rows[0]["p_value"]) == pytest.approx(4 / 120)
    assert float(rows[0]["q_value"]) == pytest.approx(0.1)


def test_drivers_header_on_stderr(tmp_path, planted_path, capsys):
    run_drivers(tmp_path, planted_path, "--step", "2", "--format", "csv")

    err = capsys.readouterr().err
    assert "population 10, converted 6, dropped 4" in err
    assert "window 1d" in err
    assert "a driver needs 1 or more users who did it and 1 or more who did not" in err
    assert "warning" not in err


def test_drivers_json_with_property(tmp_path, planted_path, capsys):
    options = ["--step", "2", "--property", "Coupon Viewed.código", "--format", "json"]
    status = run_drivers(tmp_path, planted_path, *options)

    rows = json.loads(capsys.readouterr().out)
    assert status == 0
    assert list(rows[0])[-2:] == ["property", "value"]
    code_a = [row for row in rows if row["value"] == "A"]
    assert code_a == [{
        "event": "Coupon Viewed", "converted_users": 3, "dropped_users": 0, "phi": pytest.approx(0.5345, abs=1e-4),
        "odds_ratio": pytest.approx(4 * 5 / (4 * 1)), "p_value": pytest.approx(0.2),
        "q_value": pytest.approx(0.5), "property": "código", "value": "A",
    }]
    assert [row["value"] for row in rows if row["event"] == HELP] == [None]


def test_property_split_at_longest_event_name(tmp_path, capsys):
    events = support_events(4, {}, converted=2) + [
        event("app.open", "2024-03-01T12:00:00Z", "u002", user_properties={"plan": "pro"}),
        event("app.open", "2024-03-01T12:00:00Z", "u003", user_properties={"plan": "free"}),
    ]
    status = run_drivers(tmp_path, project_file(tmp_path, events), "--step", "2", "--property", "app.open.user.plan",
                         "--format", "json")

    rows = json.loads(capsys.readouterr().out)
    assert status == 0
    assert sorted((row["property"], row["value"]) for row in rows if row["value"]) == [
        ("user.plan", "free"), ("user.plan", "pro"),
    ]


def test_skew_warning(tmp_path, capsys):
    status = run_drivers(tmp_path, project_file(tmp_path, support_events(12, {}, converted=1)), "--step", "2")

    err = capsys.readouterr().err
    assert status == 0
    assert "converted 1, dropped 11" in err
    assert "warning: one group is over ten times the size of the other" in err


def test_step_one_is_rejected(tmp_path, planted_path, capsys):
    status = run_drivers(tmp_path, planted_path, "--step", "1")

    err = capsys.readouterr().err
    assert status == 2
    assert "--step: step 1 has no drivers" in err
    assert "from 2 to 2" in err


def test_step_past_last_is_rejected(tmp_path, planted_path, capsys):
    status = run_drivers(tmp_path, planted_path, "--step", "3")

    assert status == 2
    assert "--step: no step 3. This funnel has steps 1 to 2" in capsys.readouterr().err


def test_step_zero_is_rejected(tmp_path, planted_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_drivers(tmp_path, planted_path, "--step", "0")

    assert exit_info.value.code == 2
    assert "not a whole number of at least 1" in capsys.readouterr().err


def test_unknown_property_event_is_rejected(tmp_path, planted_path, capsys):
    status = run_drivers(tmp_path, planted_path, "--step", "2", "--property", "Nope.plan")

    assert status == 2
    assert "--property: 'Nope.plan' does not start with an event type" in capsys.readouterr().err


def test_segmentation_chart_is_rejected(tmp_path, planted_path, capsys):
    chart = {"type": "segmentation", "events": [{"event": "Signup"}], "range": FUNNEL["range"]}
    status = run_drivers(tmp_path, planted_path, "--step", "2", chart=chart)

    assert status == 2
    assert "drivers compare the steps of a funnel" in capsys.readouterr().err
