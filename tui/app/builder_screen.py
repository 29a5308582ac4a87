"""The chart builder: chart type, events, type settings, interval, range, filters, group-by and cohort."""

from __future__ import annotations

import copy
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static

from tui.analytics.definition import (
    CHART_TYPES,
    INTERVALS,
    ChartDefinition,
    DefinitionError,
    parse_chart,
    parse_segments,
)
from tui.app import builder_draft as drafts
from tui.app.background import run_in_background
from tui.app.builder_events import EventListActions
from tui.app.builder_group_by import drop_unaccepted_group_by, group_by_picker, group_by_title
from tui.app.builder_panels import (
    PANELS,
    RetentionSettings,
    choice_options,
    choice_select,
    form_row,
    replace_options,
)
from tui.app.builder_types import SetAside, switch_type
from tui.app.chart_saving import replace_question
from tui.app.cohort_picker import ALL_USERS_LABEL, CohortChoice, cohort_picker
from tui.app.confirm import ConfirmScreen
from tui.app.default_chart import days_ending
from tui.app.describe import INTERVAL_NAMES, segments_text
from tui.app.footer import SteadyFooter
from tui.app.pickers import PropertyChoice
from tui.app.series_list import SeriesList
from tui.store.saved_charts import SavedChartError, check_name, load_chart, save_chart
from tui.text import printable

CHART_TYPE_NAMES = {
    "segmentation": "Event segmentation",
    "funnel": "Funnel",
    "sessions": "User sessions",
    "retention": "Retention",
}
# The list's keys on each chart type, which ``unavailable_reason`` keeps in step with the footer.
LIST_HINTS = {
    "segmentation": "Series: a add, Enter change, f filter, x remove, J/K move, w filter all",
    "funnel": "Steps: a add, Enter change, f filter, x remove, J/K move, e exclude, w filter all",
    "sessions": "Every event counts: f or w filter them, x remove a filter",
    "retention": "Start and return: Enter change, f filter, x remove a filter, w filter all",
}

# The reason J and K move no row on the chart types whose events have no order.
UNORDERED_EVENTS = {
    "sessions": "A sessions chart has no events to move: it counts every event.",
    "retention": "A retention chart's start and return events keep their places: Enter on either changes its event.",
}

# The interval row's label by chart type. A retention chart's interval sets the length of its start cohorts.
INTERVAL_LABELS = {"retention": "Cohorts"}
INTERVAL_LABEL = "Interval"

# The ``Lines`` button without a ``segments`` key; with one it shows the key and clears it when pressed.
# NOTE: the button is hidden while the draft has no ``segments`` key, so this label shows only if that changes.
ALL_LINES_LABEL = "(all)"


def picked_value(label: str, button_id: str) -> Horizontal:
    """Return a button that shows a picked name, in a box that takes the rest of its form row."""
    return Horizontal(Button(label, compact=True, id=button_id), classes="picked-value")


def saved_definition(cursor, name: str) -> dict | None:
    """Return the definition saved under ``name``, or None when no chart has that name."""
    try:
        return load_chart(cursor, name).definition
    except SavedChartError:
        return None


class BuilderScreen(EventListActions, Screen):
    """The chart builder, which edits a draft, so the home screen changes only on apply or save.

    Apply and save dismiss the screen with the parsed chart.
    """

    BINDINGS = [
        Binding("ctrl+r", "apply", "Apply", id="builder.apply", tooltip="Draw the chart as built here"),
        Binding("ctrl+s", "save", "Save", id="builder.save", tooltip="Save the chart under the name typed, and draw it"),
        Binding("ctrl+o", "app.open_saved", "Open", id="builder.open", tooltip="Open a saved chart"),
        Binding(
            "escape", "back", "Back", id="builder.back",
            tooltip="From a field back to the list, from the list back to the chart without applying",
        ),
        Binding("q", "back", "Back", show=False, id="builder.quit"),
        # A control key, because letters typed in a field go into the field.
        Binding("ctrl+l", "focus_list", "List", id="builder.list", tooltip="Move the focus to the list of events"),
    ]

    def __init__(self, definition: ChartDefinition | None, chart_name: str | None, last_day: date):
        super().__init__()
        self.draft = drafts.new_draft(definition, last_day)
        self.set_aside = SetAside()
        # Set once the user picks an interval here. Until then a retention chart's interval follows its period.
        self.interval_chosen = False
        self.chart_name = chart_name
        self.last_day = last_day
        # The draft and name as the builder opened with them, set on mount.
        self.opened_form: tuple[dict, str] | None = None

    def compose(self) -> ComposeResult:
        kind = drafts.chart_type(self.draft)
        yield Static(Text("Chart builder", style="bold"), id="builder-title")
        # The hint takes a row of its own across both panes, because wrapped inside the list's pane its lines
        # would sit beside the settings' rows and read as labels of those controls.
        yield Label(id="list-hint")
        with Horizontal(id="builder-body"):
            with Vertical(id="series-pane"):
                yield form_row("Type", choice_select(CHART_TYPE_NAMES, CHART_TYPES, kind, "chart-type"))
                yield SeriesList(id="series")
            with VerticalScroll(id="settings-pane", can_focus=False):
                with Vertical(id="type-settings"):
                    yield PANELS[kind](self.draft)
                yield from self._common_rows()
        yield SteadyFooter()

    def _common_rows(self) -> ComposeResult:
        interval = choice_select(INTERVAL_NAMES, INTERVALS, self.draft.get("interval", "day"), "interval")
        row = form_row(self._interval_label(), interval)
        row.id = "interval-row"
        yield row
        yield form_row("From", Input(placeholder="YYYY-MM-DD", compact=True, id="range-from"))
        yield form_row("To", Input(placeholder="YYYY-MM-DD", compact=True, id="range-to"))
        presets = [Button(f"{days} days", compact=True, id=f"preset-{days}") for days in drafts.PRESET_DAYS]
        yield form_row("Last", *presets)
        yield form_row("Group by", picked_value("(none)", "group-by"))
        lines = form_row("Lines", picked_value(ALL_LINES_LABEL, "segments"))
        lines.id = "segments-row"
        yield lines
        yield form_row("Cohort", picked_value(ALL_USERS_LABEL, "cohort"))
        yield form_row("Name", Input(placeholder="name to save under", compact=True, id="chart-name"))
        with Horizontal(classes="form-row", id="builder-actions"):
            yield Button("Apply", variant="primary", compact=True, id="apply")
            yield Button("Save", compact=True, id="save")
            yield Button("Open…", compact=True, id="open-saved")

    def on_mount(self) -> None:
        chart_range = self.draft.get("range", {})
        self.query_one("#range-from", Input).value = chart_range.get("from", "")
        self.query_one("#range-to", Input).value = chart_range.get("to", "")
        self.query_one("#chart-name", Input).value = self.chart_name or self._unsaved_name() or ""
        self.show_draft()
        self.query_one(SeriesList).focus()
        self.opened_form = self._form_state()

    def _unsaved_name(self) -> str | None:
        """Return the name typed when the chart shown was applied unsaved, so reopening the builder keeps it."""
        origin = getattr(self.app, "chart_origin", None)
        return origin.name if origin is not None else None

    def show_draft(self, highlight: tuple | None = None) -> None:
        """Show the parts of the draft that are not typed into inputs: the list, group-by and cohort."""
        self.query_one(SeriesList).show_draft(self.draft, highlight)
        self.query_one("#list-hint", Label).update(Text(LIST_HINTS[drafts.chart_type(self.draft)]))
        group_by = self.draft.get("group_by")
        self._set_label("#group-by", printable(group_by) if group_by else "(none)")
        self._set_label("#segments", self._segments_text())
        # Shown only while the draft keeps or drops lines, so the builder's tab order stays the same otherwise.
        self.query_one("#segments-row").display = bool(self.draft.get("segments"))
        cohort = self.draft.get("cohort")
        self._set_label("#cohort", printable(cohort) if cohort else ALL_USERS_LABEL)

    def _set_label(self, selector: str, label: str) -> None:
        """Show ``label`` on a button of the form, and size the button to the new label.

        A Button's label is not a layout reactive (Textual 8), so without the
        layout refresh the button keeps the width of its first label.
        """
        button = self.query_one(selector, Button)
        button.label = Text(label)
        button.refresh(layout=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides the key from the footer and the key list (Textual 8), and stops it running.
        # The app shows ``unavailable_reason`` when a hidden key is pressed.
        return self.unavailable_reason(action) is None

    def unavailable_reason(self, action: str) -> str | None:
        """Return why the list key of ``action`` does nothing on the draft and the highlighted row, or None when it acts."""
        kind = drafts.chart_type(self.draft)
        if action == "add_event":
            return self._add_event_reason()
        if action == "add_exclusion" and kind != "funnel":
            return f"Only funnels exclude users who did an event between two steps, and this is a {kind} chart."
        if action == "move_row" and kind not in drafts.EVENT_LISTS:
            return UNORDERED_EVENTS[kind]
        if action in ("change_event", "remove_row"):
            return self._row_reason(action)
        return None

    def _add_event_reason(self) -> str | None:
        try:
            drafts.next_event_key(self.draft)
        except drafts.DraftError as error:
            return str(error)
        return None

    def _row_reason(self, action: str) -> str | None:
        """Return why Enter (``change_event``) or x (``remove_row``) does nothing on the highlighted row."""
        row = self.query_one(SeriesList).current_row()
        if row is None:
            return "The list has no row to change or remove yet."
        if action == "change_event" and (row.filter_index is not None or row.key == drafts.CHART_FILTERS):
            return "A filter row has no event to change: x removes the filter, f adds another."
        if action == "remove_row" and row.key in drafts.RETENTION_EVENTS and row.filter_index is None:
            return f"A retention chart needs a {row.key} event: press Enter to choose another one."
        return None

    def on_option_list_option_highlighted(self, event: SeriesList.OptionHighlighted) -> None:
        # The keys for the highlighted row differ between event and filter rows, so the footer follows the row.
        if event.option_list is self.query_one(SeriesList):
            self.refresh_bindings()

    def action_focus_list(self) -> None:
        self.query_one(SeriesList).focus()

    # Chart type, interval, group-by and cohort -------------------------------

    def action_choose_type(self) -> None:
        self.query_one("#chart-type", Select).focus()

    async def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "interval":
            # A Select also posts Changed when it mounts, for the value it was built with (Textual 8.2),
            # which is no choice.
            if event.value != self.draft.get("interval"):
                self.interval_chosen = True
            self.draft["interval"] = event.value
        elif event.select.id == "chart-type" and event.value != drafts.chart_type(self.draft):
            await self._switch_type(event.value)

    async def _switch_type(self, new_type: str) -> None:
        switched = switch_type(self.draft, new_type, self.set_aside, interval_follows=not self.interval_chosen)
        notes = [switched, drop_unaccepted_group_by(self.draft)]
        # The Name field stays as typed, because Save requests a yes before it replaces a saved chart of another type.
        settings = self.query_one("#type-settings", Vertical)
        await settings.remove_children()
        await settings.mount(PANELS[new_type](self.draft))
        self._show_interval()
        self.show_draft()
        self.refresh_bindings()
        # The events are what a new chart type needs next, so the list takes the focus from the Type field.
        self.query_one(SeriesList).focus()
        for note in notes:
            if note:
                self.notify(note, severity="warning", markup=False)

    def on_retention_settings_period_changed(self, event: RetentionSettings.PeriodChanged) -> None:
        if not self.interval_chosen and drafts.follow_period(self.draft):
            self._show_interval()

    def _interval_label(self) -> str:
        return INTERVAL_LABELS.get(drafts.chart_type(self.draft), INTERVAL_LABEL)

    def _show_interval(self) -> None:
        """Show the draft's interval and the row's label for the chart type, without it counting as a choice."""
        self.query_one("#interval-row > Label", Label).update(self._interval_label())
        options = choice_options(INTERVAL_NAMES, INTERVALS)
        replace_options(self.query_one("#interval", Select), options, self.draft.get("interval", "day"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("preset-"):
            start, end = days_ending(self.last_day, int(button.removeprefix("preset-")))
            self.query_one("#range-from", Input).value = start
            self.query_one("#range-to", Input).value = end
        elif button == "group-by":
            first = self._first_event()
            kind = drafts.chart_type(self.draft)
            title = group_by_title(kind, first)
            picker = group_by_picker(kind, first, title, self.draft.get("group_by"))
            self.app.push_screen(picker, self._group_by_chosen)
        elif button == "segments":
            if self.draft.pop("segments", None) is not None:
                self.notify("Every line of the chart shows again.", markup=False)
            self.show_draft()
        elif button == "cohort":
            self.app.push_screen(cohort_picker(), self._cohort_chosen)
        elif button == "apply":
            self.action_apply()
        elif button == "save":
            self.action_save()
        elif button == "open-saved":
            self.app.action_open_saved()

    def _group_by_chosen(self, choice: PropertyChoice | None) -> None:
        if choice is not None:
            drafts.set_group_by(self.draft, choice.name)
            self.show_draft()

    def _segments_text(self) -> str:
        """Return the draft's ``segments`` key as the description shows it, or ``ALL_LINES_LABEL``."""
        segments = self.draft.get("segments")
        if not segments:
            return ALL_LINES_LABEL
        try:
            choice = parse_segments(segments)
        except DefinitionError:
            return printable(str(segments))
        return segments_text(choice) + " (Enter: show all)"

    def _cohort_chosen(self, choice: CohortChoice | None) -> None:
        if choice is not None:
            drafts.set_cohort(self.draft, choice.name)
            self.show_draft()

    def _first_event(self) -> str | None:
        """Return the event whose properties the group-by picker lists, or None for any event."""
        row = next((row for row in self.query_one(SeriesList).rows if row.key != drafts.CHART_FILTERS), None)
        spec = drafts.event_spec(self.draft, row) if row is not None else None
        return spec["event"] if spec else None

    # Apply and save ----------------------------------------------------------

    def _typed_range(self) -> dict:
        return {
            "from": self.query_one("#range-from", Input).value.strip(),
            "to": self.query_one("#range-to", Input).value.strip(),
        }

    def _form_state(self) -> tuple[dict, str]:
        """Return the draft with the range as typed, and the name typed: what apply or save would use."""
        draft = copy.deepcopy(self.draft)
        draft["range"] = self._typed_range()
        return draft, self.query_one("#chart-name", Input).value.strip()

    def _definition(self) -> ChartDefinition | None:
        """Return the draft as a parsed chart, or None after showing why it is invalid."""
        self.draft["range"] = self._typed_range()
        try:
            return parse_chart(self.draft)
        except DefinitionError as error:
            self.notify(str(error), title="Invalid chart", severity="error", markup=False)
            return None

    def action_apply(self) -> None:
        definition = self._definition()
        if definition is not None:
            typed_name = self.query_one("#chart-name", Input).value.strip()
            self.app.show_chart(definition, unsaved_name=typed_name or None)
            self.dismiss(definition)

    def action_save(self) -> None:
        definition = self._definition()
        if definition is None or not self.app.check_writable():
            return
        try:
            name = check_name(self.query_one("#chart-name", Input).value)
        except SavedChartError as error:
            self.notify(str(error), title="Cannot save", severity="error", markup=False)
            return
        member = self.app.project.current_member()

        def saved(_) -> None:
            self.notify(f"Saved chart {name!r}.", markup=False)
            self.app.show_chart(definition, name)
            self.dismiss(definition)

        def save() -> None:
            write = lambda cursor: save_chart(cursor, name, definition.to_json(), created_by=member)  # noqa: E731
            run_in_background(self, write, saved, "Saving the chart failed")

        def checked(replaced: dict | None) -> None:
            if replaced is None or replaced.get("type") == definition.type:
                save()
                return
            # Saving replaces a chart of another type, which may have been meant to stay.
            question = replace_question(name, replaced, definition)
            self.app.push_screen(ConfirmScreen(question), lambda yes: save() if yes else None)

        run_in_background(self, lambda cursor: saved_definition(cursor, name), checked, "Reading the saved charts failed")

    # Back --------------------------------------------------------------------

    def action_back(self) -> None:
        """Leave a field for the list, or leave the list for the chart, asking first if changes would be lost.

        An open menu of a field gets Escape first and only closes, so
        Escape goes back one level at a time: menu, field, builder.
        """
        series = self.query_one(SeriesList)
        if self.focused is not None and self.focused is not series:
            series.focus()
            return
        if not self.has_unapplied_changes():
            self.dismiss()
            return
        question = "The chart builder has changes that were not applied. Leave and drop them? (y/n)"
        self.app.push_screen(ConfirmScreen(question), self._leave_confirmed)

    def has_unapplied_changes(self) -> bool:
        """Tell whether the draft, the typed range or the name differ from what the builder opened with."""
        return self._form_state() != self.opened_form

    def _leave_confirmed(self, leave: bool | None) -> None:
        if leave:
            self.dismiss()
