"""The chart builder: events, measure, interval, range, filters, group-by and cohort, then apply or save."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from tui.analytics.definition import INTERVALS, ChartDefinition, DefinitionError, parse_chart
from tui.app import builder_draft as drafts
from tui.app.background import run_in_background
from tui.app.cohort_picker import ALL_USERS_LABEL, CohortChoice, cohort_picker
from tui.app.default_chart import days_ending
from tui.app.describe import INTERVAL_NAMES, MEASURE_NAMES, event_name
from tui.app.filter_editor import FilterEditor
from tui.text import printable
from tui.app.pickers import PropertyChoice, event_picker, property_picker
from tui.app.series_list import SeriesList
from tui.store.saved_charts import SavedChartError, check_name, save_chart

# Measures with a property pick it right after being chosen, and are stored as ``sum:PROP``.
PROPERTY_MEASURES = {"sum": "Sum of a property…", "avg": "Average of a property…"}


class BuilderScreen(Screen):
    """The chart builder, which edits a draft, so the home screen changes only on apply or save."""

    BINDINGS = [
        Binding("ctrl+r", "apply", "Apply", id="builder.apply", tooltip="Draw the chart as built here"),
        Binding("ctrl+s", "save", "Save", id="builder.save", tooltip="Save the chart under the name typed, and draw it"),
        Binding("ctrl+o", "app.open_saved", "Open", id="builder.open", tooltip="Open a saved chart"),
        Binding("escape", "back", "Back", id="builder.back", tooltip="Back to the chart without applying"),
        Binding("q", "back", "Back", show=False, id="builder.quit"),
    ]

    def __init__(self, definition: ChartDefinition | None, chart_name: str | None, last_day: date):
        super().__init__()
        self.draft = drafts.new_draft(definition, last_day)
        self.chart_name = chart_name
        self.last_day = last_day

    def compose(self) -> ComposeResult:
        yield Static(Text("Chart builder", style="bold"), id="builder-title")
        with Horizontal(id="builder-body"):
            with Vertical(id="series-pane"):
                yield Label("Series (a add, f filter, x remove)")
                yield SeriesList(id="series")
            with VerticalScroll(id="settings-pane", can_focus=False):
                yield from self._settings_rows()
        yield Footer()

    def _settings_rows(self) -> ComposeResult:
        measure_options = [(name, key) for key, name in MEASURE_NAMES.items()]
        measure_options += [(name, key) for key, name in PROPERTY_MEASURES.items()]
        interval_options = [(INTERVAL_NAMES[key], key) for key in INTERVALS]
        with Horizontal(classes="form-row"):
            yield Label("Measure")
            # The draft's values are given at construction: setting them later posts a Changed
            # message for the first option too, which would overwrite the draft's measure.
            measure_kind = self.draft.get("measure", "uniques").partition(":")[0]
            yield Select(measure_options, value=measure_kind, allow_blank=False, compact=True, id="measure")
            yield Static(id="measure-property")
        rows = (
            ("Interval", Select(
                interval_options, value=self.draft.get("interval", "day"), allow_blank=False, compact=True, id="interval",
            )),
            ("From", Input(placeholder="YYYY-MM-DD", compact=True, id="range-from")),
            ("To", Input(placeholder="YYYY-MM-DD", compact=True, id="range-to")),
        )
        for label, widget in rows:
            with Horizontal(classes="form-row"):
                yield Label(label)
                yield widget
        with Horizontal(classes="form-row"):
            yield Label("Last")
            for days in drafts.PRESET_DAYS:
                yield Button(f"{days} days", compact=True, id=f"preset-{days}")
        with Horizontal(classes="form-row"):
            yield Label("Group by")
            yield Button("(none)", compact=True, id="group-by")
        with Horizontal(classes="form-row"):
            yield Label("Cohort")
            yield Button(ALL_USERS_LABEL, compact=True, id="cohort")
        with Horizontal(classes="form-row"):
            yield Label("Name")
            yield Input(placeholder="name to save under", compact=True, id="chart-name")
        with Horizontal(classes="form-row", id="builder-actions"):
            yield Button("Apply", variant="primary", compact=True, id="apply")
            yield Button("Save", compact=True, id="save")
            yield Button("Open…", compact=True, id="open-saved")

    def on_mount(self) -> None:
        chart_range = self.draft.get("range", {})
        self.query_one("#range-from", Input).value = chart_range.get("from", "")
        self.query_one("#range-to", Input).value = chart_range.get("to", "")
        self.query_one("#chart-name", Input).value = self.chart_name or ""
        self._refresh_draft()
        self.query_one(SeriesList).focus()

    def _refresh_draft(self) -> None:
        """Show the parts of the draft that are not typed into inputs: series, measure property, group-by, cohort."""
        self.query_one(SeriesList).show_draft(self.draft)
        kind, _, prop = self.draft.get("measure", "uniques").partition(":")
        property_text = Text(f"of {printable(prop)}") if prop else Text()
        self.query_one("#measure-property", Static).update(property_text)
        group_by = self.draft.get("group_by")
        self.query_one("#group-by", Button).label = Text(printable(group_by) if group_by else "(none)")
        cohort = self.draft.get("cohort")
        self.query_one("#cohort", Button).label = Text(printable(cohort) if cohort else ALL_USERS_LABEL)

    # Series and filters -----------------------------------------------------

    def action_add_series(self) -> None:
        self.app.push_screen(event_picker(), self._series_added)

    def _series_added(self, event: str | None) -> None:
        if event is not None:
            drafts.add_series(self.draft, event)
            self._refresh_draft()

    def on_option_list_option_selected(self, event: SeriesList.OptionSelected) -> None:
        row = self.query_one(SeriesList).current_row()
        if row is None or row.filter_index is not None:
            return
        self.app.push_screen(event_picker(), lambda chosen: self._series_changed(row.series, chosen))

    def _series_changed(self, series: int, event: str | None) -> None:
        if event is not None:
            drafts.set_series_event(self.draft, series, event)
            self._refresh_draft()

    def action_add_filter(self) -> None:
        row = self.query_one(SeriesList).current_row()
        if row is None:
            self.notify("Add an event first, then filter it.", severity="warning")
            return
        event = self.draft["events"][row.series]["event"]
        self.app.push_screen(FilterEditor(event), lambda item: self._filter_added(row.series, item))

    def _filter_added(self, series: int, item: dict | None) -> None:
        if item is not None:
            drafts.add_filter(self.draft, series, item)
            self._refresh_draft()

    def action_remove_row(self) -> None:
        row = self.query_one(SeriesList).current_row()
        if row is not None:
            drafts.remove_row(self.draft, row)
            self._refresh_draft()

    # Measure, interval, range and group-by -----------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "interval":
            self.draft["interval"] = event.value
            return
        current = self.draft.get("measure", "uniques")
        if event.value == current.partition(":")[0]:
            return
        if event.value in PROPERTY_MEASURES:
            title = f"{PROPERTY_MEASURES[event.value].rstrip('…')} to measure"
            self.app.push_screen(
                property_picker(self._first_event(), title),
                lambda choice: self._measure_property_chosen(event.value, choice),
            )
            return
        self.draft["measure"] = event.value
        self._refresh_draft()

    def _measure_property_chosen(self, kind: str, choice: PropertyChoice | None) -> None:
        if choice is None:
            # Cancelled: go back to the measure the draft still has.
            self.query_one("#measure", Select).value = self.draft.get("measure", "uniques").partition(":")[0]
            return
        self.draft["measure"] = f"{kind}:{choice.name}"
        self._refresh_draft()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("preset-"):
            start, end = days_ending(self.last_day, int(button.removeprefix("preset-")))
            self.query_one("#range-from", Input).value = start
            self.query_one("#range-to", Input).value = end
        elif button == "group-by":
            title = f"Group {event_name(self._first_event() or '*')} by"
            self.app.push_screen(property_picker(self._first_event(), title, allow_none=True), self._group_by_chosen)
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
            self._refresh_draft()

    def _cohort_chosen(self, choice: CohortChoice | None) -> None:
        if choice is not None:
            drafts.set_cohort(self.draft, choice.name)
            self._refresh_draft()

    def _first_event(self) -> str | None:
        events = self.draft.get("events") or [{}]
        return events[0].get("event")

    # Apply and save ----------------------------------------------------------

    def _definition(self) -> ChartDefinition | None:
        """Return the draft as a parsed chart, or None after showing why it is invalid."""
        self.draft["range"] = {
            "from": self.query_one("#range-from", Input).value.strip(),
            "to": self.query_one("#range-to", Input).value.strip(),
        }
        try:
            return parse_chart(self.draft)
        except DefinitionError as error:
            self.notify(str(error), title="Invalid chart", severity="error", markup=False)
            return None

    def action_apply(self) -> None:
        definition = self._definition()
        if definition is not None:
            self.app.show_chart(definition)
            self.dismiss()

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
            self.dismiss()

        save = lambda cursor: save_chart(cursor, name, definition.to_json(), created_by=member)  # noqa: E731
        run_in_background(self, save, saved, "Saving the chart failed")

    def action_back(self) -> None:
        self.dismiss()
