"""Why is this user here: the exact events of one user that the point's query counted.

On a point grouped by a property, a column and a line show the value of that
property on the events that put the user in the segment. Those are every
listed event of an event segmentation, the step-1 event of a funnel's
conversion, the first start event of a retention cohort, and the first event
of each session. A retained user's start event is not in the list, so only
the line names it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.analytics.microscope.actor_set import Target
from tui.analytics.microscope.why import segment_events, segment_property, why_here
from tui.app.footer import SteadyFooter
from tui.app.microscope.base import MicroscopeScreen
from tui.app.microscope.cells import TIME_CELLS, data_text, format_moment, is_missing, properties_text, time_text
from tui.app.microscope.header import PointHeader
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.row_view import Column, Row, RowView
from tui.store.project import Project
from tui.text import printable

COLUMNS = [Column("Time", TIME_CELLS), Column("Event"), Column("Session", 14), Column("Event properties")]
# The phrases naming what decided the segment of a grouped funnel, retention or sessions point: one event, several.
SEGMENT_SOURCES = {
    "funnel": (
        "the step-1 event that starts the counted conversion",
        "the step-1 events that start the counted conversions of the user's groups",
    ),
    "retention": ("the first start event in the range", "the first start events in the range of the user's groups"),
    "sessions": ("the first event of the session", "the first events of the user's {count} sessions"),
}


class WhyScreen(MicroscopeScreen):
    """The events that put the user ``actor_id`` (shown as ``display_id``) in ``target``."""

    BINDINGS = [
        Binding("enter", "open_profile", "Profile", id="why.profile", tooltip="Open the user's profile at this event"),
    ]

    def __init__(
        self,
        project: Project,
        target: Target,
        settings: Any,
        actor_id: int,
        display_id: str,
        list_count: int | None = None,
    ):
        super().__init__(project, target, settings, list_count)
        self.actor_id = actor_id
        self.display_id = display_id
        self.events: pd.DataFrame | None = None
        # The group-by property whose value put the user in the point's segment, or None.
        self.segment_property = segment_property(target)
        # The events whose value of that property decided the segment, ``segment_events``'s frame.
        self.deciding_events: pd.DataFrame | None = None
        self.segment_values: dict[int, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Why {printable(self.display_id)} is here", style="bold"), classes="screen-title")
        yield PointHeader(self.project, self.target, self.settings, self.list_count)
        yield Static(Text("Loading the events… (Esc cancels)"), id="why-status", classes="microscope-status")
        if self.segment_property is not None:
            yield Static(id="why-segment", classes="microscope-status")
        yield RowView(self._columns(), id="why-table")
        yield SteadyFooter()

    def _columns(self) -> list[Column]:
        if self.segment_property is None:
            return COLUMNS
        # The group-by value goes right after the event, where it reads as part of the reason.
        return COLUMNS[:2] + [Column(printable(self.segment_property))] + COLUMNS[2:]

    def on_mount(self) -> None:
        table = self.query_one(RowView)
        table.focus()
        table.show_message("Loading…")
        target, settings, actor_id = self.target, self.settings, self.actor_id
        grouped = self.segment_property is not None

        def load(cursor) -> tuple[pd.DataFrame, pd.DataFrame | None]:
            events = why_here(cursor, target, settings, actor_id)
            deciding = segment_events(cursor, target, settings, actor_id) if grouped else None
            return events, deciding

        self.run_job(load, self._show, "Loading the events failed")

    def _show(self, result: tuple[pd.DataFrame, pd.DataFrame | None]) -> None:
        events, deciding = result
        self.events = events
        self.deciding_events = deciding
        if deciding is not None:
            self.segment_values = dict(zip(deciding["seq"].astype(int), deciding["segment_value"]))
        rows = [Row(self._cells(event), key=int(event.seq)) for event in events.itertuples(index=False)]
        self.query_one(RowView).show_rows(rows)
        self.query_one("#why-status", Static).update(Text(self._summary(len(rows))))
        if deciding is not None:
            self.query_one("#why-segment", Static).update(Text(self._segment_summary(events, deciding)))

    def _cells(self, event) -> tuple[Text, ...]:
        cells = [time_text(event.event_time, self.zone), data_text(event.event_type)]
        if self.segment_property is not None:
            # Empty on the events that did not decide the segment, as on those without a value.
            cells.append(data_text(self.segment_values.get(int(event.seq))))
        cells.extend((data_text(event.session_id), Text(properties_text(event.event_properties))))
        return tuple(cells)

    def _segment_summary(self, events: pd.DataFrame, deciding: pd.DataFrame) -> str:
        """Return the line naming the group-by values on the events in ``deciding``, which decided the segment."""
        name = printable(self.segment_property)
        head = f"Grouped by {name}, segment {printable(self.target.segment)}"
        if events.empty or deciding.empty:
            return f"{head}."
        values = [printable(value) for value in dict.fromkeys(deciding["segment_value"]) if not is_missing(value)]
        if self.target.definition.type == "segmentation":
            return f"{head}: {_listed_values_text(name, values)}"
        subject = self._segment_source_text(deciding)
        verb = "has" if len(deciding) == 1 else "have"
        if not values:
            return f"{head}: {subject} {verb} no {name} value."
        return f"{head}: {subject} {verb} {name} {', '.join(values)}."

    def _segment_source_text(self, deciding: pd.DataFrame) -> str:
        """Return the phrase naming the events that decided the segment, with the type and time of a single one."""
        one, several = SEGMENT_SOURCES[self.target.definition.type]
        if len(deciding) > 1:
            return several.format(count=len(deciding))
        event = deciding.iloc[0]
        return f"{one} ({printable(event.event_type)} at {format_moment(event.event_time, self.zone)})"

    def _summary(self, count: int) -> str:
        user = printable(self.display_id)
        if count == 0:
            return f"{user} has no events in this list: the data may have changed since it was loaded."
        events = "this event" if count == 1 else f"these {count} events"
        return f"{user} is here because of {events}, which the chart's query selected for this point · {self.zone}"

    def on_row_view_chosen(self, message: RowView.Chosen) -> None:
        message.stop()
        self.action_open_profile()

    def action_open_profile(self) -> None:
        row = self.query_one(RowView).cursor_value
        focus_seq = row.key if row is not None else None
        profile = ProfileScreen(self.project, self.target, self.settings, self.actor_id, self.list_count, focus_seq)
        self.app.push_screen(profile)


def _listed_values_text(name: str, values: list[str]) -> str:
    """Return the end of the line for an event segmentation point, where each event is in its value's segment."""
    if not values:
        return f"these events have no {name} value."
    if len(values) == 1:
        return f"the user's {name} on these events is {values[0]}."
    return f"the user's {name} values on these events are {', '.join(values)}."
