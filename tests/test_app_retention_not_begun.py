"""Keys on a retention cell whose period had not begun: Enter, t and m each do nothing but show a status message.

The Berlin signups project of test_app_retention: the last event is 04-01
10:00, so day 2 of the 03-31 cohort (04-02) had not begun.
"""

from __future__ import annotations

from funnel_app import canvas, readout
from microscope_app import error_messages, press, running
from test_app_retention import signups, signups_template  # noqa: F401 - fixtures
from tui.app.home_screen import HomeScreen
from tui.app.retention_table import NOT_RETAINED_MARK, RETAINED_MARK

NOT_BEGUN_LINE = "Cohort 2024-03-31 (1 user) · Day 2 has not begun for this cohort"
MESSAGES = [
    "Day 2 has not begun for this cohort, so it has no retained or not-retained users to switch.",
    "Day 2 has not begun for this cohort, so there are no users to mark for a comparison.",
    "Day 2 has not begun for this cohort, so there are no users to list.",
]


def messages(app) -> list[tuple[str, str]]:
    return [(note.message, note.severity) for note in app._notifications]


async def test_keys_rejected_on_not_begun_cell(signups):  # noqa: F811 - the fixture imported above
    async with running(signups, size=(100, 30)) as (app, pilot):
        # Down to the 03-31 cohort, right to day 2.
        await press(app, pilot, "j", "l")
        assert readout(app).startswith(NOT_BEGUN_LINE + "\n")

        await press(app, pilot, "t", "m", "enter")
        assert isinstance(app.screen, HomeScreen)
        assert messages(app) == [(text, "information") for text in MESSAGES]
        # The part did not switch and nothing was marked.
        assert app.points.not_retained is False
        assert app.marked_point is None
        assert "marked:" not in readout(app)
        last_row = canvas(app).split("\n")[4]
        assert RETAINED_MARK in last_row
        assert NOT_RETAINED_MARK not in last_row
        assert app.queries_run == 1
        assert error_messages(app) == []


async def test_keys_work_on_begun_cell(signups):  # noqa: F811 - the fixture imported above
    async with running(signups, size=(100, 30)) as (app, pilot):
        # Day 1 of the 03-31 cohort had begun, though it is incomplete: d came back.
        await press(app, pilot, "j", "t", "m")
        assert app.points.not_retained is True
        assert app.marked_point is not None
        assert readout(app).startswith("Cohort 2024-03-31 (1 user) · Day 1 · not retained: 0 users · retained: 1 · ")
        assert readout(app).endswith("\nmarked: signup then open, day 1 (on), not retained · [2024-03-31 00:00, 2024-04-01 00:00) Europe/Berlin")

        # Moving on to day 2 keeps the mark on day 1, and m there is rejected as marking would be.
        await press(app, pilot, "l", "m")
        assert app.marked_point is not None
        assert messages(app)[-1][0] == MESSAGES[1]
