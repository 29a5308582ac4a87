"""The builder's group-by picker (no group-by, saved cohorts, each group type, then the properties) and count-by picker.

``cohorts`` is a reserved ``group_by`` value: it segments by the saved
cohorts of users each actor is in, so the picker offers it only on the chart
types in ``COHORT_SEGMENT_TYPES`` and only while the project has a cohort of
users (cohorts of groups segment no users). An event property named
``cohorts`` cannot be a group-by.
"""

from __future__ import annotations

from rich.text import Text

from tui.analytics.definition import COHORT_SEGMENT_TYPES, GROUP_BY_COHORTS, GROUP_PREFIX
from tui.analytics.segmentation_groups import group_types, has_user_cohorts
from tui.app.builder_draft import chart_type
from tui.app.choice_screen import Choice, ChoiceScreen
from tui.app.describe import event_name
from tui.app.pickers import PropertyChoice, property_picker
from tui.text import printable

COHORTS_LABEL = "Saved cohorts"
# The count-by choice of a chart that counts users, which has no ``count_by`` key.
COUNT_USERS = "users"
GROUP_KIND = "group"
# Id columns: their top 10 values would be 10 single users or devices, not segments.
ID_COLUMNS = ("user_id", "device_id")
# Splits only a chart of any event: the events of one event type all share it.
EVENT_TYPE_COLUMN = "event_type"
# Picker titles of the chart types whose segments split the whole chart rather than one event:
# the users of a funnel or retention chart, and the sessions of a sessions chart.
WHOLE_CHART_TITLES = {
    "funnel": "Group funnel by",
    "retention": "Group retention by",
    "sessions": "Group sessions by",
}


def group_by_title(chart_type: str, first_event: str | None) -> str:
    """Return the group-by picker's title for a ``chart_type`` chart whose first event is ``first_event``.

    A segmentation title names the first event, whose properties the picker
    lists. Any event (``*``) or no event yet reads as ``Group events by``.
    """
    if chart_type in WHOLE_CHART_TITLES:
        return WHOLE_CHART_TITLES[chart_type]
    if first_event in (None, "*"):
        return "Group events by"
    return f"Group {event_name(first_event)} by"


def group_by_picker(chart_type: str, event_type: str | None, title: str, current: str | None = None) -> ChoiceScreen:
    """Return a dialog of what a ``chart_type`` chart can be grouped by, properties of ``event_type`` (None or ``*``: any event) last.

    The first choice, ``PropertyChoice(None, None)``, removes the group-by.
    The cursor starts on ``current``, the chart's group-by now, when the list has it.
    """
    properties = property_picker(event_type, title, allow_none=True, current=current)
    load_properties = properties.load
    with_cohorts = chart_type in COHORT_SEGMENT_TYPES

    def load(cursor) -> list[Choice]:
        none, *rest = load_properties(cursor)
        properties = [choice for choice in rest if _segments_chart(choice.value, event_type)]
        return [none, *_named_choices(cursor, with_cohorts), *properties]

    properties.load = load
    return properties


def _segments_chart(choice: PropertyChoice, event_type: str | None) -> bool:
    """Tell whether grouping by ``choice`` can split a chart whose listed properties are of ``event_type``."""
    if choice.kind != "column":
        return True
    if choice.name == EVENT_TYPE_COLUMN:
        return event_type in (None, "*")
    return choice.name not in ID_COLUMNS


def _named_choices(cursor, with_cohorts: bool) -> list[Choice]:
    """Return the choices that segment by name: saved cohorts if ``with_cohorts`` and a cohort of users exists, then each group type."""
    choices = []
    if with_cohorts and has_user_cohorts(cursor):
        cohorts = Text(COHORTS_LABEL)
        cohorts.append(f"  {GROUP_BY_COHORTS}: the saved user cohorts each user is in", style="dim")
        choices.append(Choice(PropertyChoice(GROUP_BY_COHORTS, GROUP_BY_COHORTS), cohorts))
    for group_type in group_types(cursor):
        name = GROUP_PREFIX + group_type
        label = Text(printable(name))
        label.append("  group type", style="dim")
        choices.append(Choice(PropertyChoice(name, GROUP_KIND), label))
    return choices


def count_by_picker() -> ChoiceScreen:
    """Return a dialog of what a chart can count: ``COUNT_USERS``, then each group type of the project as ``group:TYPE``."""

    def load(cursor) -> list[Choice]:
        users = Text(COUNT_USERS)
        users.append("  each user once", style="dim")
        choices = [Choice(COUNT_USERS, users)]
        for group_type in group_types(cursor):
            label = Text(printable(GROUP_PREFIX + group_type))
            label.append(f"  each group of type {printable(group_type)} once", style="dim")
            choices.append(Choice(GROUP_PREFIX + group_type, label))
        return choices

    return ChoiceScreen("Count by", load, "Loading the group types failed")


def drop_unaccepted_group_by(draft: dict) -> str | None:
    """Remove a ``group_by`` the draft's chart type does not accept, and return a note saying so.

    Only ``cohorts`` is limited to some chart types, so every other group-by stays.
    """
    kind = chart_type(draft)
    if draft.get("group_by") != GROUP_BY_COHORTS or kind in COHORT_SEGMENT_TYPES:
        return None
    del draft["group_by"]
    accepted = " and ".join(COHORT_SEGMENT_TYPES)
    return f"Only {accepted} charts can be grouped by saved cohorts, so the {kind} chart has no group-by now."
