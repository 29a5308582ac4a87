"""Escape in the chart builder goes back one level: a field's menu, then the field, then the builder.

Leaving the builder with changes that were not applied, by Escape or by
opening a saved chart, requests confirmation first. Uses the checkout project
of test_app_builder_types, whose saved chart is an event segmentation of
Signup and View item.
"""

from textual.widgets import Input, Select

from test_app import running
from test_app_builder import choose, settle
from test_app_builder_types import START_CHART, make_checkout, open_builder
from tui.app.builder_screen import BuilderScreen
from tui.app.confirm import ConfirmScreen
from tui.app.home_screen import HomeScreen
from tui.app.pickers import SavedChartsScreen
from tui.app.series_list import SeriesList

# The fields of an event segmentation's builder, one of each kind: menus, typed text, a picked value, a button.
FIELDS = ("chart-type", "measure", "count-by", "interval", "range-from", "group-by", "chart-name", "apply")


def focused_id(app) -> str | None:
    focused = app.screen.focused
    return None if focused is None else focused.id


async def test_escape_keeps_chosen_type(tmp_path):
    async with running(make_checkout(tmp_path)) as (app, pilot):
        results = await open_builder(app, pilot)
        builder = app.screen
        await pilot.press("t")
        await choose(pilot, 1)
        assert builder.draft["type"] == "funnel"

        # The type change moves the focus to the list. From a field, Escape goes back there and keeps the funnel.
        assert isinstance(builder.focused, SeriesList)
        await pilot.press("tab", "escape")
        await pilot.pause()
        assert app.screen is builder
        assert isinstance(builder.focused, SeriesList)
        assert builder.draft["type"] == "funnel"

        # The next one requests confirmation before it drops the funnel, and n keeps it.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "not applied" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is builder
        assert builder.draft["type"] == "funnel"
        assert results == []

        # y drops it: the chart shown stays the saved segmentation, and no query runs.
        await pilot.press("escape", "y")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert results == [None]
        assert app.definition.to_json() == START_CHART
        assert app.queries_run == 1


async def test_escape_in_open_menu_closes_it(tmp_path):
    async with running(make_checkout(tmp_path)) as (app, pilot):
        await open_builder(app, pilot)
        builder = app.screen
        await pilot.press("t", "enter")
        await pilot.pause()
        chart_type = builder.query_one("#chart-type", Select)
        assert chart_type.expanded

        # Escape closes the menu without taking the highlighted type, and stays on the field.
        await pilot.press("down", "escape")
        await pilot.pause()
        assert app.screen is builder
        assert not chart_type.expanded
        assert focused_id(app) == "chart-type"
        assert builder.draft["type"] == "segmentation"

        # Nothing changed, so from the list Escape leaves without asking.
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_escape_on_each_field_returns_to_list(tmp_path):
    async with running(make_checkout(tmp_path)) as (app, pilot):
        await open_builder(app, pilot)
        builder = app.screen
        for field in FIELDS:
            builder.query_one(f"#{field}").focus()
            await pilot.pause()
            assert focused_id(app) == field
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is builder, field
            assert isinstance(builder.focused, SeriesList), field

        # q does the same on a field that takes no typing.
        builder.query_one("#interval").focus()
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is builder
        assert isinstance(builder.focused, SeriesList)


async def test_typed_range_counts_as_change(tmp_path):
    async with running(make_checkout(tmp_path)) as (app, pilot):
        await open_builder(app, pilot)
        builder = app.screen
        range_from = builder.query_one("#range-from", Input)
        range_from.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"2024-03-02", "escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)

        # Escape on the question answers no, and the typed date is still there.
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is builder
        assert range_from.value == "2024-03-02"

        # Typing the first date back leaves nothing to lose, so Escape leaves at once.
        range_from.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"2024-03-01", "escape", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_open_saved_confirms_dropping_changes(tmp_path):
    async with running(make_checkout(tmp_path)) as (app, pilot):
        await open_builder(app, pilot)
        builder = app.screen
        await pilot.press("x")
        assert [spec["event"] for spec in builder.draft["events"]] == ["View item"]

        # ctrl+o and Enter on the only saved chart: a confirmation first, and n goes back to the edited draft.
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert isinstance(app.screen, SavedChartsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.endswith("Open 'Signups and views' and drop them? (y/n)")
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is builder
        assert [spec["event"] for spec in builder.draft["events"]] == ["View item"]

        # y opens the saved chart on the home screen.
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == "Signups and views"
        assert app.definition.to_json() == START_CHART


async def test_open_saved_unchanged_builder_opens(tmp_path):
    async with running(make_checkout(tmp_path)) as (app, pilot):
        await open_builder(app, pilot)
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == "Signups and views"
        assert app.queries_run == 2
