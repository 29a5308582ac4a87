"""The builder's event picker opens on the row's event, and each chart type titles its group-by picker.

The project is ``test_app_builder_types``' checkout project: Signup, View
item, Purchase, a markup-like event name and Refund, with a saved
segmentation chart of Signup (series A) and View item (series B).
"""

from __future__ import annotations

from textual.widgets import OptionList

from builders import build_project
from test_app import error_messages, running
from test_app_builder import settle
from test_app_builder_types import (
    MARKUP_EVENT,
    RANGE,
    checkout_events,
    exclude_refund,
    make_checkout,
    open_builder,
    pick_event,
    switch_type,
)
from tui.analytics.definition import CHART_TYPES
from tui.app.builder_group_by import group_by_title
from tui.app.builder_screen import BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.app.pickers import ANY_EVENT_LABEL
from tui.app.series_list import SeriesList
from tui.store.saved_charts import save_chart


def make_project(tmp_path, events: list[dict]):
    """Return the checkout project with its only saved chart listing ``events`` as series."""
    project = build_project(tmp_path, checkout_events())
    chart = {"type": "segmentation", "events": events, "interval": "day", "range": RANGE}
    save_chart(project.con, "Chart", chart)
    project.close()
    return tmp_path / "p.duckdb"


def highlighted_value(picker: ChoiceScreen):
    index = picker.query_one("#choice-list", OptionList).highlighted
    return picker.matching[index].value


def values(picker: ChoiceScreen) -> list:
    return [choice.value for choice in picker.matching]


async def open_event_picker(app, pilot, *keys: str) -> ChoiceScreen:
    """Press ``keys`` on the builder's list, then Enter, and return the event picker once it has loaded."""
    assert isinstance(app.screen.focused, SeriesList)
    await pilot.press(*keys, "enter")
    await settle(app, pilot)
    picker = app.screen
    assert isinstance(picker, ChoiceScreen)
    assert picker.title_text == "Choose an event"
    return picker


async def open_group_by_picker(app, pilot) -> ChoiceScreen:
    await pilot.click("#group-by")
    await settle(app, pilot)
    picker = app.screen
    assert isinstance(picker, ChoiceScreen)
    return picker


def title_of(picker: ChoiceScreen) -> str:
    return picker.query_one(".dialog-title").content.plain


async def test_picker_starts_on_series_event(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        picker = await open_event_picker(app, pilot, "j")
        assert values(picker)[0] == "*"
        assert highlighted_value(picker) == "View item"
        view_item = values(picker).index("View item")

        # Enter at once keeps the event.
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BuilderScreen)
        assert app.screen.draft["events"] == [{"event": "Signup"}, {"event": "View item"}]

        # The other series opens on its own event, on another row.
        picker = await open_event_picker(app, pilot, "k")
        assert highlighted_value(picker) == "Signup"
        assert values(picker).index("Signup") != view_item
        assert error_messages(app) == []


async def test_picker_after_other_event(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await open_event_picker(app, pilot)
        await pick_event(app, pilot, "refund")
        assert app.screen.draft["events"][0] == {"event": "Refund"}

        # The next time, the picker opens on the event just chosen.
        picker = await open_event_picker(app, pilot)
        assert highlighted_value(picker) == "Refund"


async def test_picker_starts_on_markup_event(tmp_path):
    path = make_project(tmp_path, [{"event": MARKUP_EVENT}])
    async with running(path, size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        picker = await open_event_picker(app, pilot)
        assert highlighted_value(picker) == MARKUP_EVENT
        assert values(picker).index(MARKUP_EVENT) > 0


async def test_picker_starts_on_any_event(tmp_path):
    path = make_project(tmp_path, [{"event": "Purchase"}, {"event": "*"}])
    async with running(path, size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        picker = await open_event_picker(app, pilot, "j")
        assert picker.query_one("#choice-list", OptionList).highlighted == 0
        assert highlighted_value(picker) == "*"
        assert picker.matching[0].label.plain == ANY_EVENT_LABEL


async def test_picker_event_not_in_project(tmp_path):
    path = make_project(tmp_path, [{"event": "Signup"}, {"event": "Gone"}])
    async with running(path, size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)

        # The project has no Gone events, so the list does not have it and the cursor starts on the first row.
        picker = await open_event_picker(app, pilot, "j")
        assert "Gone" not in values(picker)
        assert picker.query_one("#choice-list", OptionList).highlighted == 0


async def test_add_picker_starts_first(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await pilot.press("j", "a")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        # A new series has no event yet, so the highlighted series' event is not the start.
        assert picker.query_one("#choice-list", OptionList).highlighted == 0
        assert highlighted_value(picker) == "*"


async def test_retention_picker_starts_on_event(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await switch_type(app, pilot, "retention")
        picker = await open_event_picker(app, pilot, "j")
        assert highlighted_value(picker) == "View item"

        await pilot.press("escape")
        await pilot.pause()
        picker = await open_event_picker(app, pilot, "k")
        assert highlighted_value(picker) == "Signup"


async def test_exclusion_picker_starts_on_event(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await exclude_refund(app, pilot)

        # The exclusion's row is last, and its picker opens on Refund, not on the last step's event.
        picker = await open_event_picker(app, pilot, "G")
        assert highlighted_value(picker) == "Refund"


async def test_group_by_title_each_type(tmp_path):
    expected = {
        "segmentation": "Group Signup by",
        "funnel": "Group funnel by",
        "sessions": "Group sessions by",
        "retention": "Group retention by",
    }
    assert sorted(expected) == sorted(CHART_TYPES)
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        for kind, title in expected.items():
            # The saved chart is a segmentation already, and choosing the same type leaves the focus on the Type field.
            if kind != app.screen.draft["type"]:
                await switch_type(app, pilot, kind)
            picker = await open_group_by_picker(app, pilot)
            assert title_of(picker) == title, kind
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, BuilderScreen)
            # After Esc the group-by button has the focus, where t does nothing, so the list takes it back first.
            await pilot.press("ctrl+l")
        assert error_messages(app) == []


async def test_group_by_title_any_event(tmp_path):
    path = make_project(tmp_path, [{"event": "*"}, {"event": "Signup"}])
    async with running(path, size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        picker = await open_group_by_picker(app, pilot)
        assert title_of(picker) == "Group events by"


async def test_group_by_title_markup_event(tmp_path):
    path = make_project(tmp_path, [{"event": MARKUP_EVENT}])
    async with running(path, size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        picker = await open_group_by_picker(app, pilot)
        # The event's name is shown as typed, not read as markup.
        assert title_of(picker) == f"Group {MARKUP_EVENT} by"


def test_group_by_title_values():
    assert group_by_title("segmentation", None) == "Group events by"
    assert group_by_title("segmentation", "*") == "Group events by"
    assert group_by_title("segmentation", "Purchase") == "Group Purchase by"
    assert group_by_title("sessions", None) == "Group sessions by"
    assert group_by_title("funnel", "Purchase") == "Group funnel by"
    assert group_by_title("retention", "Purchase") == "Group retention by"
