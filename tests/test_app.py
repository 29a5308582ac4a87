"""The app's home screen on real project files: cursor, readout, keys, errors and markup in names."""

from contextlib import asynccontextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import duckdb
import pytest
from rich.style import Style
from textual.command import CommandPalette

from builders import build_project
from tui.analytics.definition import parse_chart
from tui.app.chart_view import ChartView
from tui.app.help_screen import HelpScreen
from tui.app.home_screen import HomeScreen
from tui.app.legend import Legend
from tui.app.loupe_app import LoupeApp
from tui.app.plotting import CURSOR_MARKER
from tui.app.microscope.menu import MicroscopeMenu
from tui.store.project import create_project
from tui.store.saved_charts import save_chart

ZONE = "America/Los_Angeles"
DAYS = [date(2024, 3, day) for day in range(1, 6)]
MARKUP_EVENT = "[@click=app.quit]x[/]"

PURCHASES_BY_PLATFORM = {
    "type": "segmentation",
    "events": [{"event": "Purchase"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-05"},
    "group_by": "platform",
}


def shop_events() -> list[dict]:
    """Purchases on five days: more Android users than iOS users every day, so Android is the first segment.

    Android: 5, 7, 9, 11, 13 users, one purchase each, every second one on the pro plan.
    iOS: 1 to 5 users, two purchases each, all on the pro plan. Plus a few signups.
    All at 20:00 and 21:00 UTC, which is midday in Los Angeles, far from day edges.
    """
    events = []
    for index, day in enumerate(DAYS):
        for user in range(2 * index + 5):
            plan = "pro" if user % 2 else "free"
            events.append(_event("Purchase", day, 20, f"android-{index}-{user}", "Android", plan))
        for user in range(index + 1):
            for hour in (20, 21):
                events.append(_event("Purchase", day, hour, f"ios-{index}-{user}", "iOS", "pro"))
        events.append(_event("Signup", day, 20, f"new-{index}", "iOS", "free"))
    return events


def _event(event_type: str, day: date, hour: int, user_id: str, platform: str, plan: str) -> dict:
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)
    return {
        "event_type": event_type,
        "event_time": moment.isoformat(),
        "user_id": user_id,
        "platform": platform,
        "event_properties": {"plan": plan},
    }


def local_day(event: dict) -> date:
    return datetime.fromisoformat(event["event_time"]).astimezone(ZoneInfo(ZONE)).date()


def expected_users(events: list[dict], event_type: str, day: date, **match) -> int:
    """Count the distinct users of ``event_type`` on ``day`` (Los Angeles) whose fields equal ``match``."""
    users = {
        event["user_id"]
        for event in events
        if event["event_type"] == event_type
        and local_day(event) == day
        and all(event.get(key, event["event_properties"].get(key)) == value for key, value in match.items())
    }
    return len(users)


def make_shop(tmp_path, saved: dict | None = PURCHASES_BY_PLATFORM, name: str = "Purchases by platform"):
    """Build the shop project, save ``saved`` in it, and return the file's path and its events."""
    events = shop_events()
    project = build_project(tmp_path, events, timezone=ZONE)
    if saved is not None:
        save_chart(project.con, name, saved)
    project.close()
    return tmp_path / "p.duckdb", events


def text_of(app: LoupeApp, selector: str) -> str:
    return app.home.query_one(selector).content.plain


def error_messages(app: LoupeApp) -> list[str]:
    return [note.message for note in app._notifications if note.severity == "error"]


async def open_app(app: LoupeApp, pilot) -> None:
    """Wait until the chart queries started so far have finished and their result is drawn."""
    await app.workers.wait_for_complete()
    await pilot.pause()


@asynccontextmanager
async def running(path, size=(100, 30)):
    """Run the app on the project at ``path`` and yield it with its pilot once the first chart is drawn."""
    app = LoupeApp(path)
    async with app.run_test(size=size) as pilot:
        await open_app(app, pilot)
        yield app, pilot


async def test_readout_after_cursor_moves(tmp_path):
    path, events = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        assert app.chart_name == "Purchases by platform"

        await pilot.press("g", "right", "right", "down")

        day = DAYS[2]
        ios_users = expected_users(events, "Purchase", day, platform="iOS")
        assert ios_users == 3
        assert text_of(app, "#readout") == (
            f"Purchase · iOS · [2024-03-03 00:00, 2024-03-04 00:00) {ZONE} · {ios_users} users"
        )

        await pilot.press("k")
        android_users = expected_users(events, "Purchase", day, platform="Android")
        assert text_of(app, "#readout").startswith("Purchase · Android · [2024-03-03 00:00")
        assert text_of(app, "#readout").endswith(f"· {android_users} users")


async def test_cursor_keys_reach_every_bucket(tmp_path):
    path, events = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        # The cursor starts on the most recent bucket.
        assert "[2024-03-05 00:00, 2024-03-06 00:00)" in text_of(app, "#readout")

        await pilot.press("g")
        assert "[2024-03-01 00:00, 2024-03-02 00:00)" in text_of(app, "#readout")
        await pilot.press("h")
        assert "[2024-03-01 00:00, 2024-03-02 00:00)" in text_of(app, "#readout")
        await pilot.press("l", "l", "l")
        assert "[2024-03-04 00:00, 2024-03-05 00:00)" in text_of(app, "#readout")
        await pilot.press("G")
        assert "[2024-03-05 00:00, 2024-03-06 00:00)" in text_of(app, "#readout")

        await pilot.press("j", "j", "j")
        last_ios = expected_users(events, "Purchase", DAYS[4], platform="iOS")
        assert text_of(app, "#readout").endswith(f"iOS · [2024-03-05 00:00, 2024-03-06 00:00) {ZONE} · {last_ios} users")


async def test_cursor_moves_run_no_query(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        assert app.queries_run == 1

        await pilot.press("left", "left", "h", "l", "right", "g", "G", "up", "down", "j", "k")
        await app.workers.wait_for_complete()
        assert app.queries_run == 1

        await pilot.press("r")
        await open_app(app, pilot)
        assert app.queries_run == 2


async def test_cursor_drawn_without_colour(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        assert app.no_color
        canvas = app.home.query_one(ChartView).render()
        assert CURSOR_MARKER in canvas.plain
        styles = [span.style if isinstance(span.style, Style) else Style.parse(span.style) for span in canvas.spans]
        assert all(style.color is None for style in styles)


async def test_default_chart_most_frequent_event(tmp_path):
    path, events = make_shop(tmp_path, saved=None)
    async with running(path) as (app, pilot):
        definition = app.definition
        assert app.chart_name is None
        assert [spec.event for spec in definition.events] == ["Purchase"]
        assert definition.measure == "uniques"
        assert definition.interval == "day"
        # The last 30 days of data: the range ends on the last day with events.
        assert definition.range.end == DAYS[-1]
        assert (definition.range.end - definition.range.start).days == 29

        all_users = expected_users(events, "Purchase", DAYS[-1])
        assert text_of(app, "#readout") == (
            f"Purchase · [2024-03-05 00:00, 2024-03-06 00:00) {ZONE} · {all_users} users"
        )


async def test_empty_project_says_so(tmp_path):
    create_project(tmp_path / "p.duckdb").close()
    async with running(tmp_path / "p.duckdb") as (app, pilot):
        assert app.definition is None
        assert "no events yet" in app.home.query_one(ChartView).render().plain
        await pilot.press("right", "enter")
        assert app.is_running


async def test_failed_query_shows_error(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        before = text_of(app, "#readout")

        unknown_cohort = dict(PURCHASES_BY_PLATFORM, cohort="No such cohort")
        app.show_chart(parse_chart(unknown_cohort), "Broken")
        await open_app(app, pilot)

        errors = error_messages(app)
        assert len(errors) == 1
        assert "No such cohort" in errors[0]
        assert app.is_running
        # The previous chart stays, and the keys still work on it.
        assert app.chart_name == "Purchases by platform"
        assert text_of(app, "#readout") == before
        await pilot.press("g")
        assert "[2024-03-01 00:00" in text_of(app, "#readout")


async def test_broken_saved_chart_gives_default(tmp_path):
    path, _ = make_shop(tmp_path, saved=dict(PURCHASES_BY_PLATFORM, cohort="ghosts"))
    async with running(path) as (app, pilot):
        warnings = [note.message for note in app._notifications if note.severity == "warning"]
        assert len(warnings) == 1
        assert "'Purchases by platform'" in warnings[0]
        assert "ghosts" in warnings[0]

        assert app.chart_name is None
        assert [spec.event for spec in app.definition.events] == ["Purchase"]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_markup_in_event_name_shown_literally(tmp_path):
    events = [
        {"event_type": MARKUP_EVENT, "event_time": f"2024-03-0{day}T12:00:00Z", "user_id": f"u{day}"}
        for day in range(1, 4)
    ]
    build_project(tmp_path, events).close()
    async with running(tmp_path / "p.duckdb") as (app, pilot):
        assert text_of(app, "#readout") == f"{MARKUP_EVENT} · [2024-03-03 00:00, 2024-03-04 00:00) UTC · 1 user"
        assert MARKUP_EVENT in app.home.query_one(Legend).render().plain
        assert MARKUP_EVENT in text_of(app, "#chart-title")

        # Clicking the text would quit the app if its markup were parsed.
        await pilot.click("#readout")
        await pilot.click("#legend")
        await pilot.press("enter")
        assert isinstance(app.screen, MicroscopeMenu)
        await pilot.click("#point-header")
        assert app.is_running


async def test_escape_sequence_in_event_name_not_sent(tmp_path):
    name = "Buy\x1b[31mRED\x07"
    events = [{"event_type": name, "event_time": "2024-03-01T12:00:00Z", "user_id": "u"}]
    build_project(tmp_path, events).close()
    async with running(tmp_path / "p.duckdb") as (app, pilot):
        readout = text_of(app, "#readout")
        assert "\x1b" not in readout
        assert readout.startswith("Buy\\x1b[31mRED\\x07 · ")


async def test_microscope_menu_and_escape(tmp_path):
    path, events = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        await pilot.press("g", "down", "enter")
        await open_app(app, pilot)
        assert isinstance(app.screen, MicroscopeMenu)
        ios_users = expected_users(events, "Purchase", DAYS[0], platform="iOS")
        header = app.screen.query_one("#point-header").plain()
        assert header.startswith(f"Purchase · iOS · [2024-03-01 00:00, 2024-03-02 00:00) {ZONE}\n")
        assert f"point = {ios_users}, list = {ios_users}" in header
        assert "Purchases by platform · Purchase" in header

        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_help_lists_every_home_key(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)

        listed = {entry.description: entry.keys for entry in app.screen.entries}
        for binding in HomeScreen.BINDINGS:
            # Keys of other chart types (t on retention, c on funnels) are left off on this segmentation chart.
            shown = app.home.check_action(binding.action.split("(")[0], ()) is not False
            assert ((binding.tooltip or binding.description) in listed) == shown, binding.key
        assert listed["Previous bucket"] == ["←", "h"]
        assert listed["List every key"] == ["?"]

        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_palette_lists_loupe_actions(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)

        await pilot.press(*"builder")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "BuilderScreen"


async def test_q_quits_from_home_only(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        await pilot.press("escape")
        assert app.is_running
        assert isinstance(app.screen, HomeScreen)

        await pilot.press("enter")
        await pilot.press("q")
        assert app.is_running
        assert isinstance(app.screen, HomeScreen)

        await pilot.press("q")
    assert app.return_code == 0
    assert not app.is_running


@pytest.mark.parametrize("size", [(80, 24), (40, 12), (20, 6)])
async def test_small_terminals_still_usable(tmp_path, size):
    path, _ = make_shop(tmp_path)
    async with running(path, size=size) as (app, pilot):
        await pilot.press("g", "down")
        assert "iOS" in text_of(app, "#readout")
        assert app.home.query_one(ChartView).render().plain.strip()


async def test_escape_interrupts_running_query(tmp_path):
    path, _ = make_shop(tmp_path)
    outcome = {}

    def slow_job(cursor):
        # Minutes of work unless interrupted; progress tracking shows when it has started.
        cursor.execute("SET enable_progress_bar = true")
        cursor.execute("SET enable_progress_bar_print = false")
        try:
            cursor.execute("SELECT sum(i * i) FROM range(50_000_000_000) t(i)").fetchall()
        except duckdb.InterruptException:
            outcome["interrupted"] = True
            raise
        outcome["finished"] = True

    async with running(path) as (app, pilot):
        readout = text_of(app, "#readout")
        app._start(slow_job)
        query = app._query
        while query.progress() < 0:
            await pilot.pause()
        assert "Running query" in text_of(app, "#chart-title")

        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()

        assert outcome == {"interrupted": True}
        assert not app.query_running
        assert error_messages(app) == []
        assert "Running query" not in text_of(app, "#chart-title")
        assert text_of(app, "#readout") == readout
        assert app.is_running
