"""Requested property values that add no driver: the reason in the result, on the CLI's stderr and in the app.

The funnel is signup → profile, window 1 day, on 2024-03-01 (UTC). Five
users sign up at 10:00 and all five open a tip at 10:05 with plan "free":

- u1 opens a note at 10:10 without a role, completes the profile at 11:00
  (which sets the role "dev") and opens a note with that role at 12:00,
  after the step, so not in between. Converted.
- u2 opens a note at 10:20 without a role. Dropped.
- u3 opens a note at 10:30 from source "link" and completes the profile at
  11:00. Converted.
- u4 opens a note at 10:40 from source "link". Dropped.
- u5 does nothing else. Dropped.

The population is 5 users, so a driver needs min(25, ceil(2% of 5)) = 1 user
who did it and 1 who did not. user.role is never set on a note in between
(0 values), so it adds no row. Every user's tip has plan "free" (1 value),
done by all 5, so no one is left to compare with and it adds no row either.
source "link" (u3 converted, u4 dropped) is a row.
"""

from __future__ import annotations

import csv
import io
import json

from builders import build_project
from funnel_app import make_shop
from microscope_app import press, running
from test_app_funnel_drivers import driver_rows, open_drivers, summary
from tui.analytics.definition import parse_chart
from tui.analytics.drivers import drivers
from tui.app.choice_screen import ChoiceScreen
from tui.cli import main

FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "signup"}, {"event": "profile"}],
    "window": "1d",
    "range": {"from": "2024-03-01", "to": "2024-03-01"},
}
PAIRS = (("note", "user.role"), ("note", "source"), ("tip", "plan"))
ROLE_TEXT = "user.role is not set on any note event between the two steps, so it adds no drivers."
PLAN_TEXT = (
    "No value of plan on tip passes the minimum of 1 user who did it and 1 who did not, so it adds no drivers."
)


def event(event_type: str, when: str, user: str, properties: dict | None = None, role: str | None = None) -> dict:
    row = {"event_type": event_type, "event_time": when, "user_id": user}
    if properties:
        row["event_properties"] = properties
    if role:
        row["user_properties"] = {"role": role}
    return row


def note_events() -> list[dict]:
    events = []
    for user in ("u1", "u2", "u3", "u4", "u5"):
        events.append(event("signup", "2024-03-01T10:00:00Z", user))
        events.append(event("tip", "2024-03-01T10:05:00Z", user, {"plan": "free"}))
    events += [
        event("note", "2024-03-01T10:10:00Z", "u1"),
        event("profile", "2024-03-01T11:00:00Z", "u1", role="dev"),
        event("note", "2024-03-01T12:00:00Z", "u1", role="dev"),
        event("note", "2024-03-01T10:20:00Z", "u2"),
        event("note", "2024-03-01T10:30:00Z", "u3", {"source": "link"}),
        event("profile", "2024-03-01T11:00:00Z", "u3"),
        event("note", "2024-03-01T10:40:00Z", "u4", {"source": "link"}),
    ]
    return events


def test_unlisted_properties_and_reasons(tmp_path):
    with build_project(tmp_path, note_events()) as project:
        result = drivers(project.cursor(), parse_chart(FUNNEL), project, 2, PAIRS)

    assert (result.population, result.converted, result.min_support) == (5, 2, 1)
    assert result.property_values == {("note", "user.role"): 0, ("note", "source"): 1, ("tip", "plan"): 1}
    assert result.unlisted_properties() == [("note", "user.role"), ("tip", "plan")]
    assert result.unlisted_text("note", "user.role") == ROLE_TEXT
    assert result.unlisted_text("tip", "plan") == PLAN_TEXT
    listed = result.frame[result.frame["property"].notna()]
    assert list(zip(listed["property"], listed["value"], listed["converted_users"], listed["dropped_users"])) == [
        ("source", "link", 1, 1),
    ]


def test_no_properties_requested(tmp_path):
    with build_project(tmp_path, note_events()) as project:
        result = drivers(project.cursor(), parse_chart(FUNNEL), project, 2)

    assert result.property_values == {}
    assert result.unlisted_properties() == []
    # The tip, done by all 5 users, is left out; the note (4 of 5) is a driver.
    assert result.frame["event"].tolist() == ["note"]


def test_cli_prints_reasons(tmp_path, capsys):
    chart = tmp_path / "chart.json"
    chart.write_text(json.dumps(FUNNEL), encoding="utf-8")
    with build_project(tmp_path, note_events()) as project:
        path = str(project.path)
    options = [option for event_type, name in PAIRS for option in ("--property", f"{event_type}.{name}")]

    status = main(["drivers", str(chart), "--project", path, "--step", "2", *options, "--format", "csv"])

    output = capsys.readouterr()
    assert status == 0
    lines = output.err.splitlines()
    assert lines[1:] == [ROLE_TEXT, PLAN_TEXT]
    rows = [(row["event"], row["property"], row["converted_users"], row["dropped_users"], row["odds_ratio"])
            for row in csv.DictReader(io.StringIO(output.out))]
    # note: a b c d = 2 0 2 1, odds ratio 3*2 / (1*3) = 2. link: 1 1 1 2, odds ratio 2*3 / (2*2) = 1.5.
    assert rows == [("note", "", "2", "2", "2.0"), ("note", "source", "1", "1", "1.5")]


async def test_app_explains_property_without_rows(tmp_path):
    async with running(make_shop(tmp_path, FUNNEL, note_events())) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "k")
        assert "Left out: events that every one of these users did" in summary(screen)
        # note: phi = (2*1 - 0*2) / sqrt(2*3*4*1) = +0.41; Fisher's p is 1, as a = 2 is the likeliest table.
        assert driver_rows(screen) == [("note", "2 · 100.0%", "2 · 66.7%", "+0.41", "2.00", "1.000", "1.000")]

        for _ in range(2):
            # The app shows a notice once while it is on screen, so each attempt starts with none.
            app.clear_notifications()
            await press(app, pilot, "g", "e")
            picker = app.screen
            assert isinstance(picker, ChoiceScreen)
            names = [choice.value for choice in picker.choices]
            await press(app, pilot, *["down"] * names.index("user.role"), "enter")

            assert app.screen is screen
            assert screen.properties == (("note", "user.role"),)
            # The second choice explains again, and does not claim values that are drivers already.
            assert [note.message for note in app._notifications] == [ROLE_TEXT]
        assert len(driver_rows(screen)) == 1


async def test_app_listed_property_is_already_there(tmp_path):
    async with running(make_shop(tmp_path, FUNNEL, note_events())) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "k")
        for _ in range(2):
            app.clear_notifications()
            await press(app, pilot, "g", "e")
            names = [choice.value for choice in app.screen.choices]
            await press(app, pilot, *["down"] * names.index("source"), "enter")

        assert screen.properties == (("note", "source"),)
        assert [note.message for note in app._notifications] == ["The values of source on note are drivers already."]
        assert len(driver_rows(screen)) == 2
