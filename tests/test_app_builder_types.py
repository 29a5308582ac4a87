"""The chart builder on funnels, sessions and retention, and chart-wide filters, driven by keys."""

from datetime import datetime, timedelta, timezone

import pytest
from textual.widgets import Input, Select

from builders import build_project
from test_app import error_messages, running
from test_app_builder import choose, settle
from tui.analytics.definition import CHART_TYPES, SESSION_MEASURES, DefinitionError, parse_window
from tui.app.builder_screen import BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.app.filter_editor import FilterEditor
from tui.app.home_screen import HomeScreen
from tui.app.keys import key_entries
from tui.app.series_list import SeriesList
from tui.store.project import open_project
from tui.store.saved_charts import load_chart, save_chart

MARKUP_EVENT = "Pay [b]now[/b] ☕"
RANGE = {"from": "2024-03-01", "to": "2024-03-05"}
START_CHART = {
    "type": "segmentation",
    "events": [{"event": "Signup"}, {"event": "View item"}],
    "measure": "uniques",
    "interval": "day",
    "range": RANGE,
}
PRO_PLAN = {"property": "plan", "op": "=", "value": "pro"}
ON_IOS = {"property": "platform", "op": "=", "value": "iOS"}


def checkout_events() -> list[dict]:
    """Four users on 1 to 4 March: each signs up, views an item, buys, and every second one refunds."""
    events = []
    for user in range(4):
        start = datetime(2024, 3, 1 + user, 10, tzinfo=timezone.utc)
        plan = "pro" if user % 2 else "free"
        platform = "iOS" if user < 2 else "Android"
        names = ["Signup", "View item", "Purchase", MARKUP_EVENT] + (["Refund"] if user % 2 else [])
        for minute, name in enumerate(names):
            events.append({
                "event_type": name,
                "event_time": (start + timedelta(minutes=minute)).isoformat(),
                "user_id": f"user-{user}",
                "platform": platform,
                "event_properties": {"plan": plan},
            })
    return events


def make_checkout(tmp_path):
    project = build_project(tmp_path, checkout_events())
    save_chart(project.con, "Signups and views", START_CHART)
    project.close()
    return tmp_path / "p.duckdb"


async def open_builder(app, pilot) -> list:
    """Open the builder on the app's chart, as b does, and return the list its result is appended to."""
    results = []
    app.push_screen(BuilderScreen(app.definition, app.chart_name, app.last_day), results.append)
    await pilot.pause()
    return results


async def switch_type(app, pilot, kind: str) -> None:
    """Choose the chart type ``kind`` with the arrow keys, after which the focus is back on the list."""
    offset = CHART_TYPES.index(kind) - CHART_TYPES.index(app.screen.draft["type"])
    await pilot.press("t")
    await choose(pilot, offset)
    assert app.screen.draft["type"] == kind
    assert isinstance(app.screen.focused, SeriesList)


async def pick_event(app, pilot, words: str) -> None:
    """In the open event picker, filter by ``words`` and take the first match."""
    await settle(app, pilot)
    assert isinstance(app.screen, ChoiceScreen)
    await pilot.press("slash", *words, "enter")
    await pilot.pause()


async def add_filter(app, pilot, key: str, prop: str, value: str) -> None:
    """Press ``key`` (f or w) and build the filter ``prop = value`` in the filter editor."""
    await pilot.press(key)
    assert isinstance(app.screen, FilterEditor)
    await pilot.press("enter")
    await pick_event(app, pilot, prop)
    assert isinstance(app.screen, FilterEditor)
    await pilot.press("tab", *value, "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, BuilderScreen)


async def exclude_refund(app, pilot) -> None:
    """Make the builder's chart a funnel of Signup, View item and Purchase that excludes Refund between steps 1 and 3."""
    await switch_type(app, pilot, "funnel")
    await pilot.press("a")
    await pick_event(app, pilot, "purch")
    await pilot.press("e")
    await pick_event(app, pilot, "refund")
    await settle(app, pilot)
    # The step-pair picker lists the whole funnel first, so Enter takes steps 1 to 3.
    await pilot.press("enter")
    await pilot.pause()
    assert app.screen.draft["exclude"] == [{"event": "Refund", "between": [1, 3]}]


def list_labels(app) -> list[str]:
    return [row.label for row in app.screen.query_one(SeriesList).rows]


async def test_funnel_built_and_saved(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path, size=(80, 24)) as (app, pilot):
        await pilot.press("b")
        await switch_type(app, pilot, "funnel")
        assert app.screen.draft["steps"] == [{"event": "Signup"}, {"event": "View item"}]
        assert "events" not in app.screen.draft

        await pilot.press("a")
        await pick_event(app, pilot, "purch")
        # The third step moves up and back down with K and J.
        await pilot.press("G", "K")
        assert [step["event"] for step in app.screen.draft["steps"]] == ["Signup", "Purchase", "View item"]
        await pilot.press("J")
        assert [step["event"] for step in app.screen.draft["steps"]] == ["Signup", "View item", "Purchase"]
        await add_filter(app, pilot, "f", "plan", "pro")

        # Refund excluded between steps 2 and 3: the pairs are (1, 3), (1, 2), (2, 3).
        await pilot.press("e")
        await pick_event(app, pilot, "refund")
        await settle(app, pilot)
        assert [choice.value for choice in app.screen.matching] == [(1, 3), (1, 2), (2, 3)]
        await pilot.press("down", "down", "enter")
        await pilot.pause()

        await pilot.press("tab")
        assert app.screen.focused.id == "window"
        await pilot.press(*"2h", "tab")
        assert app.screen.focused.id == "order"
        await choose(pilot, 2)
        assert list_labels(app) == [
            "1  Signup",
            "2  View item",
            "3  Purchase",
            "     where plan = pro",
            "Exclude Refund between steps 2 and 3",
        ]

        app.screen.query_one("#chart-name", Input).value = "Checkout"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)

    expected = {
        "type": "funnel",
        "steps": [{"event": "Signup"}, {"event": "View item"}, {"event": "Purchase", "where": [PRO_PLAN]}],
        "window": "2h",
        "order": "exact",
        "interval": "day",
        "range": RANGE,
        "exclude": [{"event": "Refund", "between": [2, 3]}],
    }
    with open_project(path) as project:
        assert load_chart(project.con, "Checkout").definition == expected


async def test_exclusion_changed_and_renumbered(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        await open_builder(app, pilot)
        await exclude_refund(app, pilot)

        # Enter on the exclusion changes its event, then the steps it lies between.
        await pilot.press("G", "enter")
        await pick_event(app, pilot, "pay")
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen.draft["exclude"] == [{"event": MARKUP_EVENT, "between": [1, 2]}]
        assert list_labels(app)[-1] == f"Exclude {MARKUP_EVENT} between steps 1 and 2"

        # Without the first step, the exclusion lies between the two steps left.
        await pilot.press("g", "x")
        assert app.screen.draft["steps"] == [{"event": "View item"}, {"event": "Purchase"}]
        assert app.screen.draft["exclude"] == [{"event": MARKUP_EVENT, "between": [1, 2]}]


def window_error(window: str) -> str:
    """Return the message ``parse_window`` rejects ``window`` with."""
    with pytest.raises(DefinitionError) as rejected:
        parse_window(window, "window")
    return str(rejected.value)


async def test_invalid_window_keeps_draft(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        results = await open_builder(app, pilot)
        await switch_type(app, pilot, "funnel")
        await pilot.press("tab")
        window_input = app.screen.query_one("#window", Input)
        assert app.screen.focused is window_input

        # Enter in the window checks it at once; apply checks it again and keeps the builder open.
        for window in ("0m", "30", "1y", "-2d"):
            await pilot.press("ctrl+a", "ctrl+k", *window, "enter")
            assert error_messages(app)[-1] == window_error(window)
            await pilot.press("ctrl+r")
            await settle(app, pilot)
            assert isinstance(app.screen, BuilderScreen)
            assert error_messages(app)[-1] == window_error(window)
            assert app.screen.draft["steps"] == [{"event": "Signup"}, {"event": "View item"}]
            assert app.screen.draft["window"] == window
        assert results == []
        assert app.queries_run == 1

        # Corrected, the same draft applies.
        await pilot.press("ctrl+a", "ctrl+k", *"90m", "ctrl+r")
        await settle(app, pilot)
        assert [definition.window_seconds for definition in results] == [5400]


async def test_retention_built_and_applied(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        results = await open_builder(app, pilot)
        await switch_type(app, pilot, "retention")
        assert list_labels(app) == ["Start   Signup", "Return  View item"]

        await pilot.press("j")
        await add_filter(app, pilot, "f", "plan", "pro")
        await pilot.press("tab")
        assert app.screen.focused.id == "period"
        await choose(pilot, 1)
        await pilot.press("tab", "4", "tab")
        assert app.screen.focused.id == "mode"
        await choose(pilot, 1)
        await pilot.press("tab", "space")

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert [definition.to_json() for definition in results] == [{
            "type": "retention",
            "start": {"event": "Signup"},
            "return": {"event": "View item", "where": [PRO_PLAN]},
            "period": "week",
            "periods": 4,
            "mode": "on_or_after",
            "rolling": True,
            "interval": "week",
            "range": RANGE,
        }]


async def test_retention_keeps_both_events(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        await open_builder(app, pilot)
        await switch_type(app, pilot, "retention")
        await pilot.press("x")
        assert app.screen.draft["start"] == {"event": "Signup"}
        await pilot.press("a")
        assert not isinstance(app.screen, ChoiceScreen)

        # Enter changes the highlighted event.
        await pilot.press("j", "enter")
        await pick_event(app, pilot, "pay")
        assert app.screen.draft["return"] == {"event": MARKUP_EVENT}
        assert list_labels(app)[1] == f"Return  {MARKUP_EVENT}"
        prompt = app.screen.query_one(SeriesList).get_option_at_index(1).prompt
        assert prompt.plain == f"Return  {MARKUP_EVENT}"


async def test_sessions_built_and_applied(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        results = await open_builder(app, pilot)
        await switch_type(app, pilot, "sessions")
        assert list_labels(app) == []

        await add_filter(app, pilot, "w", "platform", "iOS")
        assert list_labels(app) == ["Every event where platform = iOS"]
        await pilot.press("tab")
        assert app.screen.focused.id == "measure"
        await choose(pilot, 1)
        await pilot.press("tab", "tab")
        assert app.screen.focused.id == "interval"
        await choose(pilot, 1)

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert [definition.to_json() for definition in results] == [{
            "type": "sessions",
            "measure": "avg_length",
            "interval": "week",
            "range": RANGE,
            "where": [ON_IOS],
        }]


@pytest.mark.skipif("length" not in SESSION_MEASURES, reason="the sessions length distribution is not defined yet")
async def test_session_length_buckets(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        results = await open_builder(app, pilot)
        await switch_type(app, pilot, "sessions")
        buckets_row = app.screen.query_one("#length-buckets-row")
        assert not buckets_row.display

        await pilot.press("tab")
        await choose(pilot, SESSION_MEASURES.index("length"))
        assert buckets_row.display
        await pilot.press("tab", *"10s, 1m, 5m")
        assert app.screen.draft["length_buckets"] == [10, 60, 300]

        # Another measure leaves the edges out, and the length distribution takes them back.
        await pilot.press("shift+tab")
        await choose(pilot, -1)
        assert "length_buckets" not in app.screen.draft
        assert not buckets_row.display
        await choose(pilot, 1)
        assert app.screen.draft["length_buckets"] == [10, 60, 300]

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert [definition.to_json() for definition in results] == [{
            "type": "sessions",
            "measure": "length",
            "interval": "day",
            "range": RANGE,
            "length_buckets": [10, 60, 300],
        }]


async def test_chart_wide_filter_added_removed(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        results = await open_builder(app, pilot)
        await add_filter(app, pilot, "w", "platform", "iOS")
        # f on a chart-wide row adds another chart-wide filter.
        await pilot.press("G")
        await add_filter(app, pilot, "f", "plan", "pro")
        assert app.screen.draft["where"] == [ON_IOS, PRO_PLAN]
        assert app.screen.draft["events"] == START_CHART["events"]
        assert list_labels(app) == [
            "A  Signup", "B  View item", "Every event where platform = iOS", "Every event where plan = pro",
        ]

        # x removes the highlighted chart-wide filter.
        await pilot.press("G", "up", "x")
        assert app.screen.draft["where"] == [PRO_PLAN]
        await pilot.press("x")
        assert "where" not in app.screen.draft
        assert list_labels(app) == ["A  Signup", "B  View item"]

        await add_filter(app, pilot, "w", "platform", "iOS")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert [definition.where[0].to_json() for definition in results] == [ON_IOS]
        assert app.definition.where[0].to_json() == ON_IOS


async def test_switching_types_keeps_shared_settings(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        results = await open_builder(app, pilot)
        app.screen.query_one("#range-from", Input).value = "2024-03-02"
        app.screen.query_one("#range-to", Input).value = "2024-03-04"
        await add_filter(app, pilot, "w", "platform", "iOS")

        for kind in ("funnel", "sessions", "retention"):
            await switch_type(app, pilot, kind)
            assert app.screen.query_one("#range-from", Input).value == "2024-03-02"
            assert app.screen.query_one("#range-to", Input).value == "2024-03-04"
            assert app.screen.query_one("#interval", Select).value == "day"
            assert app.screen.draft["where"] == [ON_IOS]
        await switch_type(app, pilot, "segmentation")

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert [definition.to_json() for definition in results] == [{
            "type": "segmentation",
            "events": [{"event": "Signup"}, {"event": "View item"}],
            "measure": "uniques",
            "interval": "day",
            "range": {"from": "2024-03-02", "to": "2024-03-04"},
            "where": [ON_IOS],
        }]


async def test_type_keys_only_where_they_apply(tmp_path):
    path = make_checkout(tmp_path)
    async with running(path) as (app, pilot):
        await open_builder(app, pilot)
        assert "screen.add_exclusion" not in listed_actions(app)
        assert "screen.move_row(1)" in listed_actions(app)
        await pilot.press("e")
        assert isinstance(app.screen, BuilderScreen)
        # Hidden, the key still explains why it does nothing.
        assert [note.message for note in app._notifications] == [
            "Only funnels exclude users who did an event between two steps, and this is a segmentation chart."
        ]
        app.clear_notifications()

        await switch_type(app, pilot, "funnel")
        assert "screen.add_exclusion" in listed_actions(app)

        await switch_type(app, pilot, "sessions")
        assert "screen.move_row(1)" not in listed_actions(app)
        await pilot.press("a")
        assert isinstance(app.screen, BuilderScreen)
        warnings = [note.message for note in app._notifications if note.severity == "warning"]
        assert warnings == ["A sessions chart counts every event, so it takes no events: press w to filter them."]


def listed_actions(app) -> set[str]:
    """Return the actions the key list (?) shows on the current screen."""
    return {entry.action for entry in key_entries(app.screen)}
