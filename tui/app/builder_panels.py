"""The chart builder's settings that only one chart type takes, a panel per type.

Each panel edits the builder's draft in place. Its widgets are built with the
draft's values, because setting a value later posts a Changed message that
would look like the user's choice.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select

from tui.analytics.definition import (
    FUNNEL_ORDERS,
    RETENTION_MODES,
    RETENTION_PERIODS,
    SESSION_MEASURES,
    DefinitionError,
    parse_window,
)
from tui.analytics.measure_values import numeric_properties
from tui.app.builder_draft import DEFAULT_PERIOD
from tui.app.builder_group_by import COUNT_USERS, count_by_picker
from tui.app.builder_values import format_seconds, length_edges, set_option, set_typed_option
from tui.app.builder_widgets import ReselectableSelect, StateCheckbox
from tui.app.choice_screen import Choice, ChoiceScreen
from tui.app.describe import MEASURE_NAMES, ROLLING_PERIODS, measure_name
from tui.app.pickers import PropertyChoice, property_picker
from tui.text import printable

# Measures with a property pick it right after being chosen, and are stored as ``sum:PROP``.
PROPERTY_MEASURES = {"sum": "Sum of a property…", "avg": "Average of a property…"}
ORDER_NAMES = {"this": "This order", "any": "Any order", "exact": "Exact order"}
SESSION_MEASURE_NAMES = {
    "sessions": "Sessions",
    "avg_length": "Average length",
    "per_user": "Sessions per user",
    "length": "Length distribution",
}
LENGTH_MEASURE = "length"
PERIOD_NAMES = {"day": "Days", "week": "Weeks"}
MODE_NAMES = {"on": "Return on period N", "on_or_after": "Return on or after N"}
DEFAULT_WINDOW = "1d"
DEFAULT_PERIODS = 7


def form_row(label: str, *widgets: Widget) -> Horizontal:
    return Horizontal(Label(label), *widgets, classes="form-row")


def choice_select(
    names: dict[str, str], keys: tuple[str, ...], value: str, widget_id: str, select_class: type[Select] = Select,
) -> Select:
    """Return a Select of ``keys`` shown by their ``names``, or as themselves where ``names`` lacks them."""
    return select_class(choice_options(names, keys), value=value, allow_blank=False, compact=True, id=widget_id)


def choice_options(names: dict[str, str], keys: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(names.get(key, key), key) for key in keys]


def replace_options(select: Select, options: list[tuple[str, str]], value: str) -> None:
    """Show ``options`` in ``select`` with ``value`` chosen, posting no Changed message that would look like a choice."""
    with select.prevent(Select.Changed):
        select.set_options(options)
        select.value = value
        # Textual (8.2) shows a new prompt only when the value changes, which it may not.
        select.mutate_reactive(Select.value)


def measured_property_picker(event_type: str | None, title: str, current: str | None = None) -> ChoiceScreen:
    """Return the property picker of a sum or average: numeric properties first, the others marked as text.

    A sum or an average skips values that are not numbers, so a text property measures 0.
    The cursor starts on ``current``, the property measured now, when the list has it.
    """
    picker = property_picker(event_type, title, current=current)
    list_properties = picker.load

    def load(cursor) -> list[Choice]:
        choices = list_properties(cursor)
        scope = None if event_type in (None, "*") else event_type
        numeric = numeric_properties(cursor, [choice.value.name for choice in choices], scope)
        for choice in choices:
            if choice.value.name not in numeric:
                choice.label.append(" · text, no numbers", style="dim")
        # sorted() is stable, so each part keeps the catalog's order.
        return sorted(choices, key=lambda choice: choice.value.name not in numeric)

    picker.load = load
    return picker


def draft_unit(draft: dict) -> str:
    """Return what the draft's chart counts, as a plural noun: ``groups`` with a ``count_by``, else ``users``."""
    return "groups" if draft.get("count_by") else "users"


class TypeSettings(Vertical):
    """The settings of one chart type. ``OPTIONS`` maps the id of a Select to its draft key and default."""

    OPTIONS: dict[str, tuple[str, object]] = {}

    def __init__(self, draft: dict):
        super().__init__(classes="type-settings")
        self.draft = draft

    def count_by_rows(self) -> ComposeResult:
        """Show what the chart counts, users or a group type, as a button that opens the count-by picker."""
        button = Button(self._count_by_label(), compact=True, id="count-by")
        yield form_row("Count by", Horizontal(button, classes="picked-value"))

    def _count_by_label(self) -> str:
        return printable(self.draft.get("count_by") or COUNT_USERS)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "count-by":
            event.stop()
            self.app.push_screen(count_by_picker(), self._count_by_chosen)

    def _count_by_chosen(self, choice: str | None) -> None:
        if choice is None:
            return
        if choice == COUNT_USERS:
            self.draft.pop("count_by", None)
        else:
            self.draft["count_by"] = choice
        button = self.query_one("#count-by", Button)
        button.label = self._count_by_label()
        # A Button's label is not a layout reactive (Textual 8): without this it keeps its first label's width.
        button.refresh(layout=True)
        self.show_unit()

    def show_unit(self) -> None:
        """Name the counted unit in the measure choices, called when the count-by changes."""

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in self.OPTIONS:
            event.stop()
            key, default = self.OPTIONS[event.select.id]
            set_option(self.draft, key, event.value, default)


class SegmentationSettings(TypeSettings):
    """The measure of an event segmentation, with the property of ``sum:`` and ``avg:`` measures."""

    def compose(self) -> ComposeResult:
        names = self._measure_names()
        kind = self.draft.get("measure", "uniques").partition(":")[0]
        measure = choice_select(names, tuple(names), kind, "measure", ReselectableSelect)
        # The property shows as a button, so Tab reaches it and Enter picks another property.
        yield form_row("Measure", measure, Button("", compact=True, id="measure-property"))
        yield from self.count_by_rows()

    def _measure_names(self) -> dict[str, str]:
        unit = draft_unit(self.draft)
        return {measure: measure_name(measure, unit) for measure in MEASURE_NAMES} | PROPERTY_MEASURES

    def show_unit(self) -> None:
        names = self._measure_names()
        kind = self.draft.get("measure", "uniques").partition(":")[0]
        replace_options(self.query_one("#measure", Select), choice_options(names, tuple(names)), kind)

    def on_mount(self) -> None:
        self._show_property()

    def _show_property(self) -> None:
        """Show the measured property on its button, and hide the button for a measure without one."""
        prop = self.draft.get("measure", "uniques").partition(":")[2]
        button = self.query_one("#measure-property", Button)
        button.label = Text(f"of {printable(prop)}") if prop else Text()
        button.display = bool(prop)
        # A Button's label is not a layout reactive (Textual 8): without this it keeps its first label's width.
        button.refresh(layout=True)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "measure":
            return
        event.stop()
        if event.value == self.draft.get("measure", "uniques").partition(":")[0]:
            return
        if event.value in PROPERTY_MEASURES:
            self._pick_property(event.value)
            return
        self.draft["measure"] = event.value
        self._show_property()

    def on_reselectable_select_reselected(self, event: ReselectableSelect.Reselected) -> None:
        """Open the property picker again when the user chooses the property measure the draft already has."""
        if event.select.id != "measure":
            return
        event.stop()
        if event.value in PROPERTY_MEASURES:
            self._pick_property(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        # Textual calls TypeSettings' handler too, after this one, which handles the Count by button.
        if event.button.id != "measure-property":
            return
        event.stop()
        self._pick_property(self.draft.get("measure", "uniques").partition(":")[0])

    def _pick_property(self, kind: str) -> None:
        """Ask for the property that the ``kind`` measure (``sum`` or ``avg``) measures."""
        events = self.draft.get("events") or [{}]
        title = f"{PROPERTY_MEASURES[kind].rstrip('…')} to measure"
        # The property measured now, also when the user switches from a sum to an average.
        current = self.draft.get("measure", "uniques").partition(":")[2] or None
        self.app.push_screen(
            measured_property_picker(events[0].get("event"), title, current),
            lambda choice: self._property_chosen(kind, choice),
        )

    def _property_chosen(self, kind: str, choice: PropertyChoice | None) -> None:
        if choice is None:
            # Cancelled: go back to the measure the draft still has.
            self.query_one("#measure", Select).value = self.draft.get("measure", "uniques").partition(":")[0]
            return
        self.draft["measure"] = f"{kind}:{choice.name}"
        self._show_property()


class FunnelSettings(TypeSettings):
    """A funnel's conversion window and step order."""

    OPTIONS = {"order": ("order", "this")}

    def compose(self) -> ComposeResult:
        window = Input(
            self.draft.get("window", ""), placeholder=f"{DEFAULT_WINDOW} (e.g. 30m, 2h, 1d, 2w)", compact=True, id="window",
        )
        yield form_row("Window", window)
        yield form_row("Order", choice_select(ORDER_NAMES, FUNNEL_ORDERS, self.draft.get("order", "this"), "order"))
        yield from self.count_by_rows()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "window":
            event.stop()
            set_typed_option(self.draft, "window", event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the window on Enter, so a typing error shows before apply."""
        if event.input.id != "window":
            return
        event.stop()
        if "window" not in self.draft:
            return
        try:
            parse_window(self.draft["window"], "window")
        except DefinitionError as error:
            self.notify(str(error), title="Invalid window", severity="error", markup=False)


class SessionsSettings(TypeSettings):
    """The measure of a sessions chart, with the bucket edges of the length distribution."""

    def compose(self) -> ComposeResult:
        measure = self.draft.get("measure", SESSION_MEASURES[0])
        yield form_row("Measure", choice_select(self._measure_names(), SESSION_MEASURES, measure, "measure"))
        if LENGTH_MEASURE in SESSION_MEASURES:
            edges = ", ".join(format_seconds(edge) for edge in self.draft.get("length_buckets") or ())
            buckets = Input(edges, placeholder="default, or e.g. 10s, 1m, 5m", compact=True, id="length-buckets")
            row = form_row("Buckets", buckets)
            row.id = "length-buckets-row"
            # Only the length distribution has buckets, so the row shows only while it is the measure.
            row.display = measure == LENGTH_MEASURE
            yield row
        yield from self.count_by_rows()

    def _measure_names(self) -> dict[str, str]:
        unit = draft_unit(self.draft)
        return SESSION_MEASURE_NAMES | {"per_user": "Sessions per group"} if unit == "groups" else SESSION_MEASURE_NAMES

    def show_unit(self) -> None:
        options = choice_options(self._measure_names(), SESSION_MEASURES)
        replace_options(self.query_one("#measure", Select), options, self.draft.get("measure", SESSION_MEASURES[0]))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "measure":
            return
        event.stop()
        before = (self.draft.get("measure"), self.draft.get("length_buckets"))
        set_option(self.draft, "measure", event.value, SESSION_MEASURES[0])
        # Bucket edges apply only to the length distribution, so other measures leave them out of the draft.
        if LENGTH_MEASURE in SESSION_MEASURES:
            self.query_one("#length-buckets-row").display = event.value == LENGTH_MEASURE
            self._store_buckets(self.query_one("#length-buckets", Input).value)
        self._drop_stale_lines(before)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "length-buckets":
            event.stop()
            before = (self.draft.get("measure"), self.draft.get("length_buckets"))
            self._store_buckets(event.value)
            self._drop_stale_lines(before)

    def _drop_stale_lines(self, before: tuple) -> None:
        """Remove the ``segments`` key once the measure or bucket edges change, because it may name old length buckets."""
        if before == (self.draft.get("measure"), self.draft.get("length_buckets")) or "segments" not in self.draft:
            return
        del self.draft["segments"]
        show_draft = getattr(self.screen, "show_draft", None)
        if show_draft is not None:
            show_draft()

    def _store_buckets(self, text: str) -> None:
        if self.draft.get("measure") == LENGTH_MEASURE:
            set_typed_option(self.draft, "length_buckets", text, length_edges)
        else:
            self.draft.pop("length_buckets", None)


class RetentionSettings(TypeSettings):
    """A retention chart's periods: their length and number, how a return counts, and rolling windows."""

    OPTIONS = {"period": ("period", DEFAULT_PERIOD), "mode": ("mode", "on")}

    class PeriodChanged(Message):
        """Posted after the user chose another period, so the builder can move the interval along."""

    def compose(self) -> ComposeResult:
        draft = self.draft
        period = draft.get("period", DEFAULT_PERIOD)
        yield form_row("Period", choice_select(PERIOD_NAMES, RETENTION_PERIODS, period, "period"))
        periods = Input(
            str(draft.get("periods", "")), placeholder=str(DEFAULT_PERIODS), type="integer", compact=True, id="periods",
        )
        yield form_row("Periods", periods)
        yield form_row("Mode", choice_select(MODE_NAMES, RETENTION_MODES, draft.get("mode", "on"), "mode"))
        rolling = draft.get("rolling", False)
        yield form_row("Rolling", StateCheckbox(periods_name(rolling, period), rolling, compact=True, id="rolling"))
        yield from self.count_by_rows()

    def on_select_changed(self, event: Select.Changed) -> None:
        # The Select also posts Changed when it mounts with the draft's period, which is no choice.
        before = self.draft.get("period", DEFAULT_PERIOD)
        super().on_select_changed(event)
        if self.draft.get("period", DEFAULT_PERIOD) != before:
            self._show_periods_name()
            self.post_message(self.PeriodChanged())

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "periods":
            event.stop()
            set_typed_option(self.draft, "periods", event.value, int)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        set_option(self.draft, "rolling", event.value, False)
        self._show_periods_name()

    def _show_periods_name(self) -> None:
        # Textual's label setter refreshes the layout, so the checkbox takes the width of the new name.
        checkbox = self.query_one("#rolling", StateCheckbox)
        checkbox.label = periods_name(self.draft.get("rolling", False), self.draft.get("period", DEFAULT_PERIOD))


def periods_name(rolling: bool, period: str) -> str:
    """Name the retention periods that the Rolling switch gives, such as ``calendar days`` or ``rolling 7-day weeks``."""
    return ROLLING_PERIODS[period] if rolling else f"calendar {period}s"


PANELS = {
    "segmentation": SegmentationSettings,
    "funnel": FunnelSettings,
    "sessions": SessionsSettings,
    "retention": RetentionSettings,
}
