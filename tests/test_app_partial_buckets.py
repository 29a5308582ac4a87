"""Partial buckets on the home screen: a ``*`` on their axis label and ``(partial)`` in the readout."""

from datetime import date, datetime, timedelta, timezone

from builders import build_project
from test_app import open_app, running, text_of
from tui.app.chart_view import ChartView
from tui.store.saved_charts import save_chart

# Friday 2024-03-01 to Wednesday 2024-03-20: Monday weeks from the 4th, the 11th and the 18th.
WEEKLY = {
    "type": "segmentation",
    "events": [{"event": "Open"}],
    "measure": "uniques",
    "interval": "week",
    "range": {"from": "2024-03-01", "to": "2024-03-20"},
}


def daily_opens(first: date, days: int) -> list[dict]:
    """One Open a day at noon UTC, by user ``u0`` on the first day, ``u1`` on the next, and so on."""
    events = []
    for offset in range(days):
        moment = datetime.combine(first + timedelta(days=offset), datetime.min.time(), timezone.utc) + timedelta(hours=12)
        events.append({"event_type": "Open", "event_time": moment.isoformat(), "user_id": f"u{offset}"})
    return events


def make_project(tmp_path, chart: dict, events: list[dict]):
    project = build_project(tmp_path, events)
    save_chart(project.con, "Opens", chart)
    project.close()
    return tmp_path / "p.duckdb"


async def test_cut_weeks_marked(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    path = make_project(tmp_path, WEEKLY, daily_opens(date(2024, 3, 1), 20))
    async with running(path) as (app, pilot):
        axis = app.home.query_one(ChartView).render().plain.splitlines()[-1].split()
        assert axis == ["03-01*", "03-04", "03-11", "03-18*"]

        # The cursor starts on the last week, cut to Monday to Wednesday: 3 users, one a day.
        assert text_of(app, "#readout") == "Open · [2024-03-18 00:00, 2024-03-21 00:00) UTC (partial) · 3 users"
        await pilot.press("h")
        assert text_of(app, "#readout") == "Open · [2024-03-11 00:00, 2024-03-18 00:00) UTC · 7 users"
        await pilot.press("g")
        assert text_of(app, "#readout") == "Open · [2024-03-01 00:00, 2024-03-04 00:00) UTC (partial) · 3 users"


async def test_running_day_marked(tmp_path):
    today = datetime.now(timezone.utc).date()
    first = today - timedelta(days=3)
    chart = dict(WEEKLY, interval="day", range={"from": first.isoformat(), "to": today.isoformat()})
    path = make_project(tmp_path, chart, daily_opens(first, 3))
    async with running(path) as (app, pilot):
        axis = app.home.query_one(ChartView).render().plain.splitlines()[-1].split()
        assert axis[-1] == f"{today:%m-%d}*"
        assert not any(label.endswith("*") for label in axis[:-1])

        assert f"[{today} 00:00, {today + timedelta(days=1)} 00:00) UTC (partial) · 0 users" in text_of(app, "#readout")
        await pilot.press("h")
        await open_app(app, pilot)
        assert "(partial)" not in text_of(app, "#readout")
        assert text_of(app, "#readout").endswith(" · 1 user")
