"""Pathfinder: the top event paths after a start event or before an end event, over a date range.

Each user contributes one path, from their *first* occurrence of the chosen
event in the range, as hosted analytics tools count it:
- after a start event, the path is that event, then up to ``depth`` events
  that followed it;
- before an end event, the path is that event at depth 0, then up to
  ``depth`` events that came before it, latest first. A path that runs out of
  earlier events ends in a ``Start`` node (no earlier event in the session
  and range), as a path after a start event ends in ``End``.

The tree is the one the microscope's user paths draw (``microscope.paths``),
with the same rules. Only events in the range count, and a session change
ends a path. An out-of-session event stays on the path of the events around
it unless the project's session gap passes. Consecutive repeats collapse
unless ``keep_repeats`` is set.
Each step shows its ``top`` events and an ``Other`` node, and nodes count
distinct users.

``where`` items select which occurrences of the chosen event count, as a
chart event's ``where`` does. The other events of a path are all the user's
events in that session, whatever their properties.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from tui.analytics.buckets import make_buckets
from tui.analytics.definition import ANY_EVENT, DateRange, DefinitionError, Filter
from tui.analytics.filters import Fragment, conjunction, event_type_sql, where_sql
from tui.analytics.microscope.actor_set import ActorSet, events_actor_set
from tui.analytics.microscope.paths import (
    DEFAULT_DEPTH, DEFAULT_TOP, SEPARATOR, check_path_options, leaf_paths, path_tree,
)
from tui.analytics.segmentation import chart_settings

__all__ = ["DEFAULT_DEPTH", "DEFAULT_TOP", "pathfinder", "pathfinder_rows"]


def pathfinder(
    cursor: duckdb.DuckDBPyConnection,
    settings: Any,
    date_range: DateRange,
    start: str | None = None,
    end: str | None = None,
    where: tuple[Filter, ...] = (),
    depth: int = DEFAULT_DEPTH,
    top: int = DEFAULT_TOP,
    keep_repeats: bool = False,
) -> pd.DataFrame:
    """Return the path tree after ``start`` or before ``end`` (give exactly one), one row per node.

    ``date_range`` contains dates in the time zone of ``settings`` (a dict or a
    Project), both included. ``start`` or ``end`` is an event type, or ``*``
    for any event. The columns are those of ``microscope.paths.point_paths``;
    before an end event, ``path`` reads from the end event back, and the
    terminal nodes are named ``Start``. Raises DefinitionError naming a bad value.
    """
    event = _anchor_event(start, end)
    check_path_options(depth, top, DefinitionError)
    actor_set = _anchor_set(settings, date_range, event, where)
    return path_tree(cursor, actor_set, depth, top, keep_repeats, backward=end is not None)


def pathfinder_rows(
    cursor: duckdb.DuckDBPyConnection, settings: Any, date_range: DateRange, **options
) -> pd.DataFrame:
    """Return the complete paths of ``pathfinder``: ``path`` and ``users``, most users first.

    ``options`` are those of ``pathfinder``. Every user is in exactly one row.
    ``path`` lists the events in time order in both directions, so a path
    before an end event finishes with it (``Start > View > Cart > Buy``).
    """
    nodes = pathfinder(cursor, settings, date_range, **options)
    if options.get("end") is None:
        return leaf_paths(nodes)
    return leaf_paths(nodes.assign(path=_time_order_paths(nodes)))


def _anchor_event(start: str | None, end: str | None) -> str:
    """Return the one event given, or raise DefinitionError when both or neither are given."""
    if (start is None) == (end is None):
        raise DefinitionError(
            "start, end: give exactly one: start for the paths after an event, end for the paths before one."
        )
    event = start if start is not None else end
    key = "start" if start is not None else "end"
    if not isinstance(event, str) or not event:
        raise DefinitionError(f"{key}: {event!r} is not an event type. Give an event name, or '*' for any event.")
    return event


def _anchor_set(settings: Any, date_range: DateRange, event: str, where: tuple[Filter, ...]) -> ActorSet:
    """Return the users who did ``event`` (matching ``where``) in the range, with those events and the range in UTC."""
    if date_range.end < date_range.start:
        raise DefinitionError(f"range: 'to' ({date_range.end}) is before 'from' ({date_range.start}). Swap them.")
    # Whole days in the settings' zone, DST included: the same boundaries a daily chart of the range has.
    days = make_buckets(date_range, "day", chart_settings(settings).timezone)
    events = _events_sql(event, where, days.range_start, days.range_end)
    label = "Any event" if event == ANY_EVENT else event
    # The set's default anchor is each user's first event of it: their first occurrence in the range.
    return events_actor_set(label, events, days.range_start, days.range_end)


def _events_sql(event: str, where: tuple[Filter, ...], start, end) -> Fragment:
    parts = [event_type_sql(event), where_sql(tuple(where)), ("event_time >= ? AND event_time < ?", [start, end])]
    condition, params = conjunction(parts)
    return f"SELECT * EXCLUDE (dedupe_key) FROM events WHERE {condition}", params


def _time_order_paths(nodes: pd.DataFrame) -> list[str]:
    """Return each node's path of a backward tree in time order: from the node's own event up to the root."""
    names = dict(zip(nodes["node_id"], nodes["event"]))
    parents = dict(zip(nodes["node_id"], nodes["parent_id"]))
    paths = []
    for node_id in nodes["node_id"]:
        steps = []
        current = node_id
        while not pd.isna(current):
            steps.append(names[current])
            current = parents[current]
        paths.append(SEPARATOR.join(steps))
    return paths
