"""Saving from the builder under the name of a saved chart of another type asks first; the same type does not."""

from textual.widgets import Input

from test_app import error_messages, running
from test_app_builder import settle
from test_app_builder_types import make_checkout, open_builder, switch_type
from tui.app.builder_screen import BuilderScreen
from tui.app.confirm import ConfirmScreen
from tui.app.home_screen import HomeScreen
from tui.store.project import open_project
from tui.store.saved_charts import load_chart

SAVED = "Signups and views"


def saved_type(path) -> str:
    with open_project(path) as project:
        return load_chart(project.con, SAVED).definition["type"]


async def save_as(app, pilot, name: str) -> None:
    app.screen.query_one("#chart-name", Input).value = name
    await pilot.press("ctrl+s")
    await settle(app, pilot)


async def test_other_type_asks_before_replacing(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        await open_builder(app, pilot)
        await switch_type(app, pilot, "funnel")
        # Switching the type keeps the name, so Save under it would replace the segmentation chart.
        assert app.screen.query_one("#chart-name", Input).value == SAVED

        await save_as(app, pilot, SAVED)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == (
            f"The saved chart '{SAVED}' has type Event segmentation, not Funnel. Replace it? (y/n)"
        )
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, BuilderScreen)
        assert saved_type(path) == "segmentation"

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == SAVED
        assert error_messages(app) == []
    assert saved_type(path) == "funnel"


async def test_same_type_replaces_without_asking(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        await open_builder(app, pilot)
        app.screen.draft["interval"] = "week"

        await save_as(app, pilot, SAVED)
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
    with open_project(path) as project:
        definition = load_chart(project.con, SAVED).definition
    assert definition["type"] == "segmentation"
    assert definition["interval"] == "week"
