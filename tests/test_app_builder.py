"""The chart builder and saved charts, driven by keys on real project files."""

from datetime import date

from textual.widgets import Input

from locking import write_lock_held
from test_app import DAYS, ZONE, local_day, make_shop, running, text_of
from tui.app.builder_screen import BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.app.confirm import ConfirmScreen
from tui.app.filter_editor import FilterEditor
from tui.app.home_screen import HomeScreen
from tui.app.pickers import SavedChartsScreen
from tui.store.project import open_project
from tui.store.saved_charts import list_charts, load_chart

SAVED_NAME = "Pro purchases weekly"


def expected_pro_events(events: list[dict], platform: str, first: date, last: date) -> int:
    """Count Purchase events on the pro plan from ``platform`` between two days (Los Angeles), both included."""
    return sum(
        1
        for event in events
        if event["event_type"] == "Purchase"
        and event["platform"] == platform
        and event["event_properties"]["plan"] == "pro"
        and first <= local_day(event) <= last
    )


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def choose(pilot, steps_down: int) -> None:
    """Open the focused Select with Enter and pick the option ``steps_down`` below (negative: above) the current one."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*(["down"] * steps_down + ["up"] * -steps_down), "enter")
    await pilot.pause()


async def test_builder_filter_measure_interval_saved(tmp_path):
    path, events = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        await pilot.press("b")
        assert isinstance(app.screen, BuilderScreen)

        # A filter on the highlighted series: property picked with / filtering, then the value.
        await pilot.press("f")
        assert isinstance(app.screen, FilterEditor)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("slash", *"plan", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterEditor)
        await pilot.press("tab", *"pro", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BuilderScreen)
        assert app.screen.draft["events"][0]["where"] == [{"property": "plan", "op": "=", "value": "pro"}]

        # Keys only: Tab from the series list to measure (unique users -> event totals), past count-by
        # to interval (daily -> weekly), then past the range, group-by and cohort to the name.
        await pilot.press("tab")
        assert app.screen.focused.id == "measure"
        await choose(pilot, 1)
        await pilot.press("tab")
        assert app.screen.focused.id == "count-by"
        await pilot.press("tab")
        assert app.screen.focused.id == "interval"
        await choose(pilot, 1)
        assert app.screen.draft["measure"] == "totals"
        assert app.screen.draft["interval"] == "week"

        await pilot.press(*["tab"] * 8)
        assert app.screen.focused.id == "chart-name"
        await pilot.press("ctrl+a", "ctrl+k", *SAVED_NAME, "ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)

        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == SAVED_NAME
        await check_pro_weekly_chart(app, pilot, events)

    with open_project(path) as project:
        saved = load_chart(project.con, SAVED_NAME)
        assert saved.definition == app.definition.to_json()

    # A new session opens the most recently saved chart.
    async with running(path) as (again, pilot):
        assert again.chart_name == SAVED_NAME
        await check_pro_weekly_chart(again, pilot, events)


async def check_pro_weekly_chart(app, pilot, events) -> None:
    """Check the readout of every point of the pro-plan weekly totals chart against the events."""
    definition = app.definition
    assert definition.measure == "totals"
    assert definition.interval == "week"
    assert definition.events[0].where[0].to_json() == {"property": "plan", "op": "=", "value": "pro"}

    # Weeks start on Monday 4 March; the first bucket is clipped to the range's first day, 1 March.
    # The second is clipped to its last day, 5 March, so the readout calls both partial.
    weeks = [
        ("[2024-03-01 00:00, 2024-03-04 00:00)", DAYS[0], DAYS[2]),
        ("[2024-03-04 00:00, 2024-03-06 00:00)", DAYS[3], DAYS[4]),
    ]
    await pilot.press("g")
    for index, (bucket, first, last) in enumerate(weeks):
        if index:
            await pilot.press("l")
        # Segments are ordered by the analytics layer, so compare the two lines as a set.
        await pilot.press("k")
        shown = {text_of(app, "#readout")}
        await pilot.press("j")
        shown.add(text_of(app, "#readout"))
        expected = {
            f"Purchase · {platform} · {bucket} {ZONE} (partial) · {expected_pro_events(events, platform, first, last)} events"
            for platform in ("Android", "iOS")
        }
        assert shown == expected


async def test_builder_escape_changes_nothing(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        before = app.definition
        await pilot.press("b", "x")
        assert app.screen.draft["events"] == []

        # The removed series is a change, so Escape requests confirmation before it drops it.
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.definition == before
        assert app.queries_run == 1


async def test_builder_adds_and_removes_series(tmp_path):
    path, events = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        await pilot.press("b", "a")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("slash", *"sign", "enter")
        await pilot.pause()
        assert [spec["event"] for spec in app.screen.draft["events"]] == ["Purchase", "Signup"]

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert [spec.event for spec in app.definition.events] == ["Purchase", "Signup"]
        # An applied chart is not saved until it gets a name.
        assert app.chart_name is None

        await pilot.press("b", "x")
        assert [spec["event"] for spec in app.screen.draft["events"]] == ["Signup"]


async def test_invalid_range_keeps_builder_open(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        await pilot.press("b")
        app.screen.query_one("#range-from", Input).value = "2024-13-01"
        await pilot.press("ctrl+r")
        await settle(app, pilot)

        assert isinstance(app.screen, BuilderScreen)
        errors = [note.message for note in app._notifications if note.severity == "error"]
        assert any("2024-13-01" in message for message in errors)
        assert app.queries_run == 1


async def test_preset_range_ends_on_last_day(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        await pilot.press("b")
        await pilot.click("#preset-7")
        assert app.screen.query_one("#range-from", Input).value == "2024-02-28"
        assert app.screen.query_one("#range-to", Input).value == "2024-03-05"


async def test_open_and_delete_saved_charts(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        await pilot.press("b")
        app.screen.query_one("#chart-name", Input).value = "Second"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.chart_name == "Second"

        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, SavedChartsScreen)
        assert [choice.value for choice in app.screen.matching] == ["Second", "Purchases by platform"]

        # Delete the highlighted (newest) chart, then open the other one.
        await pilot.press("d", "n")
        await settle(app, pilot)
        assert len(app.screen.matching) == 2
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert [choice.value for choice in app.screen.matching] == ["Purchases by platform"]
        await pilot.press("enter")
        await settle(app, pilot)

        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == "Purchases by platform"

    with open_project(path) as project:
        assert [chart.name for chart in list_charts(project.con)] == ["Purchases by platform"]


async def test_read_only_project_shows_notice_and_refuses_save(tmp_path):
    path, events = make_shop(tmp_path)
    with write_lock_held(path):
        async with running(path) as (app, pilot):
            warnings = [note.message for note in app._notifications if note.severity == "warning"]
            assert any("read-only" in message for message in warnings)
            assert app.chart_name == "Purchases by platform"

            await pilot.press("b")
            app.screen.query_one("#chart-name", Input).value = "Not saved"
            await pilot.press("ctrl+s")
            await settle(app, pilot)

            assert isinstance(app.screen, BuilderScreen)
            errors = [note.message for note in app._notifications if note.severity == "error"]
            assert len(errors) == 1
            assert "read-only" in errors[0]

    with open_project(path) as project:
        assert [chart.name for chart in list_charts(project.con)] == ["Purchases by platform"]


async def test_builder_keeps_property_measure(tmp_path):
    weekly_sum = {
        "type": "segmentation", "events": [{"event": "Purchase"}], "measure": "sum:amount",
        "interval": "week", "range": {"from": "2024-03-01", "to": "2024-03-05"},
    }
    path, _ = make_shop(tmp_path, saved=weekly_sum, name="Weekly amount")
    async with running(path) as (app, pilot):
        await pilot.press("b")
        await settle(app, pilot)

        assert isinstance(app.screen, BuilderScreen)
        assert app.screen.draft["measure"] == "sum:amount"
        assert app.screen.draft["interval"] == "week"

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.definition.measure == "sum:amount"
