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

from tui.analytics.definition import ChartDefinition
from tui.app.default_chart import DEFAULT_DAYS, days_ending
from tui.app.describe import describe_filter, event_name

PRESET_DAYS = (7, 30, 90)
NUMERIC_OPERATORS = (">", ">=", "<", "<=")
LIST_OPERATORS = ("in", "not in")
NO_VALUE_OPERATORS = ("set", "not set")


class DraftError(ValueError):
    """A value typed into the builder is invalid; the message names it and the fix."""


@dataclass(frozen=True)
class SeriesRow:
    """A row of the builder's series list: a series, or one of its filters."""

    series: int
    filter_index: int | None
    label: str


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


def series_rows(draft: dict) -> list[SeriesRow]:
    """Return the list the builder shows: each series, then its filters indented."""
    # NOTE: chart-wide ``where`` items (the top-level key) stay in the draft unchanged, but are not listed.
    rows = []
    for index, spec in enumerate(draft.get("events", [])):
        letter = chr(ord("A") + index % 26)
        rows.append(SeriesRow(index, None, f"{letter}  {event_name(spec['event'])}"))
        for filter_index, item in enumerate(spec.get("where", [])):
            rows.append(SeriesRow(index, filter_index, f"     where {describe_filter(item)}"))
    return rows


def add_series(draft: dict, event: str) -> None:
    draft.setdefault("events", []).append({"event": event})


def set_series_event(draft: dict, series: int, event: str) -> None:
    draft["events"][series]["event"] = event


def remove_row(draft: dict, row: SeriesRow) -> None:
    """Remove the series of ``row``, or only its filter when ``row`` is a filter row."""
    spec = draft["events"][row.series]
    if row.filter_index is None:
        del draft["events"][row.series]
        return
    del spec["where"][row.filter_index]
    if not spec["where"]:
        del spec["where"]


def add_filter(draft: dict, series: int, item: dict) -> None:
    draft["events"][series].setdefault("where", []).append(item)


def set_group_by(draft: dict, prop: str | None) -> None:
    if prop is None:
        draft.pop("group_by", None)
    else:
        draft["group_by"] = prop


def set_cohort(draft: dict, name: str | None) -> None:
    """Count only the members of the cohort ``name``, or all users when ``name`` is None."""
    if name is None:
        draft.pop("cohort", None)
    else:
        draft["cohort"] = name


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
