"""The saved-chart list names each chart's type, and the search matches it."""

from microscope_app import press, running
from test_app import make_shop
from tui.app.pickers import SavedChartsScreen
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "Signup"}, {"event": "Purchase"}],
    "range": {"from": "2024-03-01", "to": "2024-03-05"},
}
RETENTION = {
    "type": "retention",
    "start": {"event": "Signup"},
    "return": {"event": "Purchase"},
    "range": {"from": "2024-03-01", "to": "2024-03-05"},
}


def choice_labels(screen: SavedChartsScreen) -> list[str]:
    return [choice.label.plain.split(" · saved ")[0] for choice in screen.matching]


async def test_saved_list_shows_types(tmp_path):
    path, _ = make_shop(tmp_path)
    with open_project(path) as project:
        save_chart(project.con, "Signup to purchase", FUNNEL)
        save_chart(project.con, "Signups coming back", RETENTION)
        save_chart(project.con, "Sessions", {"type": "sessions", "range": {"from": "2024-03-01", "to": "2024-03-05"}})
        # Stored by an older or a newer Loupe: listed with what is known, not hidden.
        save_chart(project.con, "Odd", {"type": "heatmap"})
        save_chart(project.con, "Untyped", {"events": [{"event": "Purchase"}]})

    async with running(path) as (app, pilot):
        await press(app, pilot, "o")
        assert isinstance(app.screen, SavedChartsScreen)
        # Sorted, because charts saved within the same microsecond would list in either order.
        assert sorted(choice_labels(app.screen)) == [
            "Odd  heatmap",
            "Purchases by platform  Event segmentation",
            "Sessions  User sessions",
            "Signup to purchase  Funnel",
            "Signups coming back  Retention",
            "Untyped  no chart type",
        ]

        await press(app, pilot, "slash", *"funnel")
        assert [choice.value for choice in app.screen.matching] == ["Signup to purchase"]


async def test_type_of_replaced_chart_follows(tmp_path):
    path, _ = make_shop(tmp_path)
    with open_project(path) as project:
        save_chart(project.con, "Purchases by platform", dict(FUNNEL))

    async with running(path) as (app, pilot):
        await press(app, pilot, "o")
        assert choice_labels(app.screen) == ["Purchases by platform  Funnel"]
