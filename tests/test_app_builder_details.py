"""Builder details found in a walk-through: property measures, the list hint, filter values and switch labels.

The project has six Purchase events on 1 March 2024 (UTC), one per user, with
``revenue`` 10 to 60, ``price`` 1 to 6 and ``billing`` monthly (three
events), annual (two) and multi-year (one). Its saved chart sums revenue.
"""

from __future__ import annotations

from textual.widgets import Button, Checkbox, Input, Label

from builders import build_project
from test_app import running, text_of
from test_app_builder import choose, settle
from test_app_builder_types import pick_event, switch_type
from tui.analytics.definition import OPERATORS, SESSION_MEASURES
from tui.app.builder_screen import LIST_HINTS, BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.app.filter_editor import VALUE_PLACEHOLDERS, FilterEditor
from tui.app.home_screen import HomeScreen
from tui.store.saved_charts import save_chart

BILLING = ["monthly", "monthly", "monthly", "annual", "annual", "multi-year"]
SUM_OF_REVENUE = {
    "type": "segmentation",
    "events": [{"event": "Purchase"}],
    "measure": "sum:revenue",
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-01"},
}


def make_revenue(tmp_path):
    events = [
        {
            "event_type": "Purchase",
            "event_time": f"2024-03-01T{10 + index}:00:00+00:00",
            "user_id": f"user-{index}",
            "event_properties": {"revenue": 10 * (index + 1), "price": index + 1, "billing": billing},
        }
        for index, billing in enumerate(BILLING)
    ]
    project = build_project(tmp_path, events)
    save_chart(project.con, "Daily revenue", SUM_OF_REVENUE)
    project.close()
    return tmp_path / "p.duckdb"


def focused_id(app) -> str | None:
    focused = app.screen.focused
    return None if focused is None else focused.id


def property_label(app) -> str:
    return app.screen.query_one("#measure-property", Button).label.plain


# 1. The summed property can be changed -------------------------------------------------------


async def test_same_property_measure_reopens_picker(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b")
        await pilot.press("tab")
        assert focused_id(app) == "measure"

        # Choosing "Sum of a property…" again, the measure the chart has, opens the property picker.
        await choose(pilot, 0)
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)
        assert app.screen.title_text == "Sum of a property to measure"
        await pick_event(app, pilot, "price")
        assert isinstance(app.screen, BuilderScreen)
        assert app.screen.draft["measure"] == "sum:price"
        assert property_label(app) == "of price"

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert app.definition.measure == "sum:price"
        # One point: the prices 1 to 6 add up to 21.
        assert text_of(app, "#readout").endswith("· 21 (sum of price)")


async def test_property_button_opens_picker(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b")
        assert property_label(app) == "of revenue"

        # Tab reaches the property after the measure, and Enter on it opens the property picker.
        await pilot.press("tab", "tab")
        assert focused_id(app) == "measure-property"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)
        assert app.screen.title_text == "Sum of a property to measure"

        # Escape keeps the property the chart had.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BuilderScreen)
        assert app.screen.draft["measure"] == "sum:revenue"

        await pilot.press("enter")
        await pick_event(app, pilot, "price")
        assert app.screen.draft["measure"] == "sum:price"
        assert property_label(app) == "of price"
        assert focused_id(app) == "measure-property"


async def test_reselect_cancelled_keeps_property(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b", "tab")
        await choose(pilot, 0)
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.draft["measure"] == "sum:revenue"
        assert property_label(app) == "of revenue"


async def test_property_button_hidden_without_property(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b", "tab")

        # Unique users measure no property, so the button goes and Tab moves on to Count by.
        await choose(pilot, -4)
        assert app.screen.draft["measure"] == "uniques"
        assert not app.screen.query_one("#measure-property", Button).display
        await pilot.press("tab")
        assert focused_id(app) == "count-by"

        # Average of a property opens the picker, and the button then shows the property picked.
        await pilot.press("shift+tab")
        await choose(pilot, 5)
        await pick_event(app, pilot, "revenue")
        assert app.screen.draft["measure"] == "avg:revenue"
        assert property_label(app) == "of revenue"
        assert app.screen.query_one("#measure-property", Button).display


# 2. The list hint has a row of its own -----------------------------------------------------


def check_hint_row(screen, kind: str) -> None:
    """Check the hint spans the screen's width and lies above every control of both panes."""
    hint = screen.query_one("#list-hint", Label)
    assert hint.content.plain == LIST_HINTS[kind]
    assert hint.region.width == screen.size.width
    hint_bottom = hint.region.bottom
    for pane_id in ("#series-pane", "#settings-pane"):
        assert screen.query_one(pane_id).region.y >= hint_bottom


async def test_list_hint_own_row(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b")
        await pilot.pause()
        check_hint_row(app.screen, "segmentation")

        await switch_type(app, pilot, "funnel")
        await pilot.pause()
        check_hint_row(app.screen, "funnel")


async def test_list_hint_wraps_on_own(tmp_path):
    async with running(make_revenue(tmp_path), size=(60, 40)) as (app, pilot):
        await pilot.press("b")
        await pilot.pause()
        await switch_type(app, pilot, "funnel")
        await pilot.pause()

        # At 60 columns the funnel's hint takes two lines, and both stay above the panes.
        hint = app.screen.query_one("#list-hint", Label)
        assert hint.region.height == 2
        check_hint_row(app.screen, "funnel")


# 3. and 4. Filter values: completion after a comma, and placeholders by operator ------------------


async def open_filter_on(app, pilot, prop: str) -> Input:
    """Open the filter dialog on the builder's first series, choose ``prop`` and wait for its values."""
    await pilot.press("b", "f")
    assert isinstance(app.screen, FilterEditor)
    await pilot.press("enter")
    await pick_event(app, pilot, prop)
    await settle(app, pilot)
    assert focused_id(app) == "filter-op"
    return app.screen.query_one("#filter-value", Input)


async def type_and_accept(app, pilot, text: str) -> None:
    """Type ``text`` in the focused field, wait for its completion, and accept it with →."""
    await pilot.press(*text)
    await settle(app, pilot)
    await pilot.press("right")
    await pilot.pause()


async def test_in_completes_each_item(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        value = await open_filter_on(app, pilot, "billing")
        await choose(pilot, OPERATORS.index("in"))
        assert focused_id(app) == "filter-value"

        await type_and_accept(app, pilot, "mo")
        assert value.value == "monthly"
        await type_and_accept(app, pilot, ", AN")
        assert value.value == "monthly, annual"
        # "m" completes to the value not listed yet, not to monthly again.
        await type_and_accept(app, pilot, ", m")
        assert value.value == "monthly, annual, multi-year"

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BuilderScreen)
        where = app.screen.draft["events"][0]["where"]
        assert where == [{"property": "billing", "op": "in", "value": ["monthly", "annual", "multi-year"]}]


async def test_equals_completes_whole_value(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        value = await open_filter_on(app, pilot, "billing")
        await pilot.press("tab")
        assert focused_id(app) == "filter-value"

        # A comma is part of the value for =, so the text after it completes nothing.
        await type_and_accept(app, pilot, "an")
        assert value.value == "annual"
        await type_and_accept(app, pilot, ", mo")
        assert value.value == "annual, mo"


async def test_value_placeholder_by_operator(tmp_path):
    expected = {
        "=": 'one value, such as iOS (quote a number, "7", to match it as text)',
        "in": "values separated by commas, such as iOS, Android",
        "not in": "values separated by commas, such as iOS, Android",
        "contains": "text that the value contains",
        ">=": "a number, such as 10 or 2.5",
        "not set": "no value needed: the property has no value",
    }
    # Every operator has a placeholder, so choosing any of them finds one.
    assert set(VALUE_PLACEHOLDERS) == set(OPERATORS)

    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        value = await open_filter_on(app, pilot, "billing")
        assert value.placeholder == expected["="]

        current = "="
        for op in ("in", "not in", "contains", ">=", "not set"):
            app.screen.query_one("#filter-op").focus()
            await pilot.pause()
            await choose(pilot, OPERATORS.index(op) - OPERATORS.index(current))
            current = op
            assert value.placeholder == expected[op], op


# 5. and 6. The Rolling switch names its periods; Buckets only for the length distribution ---------


async def test_rolling_names_periods(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b")
        await switch_type(app, pilot, "retention")
        rolling = app.screen.query_one("#rolling", Checkbox)
        assert rolling.label.plain == "calendar days"

        rolling.focus()
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.draft["rolling"] is True
        assert rolling.label.plain == "rolling 24-hour days"

        # Weekly periods rename the switch in either state.
        app.screen.query_one("#period").focus()
        await choose(pilot, 1)
        assert app.screen.draft["period"] == "week"
        assert rolling.label.plain == "rolling 7-day weeks"

        rolling.focus()
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.draft["rolling"] is False
        assert rolling.label.plain == "calendar weeks"


async def test_buckets_only_for_length(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b")
        await switch_type(app, pilot, "sessions")
        row = app.screen.query_one("#length-buckets-row")
        assert not row.display

        await pilot.press("tab")
        assert focused_id(app) == "measure"
        current = SESSION_MEASURES[0]
        for measure in SESSION_MEASURES[1:]:
            await choose(pilot, SESSION_MEASURES.index(measure) - SESSION_MEASURES.index(current))
            current = measure
            assert app.screen.draft["measure"] == measure
            assert row.display == (measure == "length"), measure

        # Shown, the Buckets field is the next stop after the measure.
        await pilot.press("tab")
        assert focused_id(app) == "length-buckets"


# 7. The Name field stays through type switches --------------------------------------------------


async def test_type_switch_keeps_saved_name(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b")
        name = app.screen.query_one("#chart-name", Input)
        assert name.value == "Daily revenue"

        await switch_type(app, pilot, "funnel")
        assert name.value == "Daily revenue"
        await switch_type(app, pilot, "segmentation")
        assert name.value == "Daily revenue"
        assert app.screen.draft["measure"] == "sum:revenue"


async def test_type_switch_keeps_typed_name(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b")
        name = app.screen.query_one("#chart-name", Input)
        name.value = "Revenue funnel"

        for kind in ("funnel", "retention", "sessions", "segmentation"):
            await switch_type(app, pilot, kind)
            assert name.value == "Revenue funnel", kind


# 8. The filter's property button shows the whole property name ---------------------------------


# Wider than the filter dialog's property row, which is at most 100 cells less the border, padding and label.
WIDE_PROPERTY = "referral_" + "x" * 100


def make_platforms(tmp_path):
    """Return a project whose Purchase events have ``platform``, a longer property, and one wider than the dialog."""
    events = [
        {
            "event_type": "Purchase",
            "event_time": f"2024-03-01T{10 + index}:00:00+00:00",
            "user_id": f"user-{index}",
            "platform": platform,
            "event_properties": {"subscription_channel": "app store", WIDE_PROPERTY: "yes"},
        }
        for index, platform in enumerate(["iOS", "Android", "Web"])
    ]
    build_project(tmp_path, events).close()
    return tmp_path / "p.duckdb"


def button_text(button: Button) -> str:
    """Return the text the button draws on its one line, without the padding around the label."""
    return "".join(segment.text for segment in button.render_line(0)).strip()


async def test_filter_property_button_whole_name(tmp_path):
    async with running(make_platforms(tmp_path), size=(120, 40)) as (app, pilot):
        for prop in ("platform", "subscription_channel"):
            await open_filter_on(app, pilot, prop)
            button = app.screen.query_one("#filter-property", Button)
            assert button.label.plain == prop
            assert button_text(button) == prop

            # Escape closes the filter dialog, then leaves the builder, which has no changes.
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, BuilderScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)


async def test_filter_property_button_wide_name(tmp_path):
    async with running(make_platforms(tmp_path), size=(120, 40)) as (app, pilot):
        await open_filter_on(app, pilot, "referral")
        button = app.screen.query_one("#filter-property", Button)
        assert button.label.plain == WIDE_PROPERTY
        assert button.tooltip == WIDE_PROPERTY

        shown = button_text(button)
        assert shown.endswith("…")
        assert WIDE_PROPERTY.startswith(shown[:-1])
        # The button ends inside the dialog, so the cut is the ellipsis, not the dialog's edge.
        dialog = app.screen.query_one("#dialog")
        assert button.region.right <= dialog.content_region.right
