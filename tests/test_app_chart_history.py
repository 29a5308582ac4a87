"""Chart history on the home screen: Backspace and the palette return to the chart before a change, cursor included."""

from textual.widgets import Input

from builders import build_project
from microscope_app import error_messages, press, running
from tui.app.home_screen import HomeScreen
from tui.store.saved_charts import save_chart

# Signups on the first three Mondays of January 2024 (1, 2 and 3 users, a week each) and one Buy in the first week.
WEEKLY = {
    "type": "segmentation",
    "events": [{"event": "Signup"}, {"event": "Buy"}],
    "measure": "uniques",
    "interval": "week",
    "range": {"from": "2024-01-01", "to": "2024-01-21"},
}
DAILY_BUYS = {
    "type": "segmentation",
    "events": [{"event": "Buy"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-01-01", "to": "2024-01-03"},
}


def history_project(tmp_path):
    events = []
    for week, users in ((0, 1), (1, 2), (2, 3)):
        for user in range(users):
            day = 1 + 7 * week
            moment = f"2024-01-{day:02d}T10:00:00Z"
            events.append({"event_type": "Signup", "event_time": moment, "user_id": f"w{week}-{user}"})
    events.append({"event_type": "Buy", "event_time": "2024-01-02T10:00:00Z", "user_id": "w0-0"})
    project = build_project(tmp_path, events)
    save_chart(project.con, "Buys daily", DAILY_BUYS)
    save_chart(project.con, "Weekly signups", WEEKLY)
    path = project.path
    project.close()
    return path


def title(app) -> str:
    return app.home.query_one("#chart-title").content.plain


def cursor(app) -> tuple[int, int]:
    return app.points.bucket_index, app.points.line_index


async def test_back_after_zoom_restores_cursor(tmp_path):
    async with running(history_project(tmp_path), size=(140, 36)) as (app, pilot):
        assert app.chart_name == "Weekly signups"
        assert app.chart_origin is None
        # The middle week of signups: two users.
        await press(app, pilot, "h")
        assert cursor(app) == (1, 0)
        assert app.points.point().value == 2

        await press(app, pilot, "enter", "z")
        assert isinstance(app.screen, HomeScreen)
        assert app.definition.interval == "day"
        assert app.chart_name is None
        assert title(app).startswith("Unsaved, zoomed in from “Weekly signups” · ")
        assert len(app.history) == 1

        queries = app.queries_run
        await press(app, pilot, "backspace")
        assert app.queries_run == queries
        assert app.chart_name == "Weekly signups"
        assert app.definition.interval == "week"
        assert cursor(app) == (1, 0)
        assert app.points.point().value == 2
        assert not title(app).startswith("Unsaved")
        assert len(app.history) == 0

        # Nothing is left to go back to: the chart stays, with a warning.
        await press(app, pilot, "backspace")
        assert app.chart_name == "Weekly signups"
        assert [note.message for note in app._notifications if note.severity == "warning"] == [
            "There is no previous chart: this is the first chart shown."
        ]
        assert error_messages(app) == []


async def test_back_walks_several_changes(tmp_path):
    async with running(history_project(tmp_path), size=(140, 36)) as (app, pilot):
        await press(app, pilot, "h", "j")
        assert cursor(app) == (1, 1)
        # Filter to the Buy series, then zoom into its week: two unsaved charts that keep the saved chart's name.
        await press(app, pilot, "enter", "f")
        assert [spec.event for spec in app.definition.events] == ["Buy"]
        assert title(app).startswith("Unsaved, filtered to one line from “Weekly signups” · ")
        await press(app, pilot, "g")
        await press(app, pilot, "enter", "z")
        assert app.definition.interval == "day"
        assert title(app).startswith("Unsaved, zoomed in from “Weekly signups” · ")

        await press(app, pilot, "backspace")
        assert app.definition.interval == "week"
        assert [spec.event for spec in app.definition.events] == ["Buy"]
        assert title(app).startswith("Unsaved, filtered to one line from “Weekly signups” · ")
        assert cursor(app) == (0, 0)

        await press(app, pilot, "backspace")
        assert app.chart_name == "Weekly signups"
        assert cursor(app) == (1, 1)


async def test_back_after_saved_chart_and_reload(tmp_path):
    async with running(history_project(tmp_path), size=(140, 36)) as (app, pilot):
        await press(app, pilot, "g")
        app.open_saved_chart("Buys daily")
        await press(app, pilot)
        assert app.chart_name == "Buys daily"
        assert app.chart_origin is None

        # Running the chart again is no change, so Back skips it.
        await press(app, pilot, "r")
        assert len(app.history) == 1
        await press(app, pilot, "backspace")
        assert app.chart_name == "Weekly signups"
        assert cursor(app) == (0, 0)


async def test_back_from_builder_apply(tmp_path):
    async with running(history_project(tmp_path), size=(140, 36)) as (app, pilot):
        await press(app, pilot, "b")
        app.screen.query_one("#range-from", Input).value = "2024-01-08"
        await press(app, pilot, "ctrl+r")
        assert isinstance(app.screen, HomeScreen)
        assert app.definition.to_json()["range"] == {"from": "2024-01-08", "to": "2024-01-21"}
        assert title(app).startswith("Unsaved, edited in the builder from “Weekly signups” · ")

        await press(app, pilot, "backspace")
        assert app.chart_name == "Weekly signups"
        assert app.definition.to_json()["range"] == {"from": "2024-01-01", "to": "2024-01-21"}


async def test_back_in_command_palette(tmp_path):
    async with running(history_project(tmp_path), size=(140, 36)) as (app, pilot):
        await press(app, pilot, "enter", "z")
        assert app.chart_name is None

        await press(app, pilot, "ctrl+p")
        await press(app, pilot, *"Back to the previous chart")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == "Weekly signups"
