"""The property picker of a sum or average measure opens on the property measured now, not on its first row.

The project is ``test_app_builder_details``' revenue project: Purchase events
with the numeric properties ``price`` and ``revenue`` and the text property
``billing``, and a saved chart summing ``revenue``.
"""

from __future__ import annotations

from textual.widgets import OptionList

from test_app import running
from test_app_builder import choose, settle
from test_app_builder_details import focused_id, make_revenue, property_label
from tui.app.builder_screen import BuilderScreen
from tui.app.pickers import PropertyChoiceScreen


def highlighted_index(picker: PropertyChoiceScreen) -> int | None:
    return picker.query_one("#choice-list", OptionList).highlighted


def names(picker: PropertyChoiceScreen) -> list[str | None]:
    return [choice.value.name for choice in picker.matching]


async def open_property_button(app, pilot) -> PropertyChoiceScreen:
    """Open the builder, press Enter on the measured property's button and return the picker."""
    await pilot.press("b", "tab", "tab")
    assert focused_id(app) == "measure-property"
    await pilot.press("enter")
    await settle(app, pilot)
    picker = app.screen
    assert isinstance(picker, PropertyChoiceScreen)
    return picker


async def test_sum_picker_starts_on_measured(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        picker = await open_property_button(app, pilot)
        # Numeric properties come first, so revenue is not the first row: the start is not a coincidence.
        revenue = names(picker).index("revenue")
        assert revenue > 0
        assert highlighted_index(picker) == revenue

        # Enter at once keeps the measure.
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BuilderScreen)
        assert app.screen.draft["measure"] == "sum:revenue"
        assert property_label(app) == "of revenue"


async def test_average_picker_starts_on_summed(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b", "tab")
        assert focused_id(app) == "measure"

        # From "Sum of a property…" one row down is "Average of a property…".
        await choose(pilot, 1)
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PropertyChoiceScreen)
        assert picker.title_text == "Average of a property to measure"
        assert names(picker)[highlighted_index(picker)] == "revenue"

        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.draft["measure"] == "avg:revenue"


async def test_picker_after_other_property(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        picker = await open_property_button(app, pilot)
        await pilot.press("up")
        assert names(picker)[highlighted_index(picker)] == "price"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.draft["measure"] == "sum:price"

        # The next time, the picker opens on the property just chosen.
        await pilot.press("enter")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PropertyChoiceScreen)
        assert names(picker)[highlighted_index(picker)] == "price"


async def test_picker_from_uniques_starts_first(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b", "tab")

        # Unique users measure no property, so the picker of a sum opens on its first row.
        await choose(pilot, -4)
        assert app.screen.draft["measure"] == "uniques"
        await choose(pilot, 4)
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PropertyChoiceScreen)
        assert highlighted_index(picker) == 0
