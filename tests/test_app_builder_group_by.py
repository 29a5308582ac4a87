"""The builder's group-by picker (cohorts, group types, properties), its Lines row, and type switches that drop the name or a cohorts group-by."""

from __future__ import annotations

from textual.widgets import Button, Input

from builders import build_project
from groups_data import event
from test_app import error_messages, running
from test_app_builder import settle
from test_app_builder_types import open_builder, switch_type
from tui.app.builder_screen import BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.app.confirm import ConfirmScreen
from tui.app.series_list import SeriesList
from tui.store.cohorts import save_cohort
from tui.store.project import open_project
from tui.store.saved_charts import load_chart, save_chart

BY_COMPANY = {
    "type": "segmentation",
    "events": [{"event": "Open"}],
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
    "group_by": "group:company",
    "segments": {"keep": ["Acme"]},
}


def make_project(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "alice", company="Acme", team="red"),
        event("Open", "2024-03-01T11:00:00Z", "bob", company="Globex"),
    ])
    project.set_member("ana", "admin")
    project.set_setting("current_member", "ana")
    save_cohort(project, "Everyone", ("SELECT actor_id FROM users", []), None)
    save_chart(project.con, "By company", BY_COMPANY)
    project.close()
    return tmp_path / "p.duckdb"


async def test_lines_row_shows_and_clears_the_segments_key(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        assert app.home.query_one("#chart-title").content.plain.endswith("by group:company · only: Acme")
        assert [line.segment for line in app.points.lines] == ["Acme"]
        await open_builder(app, pilot)
        screen = app.screen
        assert screen.query_one("#segments-row").display
        assert str(screen.query_one("#segments", Button).label) == "only: Acme (Enter: show all)"

        await pilot.click("#segments")
        await pilot.pause()
        assert "segments" not in screen.draft
        assert not screen.query_one("#segments-row").display
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert sorted(line.segment for line in app.points.lines) == ["Acme", "Globex"]
        assert error_messages(app) == []


async def test_group_by_picker_choices(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await pilot.click("#group-by")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        values = [choice.value.name for choice in picker.choices]
        assert values[:3] == [None, "cohorts", "group:company"]
        # Every Open event has the event type Open, and user ids are not segments, so neither column is offered.
        assert values[3:] == ["group:team"]

        await pilot.press("slash", *"Saved", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BuilderScreen)
        # A new group-by has other lines, so the segments key goes with the old one.
        assert app.screen.draft["group_by"] == "cohorts"
        assert "segments" not in app.screen.draft
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert [line.segment for line in app.points.lines] == ["Everyone"]


async def test_switching_type_keeps_the_name(tmp_path):
    path = make_project(tmp_path)
    async with running(path, size=(120, 40)) as (app, pilot):
        await pilot.press("b")
        await pilot.pause()
        assert app.screen.query_one("#chart-name", Input).value == "By company"
        await switch_type(app, pilot, "sessions")
        assert app.screen.query_one("#chart-name", Input).value == "By company"
        assert "segments" not in app.screen.draft
        assert app.screen.draft["group_by"] == "group:company"

        # Saving under the kept name would replace a chart of another type, so Save requests a yes first.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, BuilderScreen)
        assert error_messages(app) == []

    with open_project(path) as project:
        assert load_chart(project.con, "By company").definition["type"] == "segmentation"


async def test_new_length_buckets_drop_the_key(tmp_path):
    path = make_project(tmp_path)
    chart = {
        "type": "sessions", "measure": "length", "length_buckets": [60], "interval": "day",
        "range": {"from": "2024-03-01", "to": "2024-03-02"}, "segments": {"keep": ["Length [1m, ∞)"]},
    }
    with open_project(path) as project:
        save_chart(project.con, "Long sessions", chart)
    async with running(path, size=(120, 40)) as (app, pilot):
        assert app.definition.segments is not None
        await open_builder(app, pilot)
        screen = app.screen
        assert screen.query_one("#segments-row").display

        screen.query_one("#length-buckets", Input).value = "2m"
        await pilot.pause()
        assert screen.draft["length_buckets"] == [120]
        assert "segments" not in screen.draft
        assert not screen.query_one("#segments-row").display


def warning_messages(app) -> list[str]:
    return [note.message for note in app._notifications if note.severity == "warning"]


async def test_picker_offers_cohorts_only_where_accepted(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        for kind, offered in [("funnel", False), ("retention", False), ("sessions", True), ("segmentation", True)]:
            await switch_type(app, pilot, kind)
            await pilot.click("#group-by")
            await settle(app, pilot)
            picker = app.screen
            assert isinstance(picker, ChoiceScreen)
            values = [choice.value.name for choice in picker.choices]
            assert ("cohorts" in values) is offered, kind
            assert "group:company" in values, kind
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, BuilderScreen)
            # Back on the list, where t chooses the chart type.
            app.screen.query_one(SeriesList).focus()


async def test_switch_type_clears_cohorts_group_by(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        screen = app.screen
        screen.draft["group_by"] = "cohorts"

        await switch_type(app, pilot, "sessions")
        assert screen.draft["group_by"] == "cohorts"
        assert warning_messages(app) == []

        await switch_type(app, pilot, "funnel")
        assert "group_by" not in screen.draft
        assert str(screen.query_one("#group-by", Button).label) == "(none)"
        expected = "Only segmentation and sessions charts can be grouped by saved cohorts, so the funnel chart has no group-by now."
        assert warning_messages(app) == [expected]


async def test_switch_type_keeps_property_group_by(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        screen = app.screen
        assert screen.draft["group_by"] == "group:company"

        await switch_type(app, pilot, "retention")
        assert screen.draft["group_by"] == "group:company"
        assert warning_messages(app) == []


async def test_funnel_group_by_picker_title_and_choices(tmp_path):
    path = make_project(tmp_path)
    with open_project(path) as project:
        funnel = {"type": "funnel", "steps": [{"event": "Open"}, {"event": "Open"}], "range": BY_COMPANY["range"]}
        save_chart(project.con, "Funnel", funnel)
    async with running(path, size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await pilot.click("#group-by")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        # The segments split the whole funnel, not only its first step's event.
        assert picker.query_one(".dialog-title").content.plain == "Group funnel by"
        values = [choice.value.name for choice in picker.choices]
        # Only some chart types segment by saved cohorts, and funnels are not among them.
        assert values == [None, "group:company", "group:team"]
        assert error_messages(app) == []
