"""Text from the data comes back from every microscope query unchanged, as data."""

from __future__ import annotations

import json

import pytest

from builders import build_project
from microscope_data import chart_json, day_point, write_chart
from tui.analytics.microscope import (
    find_actor,
    path_rows,
    point_paths,
    point_users,
    user_profile,
    user_stream,
    why_here,
)
from tui.cli import main

MARKUP_EVENT = "[@click=app.quit]x[/]"
ESCAPE_VALUE = "\x1b[2J"
MARKUP_USER = "[bold]eve[/bold]"
POINT = day_point(chart_json(MARKUP_EVENT), 2)


@pytest.fixture
def project(tmp_path):
    events = [
        {"event_type": MARKUP_EVENT, "event_time": "2024-03-03T10:00:00+00:00", "user_id": MARKUP_USER,
         "session_id": "s", "event_properties": {"screen": ESCAPE_VALUE},
         "user_properties": {"note": ESCAPE_VALUE}},
        {"event_type": "'; DROP TABLE events; --", "event_time": "2024-03-03T10:01:00+00:00",
         "user_id": MARKUP_USER, "session_id": "s"},
    ]
    with build_project(tmp_path, events) as project:
        yield project


def test_hostile_text_in_users_and_profile(project):
    cursor = project.cursor()
    users = point_users(cursor, POINT, project, property_names=["note"])
    profile = user_profile(cursor, find_actor(cursor, MARKUP_USER))

    assert users["user_id"].tolist() == [MARKUP_USER]
    assert users["note"].tolist() == [ESCAPE_VALUE]
    assert profile.properties == (("note", ESCAPE_VALUE),)


def test_hostile_text_in_stream_and_why(project):
    cursor = project.cursor()
    actor = find_actor(cursor, MARKUP_USER)

    stream = user_stream(cursor, POINT, project, actor, property_names=["screen"])
    why = why_here(cursor, POINT, project, actor)

    assert stream["event_type"].tolist() == [MARKUP_EVENT, "'; DROP TABLE events; --"]
    assert stream["screen"].iloc[0] == ESCAPE_VALUE
    assert json.loads(why["event_properties"].iloc[0]) == {"screen": ESCAPE_VALUE}


def test_hostile_text_in_paths(project):
    nodes = point_paths(project.cursor(), POINT, project)

    assert nodes["event"].tolist() == [MARKUP_EVENT, "'; DROP TABLE events; --", "End"]
    assert path_rows(project.cursor(), POINT, project)["path"].tolist() == [
        f"{MARKUP_EVENT} > '; DROP TABLE events; -- > End"
    ]


def test_hostile_text_in_cli_json(tmp_path, project, capsys):
    chart = write_chart(tmp_path, chart_json(MARKUP_EVENT))
    common = [str(chart), "--project", str(project.path), "--point", "2024-03-03", "--format", "json"]
    project.close()

    assert main(["stream", *common, "--user", MARKUP_USER]) == 0
    rows = json.loads(capsys.readouterr().out)

    assert [row["event_type"] for row in rows] == [MARKUP_EVENT, "'; DROP TABLE events; --"]
    assert rows[0]["screen"] == ESCAPE_VALUE
