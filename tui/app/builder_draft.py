"""The chart builder's draft: a chart definition as a JSON object, edited one step at a time.

The builder edits the same JSON format charts are saved in, and hands it to
``parse_chart`` on apply, so the builder can never accept a chart that the
command line would reject.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from datetime import date

from tui.analytics.definition import MAX_FUNNEL_STEPS, ChartDefinition
from tui.app.default_chart import DEFAULT_DAYS, days_ending
from tui.app.describe import describe_filter, event_name

PRESET_DAYS = (7, 30, 90)
NUMERIC_OPERATORS = (">", ">=", "<", "<=")
LIST_OPERATORS = ("in", "not in")
NO_VALUE_OPERATORS = ("set", "not set")
# The draft key of each chart type's list of events. Retention has a single start and return event instead.
EVENT_LISTS = {"segmentation": "events", "funnel": "steps"}
RETENTION_EVENTS = ("start", "return")
# A retention chart's period when the draft has no ``period`` key, as ``parse_chart`` reads it.
DEFAULT_PERIOD = "day"
CHART_FILTERS = "where"


class DraftError(ValueError):
    """A value typed into the builder is invalid; the message names it and the fix."""


@dataclass(frozen=True)
class SeriesRow:
    """A row of the builder's list: an event of the chart, one of its filters, or a chart-wide filter.

    ``key`` is the draft key the row edits: ``events``, ``steps``, ``exclude``,
    ``start``, ``return``, or ``where`` for the chart-wide filters. ``index``
    is the position in that list (None for ``start``, ``return`` and
    ``where``), and ``filter_index`` the position in a ``where`` list when the
    row is a filter.
    """

    key: str
    index: int | None
    filter_index: int | None
    label: str

    @property
    def place(self) -> tuple:
        """The row's position in the draft, which stays the same when its label changes."""
        return (self.key, self.index, self.filter_index)


def new_draft(definition: ChartDefinition | None, last_day: date) -> dict:
    """Return an editable copy of ``definition``, or a blank chart ending on ``last_day``."""
    if definition is not None:
        return copy.deepcopy(definition.to_json())
    start, end = days_ending(last_day, DEFAULT_DAYS)
    return {
        "type": "segmentation",
        "events": [],
        "measure": "uniques",
        "interval": "day",
        "range": {"from": start, "to": end},
    }


def chart_type(draft: dict) -> str:
    return draft.get("type", "segmentation")


# The list of events and filters ---------------------------------------------------


def series_rows(draft: dict) -> list[SeriesRow]:
    """Return the rows the builder lists: each event with its filters indented, then the chart-wide filters."""
    rows: list[SeriesRow] = []
    kind = chart_type(draft)
    if kind in EVENT_LISTS:
        key = EVENT_LISTS[kind]
        for index, spec in enumerate(draft.get(key, [])):
            marker = str(index + 1) if kind == "funnel" else chr(ord("A") + index % 26)
            rows += _event_rows(key, index, spec, f"{marker}  {event_name(spec['event'])}")
    if kind == "retention":
        for key in RETENTION_EVENTS:
            spec = draft.get(key)
            title = f"{key.capitalize():<6}  "
            if spec is None:
                rows.append(SeriesRow(key, None, None, f"{title}(none: press Enter to choose)"))
            else:
                rows += _event_rows(key, None, spec, title + event_name(spec["event"]))
    if kind == "funnel":
        for index, item in enumerate(draft.get("exclude", [])):
            first, last = item["between"]
            label = f"Exclude {event_name(item['event'])} between steps {first} and {last}"
            rows += _event_rows("exclude", index, item, label)
    for filter_index, item in enumerate(draft.get(CHART_FILTERS, [])):
        rows.append(SeriesRow(CHART_FILTERS, None, filter_index, f"Every event where {describe_filter(item)}"))
    return rows


def _event_rows(key: str, index: int | None, spec: dict, label: str) -> list[SeriesRow]:
    rows = [SeriesRow(key, index, None, label)]
    for filter_index, item in enumerate(spec.get("where", [])):
        rows.append(SeriesRow(key, index, filter_index, f"     where {describe_filter(item)}"))
    return rows


def event_spec(draft: dict, row: SeriesRow) -> dict | None:
    """Return the event object ``row`` belongs to, or None for a chart-wide filter or an unset event."""
    if row.key == CHART_FILTERS:
        return None
    if row.index is None:
        return draft.get(row.key)
    return draft[row.key][row.index]


def next_event_key(draft: dict) -> str:
    """Return the draft key a new event goes to, or raise DraftError when the chart takes no more events."""
    kind = chart_type(draft)
    if kind == "sessions":
        raise DraftError("A sessions chart counts every event, so it takes no events: press w to filter them.")
    if kind == "retention":
        missing = [key for key in RETENTION_EVENTS if draft.get(key) is None]
        if not missing:
            raise DraftError("A retention chart has one start and one return event: press Enter on one to change it.")
        return missing[0]
    if kind == "funnel" and len(draft.get("steps", [])) >= MAX_FUNNEL_STEPS:
        raise DraftError(f"A funnel has at most {MAX_FUNNEL_STEPS} steps: remove one before adding another.")
    return EVENT_LISTS[kind]


def add_event(draft: dict, event: str) -> tuple:
    """Add ``event`` as the next series, funnel step, or unset retention event, and return its row's place."""
    key = next_event_key(draft)
    if key in RETENTION_EVENTS:
        draft[key] = {"event": event}
        return (key, None, None)
    events = draft.setdefault(key, [])
    events.append({"event": event})
    return (key, len(events) - 1, None)


def set_event(draft: dict, row: SeriesRow, event: str) -> None:
    """Change the event of the row's series, step, exclusion or retention event, keeping its filters."""
    spec = event_spec(draft, row)
    if spec is None:
        draft[row.key] = {"event": event}
    else:
        spec["event"] = event


def add_filter(draft: dict, row: SeriesRow, item: dict) -> tuple:
    """Add the ``where`` item to the row's event, or to the chart-wide filters on a chart-wide row.

    Returns the place of the new filter's row.
    """
    spec = event_spec(draft, row)
    target = draft if row.key == CHART_FILTERS else spec
    if target is None:
        raise DraftError(f"Choose the {row.key} event first, then filter it.")
    filters = target.setdefault("where", [])
    filters.append(item)
    return (row.key, row.index, len(filters) - 1)


def remove_row(draft: dict, row: SeriesRow) -> None:
    """Remove the row's event (series, step or exclusion), or only its filter when ``row`` is a filter row."""
    owner = draft if row.key == CHART_FILTERS else event_spec(draft, row)
    if row.filter_index is not None:
        del owner["where"][row.filter_index]
        if not owner["where"]:
            del owner["where"]
        return
    if row.index is None:
        raise DraftError(f"A retention chart needs a {row.key} event: press Enter to choose another one.")
    del draft[row.key][row.index]
    if row.key == "steps":
        _renumber_exclusions(draft, removed_step=row.index + 1)


def move_row(draft: dict, row: SeriesRow, offset: int) -> SeriesRow | None:
    """Move the row's series or step ``offset`` places, returning the moved row, or None if it cannot move.

    Exclusions keep their step numbers: they name places in the funnel, not events.
    """
    if row.key not in EVENT_LISTS.values() or row.filter_index is not None:
        return None
    events = draft[row.key]
    target = row.index + offset
    if not 0 <= target < len(events):
        return None
    events.insert(target, events.pop(row.index))
    return SeriesRow(row.key, target, None, row.label)


def _renumber_exclusions(draft: dict, removed_step: int) -> None:
    """Keep each exclusion between the same steps after step ``removed_step`` (1-based) is removed.

    An exclusion that started or ended at the removed step widens to the
    neighbouring steps, so it still covers the stretch of the funnel it did.
    """
    step_count = len(draft.get("steps", []))
    for item in draft.get("exclude", []):
        first, last = item["between"]
        first = first if first < removed_step else first - 1
        last = last if last <= removed_step else last - 1
        if step_count >= 2:
            first = max(1, first)
            last = min(step_count, max(last, first + 1))
            first = min(first, last - 1)
        item["between"] = [first, last]


def add_exclusion(draft: dict, event: str, between: tuple[int, int]) -> tuple:
    """Drop users who did ``event`` between the funnel steps ``between`` (1-based, first before second).

    Returns the place of the new exclusion's row.
    """
    exclusions = draft.setdefault("exclude", [])
    exclusions.append({"event": event, "between": list(between)})
    return ("exclude", len(exclusions) - 1, None)


def set_exclusion_steps(draft: dict, index: int, between: tuple[int, int]) -> None:
    draft["exclude"][index]["between"] = list(between)


def step_pairs(step_count: int) -> list[tuple[int, int]]:
    """Return the ``between`` pairs a funnel of ``step_count`` steps takes, the whole funnel first."""
    pairs = [(first, last) for first in range(1, step_count) for last in range(first + 1, step_count + 1)]
    whole = (1, step_count)
    return [whole] + [pair for pair in pairs if pair != whole] if step_count >= 2 else []


# Chart-wide settings -----------------------------------------------------------


def set_group_by(draft: dict, prop: str | None) -> None:
    """Group the chart by ``prop`` (None: no group-by); a new group-by has new lines, so ``segments`` goes."""
    if draft.get("group_by") != prop:
        draft.pop("segments", None)
    if prop is None:
        draft.pop("group_by", None)
    else:
        draft["group_by"] = prop


def follow_period(draft: dict) -> bool:
    """Set a retention chart's interval to its period, so each start cohort is one period long.

    Returns True when the interval changed, and False on other chart types.
    """
    period = draft.get("period", DEFAULT_PERIOD)
    if chart_type(draft) != "retention" or draft.get("interval") == period:
        return False
    draft["interval"] = period
    return True


def set_cohort(draft: dict, name: str | None) -> None:
    """Count only the members of the cohort ``name``, or all users when ``name`` is None."""
    if name is None:
        draft.pop("cohort", None)
    else:
        draft["cohort"] = name


# Filter values -------------------------------------------------------------------


def filter_value(op: str, text: str):
    """Return the ``value`` of a ``where`` item typed as ``text`` for operator ``op``.

    ``in`` and ``not in`` take a comma-separated list. Comparisons take a
    number. Elsewhere a number compares numerically (``5`` matches ``5.0``),
    unless it is written in double quotes, which keep any value as text.
    """
    text = text.strip()
    if op in NO_VALUE_OPERATORS:
        return None
    if not text:
        raise DraftError(f"The value for {op!r} is empty: type the value to compare with.")
    if op in LIST_OPERATORS:
        return [_number_or_text(part.strip()) for part in text.split(",") if part.strip()]
    if op in NUMERIC_OPERATORS:
        number = _number(text)
        if number is None:
            raise DraftError(f"{text!r} is not a number, and {op!r} compares numbers: type a number such as 10 or 2.5.")
        return number
    if op == "contains":
        return _unquoted(text)
    return _number_or_text(text)


def _number_or_text(text: str):
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    number = _number(text)
    return text if number is None else number


def _unquoted(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _number(text: str) -> int | float | None:
    for convert in (int, float):
        try:
            number = convert(text)
        except ValueError:
            continue
        # "nan" and "inf" parse as floats but are no use in a filter.
        return number if math.isfinite(number) else None
    return None
