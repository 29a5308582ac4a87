"""Builder buttons whose label changes after a pick: the new label shows whole, and is cut with … only when it cannot fit."""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets import Button

from builders import build_project
from test_app import running
from test_app_builder import settle
from test_app_builder_types import open_builder
from tui.app.builder_screen import BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.store.cohorts import save_cohort
from tui.store.saved_charts import save_chart

LONG_COHORT = "Customers who bought twice in March 2024 ✓"
LONG_PROPERTY = "checkout_payment_provider_" + "x" * 60
PLAIN_CHART = {
    "type": "segmentation",
    "events": [{"event": "Open"}],
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
}


def make_project(tmp_path):
    opened = {"event_type": "Open", "user_id": "alice", "event_time": "2024-03-01T10:00:00Z"}
    project = build_project(tmp_path, [
        opened | {"platform": "iOS", LONG_PROPERTY: "card"},
    ])
    save_cohort(project, LONG_COHORT, ("SELECT actor_id FROM users", []), None)
    save_chart(project.con, "Opens", PLAIN_CHART)
    project.close()
    return tmp_path / "p.duckdb"


def shown_text(button: Button) -> str:
    """Return the text the button draws on screen, without its padding."""
    width, height = button.size
    lines = button.render_lines(Region(0, 0, width, height))
    return "".join(segment.text for line in lines for segment in line).strip()


async def pick(app, pilot, button_id: str, words: str) -> None:
    """Press the builder button ``button_id``, filter its dialog by ``words`` and take the first match."""
    await pilot.click(f"#{button_id}")
    await settle(app, pilot)
    assert isinstance(app.screen, ChoiceScreen)
    await pilot.press("slash", *words, "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, BuilderScreen)


async def test_group_by_label_shows_whole_name(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        button = app.screen.query_one("#group-by", Button)
        assert shown_text(button) == "(none)"

        for words, name in [("platform", "platform"), ("Saved", "cohorts"), ("(none)", "(none)")]:
            await pick(app, pilot, "group-by", words)
            assert shown_text(button) == name


async def test_cohort_label_shows_whole_name(tmp_path):
    async with running(make_project(tmp_path), size=(120, 40)) as (app, pilot):
        await open_builder(app, pilot)
        button = app.screen.query_one("#cohort", Button)

        await pick(app, pilot, "cohort", "twice")
        assert app.screen.draft["cohort"] == LONG_COHORT
        assert shown_text(button) == LONG_COHORT


async def test_long_label_ends_with_ellipsis(tmp_path):
    async with running(make_project(tmp_path), size=(100, 30)) as (app, pilot):
        await open_builder(app, pilot)
        button = app.screen.query_one("#group-by", Button)
        pane = app.screen.query_one("#settings-pane")

        await pick(app, pilot, "group-by", "checkout")
        assert app.screen.draft["group_by"] == LONG_PROPERTY
        text = shown_text(button)
        assert text.endswith("…")
        assert LONG_PROPERTY.startswith(text.removesuffix("…"))
        assert button.region.right <= pane.content_region.right
