"""Chart names on the home screen: a typed name kept through changes, the origin note, Save, microscope keys.

The project: a week of app opens by users on three platforms and a few
buys, with three saved charts. The app opens the last saved one, daily
active users by platform.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.command import CommandPalette
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from builders import build_project
from microscope_app import error_messages, press, running
from tui.analytics.definition import parse_chart
from tui.app.builder_screen import BuilderScreen
from tui.app.chart_history import BUILDER_EDIT, ChartOrigin, derived_origin
from tui.app.chart_saving import ChartNameDialog
from tui.app.confirm import ConfirmScreen
from tui.app.describe import describe_chart, fit_origin_note, least_title_cells
from tui.app.help_screen import HelpScreen
from tui.app.home_screen import HomeScreen
from tui.store.project import open_project
from tui.store.saved_charts import load_chart, save_chart

SAVED_NAME = "Daily active users by platform"
DAILY_ACTIVE = {
    "type": "segmentation",
    "events": [{"event": "*"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-01-01", "to": "2024-01-07"},
    "group_by": "platform",
}
BUYS_DAILY = {
    "type": "segmentation",
    "events": [{"event": "Buy"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-01-01", "to": "2024-01-07"},
}
ONBOARDING = {
    "type": "funnel",
    "steps": [{"event": "Open"}, {"event": "Buy"}],
    "window": "1d",
    "range": {"from": "2024-01-01", "to": "2024-01-07"},
}
# A cut title writes the range's end without its repeated year.
RANGE_TAIL = " · 2024-01-01 … 01-07 · by platform"


def app_events() -> list[dict]:
    """Return user N (0 to 2) of each platform opening the app on days 1 to N+1, and user 0 buying on day 2."""
    events = []
    for platform in ("iOS", "Android", "Web"):
        for user in range(3):
            for day in range(1, user + 2):
                events.append(event("Open", f"{platform}-{user}", platform, day))
        events.append(event("Buy", f"{platform}-0", platform, 2))
    return events


def event(event_type: str, user: str, platform: str, day: int) -> dict:
    moment = f"2024-01-{day:02d}T10:00:00Z"
    return {"event_type": event_type, "event_time": moment, "user_id": user, "platform": platform}


@pytest.fixture
def shop(tmp_path) -> Path:
    project = build_project(tmp_path, app_events())
    save_chart(project.con, "Buys daily", BUYS_DAILY)
    save_chart(project.con, "Onboarding", ONBOARDING)
    save_chart(project.con, SAVED_NAME, DAILY_ACTIVE)
    path = project.path
    project.close()
    return path


def title(app) -> str:
    return app.home.query_one("#chart-title").content.plain


def notifications(app) -> list[str]:
    return [note.message for note in app._notifications]


async def apply_with_name(app, pilot, name: str) -> None:
    """Open the builder, type ``name`` into its Name field in place of the one there, and apply."""
    await press(app, pilot, "b")
    assert isinstance(app.screen, BuilderScreen)
    field = app.screen.query_one("#chart-name", Input)
    field.value = ""
    field.focus()
    await press(app, pilot, *name, "ctrl+r")
    assert isinstance(app.screen, HomeScreen)


async def builder_name(app, pilot) -> str:
    """Return the Name field of the builder opened on the chart shown, and leave the builder."""
    await press(app, pilot, "b")
    name = app.screen.query_one("#chart-name", Input).value
    await press(app, pilot, "escape")
    assert isinstance(app.screen, HomeScreen)
    return name


# A typed name kept through changes -------------------------------------------------------


async def test_typed_name_kept_after_zoom(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await apply_with_name(app, pilot, "My test")
        assert title(app).startswith(f"“My test” (unsaved, from “{SAVED_NAME}”) · ")

        await press(app, pilot, "enter", "z")
        assert app.definition.interval == "hour"
        assert app.chart_origin.name == "My test"
        assert title(app).startswith(f"“My test” (unsaved, from “{SAVED_NAME}”) · ")
        assert await builder_name(app, pilot) == "My test"
        assert error_messages(app) == []


async def test_typed_name_kept_after_exclude(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await apply_with_name(app, pilot, "My test")
        await press(app, pilot, "enter", "x")
        assert app.definition.events[0].where
        assert app.chart_origin.change == "with a line excluded"
        assert app.chart_origin.name == "My test"
        assert await builder_name(app, pilot) == "My test"


async def test_builder_clears_typed_name(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await apply_with_name(app, pilot, "My test")
        await press(app, pilot, "b")
        app.screen.query_one("#chart-name", Input).value = ""
        await press(app, pilot, "ctrl+r")
        assert app.chart_origin.name is None
        assert title(app).startswith(f"Unsaved, edited in the builder from “{SAVED_NAME}” · ")


def test_derived_origin_keeps_name():
    typed = ChartOrigin(BUILDER_EDIT, SAVED_NAME, "My test")
    assert derived_origin("zoomed in", None, typed).name == "My test"
    assert derived_origin("zoomed in", None, typed, "Other").name == "Other"
    # A builder edit takes the Name field as it is, empty included.
    assert derived_origin(BUILDER_EDIT, None, typed).name is None
    # A change of a saved chart starts with no typed name.
    assert derived_origin("zoomed in", SAVED_NAME, None).name is None


# The origin note in the title ------------------------------------------------------------


def test_origin_note_texts():
    assert ChartOrigin("zoomed in", SAVED_NAME).text() == f"Unsaved, zoomed in from “{SAVED_NAME}”"
    assert ChartOrigin("zoomed in", None).text() == "Unsaved, zoomed in from an unsaved chart"
    named = ChartOrigin(BUILDER_EDIT, SAVED_NAME, "Active accounts")
    assert named.text() == f"“Active accounts” (unsaved, from “{SAVED_NAME}”)"
    assert named.text(base_cells=13) == "“Active accounts” (unsaved, from “Daily active…”)"
    # A typed name equal to the base's adds nothing.
    assert ChartOrigin(BUILDER_EDIT, SAVED_NAME, SAVED_NAME).text().startswith("Unsaved, edited in the builder")


def test_origin_note_cuts_base_first():
    definition = parse_chart(DAILY_ACTIVE)
    description = describe_chart(definition, None)
    origin = ChartOrigin(BUILDER_EDIT, SAVED_NAME, "Active accounts by platform")
    full = origin.text()
    wide = cell_len(full) + 3 + cell_len(description)
    assert fit_origin_note(origin, definition, wide) == full

    # Five cells short: the range's end drops its repeated year, so the note stays whole.
    assert fit_origin_note(origin, definition, wide - 5) == full

    # Ten cells short: only the base name gives up the other five.
    note = fit_origin_note(origin, definition, wide - 10)
    assert note == "“Active accounts by platform” (unsaved, from “Daily active users by pl…”)"

    # Far too short: the base name stops at 13 cells, and the typed name gives up the rest.
    least = least_title_cells(definition)
    note = fit_origin_note(origin, definition, 50 + 3 + least)
    assert note == "“Active accounts…” (unsaved, from “Daily active…”)"
    assert cell_len(note) == 50

    # Both names at their least, the note takes more than its room, and the title is cut at its end.
    note = fit_origin_note(origin, definition, 20)
    assert note == "“Active accou…” (unsaved, from “Daily active…”)"


async def test_title_keeps_range_at_120_columns(shop):
    async with running(shop, size=(120, 36)) as (app, pilot):
        await apply_with_name(app, pilot, "Active accounts by platform")
        shown = title(app)
        # The typed name gives up two cells, so the measure keeps more than its first letter.
        assert shown.startswith("“Active accounts by platfo…” (unsaved, from “Daily active")
        assert shown.endswith(" · Unique users · …" + RANGE_TAIL)
        # The title's row is the screen's width less one cell of padding each side.
        assert cell_len(shown) <= 118


# Save from the home screen -----------------------------------------------------------------


def saved_definition(path: Path, name: str) -> dict:
    with open_project(path) as project:
        return load_chart(project.con, name).definition


async def test_save_zoomed_chart(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "enter", "z")
        assert app.chart_name is None

        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, ChartNameDialog)
        # The zoomed chart has no name of its own, so the field starts empty.
        assert app.screen.query_one("#chart-name", Input).value == ""
        await press(app, pilot, *"Hourly actives", "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == "Hourly actives"
        assert app.chart_origin is None
        assert title(app).startswith("Hourly actives · Any event · Unique users · ")
        assert "Saved chart 'Hourly actives'." in notifications(app)
        zoomed = app.definition.to_json()
    assert saved_definition(shop, "Hourly actives") == zoomed


async def test_save_offers_typed_name(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await apply_with_name(app, pilot, "My test")
        await press(app, pilot, "enter", "z", "ctrl+s")
        assert app.screen.query_one("#chart-name", Input).value == "My test"
        await press(app, pilot, "ctrl+s")
        assert app.chart_name == "My test"
        assert app.definition.interval == "hour"
    assert saved_definition(shop, "My test")["interval"] == "hour"


async def test_save_empty_name_rejected(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "enter", "z", "ctrl+s", "enter")
        assert isinstance(app.screen, ChartNameDialog)
        error = app.screen.query_one("#form-error").content.plain
        assert error == "Chart name is empty: type a name to save the chart under."


async def test_save_asks_before_replacing(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "enter", "z", "ctrl+s", *"Buys daily", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "A saved chart is already called 'Buys daily'. Replace it? (y/n)"
        await press(app, pilot, "n")
        # No reopens the name dialog with the name as typed, and a note explains why it is open again.
        assert isinstance(app.screen, ChartNameDialog)
        assert app.screen.query_one("#chart-name", Input).value == "Buys daily"
        note = app.screen.query_one("#form-error").content.plain
        assert note == "The saved chart was left as it is: type another name."
        assert app.chart_name is None
        assert saved_definition(shop, "Buys daily") == BUYS_DAILY

        await press(app, pilot, "enter", "y")
        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == "Buys daily"
        zoomed = app.definition.to_json()
    assert saved_definition(shop, "Buys daily") == zoomed


async def test_save_other_name_after_no(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "enter", "z", "ctrl+s", *"Buys daily", "enter", "n")
        # The field selects its text on focus, so End keeps the name and adds to it.
        await press(app, pilot, "end", *" hourly", "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == "Buys daily hourly"
        zoomed = app.definition.to_json()
    assert saved_definition(shop, "Buys daily") == BUYS_DAILY
    assert saved_definition(shop, "Buys daily hourly") == zoomed


async def test_escape_on_replace_question(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "enter", "z", "ctrl+s", *"Buys daily", "enter", "escape")
        assert isinstance(app.screen, ChartNameDialog)
        assert app.screen.query_one("#chart-name", Input).value == "Buys daily"

        await press(app, pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name is None
    assert saved_definition(shop, "Buys daily") == BUYS_DAILY


async def test_replace_question_footer_keys(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "enter", "z", "ctrl+s", *"Buys daily", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        footer_labels = {key.key: key.description for key in app.screen.query(FooterKey)}
        assert footer_labels == {"escape": "Close", "y": "Yes", "n": "No"}


async def test_save_names_replaced_type(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "ctrl+s")
        field = app.screen.query_one("#chart-name", Input)
        assert field.value == SAVED_NAME
        field.value = "Onboarding"
        await press(app, pilot, "enter")
        assert app.screen.question == (
            "The saved chart 'Onboarding' has type Funnel, not Event segmentation. Replace it? (y/n)"
        )


async def test_save_own_name_asks_nothing(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "ctrl+s", "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.chart_name == SAVED_NAME
        assert f"Saved chart {SAVED_NAME!r}." in notifications(app)


async def test_save_in_command_palette(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "enter", "z", "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await press(app, pilot, *"Save the chart")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ChartNameDialog)


# Microscope keys on the home screen --------------------------------------------------------


MICROSCOPE_KEYS = {
    "x": "Exclude series",
    "f": "Filter to series",
    "z": "Zoom in",
    "v": "Explore conversion drivers",
    "C": "Compare with marked point",
    "O": "Download groups",
    "s": "View user streams",
    "u": "View users",
    "d": "Download users",
}


async def test_microscope_keys_explained(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        for key, label in MICROSCOPE_KEYS.items():
            await press(app, pilot, key)
            assert isinstance(app.screen, HomeScreen)
            expected = f"{key} ({label}) works in the microscope: press Enter on a point first."
            assert notifications(app)[-1] == expected
        assert app.chart_name == SAVED_NAME


async def test_e_key_explained(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "e")
        assert notifications(app)[-1] == (
            "e does nothing on the chart. To exclude a series, press Enter on a point, then x in the microscope."
        )


async def test_microscope_keys_not_listed(shop):
    async with running(shop, size=(160, 36)) as (app, pilot):
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {key for entry in app.screen.entries for key in entry.keys}
        assert listed.isdisjoint(MICROSCOPE_KEYS)
        assert "e" not in listed
        assert "^s" in listed
