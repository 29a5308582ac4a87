"""Markers on a chart with its own time zone sit on the chart's days, not on the project's."""

from builders import build_project
from ecom_app import columns_of, cursor_column
from microscope_app import error_messages, running
from tui.store.annotations import add_annotation
from tui.store.saved_charts import save_chart

# Project days are UTC. The chart cuts Los Angeles days (UTC-8 in early March 2024, before DST on the 10th).
LA_DAILY = {
    "type": "segmentation",
    "events": [{"event": "Open"}],
    "measure": "totals",
    "interval": "day",
    "range": {"from": "2024-03-03", "to": "2024-03-07"},
    "timezone": "America/Los_Angeles",
}
LA_HOURLY = dict(LA_DAILY, interval="hour", range={"from": "2024-03-04", "to": "2024-03-05"})


def zone_project(tmp_path, chart: dict):
    # Just before and after midnight UTC on March 5: both still March 4 in Los Angeles (15:30 and 16:30).
    events = [
        {"event_type": "Open", "event_time": "2024-03-04T23:30:00Z", "user_id": "a"},
        {"event_type": "Open", "event_time": "2024-03-05T00:30:00Z", "user_id": "b"},
        {"event_type": "Open", "event_time": "2024-03-05T09:00:00Z", "user_id": "c"},
    ]
    project = build_project(tmp_path, events, timezone="UTC")
    project.set_member("admin", "admin")
    project.set_setting("current_member", "admin")
    save_chart(project.con, "Opens in LA", chart)
    add_annotation(project, "Launch", day="2024-03-05")
    path = project.path
    project.close()
    return path


async def test_daily_marker_on_chart_day(tmp_path):
    async with running(zone_project(tmp_path, LA_DAILY), size=(100, 30)) as (app, pilot):
        assert app.zone == "America/Los_Angeles"
        starts = [start.isoformat() for start in app.points.bucket_starts]
        assert starts[2] == "2024-03-05T00:00:00-08:00"
        # March 4 in Los Angeles has the two events around midnight UTC, March 5 the one at 01:00.
        assert list(app.points.lines[0].values[1:3]) == [2.0, 1.0]

        marker = columns_of(app, "▼")
        assert marker == [await cursor_column(app, pilot, 2)]
        assert marker != [await cursor_column(app, pilot, 1)]
        assert error_messages(app) == []


async def test_hourly_marker_at_chart_midnight(tmp_path):
    async with running(zone_project(tmp_path, LA_HOURLY), size=(100, 30)) as (app, pilot):
        starts = [start.isoformat() for start in app.points.bucket_starts]
        midnight = starts.index("2024-03-05T00:00:00-08:00")
        assert midnight == 24
        # Midnight UTC is 16:00 the day before in Los Angeles: no marker there.
        utc_midnight = starts.index("2024-03-04T16:00:00-08:00")
        marker = columns_of(app, "▼")
        assert marker == [await cursor_column(app, pilot, midnight)]
        assert marker != [await cursor_column(app, pilot, utc_midnight)]
