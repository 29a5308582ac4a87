"""Why is this user here: the exact events of one user that the point's query counted.

On a point grouped by a property, a column and a line show the value of that
property on the events that put the user in the segment. Those are every
listed event of an event segmentation, the step-1 event of a funnel's
conversion, the first start event of a retention cohort, and the first event
of each session. A retained user's start event is not in the list, so only
the line names it, and the table drops the column that no listed event
would fill. The line leads with the segment's value, so a narrow screen
cuts the reason rather than the value.

Grouped by ``group:TYPE``, the column and the line show the names of the
groups of that type the deciding events name. A session is in the segment
of every group its events name, so there every listed event decides.
Grouped by ``cohorts``, only a line names the user's cohorts, which are per
user. Counted by ``group:TYPE``, a column names the groups each event counts
for, because one user's events may count for several groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.analytics.microscope.actor_set import Target
from tui.analytics.microscope.why import (
    EVENT_LABELLED_TYPES,
    counted_group_type,
    counted_groups,
    segment_cohorts,
    segment_events,
    segment_group_type,
    segment_property,
    segments_by_user_cohorts,
    why_here,
)
from tui.analytics.segmentation_sql import SEGMENT_NONE, SEGMENT_OTHER, TOP_SEGMENTS
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


@dataclass
class WhyResult:
    """The result of the screen's query job: the events, and what decided the segment or the counted groups."""

    events: pd.DataFrame
    # ``segment_events``'s frame, or None when no event decides the point's segment.
    deciding: pd.DataFrame | None = None
    # The user's cohorts of users on a point grouped by ``cohorts``, else None.
    cohorts: list[str] | None = None
    # ``counted_groups``'s frame on a point counted by groups, else None.
    counted: pd.DataFrame | None = None


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
        # The group-by property and the group-by group type, whose values on some events put the user in the
        # segment. Each is None unless the point is grouped by it.
        self.segment_property = segment_property(target)
        self.segment_group_type = segment_group_type(target)
        # The group type the chart counts by, whose groups each event counts for, or None.
        self.counted_type = counted_group_type(target)
        # Cohorts are per user, so a point grouped by them gets a line and no column.
        self.by_cohorts = segments_by_user_cohorts(target)
        # The events whose group-by values decided the segment, ``segment_events``'s frame.
        self.deciding_events: pd.DataFrame | None = None
        # Each listed event's ``seq`` with its group-by values, and with the names of the groups it counts for.
        self.segment_values: dict[int, list[Any]] = {}
        self.counted_names: dict[int, list[Any]] = {}
        # False once the list shows that none of its events decided the segment, as with a retained user's return
        # events. The table then drops the column, which would be empty on every row and read as "no value", and
        # the line alone names the deciding event.
        self.rows_decide_segment = True

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Why {printable(self.display_id)} is here", style="bold"), classes="screen-title")
        yield PointHeader(self.project, self.target, self.settings, self.list_count)
        yield Static(Text("Loading the events… (Esc cancels)"), id="why-status", classes="microscope-status")
        if self._has_segment_line():
            yield Static(id="why-segment", classes="microscope-status")
        yield RowView(self._columns(), id="why-table")
        yield SteadyFooter()

    def _has_segment_line(self) -> bool:
        return self.segment_property is not None or self.segment_group_type is not None or self.by_cohorts

    def _segment_column(self) -> str | None:
        """Return the title of the column of group-by values, or None when the table has none."""
        if not self.rows_decide_segment:
            return None
        if self.segment_property is not None:
            return self.segment_property
        if self.segment_group_type is not None and self.segment_group_type != self.counted_type:
            return self.segment_group_type
        # Counted and grouped by one type, an event's segments are the groups it counts for, so one column shows both.
        return None

    def _columns(self) -> list[Column]:
        extra = []
        if self._segment_column() is not None:
            # The group-by value goes right after the event, where it reads as part of the reason.
            extra.append(Column(printable(self._segment_column())))
        if self.counted_type is not None:
            extra.append(Column(f"Counted {printable(self.counted_type)}"))
        return COLUMNS[:2] + extra + COLUMNS[2:]

    def on_mount(self) -> None:
        table = self.query_one(RowView)
        table.focus()
        table.show_message("Loading…")
        target, settings, actor_id = self.target, self.settings, self.actor_id
        decided_by_events = self.segment_property is not None or self.segment_group_type is not None
        by_cohorts, counts_groups = self.by_cohorts, self.counted_type is not None

        def load(cursor) -> WhyResult:
            result = WhyResult(why_here(cursor, target, settings, actor_id))
            if decided_by_events:
                result.deciding = segment_events(cursor, target, settings, actor_id)
            if by_cohorts:
                result.cohorts = segment_cohorts(cursor, target, actor_id)
            if counts_groups:
                result.counted = counted_groups(cursor, target, settings, actor_id)
            return result

        self.run_job(load, self._show, "Loading the events failed")

    def _show(self, result: WhyResult) -> None:
        events, deciding = result.events, result.deciding
        self.events = events
        self.deciding_events = deciding
        if deciding is not None:
            self.segment_values = _values_by_event(deciding["seq"], deciding["segment_value"])
            self._drop_segment_column(events)
        if result.counted is not None:
            self.counted_names = _values_by_event(result.counted["seq"], result.counted["group_name"])
        rows = [Row(self._cells(event), key=int(event.seq)) for event in events.itertuples(index=False)]
        self.query_one(RowView).show_rows(rows)
        self.query_one("#why-status", Static).update(Text(self._summary(len(rows))))
        if deciding is not None:
            self.query_one("#why-segment", Static).update(Text(self._segment_summary(events, deciding)))
        if result.cohorts is not None:
            self.query_one("#why-segment", Static).update(Text(self._cohort_summary(events, result.cohorts)))

    def _drop_segment_column(self, events: pd.DataFrame) -> None:
        """Drop the column of group-by values when none of the listed ``events`` decided the segment."""
        if self._segment_column() is None or any(int(seq) in self.segment_values for seq in events["seq"]):
            return
        self.rows_decide_segment = False
        self.query_one(RowView).set_columns(self._columns())

    def _cells(self, event) -> tuple[Text, ...]:
        cells = [time_text(event.event_time, self.zone), data_text(event.event_type)]
        seq = int(event.seq)
        if self._segment_column() is not None:
            # Empty on the events that did not decide the segment, as on those without a value.
            cells.append(_names_text(self.segment_values.get(seq, [])))
        if self.counted_type is not None:
            cells.append(_names_text(self.counted_names.get(seq, [])))
        cells.extend((data_text(event.session_id), Text(properties_text(event.event_properties))))
        return tuple(cells)

    def _segment_summary(self, events: pd.DataFrame, deciding: pd.DataFrame) -> str:
        """Return the line naming the segment, then the events in ``deciding`` that decided it and their values."""
        head = self._segment_head()
        if events.empty or deciding.empty:
            return f"{head}."
        values = [printable(value) for value in dict.fromkeys(deciding["segment_value"]) if not is_missing(value)]
        chart_type = self.target.definition.type
        if self.segment_group_type is not None and chart_type in EVENT_LABELLED_TYPES:
            # Each listed event puts the user in the segment of every group it names (through its session on a
            # sessions chart).
            kind = printable(self.segment_group_type)
            return f"{head}: {_values_text('these events', 'name', kind, values)}."
        if chart_type == "segmentation":
            return f"{head}: {_listed_values_text(printable(self.segment_property), values)}"
        return f"{head}: decided by {self._segment_source_text(deciding)}{self._values_tail(deciding, values)}."

    def _segment_head(self) -> str:
        """Return ``Segment VALUE (GROUP-BY)``, which leads the line so that a narrow screen still shows the value."""
        return f"Segment {printable(self.target.segment)} ({printable(self.target.definition.group_by)})"

    def _values_tail(self, deciding: pd.DataFrame, values: list[str]) -> str:
        """Return ``, which has NAME VALUES`` for the deciding events, or nothing when they have just the segment's."""
        if values == [printable(self.target.segment)]:
            return ""
        one = deciding["seq"].nunique() == 1
        if self.segment_group_type is not None:
            return ", " + _values_text("which", "names" if one else "name", printable(self.segment_group_type), values)
        name = printable(self.segment_property)
        verb = "has" if one else "have"
        if not values:
            return f", which {verb} no {name} value"
        return f", which {verb} {name} {', '.join(values)}"

    def _segment_source_text(self, deciding: pd.DataFrame) -> str:
        """Return the phrase naming the events that decided the segment, with the type and time of a single one."""
        one, several = SEGMENT_SOURCES[self.target.definition.type]
        count = deciding["seq"].nunique()
        if count > 1:
            return several.format(count=count)
        event = deciding.iloc[0]
        return f"{one}, {printable(event.event_type)} at {format_moment(event.event_time, self.zone)}"

    def _cohort_summary(self, events: pd.DataFrame, cohorts: list[str]) -> str:
        """Return the line naming the user's cohorts of users that make up the point's segment."""
        head = self._segment_head()
        if events.empty:
            return f"{head}."
        return f"{head}: {cohort_segment_text(self.target.segment, cohorts)}"

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


def _values_text(subject: str, verb: str, kind: str, values: list[str]) -> str:
    """Return ``SUBJECT VERB KIND VALUES``, such as ``these events name account A, B``, or ``… no KIND``."""
    if not values:
        return f"{subject} {verb} no {kind}"
    return f"{subject} {verb} {kind} {', '.join(values)}"


def _listed_values_text(name: str, values: list[str]) -> str:
    """Return the end of the line for an event segmentation point, where each event is in its value's segment."""
    if not values:
        return f"these events have no {name} value."
    if len(values) == 1:
        return f"the user's {name} on these events is {values[0]}."
    return f"the user's {name} values on these events are {', '.join(values)}."


def cohort_segment_text(segment: str, cohorts: list[str]) -> str:
    """Return the end of the line for a point grouped by ``cohorts``, given the user's cohorts of users.

    A user counts in the segment of each cohort of users they are in. The
    chart's top ``TOP_SEGMENTS`` cohorts by its measure are segments,
    ``(other)`` takes the rest, and ``(none)`` the users in no such cohort.
    """
    names = [printable(name) for name in cohorts]
    if not names:
        return "the user is in no saved cohort of users."
    if segment in cohorts:
        others = [printable(name) for name in cohorts if name != segment]
        also = f", and also in {', '.join(others)}" if others else ""
        return f"the user is in the cohort {printable(segment)}{also}."
    if len(names) == 1:
        listed = f"the user is in the cohort {names[0]}"
    else:
        listed = f"the user is in the cohorts {', '.join(names)}"
    if segment == SEGMENT_OTHER:
        return f"{listed}, and {SEGMENT_OTHER} takes the cohorts outside the chart's top {TOP_SEGMENTS}."
    return f"{listed}."


def _values_by_event(seqs: pd.Series, values: pd.Series) -> dict[int, list[Any]]:
    """Return each event's ``seq`` with its values in frame order, skipping missing ones."""
    by_event: dict[int, list[Any]] = {}
    for seq, value in zip(seqs, values):
        names = by_event.setdefault(int(seq), [])
        if not is_missing(value):
            names.append(value)
    return by_event


def _names_text(values: list[Any]) -> Text:
    """Return values from the data joined by commas, as literal text."""
    return Text(", ".join(printable(value) for value in values))
