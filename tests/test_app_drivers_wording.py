"""The drivers summary: the support rule at a minimum of 1 and above, and skew on a funnel counted by groups."""

from __future__ import annotations

from funnel_app import make_shop
from groups_data import event
from microscope_app import running
from test_app_funnel_drivers import open_drivers, summary
from test_drivers_groups import by_company
from tui.app.microscope.drivers_screen import _left_out_text

# Eleven companies sign up and buy, one only signs up: 11 converted groups against 1 dropped.
SKEWED_COMPANIES = [event("Signup", f"2024-03-01T10:{index:02d}:00Z", f"buyer{index}", company=f"C{index}")
                    for index in range(12)]
SKEWED_COMPANIES += [event("Purchase", f"2024-03-01T11:{index:02d}:00Z", f"buyer{index}", company=f"C{index}")
                     for index in range(11)]


def test_left_out_text_by_minimum():
    assert _left_out_text(1, "users") == "Left out: events that every one of these users did"
    assert _left_out_text(2, "groups") == (
        "Left out: events that fewer than 2 of these groups did, or that all but fewer than 2 did"
    )


async def test_skewed_group_funnel_names_groups(tmp_path):
    async with running(make_shop(tmp_path, by_company(), SKEWED_COMPANIES)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "k")

        text = summary(screen)
        assert "12 groups reached step 1: 11 converted, 1 dropped off" in text
        assert "Left out: events that every one of these groups did" in text
        assert text.endswith("so the smaller group's shares and the p-values rest on few groups.")
