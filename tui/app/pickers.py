"""The pickers of the chart builder: events, properties, funnel step pairs and saved charts."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList

from tui.analytics import catalog
from tui.app.background import run_in_background
from tui.app.builder_draft import step_pairs
from tui.app.choice_screen import Choice, ChoiceScreen
from tui.app.confirm import ConfirmScreen
from tui.app.formatting import quantity_text
from tui.store import saved_charts
from tui.text import printable

ANY_EVENT_LABEL = "Any event (*)"
# The ``kind`` values of ``catalog.property_names``, as the picker shows them.
KIND_NAMES = {"event": "event property", "user": "user property", "column": "column"}
# The kinds in the order a ``where`` item or group-by picks among listed properties that share a name: a
# column before a user property before an event property (see ``catalog.property_names``).
KIND_PRECEDENCE = ("column", "user", "event")


class PropertyChoice(NamedTuple):
    """A property picked from the catalog, with its kind: ``event``, ``user`` or ``column``."""

    name: str
    kind: str | None


def event_picker(current: str | None = None) -> CurrentChoiceScreen:
    """Return a dialog listing the project's event types, the most frequent first.

    The cursor starts on ``current``, the event chosen now (``*``: any event), when the list has it.
    """
    return CurrentChoiceScreen("Choose an event", _event_choices, "Loading event types failed", current)


class CurrentChoiceScreen(ChoiceScreen):
    """A picker that opens with the cursor on ``current``, the value the chart uses now.

    Without ``current``, or when the list does not have it, the cursor starts
    on the first row.
    """

    def __init__(self, title: str, load, failure: str, current=None):
        super().__init__(title, load, failure)
        self.current = current

    def set_choices(self, choices: list[Choice]) -> None:
        super().set_choices(choices)
        index = self.find_current(self.matching)
        if index is not None:
            self.query_one("#choice-list", OptionList).highlighted = index

    def find_current(self, choices: list[Choice]) -> int | None:
        """Return the index of the choice whose value is ``current``, or None when none is."""
        if self.current is None:
            return None
        return next((index for index, choice in enumerate(choices) if choice.value == self.current), None)


class PropertyChoiceScreen(CurrentChoiceScreen):
    """A property picker that opens with the cursor on ``current``, the name of the property the chart uses now."""

    def find_current(self, choices: list[Choice]) -> int | None:
        # A choice's value is a ``PropertyChoice``, so the name alone does not match it.
        return current_index(choices, self.current)


def current_index(choices: list[Choice], current: str | None) -> int | None:
    """Return the index of the ``PropertyChoice`` named ``current`` in ``choices``, or None when none is.

    When several kinds share the name, the one a chart of that name reads wins.
    """
    if current is None:
        return None
    named = [
        index
        for index, choice in enumerate(choices)
        if isinstance(choice.value, PropertyChoice) and choice.value.name == current
    ]
    return min(named, key=lambda index: _kind_rank(choices[index].value.kind), default=None)


def _kind_rank(kind: str | None) -> int:
    return KIND_PRECEDENCE.index(kind) if kind in KIND_PRECEDENCE else len(KIND_PRECEDENCE)


def property_picker(
    event_type: str | None, title: str, allow_none: bool = False, current: str | None = None
) -> PropertyChoiceScreen:
    """Return a dialog listing the properties sent with ``event_type`` (None or ``*``: any event).

    With ``allow_none``, the first choice returns ``PropertyChoice(None, None)``.
    The cursor starts on ``current``, the property chosen now, when the list has it.
    """

    def load(cursor) -> list[Choice]:
        choices = [Choice(PropertyChoice(None, None), Text("(none)"))] if allow_none else []
        scope = None if event_type in (None, "*") else event_type
        frame = catalog.property_names(cursor, scope)
        for row in frame.itertuples(index=False):
            label = Text(printable(row.property))
            label.append(f"  {KIND_NAMES.get(row.kind, row.kind)}", style="dim")
            choices.append(Choice(PropertyChoice(row.property, row.kind), label))
        return choices

    return PropertyChoiceScreen(title, load, "Loading properties failed", current)


def property_values(cursor, prop: str, event_type: str | None, limit: int = 200) -> list[str]:
    """Return the most frequent values of ``prop`` as strings, for suggestions while typing."""
    scope = None if event_type in (None, "*") else event_type
    frame = catalog.property_values(cursor, prop, scope, limit)
    return [str(value) for value in frame["value"] if value is not None]


def _event_choices(cursor) -> list[Choice]:
    choices = [Choice("*", Text(ANY_EVENT_LABEL))]
    frame = catalog.event_types(cursor).sort_values("events", ascending=False, kind="stable")
    for row in frame.itertuples(index=False):
        label = Text(printable(row.event_type))
        label.append(f"  {quantity_text(row.events, 'events')} · {quantity_text(row.users, 'users')}", style="dim")
        choices.append(Choice(row.event_type, label, search_text=str(row.event_type)))
    return choices


class SavedChartsScreen(ChoiceScreen):
    """A dialog listing saved charts, the most recently saved first, where ``d`` deletes one."""

    BINDINGS = [
        Binding("d", "delete", "Delete", id="saved.delete", tooltip="Delete the highlighted saved chart"),
    ]

    def __init__(self):
        super().__init__(
            "Open a saved chart",
            _saved_chart_choices,
            "Loading saved charts failed",
            empty_text="No saved charts yet: save one from the chart builder with ctrl+s.",
        )

    def action_delete(self) -> None:
        index = self.query_one("#choice-list").highlighted
        if index is None or not self.matching:
            return
        name = self.matching[index].value
        if not self.app.check_writable():
            return

        question = f"Delete the saved chart '{printable(name)}'? It cannot be restored. (y/n)"
        self.app.push_screen(ConfirmScreen(question), lambda yes: self._delete(name) if yes else None)

    def _delete(self, name: str) -> None:
        def deleted(_) -> None:
            self.notify(f"Deleted saved chart {name!r}.", markup=False)
            self.reload()

        delete = lambda cursor: saved_charts.delete_chart(cursor, name)  # noqa: E731
        run_in_background(self, delete, deleted, "Deleting the chart failed")


def _saved_chart_choices(cursor) -> list[Choice]:
    choices = []
    for chart in saved_charts.list_charts(cursor):
        type_name = saved_chart_type_name(chart.definition)
        label = Text(printable(chart.name))
        label.append(f"  {type_name} · saved {chart.updated_at:%Y-%m-%d %H:%M}", style="dim")
        choices.append(Choice(chart.name, label, search_text=f"{chart.name} {type_name}"))
    return choices


def saved_chart_type_name(definition: dict) -> str:
    """Return the display name of a saved definition's chart type, such as ``Funnel``.

    An unknown type is shown as stored, because opening that chart is what
    reports the definition error.
    """
    # Imported here: the builder screen imports this module.
    from tui.app.builder_screen import CHART_TYPE_NAMES

    chart_type = definition.get("type") if isinstance(definition, dict) else None
    if chart_type is None:
        return "no chart type"
    if isinstance(chart_type, str) and chart_type in CHART_TYPE_NAMES:
        return CHART_TYPE_NAMES[chart_type]
    return printable(str(chart_type))


def step_pair_picker(step_count: int) -> ChoiceScreen:
    """Return a dialog of the step pairs a funnel exclusion can lie between, returning ``(first, second)``."""

    def load(_cursor) -> list[Choice]:
        choices = []
        for first, last in step_pairs(step_count):
            whole = " (the whole funnel)" if (first, last) == (1, step_count) else ""
            choices.append(Choice((first, last), Text(f"Between steps {first} and {last}{whole}")))
        return choices

    return ChoiceScreen("Exclude users who did it between", load, "Listing the funnel steps failed")
