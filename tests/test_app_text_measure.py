"""The app on a sum of a text property: the picker lists numbers first, and a warning explains the zeros."""

from __future__ import annotations

from test_app import running
from test_app_builder import choose, settle
from test_app_builder_details import make_revenue
from tui.app.choice_screen import ChoiceScreen
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

SUM_OF_BILLING = {
    "type": "segmentation",
    "events": [{"event": "Purchase"}],
    "measure": "sum:billing",
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-01"},
}


def warnings(app) -> list[str]:
    return [note.message for note in app._notifications if note.severity == "warning"]


async def test_text_sum_chart_warns(tmp_path):
    path = make_revenue(tmp_path)
    with open_project(path) as project:
        save_chart(project.con, "Billing sum", SUM_OF_BILLING)

    async with running(path, size=(120, 40)) as (app, pilot):
        await settle(app, pilot)

        assert app.definition.measure == "sum:billing"
        assert list(app.points.lines[0].values) == [0.0]
        assert warnings(app) == ["'billing' has no numeric values in this range, so its sum is 0."]


async def test_sum_picker_lists_numbers_first(tmp_path):
    async with running(make_revenue(tmp_path), size=(120, 40)) as (app, pilot):
        await pilot.press("b")
        await pilot.press("tab")
        await choose(pilot, 0)
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)

        labels = [choice.label.plain for choice in app.screen.choices]
        names = [choice.value.name for choice in app.screen.choices]
        assert names[:2] == ["price", "revenue"]
        assert labels[0] == "price  event property"
        assert "billing  event property · text, no numbers" in labels
        assert labels.index("billing  event property · text, no numbers") > 1
        # The saved chart's numeric sum has no warning.
        assert warnings(app) == []
