"""The chart builder's cohort picker: every cohort with its size, and a choice to count all users."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text

from tui.app.choice_screen import Choice, ChoiceScreen
from tui.app.formatting import format_time, quantity_text
from tui.store.cohorts import list_cohorts
from tui.text import printable

ALL_USERS_LABEL = "(all users: no cohort filter)"


class CohortChoice(NamedTuple):
    """A cohort picked to filter a chart by, or ``name`` None to count all users."""

    name: str | None


def cohort_picker() -> ChoiceScreen:
    """Return a dialog listing the project's cohorts, returning a CohortChoice."""
    return ChoiceScreen(
        "Count only the members of a cohort",
        _cohort_choices,
        "Loading cohorts failed",
        empty_text="No cohorts yet: create one from a data point's microscope.",
    )


def _cohort_choices(cursor) -> list[Choice]:
    choices = [Choice(CohortChoice(None), Text(ALL_USERS_LABEL))]
    for cohort in list_cohorts(cursor):
        label = Text(printable(cohort.name))
        label.append(f"  {quantity_text(cohort.size, cohort.member_noun)} · as of {format_time(cohort.as_of)}", style="dim")
        choices.append(Choice(CohortChoice(cohort.name), label, search_text=cohort.name))
    return choices
