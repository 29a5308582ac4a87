"""One-line descriptions of a chart, a data point and a filter, as plain printable strings.

Callers wrap them in ``rich.text.Text``, which never parses markup, so an
event called ``[b]x[/b]`` shows exactly like that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len

from tui.analytics.definition import GROUP_PREFIX, ChartDefinition, SegmentChoice
from tui.app.chart_history import ChartOrigin
from tui.app.chart_points import Point, bucket_is_partial
from tui.app.formatting import PARTIAL_NOTE, SEPARATOR, format_bucket, format_number, format_value, quantity_text, shorten
from tui.app.funnel_over_time import EntryBucketPart, open_note
from tui.app.funnel_points import FunnelPart
from tui.app.retention_points import RetentionPart, cohort_label, counted_periods_text, not_begun_text
from tui.text import printable

MEASURE_NAMES = {
    "uniques": "Unique users",
    "totals": "Event totals",
    "average": "Average per user",
    "pct_active": "% of active users",
}
# The names of the measures that count the unit, on a chart that counts groups (``count_by``).
GROUP_MEASURE_NAMES = {"uniques": "Unique groups", "average": "Average per group", "pct_active": "% of active groups"}
INTERVAL_NAMES = {"hour": "Hourly", "day": "Daily", "week": "Weekly", "month": "Monthly"}
NO_VALUE_OPERATORS = ("set", "not set")
ORDER_NAMES = {"this": "this order", "any": "any order", "exact": "exact order"}
# A funnel step's event name in the readout is cut to this many cells, so the counts after it stay on screen.
READOUT_EVENT_CELLS = 30
SESSION_MEASURE_NAMES = {
    "sessions": "Sessions",
    "avg_length": "Average session length",
    "per_user": "Sessions per user",
    "length": "Session length distribution",
}
# By default a title cut before its range keeps at least this many cells of its start (such as the chart's name).
MIN_TITLE_HEAD_CELLS = 12
# An unsaved chart's origin note cuts a chart name to no fewer cells than this, as in "Daily active…".
MIN_NOTE_NAME_CELLS = 13
# A title cuts a chart's measure and interval to no fewer cells than this, as in "Session length d…".
MIN_KEY_CELLS = 16
# The chart type's label at the start of a funnel's or a retention chart's title, which cuts keep.
FUNNEL_KIND = "Funnel: "
RETENTION_KIND = "Retention: "
RETENTION_MODES = {"on": "return on", "on_or_after": "return on or after"}
ROLLING_PERIODS = {"day": "rolling 24-hour days", "week": "rolling 7-day weeks"}


def counted_unit(definition: ChartDefinition) -> str:
    """Return what ``definition`` counts, as a plural noun: ``groups`` with a ``count_by``, else ``users``."""
    return "groups" if definition.count_by else "users"


def measure_name(measure: str, unit: str = "users") -> str:
    """Return the measure's display name, such as ``Unique users`` or ``Sum of price``, for a chart counting ``unit``."""
    if unit == "groups" and measure in GROUP_MEASURE_NAMES:
        return GROUP_MEASURE_NAMES[measure]
    if measure in MEASURE_NAMES:
        return MEASURE_NAMES[measure]
    kind, _, prop = measure.partition(":")
    if kind == "sum":
        return f"Sum of {printable(prop)}"
    if kind == "avg":
        return f"Average of {printable(prop)}"
    return printable(measure)


def event_name(event: str) -> str:
    return "Any event" if event == "*" else printable(event)


def series_name(spec) -> str:
    """Return an event of the chart with its filters: ``Purchase where plan = pro``."""
    filters = " and ".join(describe_filter(item.to_json()) for item in spec.where)
    return f"{event_name(spec.event)} where {filters}" if filters else event_name(spec.event)


def describe_chart(definition: ChartDefinition, name: str | None) -> str:
    """Return the chart's title line: its name (if saved), what it counts and how, range, group-by."""
    return chart_title(definition, name).text()


def chart_title(definition: ChartDefinition, name: str | None) -> ChartTitle:
    """Return the title of any chart in the parts that ``fit_title`` cuts."""
    if definition.type == "funnel":
        return funnel_title(definition, name)
    if definition.type == "retention":
        return retention_title(definition, name)
    return measure_title(definition, name)


@dataclass(frozen=True)
class ChartTitle:
    """A chart's title line, in the parts a cut treats apart."""

    # The chart's name, if saved.
    name: str | None
    # The counted events ("User sessions", a funnel's steps, a retention's start and return events), then the filters.
    lead: list[str]
    # The facts of how they are counted: the measure and interval, a funnel's window and order, or a
    # retention's periods and rules. A cut keeps them whole as long as it can.
    key: list[str]
    range: str
    # The range written shorter without losing a fact: ``2024-03-01 … 03-05``, or one day alone.
    short_range: str
    # The group-by, the segments key, the cohort and what the chart counts.
    tail: list[str]
    # The chart type's label that starts the lead, such as "Funnel: ". A cut of the lead keeps it.
    kind: str = ""
    # The minimum number of cells of the key that a cut keeps before it cuts the title's end.
    least_key_cells: int = MIN_KEY_CELLS

    def lead_parts(self) -> list[str]:
        """Return the name, if saved, and the lead's parts: everything before the key."""
        return ([self.name] if self.name else []) + self.lead

    def text(self, lead: str | None = None, short: bool = False) -> str:
        """Return the title, ``lead`` (if given) in place of the name and lead, with the short range if ``short``."""
        parts = [SEPARATOR.join(self.lead_parts()) if lead is None else lead]
        parts += [*self.key, self.short_range if short else self.range, *self.tail]
        return SEPARATOR.join(part for part in parts if part)


def measure_title(definition: ChartDefinition, name: str | None) -> ChartTitle:
    """Return the title of an event segmentation or user sessions chart in parts.

    A sessions chart's title reads: name, ``User sessions``, filters, measure, interval, range, group-by, cohort.
    """
    tail = grouping_text(definition)
    if definition.type == "sessions":
        lead = ["User sessions"]
        measure = SESSION_MEASURE_NAMES.get(definition.measure, printable(definition.measure))
        if definition.measure == "per_user" and definition.count_by:
            measure = "Sessions per group"
        if definition.cohort:
            tail.append(f"cohort {printable(definition.cohort)}")
    else:
        lead = [", ".join(series_name(spec) for spec in definition.events) or "No events"]
        measure = measure_name(definition.measure, counted_unit(definition))
    lead.extend(filters_text(definition))
    key = [measure, *interval_text(definition, name)]
    tail.extend(counting_text(definition))
    return ChartTitle(_title_name(name), lead, key, range_text(definition), short_range_text(definition), tail)


def _title_name(name: str | None) -> str | None:
    return printable(name) if name else None


def interval_text(definition: ChartDefinition, name: str | None) -> list[str]:
    """Return the interval as ``Weekly``, or no part when the chart's name contains it, as "Weekly revenue" does."""
    interval = INTERVAL_NAMES.get(definition.interval, definition.interval)
    if name and interval.lower() in printable(name).lower().split():
        return []
    return [interval]


def fit_chart_title(
    definition: ChartDefinition, name: str | None, cells: int, min_head_cells: int = MIN_TITLE_HEAD_CELLS
) -> str:
    """Return the chart's title line cut to ``cells`` terminal cells, keeping its key facts and its range.

    ``min_head_cells`` is the minimum number of cells the name and the lead keep before
    the key is cut (see ``fit_title``).
    """
    return fit_title(chart_title(definition, name), cells, min_head_cells)


def fit_title(title: ChartTitle, cells: int, min_lead_cells: int = MIN_TITLE_HEAD_CELLS) -> str:
    """Return ``title`` in ``cells`` cells, giving up first what costs least, so the key stays readable.

    A title that fits is returned whole. Else the range drops the end's
    repeated year (a one-day range is written as its day). Next the chart's
    name is cut to ``MIN_NOTE_NAME_CELLS``, the lead to no fewer than
    ``min_lead_cells``, and then the key to no fewer than the title's
    ``least_key_cells``. A title still too long is cut at its end, with the
    lead at its least and the key whole, unless the key's least shows more
    of the range. Every cut ends in "…". Only that end cut can drop the chart
    type's label.
    """
    if cell_len(title.text()) <= cells:
        return title.text()
    short = title.text(short=True)
    if cell_len(short) <= cells:
        return short

    # The first part gives up cells first: a saved chart's name, else the events before their filters.
    parts = title.lead_parts()
    if len(parts) > 1:
        parts[0] = shorten(parts[0], max(MIN_NOTE_NAME_CELLS, cell_len(parts[0]) - (cell_len(short) - cells)))
    lead_text = SEPARATOR.join(parts)
    lead_cells = cells - (cell_len(title.text(lead_text, short=True)) - cell_len(lead_text))
    least_lead = least_lead_cells(title, parts, min_lead_cells)
    if lead_cells >= least_lead:
        return title.text(cut_lead(title, parts, lead_cells), short=True)

    cut = cut_lead(title, parts, least_lead)
    key = SEPARATOR.join(title.key)
    key_cells = cells - (cell_len(title.text(cut, short=True)) - cell_len(key))
    if key_cells >= title.least_key_cells:
        return _with_key(title, cut, cut_parts(key, key_cells))

    # The end is cut. The key is cut to its least too when that shows more of the range: its start day, or all of it.
    least_key = cut_parts(key, title.least_key_cells)
    if _range_days_shown(cut, least_key, title, cells) > _range_days_shown(cut, key, title, cells):
        key = least_key
    return cut_parts(_with_key(title, cut, key), cells)


def _range_days_shown(lead: str, key: str, title: ChartTitle, cells: int) -> int:
    """Return how much of the range a title cut at its end to ``cells`` shows: 2 all, 1 its start day, 0 less."""
    start = title.short_range.split(" ")[0]
    before = cell_len(SEPARATOR.join(part for part in (lead, key) if part) + SEPARATOR)
    # A title that goes on after the range or its start day takes one more cell for the "…" of its cut.
    more = 1 if title.tail else 0
    if before + cell_len(title.short_range) + more <= cells:
        return 2
    return 1 if before + cell_len(start) + 1 <= cells else 0


def least_lead_cells(title: ChartTitle, parts: list[str], min_lead_cells: int) -> int:
    """Return the minimum number of cells a cut leaves of the lead's ``parts``, at most their whole length.

    That is ``min_lead_cells``, or on a title with a type's label, the label
    with one "…" after it, after up to ``min_lead_cells`` of the name, as in
    "Weekly chec… · Funnel: …".
    """
    lead_cells = cell_len(SEPARATOR.join(parts))
    if not title.kind:
        return min(min_lead_cells, lead_cells)
    kind_cells = cell_len(title.kind) + 1
    if title.name:
        kind_cells += min(min_lead_cells, cell_len(parts[0])) + cell_len(SEPARATOR)
    return min(kind_cells, lead_cells)


def cut_lead(title: ChartTitle, parts: list[str], cells: int) -> str:
    """Return the lead's ``parts`` joined and cut to ``cells``.

    A title with a type's label gives up its events first, then its name,
    and keeps the label with one cell after it.
    """
    text = SEPARATOR.join(parts)
    if not title.kind or not title.name or cell_len(text) <= cells:
        # Cut from the end, so the label that starts an unnamed lead goes last.
        return cut_parts(text, cells)

    name, counted = parts[0], SEPARATOR.join(parts[1:])
    counted_cells = cells - cell_len(name + SEPARATOR)
    least_counted = cell_len(title.kind) + 1
    if counted_cells >= least_counted:
        return name + SEPARATOR + cut_parts(counted, counted_cells)
    # Too little room for the name whole: the name is cut, down to its "…", and the label stays.
    name_cells = max(cells - least_counted - cell_len(SEPARATOR), 1)
    return shorten(name, name_cells) + SEPARATOR + cut_parts(counted, least_counted)


def cut_parts(text: str, cells: int) -> str:
    """Return ``text``, parts joined by ``SEPARATOR``, cut to ``cells`` with "…", never after a bare dot or comma."""
    cut = shorten(text, cells)
    for dangling in (SEPARATOR.rstrip() + "…", ",…"):
        if cut != text and cut.endswith(dangling):
            # "Purchases ·…" reads as a cut dot, "window 1d,…" as a cut comma. "Purchases …" shows more follows.
            return cut[: -len(dangling)] + " …"
    return cut


def _with_key(title: ChartTitle, lead: str, key: str) -> str:
    return SEPARATOR.join(part for part in (lead, key, title.short_range, *title.tail) if part)


def least_title_cells(definition: ChartDefinition) -> int:
    """Return the fewest cells the title of an unsaved ``definition`` takes after an origin note before its end is cut.

    That is the least that ``fit_title`` keeps without cutting the end, when
    the lead may be cut to one cell (or to its type's label and "…").
    """
    title = chart_title(definition, None)
    parts = title.lead_parts()
    lead = cut_lead(title, parts, least_lead_cells(title, parts, 1))
    return cell_len(_with_key(title, lead, cut_parts(SEPARATOR.join(title.key), title.least_key_cells)))


def fit_origin_note(origin: ChartOrigin, definition: ChartDefinition, cells: int) -> str:
    """Return an unsaved chart's origin note, cut so that it and the title of ``definition`` fit in ``cells``.

    The title follows the note after a separator. The name of the chart it
    came from is cut first. Next ``fit_chart_title`` cuts the title's parts
    before the range (and those before the key), and only then is a typed
    name cut. Neither name is cut below ``MIN_NOTE_NAME_CELLS``.
    """
    # The short range loses no fact, so it goes before any name is cut.
    title = chart_title(definition, None).text(short=True)
    note_cells = cells - cell_len(SEPARATOR) - cell_len(title)
    base_cells = _cut_name_cells(origin.base_name, cell_len(origin.text()) - note_cells)
    note = origin.text(base_cells)

    note_cells = cells - cell_len(SEPARATOR) - least_title_cells(definition)
    name_cells = _cut_name_cells(origin.name, cell_len(note) - note_cells)
    return origin.text(base_cells, name_cells)


def _cut_name_cells(name: str | None, excess: int) -> int | None:
    """Return how many cells ``name`` keeps when the note is ``excess`` cells too long, or None to keep it whole."""
    if not name or excess <= 0:
        return None
    return max(cell_len(printable(name)) - excess, MIN_NOTE_NAME_CELLS)


def counting_text(definition: ChartDefinition) -> list[str]:
    """Return the ``count_by`` in the builder's words, ``counting accounts`` for ``group:account``, or no part for users."""
    if not definition.count_by:
        return []
    group_type = definition.count_by.removeprefix(GROUP_PREFIX)
    return [f"counting {plural_noun(printable(group_type))}"]


def plural_noun(noun: str) -> str:
    """Return the English plural of a one-word ``noun`` by the regular rules: ``account`` → ``accounts``, ``company`` → ``companies``.

    NOTE: irregular plurals (``person``) come out regular, which still names the group type.
    """
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if len(noun) > 1 and noun.endswith("y") and noun[-2].lower() not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def grouping_text(definition: ChartDefinition) -> list[str]:
    """Return the group-by as ``by X`` and the ``segments`` key as ``only: a, b`` or ``without: c``, as set."""
    parts = [f"by {printable(definition.group_by)}"] if definition.group_by else []
    if definition.segments is not None:
        parts.append(segments_text(definition.segments))
    return parts


def segments_text(choice: SegmentChoice) -> str:
    """Return the ``segments`` key as ``only: a, b`` (keep) or ``without: c`` (drop)."""
    verb = "only" if choice.mode == "keep" else "without"
    return f"{verb}: " + ", ".join(printable(label) for label in choice.labels)


def series_label(definition: ChartDefinition, series: int, series_name: str) -> str:
    """Return the event series ``series`` counts, as the chart defines it, else ``series_name``."""
    if series < len(definition.events):
        return event_name(definition.events[series].event)
    return printable(series_name)


def line_name(definition: ChartDefinition, series: int, series_name: str, segment: str | None) -> str:
    """Return ``series · segment``, or the series alone when the chart has no group-by."""
    label = series_label(definition, series, series_name)
    return label if segment is None else f"{label}{SEPARATOR}{printable(segment)}"


def describe_point(point: Point, definition: ChartDefinition, zone: str, now: datetime | None = None) -> str:
    """Return the readout of a point: series, segment, bucket ``[start, end)`` with zone, value.

    A bucket that the range cuts, or that has not ended at ``now`` (default:
    the current time), is followed by ``(partial)``.
    """
    bucket = format_bucket(point.bucket_start, point.bucket_end, zone)
    if bucket_is_partial(point.bucket_start, point.bucket_end, definition.interval, now):
        bucket = f"{bucket} {PARTIAL_NOTE}"
    return SEPARATOR.join(
        (
            line_name(definition, point.series, point.series_name, point.segment),
            bucket,
            value_text(point.value, definition.measure, counted_unit(definition)),
        )
    )


def value_text(value: float, measure: str, unit: str = "users") -> str:
    """Return a point's value with the unit of its measure: ``12 sessions``, ``4 min 05 s``, ``1,234 users``.

    ``unit`` is what the chart counts: ``users``, or ``groups`` when it counts by a group type.
    """
    if measure in ("sessions", "length"):
        return quantity_text(value, "sessions")
    if measure == "avg_length":
        return duration(value)
    if measure == "per_user":
        return f"{quantity_text(value, 'sessions')} per {unit.removesuffix('s')}"
    return format_value(value, measure, unit)


def filters_text(definition: ChartDefinition) -> list[str]:
    """Return the chart's ``where`` items as one ``where a and b`` part, or no part without filters."""
    if not definition.where:
        return []
    return ["where " + " and ".join(describe_filter(item.to_json()) for item in definition.where)]


def range_text(definition: ChartDefinition) -> str:
    return f"{definition.range.start} … {definition.range.end}"


def short_range_text(definition: ChartDefinition) -> str:
    """Return the range without repeating its start's year, ``2024-03-01 … 03-05``, or one day as that day."""
    start, end = definition.range.start, definition.range.end
    if start == end:
        return str(start)
    if start.year == end.year:
        return f"{start} … {end:%m-%d}"
    return range_text(definition)


def describe_filter(item: dict) -> str:
    """Return a ``where`` item as ``property op value``, e.g. ``platform = iOS``."""
    prop = printable(item.get("property", ""))
    op = item.get("op", "")
    if op in NO_VALUE_OPERATORS:
        return f"{prop} is {op}"
    value = item.get("value")
    if isinstance(value, list):
        values = ", ".join(printable(part) for part in value)
        return f"{prop} {op} ({values})"
    return f"{prop} {op} {printable(value)}"


# Funnels ---------------------------------------------------------------------------


def funnel_title(definition: ChartDefinition, name: str | None) -> ChartTitle:
    """Return a funnel's title in parts: name, steps, filters, exclusions, window and order, range, what it counts."""
    lead = [FUNNEL_KIND + " → ".join(series_name(spec) for spec in definition.steps)]
    lead.extend(filters_text(definition))
    for exclusion in definition.exclude:
        first, last = exclusion.between
        lead.append(f"excluding {series_name(exclusion.event)} between steps {first} and {last}")
    tail = grouping_text(definition) + counting_text(definition)
    # A cut key keeps the window whole, then " …" in place of the comma: "window 1d …".
    least_key_cells = cell_len(f"window {definition.window},") + 1
    return ChartTitle(
        _title_name(name),
        lead,
        [window_text(definition)],
        range_text(definition),
        short_range_text(definition),
        tail,
        kind=FUNNEL_KIND,
        least_key_cells=least_key_cells,
    )


def window_text(definition: ChartDefinition) -> str:
    """Return the conversion window and step order, e.g. ``window 1d, this order``."""
    return f"window {definition.window}, {ORDER_NAMES.get(definition.order, definition.order)}"


def part_name(dropped: bool) -> str:
    return "dropped off" if dropped else "converted"


def describe_funnel_part(part: FunnelPart, definition: ChartDefinition) -> str:
    """Return the readout of a funnel part on two lines.

    The first names the step, the segment of a grouped funnel, and the part
    under the cursor with its count, then the other part's count. The second gives the conversion from the
    previous step and (from step 3 on) from step 1, the median time to
    convert from the previous step, and the window.
    """
    step = part.step
    event = shorten(event_name(definition.steps[step.step - 1].event), READOUT_EVENT_CELLS)
    # A grouped funnel's part belongs to one segment, named after the event.
    segment = [] if part.segment is None else [shorten(printable(part.segment), READOUT_EVENT_CELLS)]
    counts = [f"{part_name(part.dropped)}: {quantity_text(part.value, counted_unit(definition))}"]
    if step.step > 1:
        other = step.converted if part.dropped else step.dropped
        counts.append(f"{part_name(not part.dropped)}: {format_number(other)}")
    first_line = SEPARATOR.join([f"Step {step.step} of {part.step_count}", event, *segment, *counts])

    details = []
    if step.step > 1:
        details.append(f"{percent(step.conversion)} of step {step.step - 1}")
    if step.step > 2:
        details.append(f"{percent(step.overall)} of step 1")
    if step.step > 1:
        details.append(f"median {duration(step.median_seconds)}")
    details.append(window_text(definition))
    return first_line + "\n" + SEPARATOR.join(details)


def describe_entry_bucket(part: EntryBucketPart, definition: ChartDefinition, zone: str) -> str:
    """Return the readout of a conversion-over-time point on two lines.

    The first names the segment, the entry bucket ``[start, end)`` with its
    zone and the actors who entered then (reached step 1), those of them who
    converted to the last step, and the rate. The second names the part the
    microscope opens, the other part, and the window. A bucket is partial when
    the range cuts it or it has not ended. It is also partial when an
    entrant's window had not ended by the end of the data. The second line
    then names first why the counts can still change (``open_note``).
    """
    bucket = format_bucket(part.bucket_start, part.bucket_end, zone)
    if part.window_open or bucket_is_partial(part.bucket_start, part.bucket_end, definition.interval):
        bucket = f"{bucket} {PARTIAL_NOTE}"
    segment = [] if part.segment is None else [shorten(printable(part.segment), READOUT_EVENT_CELLS)]
    last = part.step_count
    # A bucket still open may gain its first entrants, so its lack of entries is for now.
    no_entries = "no entries yet" if part.entry_open is not None else "no entries"
    rate = no_entries if part.entered == 0 else f"{percent(part.rate)} converted"
    entered = f"entered in {bucket}: {quantity_text(part.entered, counted_unit(definition))}"
    first_line = SEPARATOR.join([*segment, entered, f"converted to step {last}: {format_number(part.converted)}", rate])

    converted = f"converted to step {last}: {format_number(part.converted)}"
    dropped = f"dropped off at step {last}: {format_number(part.dropped)}"
    selected, other = (dropped, converted) if part.on_dropped else (converted, dropped)
    details = [f"microscope on {selected}", f"t for {other}", window_text(definition)]
    note = open_note(part, counted_unit(definition))
    if note is not None:
        details.insert(0, note)
    return first_line + "\n" + SEPARATOR.join(details)


def percent(fraction: float) -> str:
    """Return a fraction as ``68.5%``, or ``–%`` when it has no base (NaN)."""
    return "–%" if math.isnan(fraction) else f"{fraction * 100:.1f}%"


def duration(seconds: float) -> str:
    """Return a time to convert such as ``2 h 05 min``, or ``–`` when no actor converted (NaN)."""
    if math.isnan(seconds):
        return "–"
    # Imported here: the microscope's cells module imports pandas, which the app keeps off its startup path.
    from tui.app.microscope.cells import format_duration

    return format_duration(seconds)


# Retention -------------------------------------------------------------------------


def retention_title(definition: ChartDefinition, name: str | None) -> ChartTitle:
    """Return a retention chart's title in parts: name, start and return events, filters, periods and rules, range."""
    lead = [f"{RETENTION_KIND}{series_name(definition.start)} then {series_name(definition.return_event)}"]
    lead.extend(filters_text(definition))
    periods = f"{definition.period}s 0–{definition.periods}"
    if definition.interval != definition.period:
        # Cohorts as long as the periods need no mention. Others are named, as in "weekly cohorts, days 0–7".
        periods = f"{INTERVAL_NAMES[definition.interval].lower()} cohorts, {periods}"
    mode = RETENTION_MODES.get(definition.mode, definition.mode)
    key = f"{periods}, {retention_rules(definition)}"
    tail = grouping_text(definition)
    if definition.cohort:
        tail.append(f"cohort {printable(definition.cohort)}")
    tail.extend(counting_text(definition))
    # A cut key keeps the periods and the mode whole, then " …" in place of the comma: "days 0–7, return on …".
    least_key_cells = cell_len(f"{periods}, {mode},") + 1
    return ChartTitle(
        _title_name(name),
        lead,
        [key],
        range_text(definition),
        short_range_text(definition),
        tail,
        kind=RETENTION_KIND,
        least_key_cells=least_key_cells,
    )


def retention_rules(definition: ChartDefinition) -> str:
    """Return how returns count, e.g. ``return on, calendar days`` or ``return on or after, rolling 24-hour days``."""
    mode = RETENTION_MODES.get(definition.mode, definition.mode)
    periods = ROLLING_PERIODS[definition.period] if definition.rolling else f"calendar {definition.period}s"
    return f"{mode}, {periods}"


def retention_part_name(not_retained: bool) -> str:
    return "not retained" if not_retained else "retained"


def describe_retention_part(part: RetentionPart, definition: ChartDefinition) -> str:
    """Return the readout of a retention cell's part on two lines.

    The first names the cohort with its size, the period, the part under the
    cursor with its count, the other part's count and the rate. The second
    states whether the cell is complete, how returns count, and the period's
    average over complete cells. A cell whose period had not begun by the
    project's last event shows no counts, only that it has not begun.
    """
    cell = part.cell
    unit = counted_unit(definition)
    period = f"{definition.period.capitalize()} {cell.period}"
    label = cohort_label(cell.bucket_start, definition.interval == "hour")
    cohort = f"Cohort {label} ({quantity_text(cell.cohort_size, unit)})"
    segment = [] if cell.segment is None else [shorten(printable(cell.segment), READOUT_EVENT_CELLS)]
    if not part.begun:
        # Counts here would claim that the whole cohort failed to return in a period that has not begun.
        first_line = SEPARATOR.join([cohort, *segment, not_begun_text(cell, definition.period)])
        details = [f"no events from this period yet, so no {unit} to list", retention_rules(definition)]
        return first_line + "\n" + SEPARATOR.join(details)
    counts = [
        f"{retention_part_name(part.not_retained)}: {quantity_text(part.value, unit)}",
        f"{retention_part_name(not part.not_retained)}: {format_number(cell.retained if part.not_retained else cell.not_retained)}",
    ]
    first_line = SEPARATOR.join([cohort, *segment, period, *counts, f"{percent(cell.rate)} retained"])

    counted = counted_periods_text(definition, cell.period)
    state = "complete" if cell.complete else f"incomplete: {counted} not over for every {unit.removesuffix('s')}"
    details = [state, retention_rules(definition)]
    average = part.average
    if average is not None and average.cohorts:
        cohorts = "cohort" if average.cohorts == 1 else "cohorts"
        details.append(f"average {percent(average.rate)} over {average.cohorts} complete {cohorts}, weighted by size")
    else:
        details.append("no complete cohort for an average yet")
    return first_line + "\n" + SEPARATOR.join(details)
