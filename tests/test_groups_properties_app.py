"""View groups shows the latest properties of the group under the cursor, imported from Amplitude lines."""

from __future__ import annotations

import json

import pytest

from groups_data import chart
from microscope_app import error_messages, press, running, settle, table_rows
from tui.analytics.definition import parse_chart
from tui.analytics.groups import groups_csv, groups_properties
from tui.analytics.point import Point
from tui.app.microscope.groups_screen import GroupsScreen
from tui.store.importing import import_files
from tui.store.project import create_project, open_project
from tui.store.saved_charts import save_chart

# Markup in a value must be shown as text, never applied.
MARKUP_VALUE = "[bold red]Enterprise[/]"
CHART = chart(events=("Open",), first="2024-03-01", last="2024-03-01")


def amplitude_line(hour: int, user_id: str, company: str, properties: dict | None) -> str:
    moment = f"2024-03-01 {hour:02d}:00:00.000000"
    event = {
        "event_type": "Open", "event_time": moment, "client_event_time": moment, "user_id": user_id,
        "session_id": 1, "groups": {"company": company},
    }
    if properties is not None:
        event["group_properties"] = {"company": {company: properties}}
    return json.dumps(event) + "\n"


@pytest.fixture
def accounts(tmp_path):
    """Import Acme with two events whose properties differ, and Globex with one event and no properties."""
    source = tmp_path / "events.jsonl"
    source.write_text(
        amplitude_line(9, "alice", "Acme", {"plan": "free", "city": "Zürich"})
        + amplitude_line(11, "bob", "Acme", {"plan": MARKUP_VALUE})
        + amplitude_line(10, "carol", "Globex", None),
        encoding="utf-8",
    )
    with create_project(tmp_path / "p.duckdb") as project:
        import_files(project, [source], format="amplitude")
        save_chart(project.con, "Companies", CHART)
        path = project.path
    return path


def first_day() -> Point:
    return Point(parse_chart(CHART), series=0, segment=None, bucket=0)


def properties_line(screen) -> str:
    return screen.query_one("#groups-properties").content.plain


async def test_properties_line_follows_cursor(accounts):
    async with running(accounts) as (app, pilot):
        screen = GroupsScreen(app.project, first_day(), app.settings)
        await app.push_screen(screen)
        await settle(app, pilot)

        assert [row.plain()[0] for row in table_rows(screen.table)] == ["Acme", "Globex"]
        assert properties_line(screen) == f"Latest properties of Acme: city=Zürich, plan={MARKUP_VALUE}"

        await press(app, pilot, "down")
        assert properties_line(screen) == "Latest properties of Globex: none"

        await press(app, pilot, "up")
        assert "plan=" in properties_line(screen)
        assert error_messages(app) == []


def test_groups_properties_frame(accounts):
    with open_project(accounts) as project:
        frame = groups_properties(project.cursor(), [2, 1, 99])

    assert frame["group_id"].tolist() == [1, 2]
    assert [json.loads(text) for text in frame["properties"]] == [{"city": "Zürich", "plan": MARKUP_VALUE}, {}]


def test_groups_csv_keeps_four_columns(accounts, tmp_path):
    out = tmp_path / "groups.csv"
    with open_project(accounts) as project:
        groups_csv(project.cursor(), first_day(), project, out)

    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == "group_id,group_name,first_time,creator_id"
