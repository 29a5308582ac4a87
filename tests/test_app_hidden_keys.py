"""A key hidden on a chart type explains in one warning why it does nothing there, on the home screen and in the builder.

Uses the checkout events of test_app_builder_types, with one saved chart per
test, so the app opens on it.
"""

import pytest

from builders import build_project
from test_app import running
from test_app_builder import settle
from test_app_builder_types import START_CHART, checkout_events, open_builder, switch_type
from tui.app.builder_screen import BuilderScreen
from tui.app.home_screen import HomeScreen
from tui.store.saved_charts import save_chart

RANGE = {"from": "2024-03-01", "to": "2024-03-05"}
CHARTS = {
    "segmentation": START_CHART,
    "funnel": {"type": "funnel", "steps": [{"event": "Signup"}, {"event": "Purchase"}], "range": RANGE},
    "retention": {"type": "retention", "start": {"event": "Signup"}, "return": {"event": "Purchase"}, "range": RANGE},
}
ONLY_RETENTION_PARTS = (
    "Only retention charts and a funnel's conversion over time (T) have two parts to switch between with t, "
    "and this is a {} chart."
)
ONLY_FUNNEL_OVER_TIME = "Only funnel charts switch to conversion over time with T, and this is a {} chart."
ONLY_RETENTION_COHORTS = (
    "Only retention tables have start cohorts to jump to, and this is a {} chart. g and G go to the first and last bucket."
)
ONLY_GROUPED_RETENTION = "Only retention tables grouped by a property show one segment at a time, and this is a {} chart."
FUNNEL_STEPS_PARTS = (
    "On a funnel's steps, up and down move between the dropped-off and converted parts. "
    "T shows conversion over time, where t switches between them."
)
UNGROUPED_RETENTION = "This retention table has no segments: group it by a property in the builder (b) to get one table each."

HOME_CASES = [
    ("segmentation", "t", ONLY_RETENTION_PARTS.format("segmentation")),
    ("segmentation", "T", ONLY_FUNNEL_OVER_TIME.format("segmentation")),
    ("segmentation", "home", ONLY_RETENTION_COHORTS.format("segmentation")),
    ("segmentation", "end", ONLY_RETENTION_COHORTS.format("segmentation")),
    ("segmentation", "left_square_bracket", ONLY_GROUPED_RETENTION.format("segmentation")),
    ("funnel", "t", FUNNEL_STEPS_PARTS),
    ("funnel", "right_square_bracket", ONLY_GROUPED_RETENTION.format("funnel")),
    ("retention", "T", ONLY_FUNNEL_OVER_TIME.format("retention")),
    ("retention", "left_square_bracket", UNGROUPED_RETENTION),
]


def project_with(tmp_path, chart: dict):
    with build_project(tmp_path, checkout_events()) as project:
        save_chart(project.con, "Checkout", chart)
        return project.path


def warnings(app) -> list[str]:
    return [note.message for note in app._notifications if note.severity == "warning"]


@pytest.mark.parametrize(("kind", "key", "expected"), HOME_CASES, ids=[f"{kind}-{key}" for kind, key, _ in HOME_CASES])
async def test_hidden_home_key_explains(tmp_path, kind, key, expected):
    async with running(project_with(tmp_path, CHARTS[kind])) as (app, pilot):
        assert app.definition.type == kind
        before = app.points.point()
        await pilot.press(key)
        await pilot.pause()

        assert isinstance(app.screen, HomeScreen)
        assert warnings(app) == [expected]
        # The key did nothing else: the cursor stays on the same point.
        assert app.points.point() == before

        # Pressed again while the warning shows, it adds no second copy.
        await pilot.press(key)
        await pilot.pause()
        assert warnings(app) == [expected]


async def test_key_that_acts_shows_no_warning(tmp_path):
    async with running(project_with(tmp_path, CHARTS["retention"])) as (app, pilot):
        before = app.points.point()
        await pilot.press("t", "end")
        await pilot.pause()
        assert warnings(app) == []
        assert app.points.point() != before


async def test_hidden_builder_keys_explain(tmp_path):
    async with running(project_with(tmp_path, START_CHART)) as (app, pilot):
        await open_builder(app, pilot)
        builder = app.screen
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is builder
        assert warnings(app) == [
            "Only funnels exclude users who did an event between two steps, and this is a segmentation chart."
        ]
        assert "exclude" not in builder.draft

        app.clear_notifications()
        await switch_type(app, pilot, "sessions")
        app.clear_notifications()
        await pilot.press("J")
        await pilot.pause()
        assert warnings(app) == ["A sessions chart has no events to move: it counts every event."]

        app.clear_notifications()
        await switch_type(app, pilot, "retention")
        app.clear_notifications()
        events = (builder.draft["start"], builder.draft["return"])
        await pilot.press("K")
        await pilot.pause()
        assert isinstance(app.screen, BuilderScreen)
        assert warnings(app) == [
            "A retention chart's start and return events keep their places: Enter on either changes its event."
        ]
        assert (builder.draft["start"], builder.draft["return"]) == events
        await settle(app, pilot)
