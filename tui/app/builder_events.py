"""The chart builder's actions on its list: events, funnel steps and exclusions, and their filters."""

from __future__ import annotations

from tui.app import builder_draft as drafts
from tui.app.builder_draft import CHART_FILTERS, DraftError, SeriesRow
from tui.app.filter_editor import FilterEditor
from tui.app.pickers import event_picker, step_pair_picker
from tui.app.series_list import SeriesList

CHART_FILTER_TITLE = "Filter every event"


class EventListActions:
    """The list actions of ``BuilderScreen``, which mixes this class in and has ``draft`` and ``show_draft``."""

    draft: dict

    def _current_row(self) -> SeriesRow | None:
        return self.query_one(SeriesList).current_row()

    def _edit(self, change, *args) -> None:
        """Apply ``change(draft, *args)`` and show the result, or show why the draft rejected it.

        A change that adds a row returns the row's place, and the list highlights that row.
        """
        try:
            added = change(self.draft, *args)
        except DraftError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self.show_draft(added)

    def _when_chosen(self, change, *args):
        """Return a dialog callback that runs ``change(draft, *args, result)`` unless the dialog was closed."""

        def chosen(result) -> None:
            if result is not None:
                self._edit(change, *args, result)

        return chosen

    def action_add_event(self) -> None:
        try:
            drafts.next_event_key(self.draft)
        except DraftError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self.app.push_screen(event_picker(), self._when_chosen(drafts.add_event))

    def on_option_list_option_selected(self, event: SeriesList.OptionSelected) -> None:
        # Posted for a click on a row. Enter runs ``action_change_event`` directly.
        if event.option_list is self.query_one(SeriesList):
            self.action_change_event()

    def action_change_event(self) -> None:
        """Choose another event for the highlighted row, and for an exclusion then the steps it lies between."""
        row = self._current_row()
        if row is None or row.filter_index is not None or row.key == CHART_FILTERS:
            return

        # The picker starts on the row's event, so Enter twice keeps it. A retention row not set yet has none.
        spec = drafts.event_spec(self.draft, row)
        current = spec["event"] if spec is not None else None
        self.app.push_screen(event_picker(current), lambda chosen: self._event_changed(row, chosen))

    def _event_changed(self, row: SeriesRow, event: str | None) -> None:
        if event is None:
            return
        self._edit(drafts.set_event, row, event)
        if row.key == "exclude":
            steps = len(self.draft.get("steps", []))
            self.app.push_screen(step_pair_picker(steps), self._when_chosen(drafts.set_exclusion_steps, row.index))

    def action_add_filter(self) -> None:
        row = self._current_row()
        if row is None and drafts.chart_type(self.draft) == "sessions":
            self.action_add_chart_filter()
            return
        if row is None:
            self.notify("Add an event first, then filter it (w filters every event).", severity="warning")
            return
        spec = drafts.event_spec(self.draft, row)
        if row.key == CHART_FILTERS:
            editor = FilterEditor("*", CHART_FILTER_TITLE)
        elif spec is None:
            self.notify(f"Choose the {row.key} event first (Enter), then filter it.", severity="warning")
            return
        else:
            editor = FilterEditor(spec["event"])
        self.app.push_screen(editor, self._when_chosen(drafts.add_filter, row))

    def action_add_chart_filter(self) -> None:
        row = SeriesRow(CHART_FILTERS, None, None, "")
        editor = FilterEditor("*", CHART_FILTER_TITLE)
        self.app.push_screen(editor, self._when_chosen(drafts.add_filter, row))

    def action_remove_row(self) -> None:
        row = self._current_row()
        if row is not None:
            self._edit(drafts.remove_row, row)

    def action_move_row(self, offset: int) -> None:
        row = self._current_row()
        moved = drafts.move_row(self.draft, row, offset) if row is not None else None
        if moved is not None:
            self.show_draft(moved.place)

    def action_add_exclusion(self) -> None:
        steps = len(self.draft.get("steps", []))
        if steps < 2:
            self.notify("Add at least two steps, then exclude an event between them.", severity="warning")
            return
        self.app.push_screen(event_picker(), self._exclusion_event_chosen)

    def _exclusion_event_chosen(self, event: str | None) -> None:
        if event is None:
            return
        steps = len(self.draft.get("steps", []))
        self.app.push_screen(step_pair_picker(steps), self._when_chosen(drafts.add_exclusion, event))
