"""The builder's property pickers open with the cursor on the property chosen now, not on their first row.

The project's Purchase events carry the event properties ``alpha``,
``beta``, ``plan`` and ``zeta`` and the column ``platform``. Its saved
chart is grouped by ``plan``.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList

from builders import build_project
from test_app import running
from test_app_builder import settle
from test_app_builder_details import open_filter_on
from test_app_builder_types import open_builder
from tui.app.builder_screen import BuilderScreen
from tui.app.choice_screen import Choice
from tui.app.filter_editor import FilterEditor
from tui.app.pickers import PropertyChoice, PropertyChoiceScreen, current_index
from tui.store.saved_charts import save_chart

BY_PLAN = {
    "type": "segmentation",
    "events": [{"event": "Purchase"}],
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-01"},
    "group_by": "plan",
}


def make_project(tmp_path):
    events = [
        {
            "event_type": "Purchase",
            "event_time": f"2024-03-01T{10 + index}:00:00+00:00",
            "user_id": f"user-{index}",
            "platform": platform,
            "event_properties": {"alpha": 1, "beta": 2, "plan": plan, "zeta": 3},
        }
        for index, (platform, plan) in enumerate([("iOS", "free"), ("Web", "pro")])
    ]
    project = build_project(tmp_path, events)
    save_chart(project.con, "By plan", BY_PLAN)
    project.close()
    return tmp_path / "p.duckdb"


async def loaded_picker(app, pilot) -> PropertyChoiceScreen:
    """Wait until the property picker that the last key or click opened has loaded, and return it."""
    await settle(app, pilot)
    picker = app.screen
    assert isinstance(picker, PropertyChoiceScreen)
    return picker


def highlighted_name(picker: PropertyChoiceScreen) -> str | None:
    index = picker.query_one("#choice-list", OptionList).highlighted
    return picker.matching[index].value.name


def names(picker: PropertyChoiceScreen) -> list[str | None]:
    return [choice.value.name for choice in picker.matching]


async def test_group_by_picker_starts_on_current(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await pilot.click("#group-by")
        picker = await loaded_picker(app, pilot)
        assert names(picker).index("plan") > 0
        assert highlighted_name(picker) == "plan"

        # Enter at once keeps the group-by.
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BuilderScreen)
        assert app.screen.draft["group_by"] == "plan"


async def test_group_by_picker_without_group_by(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        app.screen.draft.pop("group_by")
        await pilot.click("#group-by")
        picker = await loaded_picker(app, pilot)
        # The first row is "(none)", which is the chart's group-by now.
        assert picker.query_one("#choice-list", OptionList).highlighted == 0
        assert highlighted_name(picker) is None


async def test_filter_property_picker_starts_on_chosen(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await open_filter_on(app, pilot, "zeta")
        assert isinstance(app.screen, FilterEditor)

        # Choosing the property again opens the list on the one chosen.
        app.screen.query_one("#filter-property").focus()
        await pilot.press("enter")
        picker = await loaded_picker(app, pilot)
        assert names(picker).index("zeta") > 0
        assert highlighted_name(picker) == "zeta"


async def test_filter_property_picker_first_time(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b", "f")
        assert isinstance(app.screen, FilterEditor)
        await pilot.press("enter")
        picker = await loaded_picker(app, pilot)
        assert picker.query_one("#choice-list", OptionList).highlighted == 0


def choice(name: str | None, kind: str | None) -> Choice:
    return Choice(PropertyChoice(name, kind), Text(str(name)))


def test_current_index_prefers_what_chart_reads():
    # An event property named like a column is listed too, but a chart naming it reads the column.
    choices = [choice(None, None), choice("platform", "event"), choice("plan", "event"), choice("platform", "column")]
    assert current_index(choices, "platform") == 3
    assert current_index(choices, "plan") == 2
    assert current_index(choices, None) is None
    assert current_index(choices, "missing") is None
    assert current_index([Choice("*", Text("Any event"))], "*") is None
