"""Notifications on dialogs leave the dialog and its footer keys uncovered, at 80x24 and at 160x45.

Uses the checkout project of test_app_builder_types. ``run_test`` hides
notifications unless asked, so these tests start the app themselves.
"""

from contextlib import asynccontextmanager

import pytest
from textual.widgets import Footer, Input
from textual.widgets._toast import Toast

from test_app_builder import settle
from test_app_builder_types import make_checkout
from tui.app.choice_screen import ChoiceScreen
from tui.app.filter_editor import FilterEditor
from tui.app.help_screen import HelpScreen
from tui.app.loupe_app import LoupeApp

SIZES = [(80, 24), (160, 45)]
# Keys from the home screen to each dialog: the builder's filter editor and event picker, and the keys list.
DIALOGS = {
    "filter editor": (("b", "f"), FilterEditor),
    "event picker": (("b", "a"), ChoiceScreen),
    "keys": (("question_mark",), HelpScreen),
}
# Long enough to wrap over three rows of a 40-column toast.
LONG_WARNING = (
    "A message long enough to wrap over several rows of the toast, because it names the value that failed "
    "and what to do next."
)

NO_PROPERTY = "Choose a property to filter on first."


@asynccontextmanager
async def running_with_notifications(path, size):
    app = LoupeApp(path)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(app, pilot)
        yield app, pilot


def shown_rows(screen, toast: Toast) -> list[int]:
    """Return the rows of ``toast`` that are drawn on ``screen``, not hidden under another widget."""
    region = toast.region
    return [y for y in range(region.y, region.bottom) if screen.get_widget_at(region.right - 1, y)[0] is toast]


@pytest.mark.parametrize("size", SIZES, ids=[f"{width}x{height}" for width, height in SIZES])
@pytest.mark.parametrize("dialog_name", list(DIALOGS))
async def test_toasts_leave_dialog_uncovered(tmp_path, size, dialog_name):
    keys, dialog_class = DIALOGS[dialog_name]
    async with running_with_notifications(make_checkout(tmp_path), size) as (app, pilot):
        await pilot.press(*keys)
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, dialog_class)

        if isinstance(dialog, FilterEditor):
            # Enter in the value field with no property chosen: the editor's own error.
            dialog.query_one("#filter-value", Input).focus()
            await pilot.press("enter")
            first = NO_PROPERTY
        else:
            first = "Short notice."
            app.notify(first)
        app.notify(LONG_WARNING, severity="warning")
        await pilot.pause(0.3)

        toasts = list(dialog.query(Toast))
        assert [toast.render().plain for toast in toasts] == [first, LONG_WARNING]
        box = dialog.query_one("#dialog").region
        footer = dialog.query_one(Footer).region
        # The dialog keeps room for its content while the toasts show.
        assert box.height >= 8
        for toast in toasts:
            region = toast.region
            assert region.height > 0
            assert not region.overlaps(box), (region, box)
            assert not region.overlaps(footer), (region, footer)
            # Every row of the toast is drawn, none hidden under the footer.
            assert shown_rows(dialog, toast) == list(range(region.y, region.bottom))
        if size == (80, 24):
            # The case that lost its last row: a toast that wraps at 80 columns.
            assert toasts[-1].region.height >= 3
