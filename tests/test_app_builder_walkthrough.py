"""Builder defects found by walking through it with the keys: names on apply, focus, new rows, filters and labels.

Most tests use the shop project of test_app. Its saved chart "Purchases by
platform" is a segmentation of Purchase, and its event property ``plan`` is
``free`` or ``pro``. Others use the checkout project of
test_app_builder_types, or the accounts project of groups_data, whose group
types are ``company`` and ``team``.
"""

from __future__ import annotations

from datetime import date

from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from builders import build_project
from groups_data import ACCOUNT_EVENTS
from test_app import make_shop, running
from test_app_builder import choose, settle
from test_app_builder_labels import shown_text
from test_app_builder_types import make_checkout, open_builder, pick_event, switch_type
from tui.app.builder_screen import LIST_HINTS, BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.app.filter_editor import FilterEditor
from tui.app.keys import key_entries
from tui.app.series_list import SeriesList
from tui.store.project import open_project
from tui.store.saved_charts import list_charts, save_chart

TYPED_NAME = "Notes by platform"
SAVED_NAME = "Purchases by platform"


def focused_id(app) -> str | None:
    focused = app.screen.focused
    return None if focused is None else focused.id


def footer_keys(screen) -> dict[str, str]:
    """Return the footer's keys as ``{key: description}``: the shown bindings whose action is available."""
    keys = {}
    for _, binding, enabled, _ in screen.active_bindings.values():
        if binding.show and enabled:
            keys[binding.key] = binding.description
    return keys


def row_label(screen, field_id: str) -> Label:
    """Return the label of the form row that contains the field ``field_id``."""
    row = next(ancestor for ancestor in screen.query_one(f"#{field_id}").ancestors if "form-row" in ancestor.classes)
    return row.query_one(Label)


async def type_name(app, pilot, name: str) -> None:
    """Replace the builder's Name with ``name``, typed key by key."""
    field = app.screen.query_one("#chart-name", Input)
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*name)


# 1. Apply keeps the name typed -----------------------------------------------------------


async def test_apply_keeps_typed_name(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path, size=(140, 30)) as (app, pilot):
        await pilot.press("b")
        await pilot.press("tab", "tab", "tab")
        assert focused_id(app) == "interval"
        await choose(pilot, 1)
        await type_name(app, pilot, TYPED_NAME)
        await pilot.press("ctrl+r")
        await settle(app, pilot)

        # Applied unsaved, the chart keeps the typed name in its title, next to the chart it came from.
        assert app.chart_name is None
        assert app.chart_origin.name == TYPED_NAME
        title = app.home.query_one("#chart-title", Static).content.plain
        assert title.startswith(f"“{TYPED_NAME}” (unsaved, from “{SAVED_NAME}”)")

        # The builder opens with that name again, and Save saves under it.
        await pilot.press("b")
        assert app.screen.query_one("#chart-name", Input).value == TYPED_NAME
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.chart_name == TYPED_NAME
        assert app.chart_origin is None

    project = open_project(path)
    assert sorted(chart.name for chart in list_charts(project.con)) == [TYPED_NAME, SAVED_NAME]
    project.close()


async def test_apply_under_opened_name_adds_none(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path, size=(140, 30)) as (app, pilot):
        await pilot.press("b")
        await pilot.press("tab", "tab", "tab")
        await choose(pilot, 1)
        await pilot.press("ctrl+r")
        await settle(app, pilot)

        # The Name field still shows the saved chart's name, so the title names only the origin.
        title = app.home.query_one("#chart-title", Static).content.plain
        assert title.startswith(f"Unsaved, edited in the builder from “{SAVED_NAME}”")
        await pilot.press("b")
        assert app.screen.query_one("#chart-name", Input).value == SAVED_NAME


# 2. Focus shows without colour, and ctrl+l goes to the list ------------------------------


async def test_focused_row_label_reversed(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        builder = app.screen
        for field_id in ("measure", "range-from", "chart-name"):
            builder.query_one(f"#{field_id}").focus()
            await pilot.pause()
            assert row_label(builder, field_id).rich_style.reverse, field_id

            # Only the focused field's row is marked.
            others = [label for label in builder.query(".form-row > Label") if label is not row_label(builder, field_id)]
            assert not any(label.rich_style.reverse for label in others), field_id


async def test_ctrl_l_focuses_list(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        builder = app.screen
        assert footer_keys(builder)["ctrl+l"] == "List"
        assert app.get_key_display(builder.active_bindings["ctrl+l"].binding) in [
            key for entry in key_entries(builder) for key in entry.keys
        ]

        # From typed fields and a menu alike, the key moves the focus to the list and keeps what was typed.
        for field_id in ("range-from", "chart-name", "interval"):
            builder.query_one(f"#{field_id}").focus()
            await pilot.pause()
            await pilot.press("ctrl+l")
            assert isinstance(builder.focused, SeriesList), field_id
        assert builder.query_one("#range-from", Input).value == "2024-03-01"


async def test_type_change_focuses_list(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await pilot.press("t")
        assert focused_id(app) == "chart-type"

        # Funnel is the next type: the list of its steps takes the focus.
        await choose(pilot, 1)
        assert app.screen.draft["type"] == "funnel"
        assert isinstance(app.screen.focused, SeriesList)


async def test_empty_builder_focuses_list(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        app.push_screen(BuilderScreen(None, None, date(2024, 3, 2)))
        await pilot.pause()
        assert isinstance(app.screen.focused, SeriesList)
        assert footer_keys(app.screen)["a"] == "Add event"


# 3. A new row is highlighted --------------------------------------------------------------


async def test_added_event_highlighted(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path, size=(120, 30)) as (app, pilot):
        await pilot.press("b", "a")
        await pick_event(app, pilot, "signup")
        series = app.screen.query_one(SeriesList)
        assert series.highlighted == 1
        assert series.current_row().label == "B  Signup"
        # The highlighted row is underlined, so it shows without colour.
        assert series.get_visual_style("option-list--option", "option-list--option-highlighted").underline

        # Up goes to the row above the new one, so x removes Purchase.
        await pilot.press("up", "x")
        assert app.screen.draft["events"] == [{"event": "Signup"}]


async def test_added_filter_highlighted(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path, size=(120, 30)) as (app, pilot):
        await pilot.press("b", "a")
        await pick_event(app, pilot, "signup")
        await pilot.press("up", "f", "enter")
        await pick_event(app, pilot, "plan")
        await pilot.press("tab", *"pro", "enter")
        await settle(app, pilot)

        series = app.screen.query_one(SeriesList)
        assert series.current_row().place == ("events", 0, 0)
        assert series.current_row().label == "     where plan = pro"


# 4. The filter dialog goes property, operator, value, and lists values -------------------


async def open_filter(app, pilot, prop: str) -> FilterEditor:
    """Open the filter dialog of the highlighted event and pick the property ``prop``."""
    await pilot.press("f", "enter")
    await pick_event(app, pilot, prop)
    await settle(app, pilot)
    assert isinstance(app.screen, FilterEditor)
    return app.screen


async def test_filter_focus_follows_fields(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path, size=(120, 30)) as (app, pilot):
        await pilot.press("b")
        editor = await open_filter(app, pilot, "plan")
        assert focused_id(app) == "filter-op"

        # Choosing != moves on to the value, which Enter adds.
        await choose(pilot, 1)
        assert editor.query_one("#filter-op", Select).value == "!="
        assert focused_id(app) == "filter-value"
        await pilot.press(*"free", "enter")
        await settle(app, pilot)
        assert app.screen.draft["events"][0]["where"] == [{"property": "plan", "op": "!=", "value": "free"}]


async def test_filter_without_value_skips_it(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path, size=(120, 30)) as (app, pilot):
        await pilot.press("b")
        editor = await open_filter(app, pilot, "plan")

        # "set" is the ninth operator after "=": it takes no value, so the focus goes to Add.
        await choose(pilot, 9)
        assert editor.query_one("#filter-op", Select).value == "set"
        assert editor.query_one("#filter-value", Input).disabled
        assert focused_id(app) == "filter-add"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.draft["events"][0]["where"] == [{"property": "plan", "op": "set"}]


async def test_filter_lists_top_values(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path, size=(120, 30)) as (app, pilot):
        await pilot.press("b")
        editor = await open_filter(app, pilot, "plan")

        # The shop has more pro purchases than free ones (every iOS purchase is pro).
        hint = editor.query_one("#filter-values", Static).content.plain
        assert hint.startswith("Top values: pro, free ")

        # Typing completes a listed value, and the right arrow accepts it.
        await pilot.press("tab", "f", "right", "enter")
        await settle(app, pilot)
        assert app.screen.draft["events"][0]["where"] == [{"property": "plan", "op": "=", "value": "free"}]


# 5. Count by shows the whole group type, and the measure names it --------------------------


def accounts_segmentation(tmp_path, measure: str = "uniques"):
    chart = {
        "type": "segmentation",
        "events": [{"event": "Buy"}],
        "measure": measure,
        "range": {"from": "2024-03-01", "to": "2024-03-02"},
    }
    with build_project(tmp_path, ACCOUNT_EVENTS) as project:
        save_chart(project.con, "Buyers", chart)
        return project.path


async def pick_group_type(app, pilot, position: int) -> None:
    """Pick the count-by choice at ``position`` (0: users, then the group types by name)."""
    app.screen.query_one("#count-by", Button).press()
    await settle(app, pilot)
    assert isinstance(app.screen, ChoiceScreen)
    await pilot.press(*["down"] * position, "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, BuilderScreen)


async def test_count_by_names_groups(tmp_path):
    async with running(accounts_segmentation(tmp_path), size=(120, 30)) as (app, pilot):
        await open_builder(app, pilot)
        builder = app.screen
        measure = builder.query_one("#measure", Select)
        assert shown_text(measure.query_one("#label")) == "Unique users"

        await pick_group_type(app, pilot, 1)
        assert builder.draft["count_by"] == "group:company"
        assert shown_text(builder.query_one("#count-by", Button)) == "group:company"
        assert shown_text(measure.query_one("#label")) == "Unique groups"
        assert measure.value == "uniques"
        assert builder.draft.get("measure", "uniques") == "uniques"

        # Back to users: the measure names users again, and the draft's measure stays.
        await pick_group_type(app, pilot, 0)
        assert "count_by" not in builder.draft
        assert shown_text(builder.query_one("#count-by", Button)) == "users"
        assert shown_text(measure.query_one("#label")) == "Unique users"


async def test_count_by_keeps_property_measure(tmp_path):
    async with running(accounts_segmentation(tmp_path, "sum:price"), size=(120, 30)) as (app, pilot):
        await open_builder(app, pilot)
        builder = app.screen
        await pick_group_type(app, pilot, 1)

        # Renaming the choices posts no change that would drop the property or open its picker.
        assert builder.draft["measure"] == "sum:price"
        assert app.screen is builder
        assert builder.query_one("#measure", Select).value == "sum"


# 6. Rolling on and off differ in text -----------------------------------------------------


async def test_rolling_box_text_differs(tmp_path):
    async with running(make_checkout(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await switch_type(app, pilot, "retention")
        rolling = app.screen.query_one("#rolling", Checkbox)
        off = shown_text(rolling)
        rolling.focus()
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.draft["rolling"] is True
        on = shown_text(rolling)
        assert off != on
        assert "X" in on
        assert "X" not in off


# 7. Footer and hint agree on each chart type ---------------------------------------------


async def test_retention_footer_matches_hint(tmp_path):
    async with running(make_checkout(tmp_path), size=(160, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await switch_type(app, pilot, "retention")
        builder = app.screen
        assert builder.query_one("#list-hint", Label).content.plain == LIST_HINTS["retention"]

        # Both events are set: Enter changes one, a adds none, and x removes no start event.
        keys = footer_keys(builder)
        assert keys["enter"] == "Change event"
        assert keys["f"] == "Add filter"
        assert "a" not in keys
        assert "x" not in keys

        # On a filter row x removes the filter, and Enter has no event to change.
        await pilot.press("f", "enter")
        await pick_event(app, pilot, "plan")
        await pilot.press("tab", *"pro", "enter")
        await settle(app, pilot)
        assert builder.query_one(SeriesList).current_row().filter_index == 0
        keys = footer_keys(builder)
        assert keys["x"] == "Remove"
        assert "enter" not in keys
        await pilot.press("x")
        assert "where" not in builder.draft["start"]


async def test_hidden_keys_explain_press(tmp_path):
    async with running(make_checkout(tmp_path), size=(160, 40)) as (app, pilot):
        await open_builder(app, pilot)
        await switch_type(app, pilot, "retention")
        await pilot.press("a", "x")
        await pilot.pause()
        messages = [note.message for note in app._notifications]
        assert "A retention chart has one start and one return event: press Enter on one to change it." in messages
        assert "A retention chart needs a start event: press Enter to choose another one." in messages
        assert app.screen.draft["start"] == {"event": "Signup"}


async def test_segmentation_footer_matches_hint(tmp_path):
    async with running(make_checkout(tmp_path), size=(160, 40)) as (app, pilot):
        await open_builder(app, pilot)
        keys = footer_keys(app.screen)
        assert "Enter change" in LIST_HINTS["segmentation"]
        assert keys["enter"] == "Change event"
        assert keys["a"] == "Add event"
        assert keys["x"] == "Remove"
