"""Switching the builder's draft from one chart type to another, keeping what the types share."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from tui.analytics.definition import COMMON_KEYS, MAX_FUNNEL_STEPS, TYPE_KEYS
from tui.app.builder_draft import EVENT_LISTS, RETENTION_EVENTS, chart_type, follow_period

# How many events each type keeps. A type missing here keeps any number.
EVENT_CAPACITY = {"funnel": MAX_FUNNEL_STEPS, "retention": len(RETENTION_EVENTS), "sessions": 0}
# Keys several types take: kept when the new type takes them too, else set aside until one does.
SHARED_KEYS = ("count_by",)


@dataclass
class SetAside:
    """The settings and events a type switch took out of the draft, put back when the user switches back."""

    # Each type's own settings (measure, window, exclusions, period...), by chart type.
    by_type: dict[str, dict] = field(default_factory=dict)
    # The last list of events, so a sessions chart (which has none) can switch back without losing them.
    events: list[dict] = field(default_factory=list)
    shared: dict = field(default_factory=dict)
    # The interval the chart had before it became a retention chart, whose interval follows its period.
    interval: str | None = None


def event_specs(draft: dict) -> list[dict]:
    """Return the draft's event objects in order: series, funnel steps, or retention start and return."""
    kind = chart_type(draft)
    if kind in EVENT_LISTS:
        return list(draft.get(EVENT_LISTS[kind], []))
    if kind == "retention":
        return [draft[key] for key in RETENTION_EVENTS if draft.get(key) is not None]
    return []


def switch_type(draft: dict, new_type: str, set_aside: SetAside, interval_follows: bool = False) -> str | None:
    """Turn the draft into a ``new_type`` chart, and return a note if some events did not fit.

    Range, chart-wide ``where``, group-by, cohort and time zone stay.
    The ``segments`` key goes: it names the old type's lines.
    Series become funnel steps and back, and retention starts with the first
    event and returns with the second. Settings only the old type takes go to
    ``set_aside`` and come back when the user switches back to that type.
    The interval stays too, unless ``interval_follows`` is True. Then a new
    retention chart takes its period as interval, and the interval it had
    comes back when it switches to another type. The builder passes True
    until the user chooses an interval.
    """
    old_type = chart_type(draft)
    if new_type == old_type:
        return None
    specs = _events_to_carry(draft, old_type, set_aside)
    draft.pop("segments", None)

    own = {}
    for key in [key for key in draft if key not in COMMON_KEYS]:
        value = draft.pop(key)
        if key in SHARED_KEYS:
            set_aside.shared[key] = value
        elif key not in EVENT_LISTS.values() and key not in RETENTION_EVENTS:
            own[key] = value
    set_aside.by_type[old_type] = own

    draft["type"] = new_type
    draft.update(set_aside.by_type.pop(new_type, {}))
    for key in SHARED_KEYS:
        if key in set_aside.shared and key in TYPE_KEYS[new_type]:
            draft[key] = set_aside.shared.pop(key)
    _switch_interval(draft, old_type, set_aside, interval_follows)
    return _place_events(draft, new_type, specs)


def _events_to_carry(draft: dict, old_type: str, set_aside: SetAside) -> list[dict]:
    """Return the events the new type starts from, and remember them in ``set_aside``.

    A type that keeps fewer events (a funnel ten, retention two) cut the list
    when the user switched to it. Unless the user changed the events it kept,
    the cut events come back.
    """
    specs = event_specs(draft)
    capacity = EVENT_CAPACITY.get(old_type)
    if capacity is not None and len(specs) == capacity and specs == set_aside.events[:capacity]:
        specs = specs + set_aside.events[capacity:]
    set_aside.events = copy.deepcopy(specs)
    return specs


def _place_events(draft: dict, new_type: str, specs: list[dict]) -> str | None:
    capacity = EVENT_CAPACITY.get(new_type)
    placed = specs if capacity is None else specs[:capacity]
    if new_type in EVENT_LISTS:
        draft[EVENT_LISTS[new_type]] = placed
    elif new_type == "retention":
        draft.update(zip(RETENTION_EVENTS, placed))
    if new_type == "funnel" and len(placed) < len(specs):
        return f"A funnel has at most {capacity} steps, so it keeps the first {capacity} of the {len(specs)} events."
    return None


def _switch_interval(draft: dict, old_type: str, set_aside: SetAside, interval_follows: bool) -> None:
    """Set the interval of a new retention chart to its period, or put back the one it had before retention.

    An interval the user chose stays on every type, so without ``interval_follows`` the one set aside goes.
    """
    if not interval_follows:
        set_aside.interval = None
        return

    if chart_type(draft) == "retention":
        # Kept even when it equals the period, because a new period moves the interval along later.
        set_aside.interval = draft.get("interval")
        follow_period(draft)
    elif old_type == "retention" and set_aside.interval is not None:
        draft["interval"] = set_aside.interval
        set_aside.interval = None
