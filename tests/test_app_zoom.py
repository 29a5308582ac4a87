"""Zoom in, filter to series and exclude series in the app: the new chart's buckets, series and values."""

from datetime import datetime, timedelta, timezone

import pytest

from builders import build_project
from ecom_app import VIEWS_BY_PLATFORM, csv_users, line_values, messages, run_menu_action, with_chart
from microscope_app import ecom, ecom_template, press, running
from tui.analytics.definition import parse_chart
from tui.analytics.point import Point
from tui.app.chart_changes import ChartChangeError, excluded_line, filtered_to_line, zoomed
from tui.app.home_screen import HomeScreen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.selection import current_point

__all__ = ["ecom", "ecom_template"]

SETTINGS = {"timezone": "UTC", "week_start": "monday"}
# Plans v01 to v12, plan vNN bought by 13 - NN users, and three users without a plan.
PLAN_USERS = {f"v{number:02d}": 13 - number for number in range(1, 13)}
NO_PLAN_USERS = 3
BUYS_BY_PLAN = {
    "type": "segmentation", "events": [{"event": "Buy"}], "measure": "uniques",
    "interval": "day", "range": {"from": "2024-03-02", "to": "2024-03-03"}, "group_by": "plan",
}


def plan_events() -> list[dict]:
    events = []
    for plan, users in PLAN_USERS.items():
        for user in range(users):
            events.append({"event_type": "Buy", "event_time": "2024-03-03T10:00:00Z", "user_id": f"{plan}-{user}",
                           "event_properties": {"plan": plan}})
    for user in range(NO_PLAN_USERS):
        events.append({"event_type": "Buy", "event_time": "2024-03-03T11:00:00Z", "user_id": f"none-{user}"})
    return events


async def move_to_line(app, pilot, series: int, segment: str | None) -> None:
    """Move the chart cursor to the line of ``series`` and ``segment``."""
    lines = [(line.series, line.segment) for line in app.points.lines]
    steps = lines.index((series, segment)) - app.points.line_index
    await press(app, pilot, *(["j"] * steps if steps > 0 else ["k"] * -steps))
    assert lines[app.points.line_index] == (series, segment)


async def test_zoom_day_gives_hours_of_day(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        queries = app.queries_run
        await run_menu_action(app, pilot, "z", HomeScreen)

        assert app.queries_run == queries + 1
        assert app.definition.interval == "hour"
        assert app.definition.to_json()["range"] == {"from": "2024-03-16", "to": "2024-03-16"}
        assert app.chart_name is None
        day = datetime(2024, 3, 16, tzinfo=timezone.utc)
        hours = [day + timedelta(hours=hour) for hour in range(25)]
        assert [start.to_pydatetime() for start in app.points.bucket_starts] == hours[:-1]

        expected = tuple(
            float(len(csv_users("product_view", f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", platform="desktop")))
            for start, end in zip(hours, hours[1:])
        )
        assert line_values(app)[(0, "desktop")] == expected
        assert sum(expected) >= 10

        # Hourly is the finest interval: the menu shows zoom disabled with the reason.
        await press(app, pilot, "enter")
        reason = "Zoom in: hourly is the finest interval, so an hourly chart cannot zoom in further."
        assert app.screen.reasons["zoom"] == reason
        await press(app, pilot, "z")
        assert isinstance(app.screen, MicroscopeMenu)
        assert messages(app, "warning") == [reason]
        await press(app, pilot, "escape")
        app.zoom_in(current_point(app))
        await press(app, pilot)
        assert messages(app, "warning") == [reason, reason]
        assert app.queries_run == queries + 1


@pytest.mark.parametrize(
    "interval, bucket, finer, days",
    [
        ("month", 1, "week", ("2024-02-01", "2024-02-29")),
        ("week", 0, "day", ("2024-01-10", "2024-01-14")),
        ("week", 1, "day", ("2024-01-15", "2024-01-21")),
        ("day", 3, "hour", ("2024-01-13", "2024-01-13")),
    ],
)
def test_zoom_ranges(interval, bucket, finer, days):
    chart = {"type": "segmentation", "events": [{"event": "Buy"}], "interval": interval,
             "range": {"from": "2024-01-10", "to": "2024-03-20"}}
    definition = zoomed(Point(parse_chart(chart), 0, None, bucket), SETTINGS)
    assert definition.interval == finer
    assert (definition.range.start.isoformat(), definition.range.end.isoformat()) == days


async def test_filter_and_exclude_segments(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        before = line_values(app)
        assert (0, "desktop") in before
        assert (0, "mobile") in before

        await run_menu_action(app, pilot, "f", HomeScreen)
        assert app.definition.to_json()["events"] == [
            {"event": "product_view", "where": [{"property": "platform", "op": "=", "value": "desktop"}]}
        ]
        assert app.definition.group_by == "platform"
        assert line_values(app) == {(0, "desktop"): before[(0, "desktop")]}

    async with running(ecom) as (app, pilot):
        await run_menu_action(app, pilot, "x", HomeScreen)
        assert app.definition.events[0].where[0].to_json() == {"property": "platform", "op": "!=", "value": "desktop"}
        after = line_values(app)
        assert after == {key: values for key, values in before.items() if key != (0, "desktop")}

        await move_to_line(app, pilot, 0, "mobile")
        await run_menu_action(app, pilot, "x", HomeScreen)
        assert app.definition.to_json()["events"][0]["where"] == [
            {"property": "platform", "op": "not in", "value": ["desktop", "mobile"]}
        ]
        # The purchase series keeps all of its segments.
        assert line_values(app) == {key: values for key, values in before.items() if key[0] == 1 or key == (0, "tablet")}


async def test_filter_and_exclude_series(ecom):
    chart = {key: value for key, value in VIEWS_BY_PLATFORM.items() if key != "group_by"}
    async with running(with_chart(ecom, chart, "Views and purchases")) as (app, pilot):
        before = line_values(app)
        await press(app, pilot, "j")
        await run_menu_action(app, pilot, "x", HomeScreen)
        assert [spec.event for spec in app.definition.events] == ["product_view"]
        assert line_values(app) == {(0, None): before[(0, None)]}

        # One series left: neither change applies.
        await press(app, pilot, "enter")
        reasons = app.screen.reasons
        assert reasons["filter"] == "Filter to series: the chart shows only this line, so there is nothing to keep."
        assert reasons["exclude"] == "Exclude series: the chart shows only this line, so there is nothing to drop."

    async with running(ecom) as (app, pilot):
        await press(app, pilot, "j")
        await run_menu_action(app, pilot, "f", HomeScreen)
        assert [spec.event for spec in app.definition.events] == ["purchase"]
        assert line_values(app) == {(0, None): before[(1, None)]}


async def test_other_and_none_segments(tmp_path):
    build_project(tmp_path, plan_events()).close()
    async with running(with_chart(tmp_path / "p.duckdb", BUYS_BY_PLAN)) as (app, pilot):
        before = line_values(app)
        assert before[(0, "(other)")][-1] == PLAN_USERS["v11"] + PLAN_USERS["v12"]
        assert before[(0, "(none)")][-1] == NO_PLAN_USERS

        await move_to_line(app, pilot, 0, "(other)")
        await press(app, pilot, "enter")
        assert app.screen.reasons["exclude"] == (
            "Exclude series: a filter cannot drop (other) and keep (none) too. Filter to the segments to keep instead."
        )
        await press(app, pilot, "f")
        assert app.definition.events[0].where[0].to_json() == {"property": "plan", "op": "set"}
        assert line_values(app) == {(0, "v11"): (0.0, 2.0), (0, "v12"): (0.0, 1.0)}

    async with running(tmp_path / "p.duckdb") as (app, pilot):
        await move_to_line(app, pilot, 0, "(none)")
        await run_menu_action(app, pilot, "x", HomeScreen)
        assert line_values(app) == {key: values for key, values in before.items() if key != (0, "(none)")}

        await move_to_line(app, pilot, 0, "(other)")
        await run_menu_action(app, pilot, "x", HomeScreen)
        top_plans = [f"v{number:02d}" for number in range(1, 11)]
        assert app.definition.to_json()["events"][0]["where"] == [
            {"property": "plan", "op": "set"}, {"property": "plan", "op": "in", "value": top_plans},
        ]
        assert line_values(app) == {(0, plan): before[(0, plan)] for plan in top_plans}

    async with running(tmp_path / "p.duckdb") as (app, pilot):
        await move_to_line(app, pilot, 0, "(none)")
        await run_menu_action(app, pilot, "f", HomeScreen)
        assert line_values(app) == {(0, "(none)"): before[(0, "(none)")]}


def test_changes_rejected_on_funnel():
    funnel = parse_chart({"type": "funnel", "steps": [{"event": "A"}, {"event": "B"}],
                          "range": {"from": "2024-01-01", "to": "2024-01-31"}})
    point = Point(funnel, 0, None, 0)
    for change, arguments, message in (
        (zoomed, (SETTINGS,), "Zoom in: a funnel's steps have no time axis. Its conversion over time (T on the chart) zooms in."),
        (filtered_to_line, ([None],), "Filter to series: no Group by, so each step has one bar."),
        (excluded_line, ([None],), "Exclude series: no Group by, so each step has one bar."),
    ):
        with pytest.raises(ChartChangeError) as raised:
            change(point, *arguments)
        assert str(raised.value) == message
