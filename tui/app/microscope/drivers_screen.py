"""Explore conversion drivers: what a funnel step's users did between the previous step and this one.

The table lists each driver (an event type, or one value of a property of
it) with the users who did it among those who converted and those who
dropped off, strongest first. Enter on a driver offers its converted users,
its dropped-off users or both, and opens the chosen ones as a user list. ``e`` adds the
values of one property of the driver's event as drivers of their own.

A funnel counted by a group type compares groups: the table counts groups,
and Enter on a driver opens those groups as a groups list, where each group
opens the users whose events made it count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.analytics.catalog import property_names
from tui.analytics.drivers import SKEW_RATIO, DriverResult, point_driver_events_sql, point_drivers
from tui.analytics.fisher import scientific_text
from tui.analytics.groups import GroupSet, counts_groups
from tui.analytics.microscope.actor_set import events_actor_set
from tui.analytics.point import Point, point_range
from tui.analytics.segmentation_groups import group_type
from tui.app.choice_screen import Choice, ChoiceScreen
from tui.app.describe import event_name, percent, window_text
from tui.app.footer import SteadyFooter
from tui.app.formatting import format_number, format_value
from tui.app.microscope.base import MicroscopeScreen
from tui.app.microscope.cells import is_missing
from tui.app.microscope.groups_screen import GroupsScreen
from tui.app.microscope.header import PointHeader
from tui.app.microscope.row_view import Column, Row, RowView
from tui.app.microscope.users_screen import UsersScreen
from tui.store.project import Project
from tui.text import printable

COLUMNS = [
    Column("Event"),
    Column("Property value"),
    Column("Converted", 16, "right"),
    # Short titles give event names more room in an 80-column terminal. The summary line defines p and q.
    Column("Dropped", 16, "right"),
    Column("Phi", 6, "right"),
    Column("Odds ratio", 10, "right"),
    Column("p", 8, "right"),
    Column("q", 8, "right"),
]
PROPERTY_COLUMN = 1
# Columns the property picker leaves out: an event has one event type, and ids split users one by one.
IDENTITY_COLUMNS = ("event_type", "user_id", "device_id")
# Group names in the label of a driver's user list: its users among the converted, the dropped off, or both.
GROUP_NAMES = {"converted": "converted", "dropped": "dropped off", "all": "converted or dropped off"}


@dataclass(frozen=True)
class Driver:
    """One row of the drivers table: an event, or a value of one of its properties, and its users per group."""

    event: str
    property: str | None
    value: str | None
    converted_users: int
    dropped_users: int

    def name(self) -> str:
        """Return the driver as text: ``checkout`` or ``checkout where plan = pro``."""
        if self.property is None:
            return printable(self.event)
        return f"{printable(self.event)} where {printable(self.property)} = {printable(self.value)}"

    def count(self, part: str) -> int:
        """Return the driver's users (or groups) in ``part``: ``converted``, ``dropped`` or ``all``."""
        if part == "converted":
            return self.converted_users
        if part == "dropped":
            return self.dropped_users
        return self.converted_users + self.dropped_users


class DriversScreen(MicroscopeScreen):
    """The conversion drivers of the funnel step of ``target``, a funnel Point of step 2 or later."""

    DEFAULT_CSS = """
    #drivers-summary {
        height: auto;
        /* At 80 columns: the groups and the rule take two lines each, p and q one, a skew warning two. */
        max-height: 7;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("enter", "open_users", "Users", id="drivers.users",
                tooltip="List the driver's users (or groups): converted, dropped off or both"),
        Binding("e", "add_property", "Property values", id="drivers.property",
                tooltip="Add the values of one property of the driver's event as drivers"),
    ]

    def __init__(self, project: Project, target: Point, settings: Any):
        super().__init__(project, target, settings)
        # The (event, property) pairs whose values are drivers too, in the order the user added them.
        self.properties: tuple[tuple[str, str], ...] = ()
        self.result: DriverResult | None = None
        # The pair added last, whose lack of rows (if any) the next result explains.
        self.added_property: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Conversion drivers", style="bold"), classes="screen-title")
        yield PointHeader(self.project, self.target, self.settings)
        yield Static(Text("Computing the drivers… (Esc cancels)"), id="drivers-summary")
        yield RowView(COLUMNS, id="drivers-table")
        yield SteadyFooter()

    @property
    def table(self) -> RowView:
        return self.query_one("#drivers-table", RowView)

    @property
    def step(self) -> int:
        return self.target.step

    @property
    def counts_groups(self) -> bool:
        return counts_groups(self.target)

    def units(self, count: int) -> str:
        """Return ``count`` with the unit the funnel counts: ``3 users`` or ``1 group``."""
        if not self.counts_groups:
            return format_value(count, "uniques")
        return f"{format_number(count)} {'group' if count == 1 else 'groups'}"

    def on_mount(self) -> None:
        self.table.focus()
        self.load()

    # Loading ------------------------------------------------------------------------

    def load(self) -> None:
        """Compute the drivers with the properties added so far, replacing the table."""
        self.cancel_jobs()
        self.table.show_message("Computing the drivers…")
        target, settings, properties = self.target, self.settings, self.properties
        self.run_job(
            lambda cursor: point_drivers(cursor, target, settings, properties),
            self._show,
            "Computing the drivers failed",
            self._failed,
        )

    def _show(self, result: DriverResult) -> None:
        self.result = result
        columns, rows = fit_columns([_driver_row(row) for row in result.frame.itertuples(index=False)])
        self.table.set_columns(columns)
        self.table.show_rows(rows)
        if not rows:
            self.table.show_message(
                f"No event was done in between by at least {self.units(result.min_support)} "
                "(and left out by as many), so there are no drivers to show."
            )
        self.query_one("#drivers-summary", Static).update(self._summary(result))
        added, self.added_property = self.added_property, None
        if added in result.unlisted_properties():
            self._explain_unlisted(*added)

    def _explain_unlisted(self, event: str, name: str) -> None:
        """Notify why the values of property ``name`` of ``event`` added no row."""
        assert self.result is not None
        text = self.result.unlisted_text(printable(event), printable(name))
        self.notify(text, severity="warning", markup=False)

    def _failed(self, error: Exception) -> None:
        self.table.show_message("The drivers could not be computed: see the error.")
        self.query_one("#drivers-summary", Static).update(Text("Computing the drivers failed."))

    def _summary(self, result: DriverResult) -> Text:
        """Return the groups compared, the support rule, and a warning when one group dwarfs the other."""
        steps = self.target.definition.steps
        previous, current = event_name(steps[self.step - 2].event), event_name(steps[self.step - 1].event)
        noun = "groups" if self.counts_groups else "users"
        entered = " that entered in the bucket" if self.target.over_time else ""
        summary = Text(
            f"Step {self.step - 1} {previous} → step {self.step} {current} · "
            f"{self.units(result.population)}{entered} reached step {self.step - 1}: "
            f"{format_number(result.converted)} converted, {format_number(result.dropped)} dropped off · "
            f"{window_text(self.target.definition)}\n"
            f"{_left_out_text(result.min_support, noun)}\n"
            f"{_p_values_text(len(result.frame))}"
        )
        if result.skewed:
            summary.append(
                f"\nSkewed groups: one is over {SKEW_RATIO} times the other, so the smaller group's shares "
                f"and the p-values rest on few {noun}.",
                style="bold",
            )
        return summary

    # Actions on a driver ----------------------------------------------------------------

    def _chosen_driver(self) -> Driver | None:
        row = self.table.cursor_value
        if row is None:
            self.notify("No driver is selected: the table is empty or still loading.", severity="warning")
            return None
        return row.key

    def on_row_view_chosen(self, message: RowView.Chosen) -> None:
        message.stop()
        self.action_open_users()

    def action_open_users(self) -> None:
        driver = self._chosen_driver()
        if driver is None:
            return
        units = self.units
        pronoun = "that" if self.counts_groups else "who"
        choices = [
            Choice("converted", Text(
                f"Converted: {units(driver.count('converted'))} {pronoun} did it before converting"
            )),
            Choice("dropped", Text(
                f"Dropped off: {units(driver.count('dropped'))} {pronoun} did it before the window ran out"
            )),
            Choice("all", Text(f"Both: {units(driver.count('all'))}")),
        ]
        listed = "Groups" if self.counts_groups else "Users"
        self.app.push_screen(
            ChoiceScreen(f"{listed} of {driver.name()}", lambda cursor: choices, "Listing the parts failed"),
            lambda part: self._open_part(driver, part),
        )

    def _open_part(self, driver: Driver, part: str | None) -> None:
        if part is None:
            return
        events = point_driver_events_sql(self.target, self.settings, driver.event, driver.property, driver.value, part)
        start, end = point_range(self.target, self.settings)
        between = f"between step {self.step - 1} and step {self.step}, {GROUP_NAMES[part]}"
        # Typed as funnel sets, so their user lists leave out streams, which funnel points do not have.
        chart_types = (self.target.definition.type,)
        if self.counts_groups:
            # The events have a row per group, and their distinct groups are the ones the table counted.
            kind = group_type(self.target.definition.count_by)
            label = f"Groups that did {driver.name()} {between}"
            groups = GroupSet(label, kind, events, start, end, chart_types=chart_types)
            self.app.push_screen(GroupsScreen(self.project, groups, self.settings, driver.count(part)))
            return
        label = f"Users who did {driver.name()} {between}"
        users = events_actor_set(label, events, start, end, chart_types=chart_types)
        self.app.push_screen(UsersScreen(self.project, users, self.settings, driver.count(part)))

    def action_add_property(self) -> None:
        driver = self._chosen_driver()
        if driver is None:
            return
        event = driver.event

        def load(cursor) -> list[Choice]:
            names = property_names(cursor, event)["property"]
            return [Choice(name, Text(printable(name))) for name in names if name not in IDENTITY_COLUMNS]

        picker = ChoiceScreen(
            f"Drivers by the values of a property of {printable(event)}",
            load,
            "Loading the property names failed",
            empty_text="This event has no properties.",
        )
        self.app.push_screen(picker, lambda name: self._add_property(event, name))

    def _add_property(self, event: str, name: str | None) -> None:
        if name is None:
            return
        if (event, name) in self.properties:
            if self.result is not None and (event, name) in self.result.unlisted_properties():
                self._explain_unlisted(event, name)
            else:
                self.notify(f"The values of {printable(name)} on {printable(event)} are drivers already.", markup=False)
            return
        self.properties += ((event, name),)
        self.added_property = (event, name)
        self.load()


def _left_out_text(min_support: int, noun: str) -> str:
    """Return the support rule as the candidates it leaves out, ``noun`` being what the funnel counts."""
    if min_support == 1:
        # Every candidate was done by someone, so only the second half of the rule can leave one out.
        return f"Left out: events that every one of these {noun} did"
    support = format_number(min_support)
    return f"Left out: events that fewer than {support} of these {noun} did, or that all but fewer than {support} did"


def _p_values_text(tests: int) -> str:
    """Return what the p and q columns contain, ``tests`` being the number of drivers tested."""
    corrected = f"{format_number(tests)} {'test' if tests == 1 else 'tests'}"
    return f"p: two-sided Fisher exact · q: p corrected for {corrected} (Benjamini-Hochberg)"


def _driver_row(row) -> Row:
    driver = Driver(
        event=row.event,
        property=None if is_missing(row.property) else row.property,
        value=None if is_missing(row.value) else row.value,
        converted_users=int(row.converted_users),
        dropped_users=int(row.dropped_users),
    )
    cells = (
        Text(printable(driver.event)),
        Text("" if driver.property is None else f"{printable(driver.property)} = {printable(driver.value)}"),
        Text(f"{format_number(driver.converted_users)} · {percent(row.converted_share)}"),
        Text(f"{format_number(driver.dropped_users)} · {percent(row.dropped_share)}"),
        Text("–" if math.isnan(row.phi) else f"{row.phi:+.2f}"),
        Text(f"{row.odds_ratio:.2f}"),
        Text(p_value_text(row.p_value, row.log10_p_value)),
        Text(p_value_text(row.q_value, row.log10_q_value)),
    )
    return Row(cells, key=driver)


def p_value_text(value: float, log10_value: float) -> str:
    """Return a p- or q-value with 3 decimals, or below 0.001 with 2 significant digits: ``3.2e-12``, ``3.0e-12``.

    The small ones are written from ``log10_value``, which stays exact where
    the float ``value`` underflows to 0.0 (``3.2e-412``). They keep a trailing
    zero, so a p of ``1.1e-223`` and a q of ``3.0e-223`` show the same digits.
    """
    return f"{value:.3f}" if value >= 0.001 else scientific_text(log10_value, 2, trailing_zeros=True)


def fit_columns(rows: list[Row]) -> tuple[list[Column], list[Row]]:
    """Return the columns and rows to draw, leaving the width the numbers do not need to the names.

    The property value column is left out while no row has a property value,
    and each fixed-width column is as wide as its title or its widest cell.
    """
    kept = [
        index
        for index in range(len(COLUMNS))
        if index != PROPERTY_COLUMN or any(row.cells[index].plain for row in rows)
    ]
    columns = []
    for index in kept:
        column = COLUMNS[index]
        if column.width:
            widest = max([cell_len(column.title)] + [row.cells[index].cell_len for row in rows])
            column = replace(column, width=widest)
        columns.append(column)
    return columns, [replace(row, cells=tuple(row.cells[index] for index in kept)) for row in rows]

