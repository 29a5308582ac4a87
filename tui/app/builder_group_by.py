"""The builder's group-by picker: no group-by, saved cohorts, each group type, then the properties.

``cohorts`` is a reserved ``group_by`` value: it segments by the saved
cohorts of users each actor is in, on segmentation and sessions charts (an
event property named ``cohorts`` cannot be a group-by).
"""

from __future__ import annotations

from rich.text import Text

from tui.analytics.definition import GROUP_BY_COHORTS, GROUP_PREFIX
from tui.analytics.segmentation_groups import group_types
from tui.app.choice_screen import Choice, ChoiceScreen
from tui.app.pickers import PropertyChoice, property_picker
from tui.text import printable

COHORTS_LABEL = "Saved cohorts"
GROUP_KIND = "group"


def group_by_picker(event_type: str | None, title: str) -> ChoiceScreen:
    """Return a dialog of what a chart can be grouped by, properties of ``event_type`` (None or ``*``: any event) last.

    The first choice, ``PropertyChoice(None, None)``, removes the group-by.
    """
    properties = property_picker(event_type, title, allow_none=True)
    load_properties = properties.load

    def load(cursor) -> list[Choice]:
        none, *rest = load_properties(cursor)
        return [none, *_named_choices(cursor), *rest]

    properties.load = load
    return properties


def _named_choices(cursor) -> list[Choice]:
    """Return the choices that segment by name: saved cohorts, then each group type of the project."""
    cohorts = Text(COHORTS_LABEL)
    cohorts.append(f"  {GROUP_BY_COHORTS}: the saved user cohorts each user is in", style="dim")
    choices = [Choice(PropertyChoice(GROUP_BY_COHORTS, GROUP_BY_COHORTS), cohorts)]
    for group_type in group_types(cursor):
        name = GROUP_PREFIX + group_type
        label = Text(printable(name))
        label.append("  group type", style="dim")
        choices.append(Choice(PropertyChoice(name, GROUP_KIND), label))
    return choices
