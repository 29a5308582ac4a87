"""Home screen defects found in a walk-through: the marked line, the keys dialog, key reasons, legends, titles.

The project: five days of views, carts and buys by users on three
platforms (iOS, Android, Web), with a saved event segmentation chart of
views by platform that the app opens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rich.cells import cell_len

from builders import build_project
from microscope_app import press, readout, running
from tui.analytics.definition import parse_chart
from tui.app.chart_view import ChartView
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.help_screen import HelpScreen
from tui.app.legend import Legend
from tui.app.microscope.annotation_dialog import AnnotationDialog
from tui.app.microscope.menu import MicroscopeMenu
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

PLATFORMS = ("iOS", "Android", "Web")
VIEWS_BY_PLATFORM = {
    "type": "segmentation",
    "events": [{"event": "view"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-05"},
    "group_by": "platform",
}
FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "view"}, {"event": "cart"}, {"event": "buy"}],
    "window": "1d",
    "range": {"from": "2024-03-01", "to": "2024-03-05"},
}


def shop_events() -> list[dict]:
    """Return each platform's users' events: user K of a platform views on days 1 to K+2, carts and buys on day 1."""
    events = []
    for number, platform in enumerate(PLATFORMS, start=1):
        for user_index in range(number):
            user = f"{platform}-{user_index}"
            for day in range(1, user_index + 3):
                events.append(view_event(user, platform, day))
            events.append(shop_event("cart", user, platform, 1, "10:05"))
            if user_index == 0:
                events.append(shop_event("buy", user, platform, 1, "10:10"))
    return events


def view_event(user: str, platform: str, day: int) -> dict:
    return shop_event("view", user, platform, day, "10:00")


def shop_event(event_type: str, user: str, platform: str, day: int, clock: str) -> dict:
    when = f"2024-03-{day:02d}T{clock}:00Z"
    return {"event_type": event_type, "event_time": when, "user_id": user, "platform": platform}


@pytest.fixture
def shop(tmp_path) -> Path:
    project = build_project(tmp_path, shop_events())
    save_chart(project.con, "Views by platform", VIEWS_BY_PLATFORM)
    project.close()
    return tmp_path / "p.duckdb"


def act_as(path: Path, name: str, role: str) -> None:
    with open_project(path) as project:
        project.set_member(name, role)
        project.set_setting("current_member", name)


async def show(app, pilot, chart: dict) -> None:
    """Show the unsaved chart ``chart`` and wait until it is drawn."""
    app.show_chart(parse_chart(chart))
    await press(app, pilot)


# The marked point's line in the readout ------------------------------------------------


async def test_mark_line_hidden_on_funnel(shop):
    async with running(shop, size=(80, 24)) as (app, pilot):
        await press(app, pilot, "m")
        assert "\nmarked: view · " in readout(app)

        await show(app, pilot, FUNNEL)
        assert app.marked_point is not None
        assert "marked:" not in readout(app)

        # Back on the chart it was marked on, the line shows again.
        await press(app, pilot, "backspace")
        assert "\nmarked: view · " in readout(app)


async def test_mark_line_kept_after_zoom(shop):
    async with running(shop, size=(80, 24)) as (app, pilot):
        await press(app, pilot, "m")
        first_day = {"from": "2024-03-01", "to": "2024-03-01"}
        await show(app, pilot, {**VIEWS_BY_PLATFORM, "interval": "hour", "range": first_day})
        assert "\nmarked: view · " in readout(app)


async def test_escape_clears_mark(shop):
    async with running(shop, size=(80, 24)) as (app, pilot):
        await press(app, pilot, "m")
        assert app.marked_point is not None

        await press(app, pilot, "escape")
        assert app.marked_point is None
        assert "marked:" not in readout(app)
        messages = [note.message for note in app._notifications]
        assert messages[-1] == "The point is no longer marked."


async def test_keys_dialog_says_how_to_clear_mark(shop):
    async with running(shop, size=(80, 24)) as (app, pilot):
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        descriptions = {tuple(entry.keys): entry.description for entry in app.screen.entries}
        assert "m on it again or Esc clears the mark" in descriptions[("m",)]
        assert descriptions[("esc",)] == "Cancel the running query, or else clear the marked point"


# The keys dialog ------------------------------------------------------------------------


def dialog_lines(app) -> dict[str, str]:
    """Return the keys dialog's rows as key text -> description."""
    return {" ".join(entry.keys): entry.description for entry in app.screen.entries}


async def test_keys_dialog_words_textual_keys(shop):
    async with running(shop, size=(80, 24)) as (app, pilot):
        await press(app, pilot, "question_mark")
        lines = dialog_lines(app)
        assert lines["^q"] == "Quit Loupe from any screen"
        assert lines["^c"] == "Copy the text selected with the mouse"
        assert lines["^p"] == "Open the command palette"
        # Only the chart takes the focus on the home screen, so tab would do nothing.
        assert "tab" not in lines
        assert "shift+tab" not in lines
        assert not any("super+" in keys for keys in lines)


async def test_builder_keys_in_sentence_case(shop):
    async with running(shop, size=(80, 24)) as (app, pilot):
        await press(app, pilot, "b", "question_mark")
        lines = dialog_lines(app)
        assert lines["tab"] == "Move the focus to the next field"
        assert lines["shift+tab"] == "Move the focus to the previous field"
        for description in lines.values():
            words = description.split()
            # Only the first word of a description starts with a capital (names such as Loupe or Esc aside).
            capitals = [word for word in words[1:] if word[:1].isupper() and word not in ("Loupe", "Esc")]
            assert capitals == [], description
            assert not description.endswith(".")


# Why a chart change or an annotation does not apply ---------------------------------------


async def open_menu(app, pilot, *keys: str) -> MicroscopeMenu:
    await press(app, pilot, *keys, "enter")
    assert isinstance(app.screen, MicroscopeMenu)
    return app.screen


async def test_ungrouped_funnel_exclude_reason(shop):
    async with running(shop, size=(80, 24)) as (app, pilot):
        await show(app, pilot, FUNNEL)
        menu = await open_menu(app, pilot)
        assert menu.reasons["exclude"] == "Exclude series: no Group by, so each step has one bar."
        assert menu.reasons["zoom"] == (
            "Zoom in: a funnel's steps have no time axis. Its conversion over time (T on the chart) zooms in."
        )

        await press(app, pilot, "escape", "T")
        menu = await open_menu(app, pilot)
        assert menu.reasons["exclude"] == (
            "Exclude series: no Group by, so there is one line."
        )


async def test_zoom_on_conversion_over_time(shop):
    async with running(shop, size=(80, 24)) as (app, pilot):
        await show(app, pilot, FUNNEL)
        await press(app, pilot, "T", "g")
        menu = await open_menu(app, pilot)
        assert menu.reasons["zoom"] is None

        await press(app, pilot, "z")
        assert app.definition.type == "funnel"
        assert app.definition.interval == "hour"
        assert (str(app.definition.range.start), str(app.definition.range.end)) == ("2024-03-01", "2024-03-01")
        # The zoomed funnel opens on its conversion over time, as the chart it was zoomed from.
        assert isinstance(app.points, FunnelOverTimePoints)
        assert len(app.points.bucket_starts) == 24
        # At 80 columns the title still ends with the zoomed day, after the chart's origin, type and window.
        title = app.home.query_one("#chart-title").content.plain
        assert title.startswith("Unsaved, zoomed in from ")
        assert title.endswith(" · Funnel: … · window 1d … · 2024-03-01")


async def test_annotation_on_conversion_over_time(shop):
    act_as(shop, "ana", "admin")
    async with running(shop, size=(100, 30)) as (app, pilot):
        await show(app, pilot, FUNNEL)
        menu = await open_menu(app, pilot)
        assert menu.reasons["annotation"] == (
            "Add annotation: a funnel's steps have no time axis. "
            "Its conversion over time (T on the chart) takes annotations."
        )

        await press(app, pilot, "escape", "T", "g", "l")
        menu = await open_menu(app, pilot)
        assert menu.reasons["annotation"] is None
        await press(app, pilot, "a")
        assert isinstance(app.screen, AnnotationDialog)
        assert app.screen.query_one("#annotation-day").value == "2024-03-02"
        await press(app, pilot, *"Promo", "enter")

        # The annotation is drawn on the conversion over time, on its day's bucket.
        while app.screen is not app.home:
            await press(app, pilot, "escape")
        assert [marker.label for marker in app.markers] == ["Promo"]
        assert "▼" in app.home.query_one(ChartView).render().plain


# The grouped funnel's legend ----------------------------------------------------------


async def test_grouped_funnel_legend_marks_unique(shop):
    async with running(shop, size=(100, 30)) as (app, pilot):
        await show(app, pilot, {**FUNNEL, "group_by": "platform"})
        assert app.points.segments == ["Web", "Android", "iOS"]
        legend = app.home.query_one(Legend).render().plain
        assert legend.startswith("• Web   + Android   x iOS   •/+/x converted   ░ dropped off   1 view")

        # Each entry's symbol (the text before its first space) differs from every other entry's.
        symbols = [entry.split(" ", 1)[0] for entry in legend.replace("\n", "   ").split("   ")]
        assert len(symbols) == len(set(symbols))


# The title ------------------------------------------------------------------------------


async def test_long_title_shows_range_end(shop):
    long_filter = {"property": "platform", "op": "in", "value": [f"platform {number}" for number in range(12)]}
    chart = {**VIEWS_BY_PLATFORM, "events": [{"event": "view", "where": [long_filter]}]}
    async with running(shop, size=(120, 30)) as (app, pilot):
        await show(app, pilot, chart)
        title = app.home.query_one("#chart-title").content.plain
        # The name of the chart it came from is cut first, then the range's repeated year, then the filter.
        assert title.startswith("Unsaved, edited in the builder from “Views by pla…” · view …")
        assert title.endswith("… · Unique users · Daily · 2024-03-01 … 03-05 · by platform")
        # The title's row is the screen's width less one cell of padding each side.
        assert cell_len(title) == 118

        # A narrower screen cuts the title again.
        await pilot.resize_terminal(115, 30)
        await press(app, pilot)
        title = app.home.query_one("#chart-title").content.plain
        assert title.endswith("… · Unique users · Daily · 2024-03-01 … 03-05 · by platform")
        assert cell_len(title) == 113


# Excluding a line -----------------------------------------------------------------------


def line_markers(app) -> dict[str, str]:
    """Return each line's segment -> its marker, as the legend lists them (``• view · Web``)."""
    legend = app.home.query_one(Legend).render().plain
    entries = legend.replace("\n", "   ").split("   ")
    return {entry.split(" · ")[-1]: entry.split(" ", 1)[0] for entry in entries if " view · " in f" {entry}"}


async def test_exclude_keeps_cursor_and_markers(shop):
    async with running(shop, size=(100, 30)) as (app, pilot):
        assert [line.segment for line in app.points.lines] == ["Web", "Android", "iOS"]
        assert line_markers(app) == {"Web": "•", "Android": "+", "iOS": "x"}

        # On March 1 Web has 3 users, Android 2 and iOS 1: Android is nearest to Web's point.
        await press(app, pilot, "g", "enter", "x")
        assert [line.segment for line in app.points.lines] == ["Android", "iOS"]
        assert line_markers(app) == {"Android": "+", "iOS": "x"}
        assert app.points.bucket_index == 0
        assert app.points.point().segment == "Android"
        assert readout(app).startswith("view · Android · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 2 users")

        legend = app.home.query_one(Legend).render().plain
        assert legend.startswith("+ view · Android   x view · iOS")
        drawn = app.home.query_one(ChartView).render().plain
        assert "•" not in drawn


async def test_exclude_second_line_keeps_bucket(shop):
    async with running(shop, size=(100, 30)) as (app, pilot):
        # March 3, on iOS (0 users): excluding it leaves Android (1 user) nearest.
        await press(app, pilot, "g", "l", "l", "j", "j", "enter", "x")
        assert [line.segment for line in app.points.lines] == ["Web", "Android"]
        assert line_markers(app) == {"Web": "•", "Android": "+"}
        assert app.points.bucket_index == 2
        assert app.points.point().segment == "Android"
