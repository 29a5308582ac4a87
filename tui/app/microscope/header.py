"""The point banner at the top of every microscope screen: the point, its chart, and ``point = N, list = N``.

``point`` is the value the chart shows, and ``list`` is the number of users
the microscope finds. For unique users the two are the same count and must
agree. For other measures the banner shows the value with its unit beside
the number of users whose events make it up, and so do points of charts
that count groups.

A point that can still change gets a third line that states why: a time
bucket or a funnel's range not over yet, a conversion window still open, or
a retention period not over for the whole cohort. ``point_open_reason``
decides it from the data in a job, so the line comes after the first two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.text import Text
from textual.widgets import Static

from tui.analytics.definition import DefinitionError
from tui.analytics.groups import GroupSet
from tui.analytics.microscope.actor_set import ActorSet, Target, actor_count
from tui.analytics.point import (
    OPEN_BUCKET,
    OPEN_PERIOD,
    OPEN_RANGE,
    OPEN_WINDOW,
    Point,
    PointLabel,
    bucket_open_reason,
    open_reason_reads_events,
    point_label,
    point_open_reason,
)
from tui.app.describe import (
    counted_unit,
    describe_chart,
    event_name,
    line_name,
    part_name,
    value_text,
    window_text,
)
from tui.app.formatting import PARTIAL_NOTE, SEPARATOR, format_number, quantity_text
from tui.app.microscope.jobs import Job, start_job
from tui.app.microscope.selection import chart_value
from tui.app.retention_points import counted_periods_text
from tui.store.project import Project
from tui.text import printable

log = logging.getLogger(__name__)

# The rows the banner's subject and its note may each take when it wraps.
WRAPPED_ROWS = 2
# The minimum terminal height, in rows, at which the banner wraps. Below it each line keeps to one row, because
# the microscope menu needs every row for its list of actions (at 24 rows it has none to spare, at 28 it has two).
WRAP_MIN_HEIGHT = 28

@dataclass(frozen=True)
class Banner:
    """The statement of where a microscope screen's users come from.

    ``subject`` names the point (series, segment, bucket ``[start, end)`` with
    its zone) or the actor set. ``value`` is the chart's value of the point,
    or None when the app shows another chart now. ``measure`` is None for an
    actor set, which has no chart value. ``unit`` is what the chart counts:
    ``users``, or ``groups`` when it counts by a group type. ``note`` says
    why the point can still change, or is None when it cannot.
    """

    subject: str
    chart: str | None
    value: float | None
    measure: str | None
    unit: str = "users"
    note: str | None = None

    def counts(self, list_count: int | None, noun: str = "users") -> str:
        """Return ``point = N, list = N``, with units where the two count different things or count groups.

        ``noun`` names what the list holds: ``users``, or ``groups`` for the
        groups of a chart that counts groups.
        """
        listed = "…" if list_count is None else format_number(list_count)
        items = f"{listed} {noun}" if list_count is None else quantity_text(list_count, noun)
        if self.measure is None:
            return f"list = {items}"
        if self.value is None:
            return f"point = not on the current chart, list = {items}"
        if not (self.measure == "uniques" and noun == self.unit):
            return f"point = {value_text(self.value, self.measure, self.unit)}, list = {items}"
        if noun == "users":
            counts = f"point = {format_number(self.value)}, list = {listed}"
        else:
            # Bare numbers would read as users, so counts of groups name their unit.
            counts = f"point = {quantity_text(self.value, noun)}, list = {items}"
        if list_count is not None and list_count != self.value:
            # Both come from one query, so only new data since the chart ran can part them.
            counts += " (they differ: the data changed since the chart ran; press r on the chart)"
        return counts

    def lines(self, list_count: int | None, noun: str = "users") -> list[Text]:
        """Return the banner's lines: the subject, then the counts and the chart, then the note if there is one."""
        counts = Text(self.counts(list_count, noun))
        if self.chart:
            counts.append(SEPARATOR + self.chart, style="dim")
        lines = [Text(self.subject, style="bold"), counts]
        if self.note:
            lines.append(Text(self.note, style="italic"))
        return lines

    def text(self, list_count: int | None, noun: str = "users") -> Text:
        """Return the banner's lines as one text, the way they read before the screen fits them to its width."""
        return Text("\n").join(self.lines(list_count, noun))

    def drawn(self, list_count: int | None, noun: str = "users", wrap: bool = True) -> Group:
        """Return the banner as the screen draws it: with ``wrap``, the subject and the note take two rows each.

        The subject names the point, and its bucket may come last, so a cut
        there would lose what identifies the point. The note is a sentence
        that means little without its end. The counts lead their row, and only
        the chart's description after them gives way to the width. Without
        ``wrap``, every line keeps to one row and ends in ``…`` where cut.
        """
        subject, counts, *note = self.lines(list_count, noun)
        if not wrap:
            return Group(*(_one_row(line) for line in (subject, counts, *note)))
        return Group(SeparatedLine(subject, WRAPPED_ROWS), _one_row(counts), *note)


def _one_row(line: Text) -> Text:
    """Return ``line`` set to keep to one row, ending in ``…`` where the width cuts it."""
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


class SeparatedLine:
    """A line of parts joined by `` · `` that wraps between parts, so a part such as a bucket stays on one row.

    A row that wraps ends in ``·``, so the rows joined by spaces read as the
    line. The last of ``max_rows`` rows takes the parts left and ends in
    ``…`` where cut. A first part wider than a row wraps inside itself.
    """

    def __init__(self, text: Text, max_rows: int):
        self.text = text
        self.max_rows = max_rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        parts = self.text.split(SEPARATOR, allow_blank=True)
        rows = [parts[0]]
        for index, part in enumerate(parts[1:], start=1):
            # The row keeps room for the ``·`` it ends with when a later part goes to the next row.
            mark = SEPARATOR.rstrip() if index < len(parts) - 1 else ""
            fits = cell_len(rows[-1].plain + SEPARATOR + part.plain + mark) <= options.max_width
            if fits or len(rows) == self.max_rows:
                rows[-1].append(SEPARATOR)
                rows[-1].append_text(part)
            else:
                rows[-1].append(SEPARATOR.rstrip())
                rows.append(part)
        if len(rows) > 1:
            _one_row(rows[-1])
        yield from rows


@dataclass(frozen=True)
class ChartedSet(ActorSet):
    """An actor set made from chart points, such as one part of a comparison, with the chart its banner names."""

    chart: str | None = None


@dataclass(frozen=True)
class ChartedGroupSet(GroupSet):
    """A group set made from chart points, such as one part of a comparison, with the chart its banner names."""

    chart: str | None = None


def charted_set(target_set: ActorSet | GroupSet, chart: str | None) -> ChartedSet | ChartedGroupSet:
    """Return ``target_set`` with ``chart``, the description of the chart (or charts) its points are on."""
    base, charted = (GroupSet, ChartedGroupSet) if isinstance(target_set, GroupSet) else (ActorSet, ChartedSet)
    copied = {field.name: getattr(target_set, field.name) for field in fields(base)}
    return charted(**copied, chart=chart)


def chart_types(target: Target | GroupSet) -> tuple[str, ...]:
    """Return the types of the charts ``target``'s users (or groups) come from, empty for a set of unknown origin."""
    if isinstance(target, Point):
        return (target.definition.type,)
    return target.chart_types


def point_banner(app, point: Point, settings: Any) -> Banner:
    """Return the banner of ``point``, with its value from the app's chart when that chart is shown."""
    definition = point.definition
    chart_name = shown_chart_name(app, definition)
    return Banner(
        subject=point_subject(point, point_label(point, settings)),
        chart=describe_chart(definition, chart_name),
        value=chart_value(app, point),
        measure=definition.measure,
        unit=counted_unit(definition),
    )


def point_subject(point: Point, label: PointLabel) -> str:
    """Return the first line of ``point``'s banner: series, segment, bucket ``[start, end)`` with its zone.

    A funnel point's line ends with the conversion window and step order.
    """
    definition = point.definition
    if definition.type != "funnel":
        line = line_name(definition, point.series, label.series_name, point.segment)
        return f"{line}{SEPARATOR}{label.bucket_text()}"

    # The window and order come last: the bucket identifies a point of conversion over time, so a cut must spare it.
    step_event = definition.steps[point.step - 1].event
    parts = [f"Step {point.step} {event_name(step_event)}, {part_name(point.dropped)}"]
    if point.segment is not None:
        parts.append(printable(point.segment))
    bucket = label.bucket_text()
    parts.append(f"entered in {bucket}" if point.over_time else bucket)
    parts.append(window_text(definition))
    return SEPARATOR.join(parts)


def open_point_note(point: Point, reason: str | None) -> str | None:
    """Return the line saying why ``point`` can still change, given ``point_open_reason``'s ``reason``."""
    definition = point.definition
    unit = counted_unit(definition)
    if reason == OPEN_BUCKET:
        return f"{PARTIAL_NOTE} bucket not over yet: later events may still add {unit} to this point"
    if reason == OPEN_RANGE:
        return f"{PARTIAL_NOTE} range not over yet: more {unit} may still enter the funnel and join this list"
    if reason == OPEN_WINDOW and point.dropped:
        return f"{PARTIAL_NOTE} conversion window still open: some of these {unit} may still convert"
    if reason == OPEN_WINDOW:
        return f"{PARTIAL_NOTE} conversion window still open: more {unit} may still convert and join this list"
    if reason == OPEN_PERIOD:
        periods = counted_periods_text(point.definition, point.period or 0)
        cohort = f"not over for every {unit.removesuffix('s')} of this cohort"
        if point.dropped:
            return f"{PARTIAL_NOTE} {periods} {cohort}: some of these {unit} may still return"
        return f"{PARTIAL_NOTE} {periods} {cohort}: more {unit} may still return and join this list"
    return None


def shown_chart_name(app, definition) -> str | None:
    """Return the saved name of ``definition`` as the app shows it now or showed it before a change, else None."""
    if app.definition == definition:
        return app.chart_name
    earlier = (chart.name for chart in reversed(app.history) if chart.definition == definition)
    return next(earlier, None)


def target_banner(app, target: Target | GroupSet, settings: Any) -> Banner:
    """Return the banner of a Point, an ActorSet or a GroupSet (a set states its label and its size only)."""
    if isinstance(target, (ActorSet, GroupSet)):
        chart = target.chart if isinstance(target, (ChartedSet, ChartedGroupSet)) else None
        return Banner(subject=printable(target.label), chart=chart, value=None, measure=None)
    try:
        return point_banner(app, target, settings)
    except (DefinitionError, IndexError) as error:
        # The screen's own query reports the same problem, and the banner names what it could not describe.
        log.warning("cannot describe the point %r: %s", target, error)
        return Banner(subject=f"This point cannot be described: {printable(error)}", chart=None, value=None, measure=None)


class PointHeader(Static):
    """The banner of ``target``; it counts the list itself unless the screen passes or sets the count."""

    def __init__(
        self,
        project: Project,
        target: Target,
        settings: Any,
        list_count: int | None = None,
        count_list: bool = True,
        noun: str = "users",
        **kwargs,
    ):
        kwargs.setdefault("id", "point-header")
        super().__init__(classes="point-header", **kwargs)
        self.project = project
        self.target = target
        self.settings = settings
        self.list_count = list_count
        self.count_list = count_list and list_count is None
        self.noun = noun
        self.banner: Banner | None = None
        self.job: Job | None = None
        # The job deciding whether the point can still change, which needs the project's last event.
        self.note_job: Job | None = None
        # Whether the banner is drawn wrapped, which it is on a terminal of at least WRAP_MIN_HEIGHT rows.
        self.wraps = True

    def on_mount(self) -> None:
        self.banner = target_banner(self.app, self.target, self.settings)
        self._draw()
        self.screen.screen_layout_refresh_signal.subscribe(self, self._fit_height)
        target, settings = self.target, self.settings
        if self.count_list:
            self.job = start_job(
                self, self.project, lambda cursor: actor_count(cursor, target, settings), self.set_list_count, self._failed
            )
        if isinstance(target, Point) and not open_reason_reads_events(target):
            # A bucket's end needs no query, and a job would compete with the list's first page for the cores.
            self._set_open_reason(bucket_open_reason(target, settings))
        elif isinstance(target, Point):
            self.note_job = start_job(
                self,
                self.project,
                lambda cursor: point_open_reason(cursor, target, settings),
                self._set_open_reason,
                self._note_failed,
            )

    def on_unmount(self) -> None:
        for job in (self.job, self.note_job):
            if job is not None:
                job.cancel()

    def set_list_count(self, count: int) -> None:
        self.list_count = count
        self._draw()

    def plain(self) -> str:
        """Return the banner as plain text, the way it reads before the screen cuts it to width."""
        return self.banner.text(self.list_count, self.noun).plain if self.banner else ""

    def _draw(self) -> None:
        self.wraps = self.app.size.height >= WRAP_MIN_HEIGHT
        if self.banner is not None:
            self.update(self.banner.drawn(self.list_count, self.noun, self.wraps))

    def _fit_height(self, screen) -> None:
        # A change of the terminal's height alone does not resize the banner, but it may change whether it wraps.
        if self.wraps != (self.app.size.height >= WRAP_MIN_HEIGHT):
            self._draw()

    def _set_open_reason(self, reason: str | None) -> None:
        if self.banner is not None and isinstance(self.target, Point):
            self.banner = replace(self.banner, note=open_point_note(self.target, reason))
            self._draw()

    def _note_failed(self, error: Exception) -> None:
        # The job logged it. The point's other queries (the count, the screen's list) fail alike and show it.
        pass

    def _failed(self, error: Exception) -> None:
        self.notify(str(error), title="Counting the users failed", severity="error", markup=False)
