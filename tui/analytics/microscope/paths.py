"""User paths of a point: the top event paths its users took after the chart's event, as a tree.

Rules:
- Each user's path starts at an anchor event of the set, the root node at
  depth 0: their first event by (``client_time``, ``seq``) when the set's
  ``anchor`` is ``first``, their last when it is ``last`` (a funnel drop-off
  starts at the last step the user completed). Levels 1 to ``depth`` are the
  events that followed it, or with ``backward`` the events that came before
  it, latest first (Pathfinder's paths before an end event).
- Only events inside the set's range ``[start, end)`` (by ``event_time``)
  count, and a path ends where its session changes. The path's session is
  the anchor's ``session_key``, or, when the anchor is out of session (a
  NULL key, as for ``session_id`` -1), the key of the nearest event on the
  path that has one. The path ends before the first event of another
  session. It also ends before an event more than the project's session
  gap (``session_gap_minutes``) away from the previous event on the path,
  when either of the two is out of session. An out-of-session event has no
  session of its own, so it stays on the path of the events around it
  unless the gap passes.
- Consecutive repeats of one event are collapsed into one step unless
  ``keep_repeats`` is set.
- Nodes count distinct users. Under each node the ``top`` events with the
  most users are shown, ties broken by event name. The remaining events
  merge into one ``Other`` node, which is not split further.
- A user whose path stops before ``depth`` ends in a terminal node: ``End``
  going forward, ``Start`` going backward (no earlier event in the session
  and range). A path that reaches ``depth`` has no terminal node.

The whole tree comes from one DuckDB query. A node's rank among its siblings
depends only on the users sharing its prefix, so the ranks of every prefix
are computed at once, and each user's path is cut at its first prefix ranked
below ``top``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb
import pandas as pd

from tui.analytics.filters import Fragment
from tui.analytics.microscope.actor_set import ActorSet, MicroscopeError, Target, as_actor_set
from tui.analytics.microscope.sequence import ACTOR_ORDER, session_gap_us
from tui.analytics.point import MAX_SESSION_TAIL, Point, point_label

DEFAULT_DEPTH = 5
DEFAULT_TOP = 5
DEFAULT_MAX_DAYS = 30
SEPARATOR = " > "

NODE_COLUMNS = [
    "node_id", "parent_id", "depth", "kind", "event", "label",
    "users", "share_of_parent", "other_event_count", "path",
]
# The node kinds: an event, the merged remaining events, and the end of paths.
EVENT, OTHER, END = "event", "other", "end"
KIND_ORDER = {EVENT: 0, OTHER: 1, END: 2}
OTHER_NAME = "Other"
# The name of an ``end`` node: where paths stop going forward, and where they begin going backward.
END_NAME, START_NAME = "End", "Start"
ANCHORS = ("first", "last")
DAY = timedelta(days=1)

# One actor's events from the latest back: the order of a path before its anchor event.
BACKWARD_ORDER = "PARTITION BY actor_id ORDER BY client_time DESC, seq DESC"
# One HUGEINT that orders an actor's events as ACTOR_ORDER does: microseconds of client_time, then seq
# (a positive BIGINT) in the low 64 bits. In DuckDB 2.0.1 a min over it took a quarter to a half of the
# time of an arg_min over the (client_time, seq) struct (2.5M events, 2 busy cores).
EVENT_ORDER = "(epoch_us({table}client_time)::HUGEINT * 18446744073709551616 + {table}seq)"


class PathRangeError(MicroscopeError):
    """The range a path report would read is longer than its limit.

    ``days`` and ``limit`` are in days. The message names no option, so the
    command line and the app each add how to raise the limit.
    """

    def __init__(self, message: str, days: float, limit: float):
        super().__init__(message)
        self.days = days
        self.limit = limit


def point_paths(
    cursor: duckdb.DuckDBPyConnection,
    target: Target,
    settings: Any,
    depth: int = DEFAULT_DEPTH,
    top: int = DEFAULT_TOP,
    keep_repeats: bool = False,
    max_days: float | None = None,
) -> pd.DataFrame:
    """Return the path tree of ``target``'s users, one row per node, parents before children.

    Columns:
    - ``node_id``, and ``parent_id`` (NA for a root);
    - ``depth``: 0 for the anchor event (see the set's ``anchor``);
    - ``kind``: ``event``, ``other`` or ``end``;
    - ``event``: the event type, ``Other`` or ``End``;
    - ``label``: ``Other (k events, n users)`` for an Other node, else ``event``;
    - ``users``, and ``share_of_parent`` (of all users for a root);
    - ``other_event_count``: the events merged into an Other node (NA for others);
    - ``path``: the events from the root, joined by `` > ``.

    ``max_days`` replaces the project's ``path_max_days`` limit on the length
    of the range read, in days. A longer range raises PathRangeError.
    """
    check_path_options(depth, top)
    actor_set = as_actor_set(target, settings)
    _check_range(target, actor_set, settings, max_days)
    return path_tree(cursor, actor_set, depth, top, keep_repeats)


def path_rows(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any, **options) -> pd.DataFrame:
    """Return the complete paths of ``target``'s users: ``path`` and ``users``, most users first.

    ``options`` are those of ``point_paths``. A complete path is a leaf of the
    tree (an End, an Other, or a node at ``depth``), so every user is in
    exactly one row.
    """
    return leaf_paths(point_paths(cursor, target, settings, **options))


def path_tree(
    cursor: duckdb.DuckDBPyConnection,
    actor_set: ActorSet,
    depth: int,
    top: int,
    keep_repeats: bool,
    backward: bool = False,
) -> pd.DataFrame:
    """Return the path tree of ``actor_set`` in the format of ``point_paths``, with no limit on the range's length.

    With ``backward`` the levels below the root are the events before the
    anchor event, latest first, and the terminal nodes are named ``Start``.
    """
    if actor_set.anchor not in ANCHORS:
        raise MicroscopeError(f"anchor: invalid value {actor_set.anchor!r}. Use 'first' or 'last'.")
    sql, params = _nodes_sql(actor_set, depth, top, keep_repeats, backward, session_gap_us(cursor))
    return _tree(cursor.execute(sql, params).fetchall(), START_NAME if backward else END_NAME)


def leaf_paths(nodes: pd.DataFrame) -> pd.DataFrame:
    """Return the leaves of a path tree as ``path`` and ``users`` rows, most users first, ties by path."""
    leaves = nodes[~nodes["node_id"].isin(nodes["parent_id"].dropna())]
    leaves = leaves.sort_values(["users", "path"], ascending=[False, True], kind="stable")
    return leaves[["path", "users"]].reset_index(drop=True)


def check_path_options(depth: int, top: int, error: type[ValueError] = MicroscopeError) -> None:
    """Raise ``error`` naming ``depth`` or ``top`` unless both are whole numbers of at least 1."""
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 1:
        raise error(f"depth: {depth!r} is not a positive whole number of steps.")
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise error(f"top: {top!r} is not a positive whole number of events per step.")


def path_day_limit(settings: Any, max_days: float | None = None) -> float:
    """Return the longest range paths may read, in days: ``max_days``, else the project setting."""
    if max_days is not None:
        return max_days
    if isinstance(settings, dict):
        value = settings.get("path_max_days")
    elif hasattr(settings, "setting"):
        value = settings.setting("path_max_days")
    else:
        value = None
    return DEFAULT_MAX_DAYS if value is None else value


def _check_range(target: Target, actor_set: ActorSet, settings: Any, max_days: float | None) -> None:
    """Raise PathRangeError when the range ``actor_set`` reads is longer than the limit in days."""
    limit = path_day_limit(settings, max_days)
    days = (actor_set.end - actor_set.start) / DAY
    if days <= limit:
        return
    source = "the limit" if max_days is not None else "the project's limit"
    setting = "" if max_days is not None else " (raise it with loupe settings --path-max-days DAYS)"
    message = (
        f"This report would read {_days_text(days)} of events, more than {source} of {_days_text(limit)}{setting}. "
        + _range_origin(target, actor_set, settings)
    )
    raise PathRangeError(message, days, limit)


def _range_origin(target: Target, actor_set: ActorSet, settings: Any) -> str:
    """Return a sentence on where the range comes from: the point's bucket, and what its paths read after it."""
    if not isinstance(target, Point):
        return f"The set's range is [{actor_set.start:%Y-%m-%d %H:%M}, {actor_set.end:%Y-%m-%d %H:%M}) UTC."
    label = point_label(target, settings)
    covers = f"The point covers {_days_text((label.bucket_end - label.bucket_start) / DAY)}, {label.bucket_text()}"
    extra = actor_set.end - label.bucket_end
    if extra <= timedelta(0):
        return f"{covers}."
    return f"{covers}, and its paths read {_days_text(extra / DAY)} more {_extension_reason(target)}."


def _extension_reason(point: Point) -> str:
    """Return why the paths of ``point`` read past its bucket, the reasons ``point_range`` adds time for."""
    definition = point.definition
    if definition.type == "funnel":
        return (
            f"for the funnel's {definition.window} conversion window, "
            "because a conversion that starts near the end can finish up to one window later"
        )
    if definition.type == "sessions":
        return (
            f"for the project's longest session (at most {_days_text(MAX_SESSION_TAIL / DAY)}), "
            "so that sessions starting in the bucket are read whole"
        )
    return "for the return periods after the start cohort, and one more for a daylight saving time shift"


def _days_text(days: float) -> str:
    """Return ``days`` as ``1 day`` or ``30.5 days``, to two decimals at most."""
    number = f"{days:.2f}".rstrip("0").rstrip(".")
    return f"{number} day" if number == "1" else f"{number} days"


def _nodes_sql(actor_set: ActorSet, depth: int, top: int, keep_repeats: bool, backward: bool, gap_us: int) -> Fragment:
    """Return SQL for the tree's nodes: ``parent`` (the events above the node), ``kind``, ``event``, ``users``, ``other_events``."""
    steps, params = _user_steps_sql(actor_set, depth, keep_repeats, backward, gap_us)
    sql = f"""
        WITH user_steps AS ({steps}),
        prefixes AS (
            SELECT actor_id, steps, level, steps[1:level] AS prefix
            FROM (SELECT actor_id, steps, unnest(range(1, len(steps) + 1)) AS level FROM user_steps)
        ),
        ranked AS (
            SELECT prefix, level, row_number() OVER (
                PARTITION BY prefix[1:level - 1] ORDER BY count(*) DESC, prefix[level]) AS sibling_rank
            FROM prefixes GROUP BY prefix, level
        ),
        cuts AS (
            SELECT prefixes.actor_id, min(prefixes.level) AS cut_level
            FROM prefixes JOIN ranked USING (prefix, level)
            WHERE ranked.sibling_rank > {top} GROUP BY prefixes.actor_id
        ),
        walked AS (
            SELECT user_steps.actor_id, user_steps.steps, cuts.cut_level
            FROM user_steps LEFT JOIN cuts USING (actor_id)
        )
        SELECT prefix[1:level - 1] AS parent, '{EVENT}' AS kind, prefix[level] AS event,
               count(*) AS users, NULL AS other_events
        FROM prefixes JOIN walked USING (actor_id)
        WHERE walked.cut_level IS NULL OR walked.cut_level > prefixes.level
        GROUP BY prefix, level
        UNION ALL
        SELECT steps[1:cut_level - 1], '{OTHER}', NULL, count(*), count(DISTINCT steps[cut_level])
        FROM walked WHERE cut_level IS NOT NULL GROUP BY steps[1:cut_level - 1]
        UNION ALL
        SELECT steps, '{END}', NULL, count(*), NULL
        FROM walked WHERE cut_level IS NULL AND len(steps) <= {depth} GROUP BY steps
    """
    return sql, params


def _user_steps_sql(actor_set: ActorSet, depth: int, keep_repeats: bool, backward: bool, gap_us: int) -> Fragment:
    """Return one row per actor: ``steps``, the anchor event then up to ``depth`` events after (or before) it.

    The path ends at its first split (see the module's rules), found in two
    steps. Aggregates find the first event of another session on the path's
    side. A window then finds the first gap next to an out-of-session event
    among the events before that one, so windows read only the path's
    session. ``gap_us`` is the session gap in microseconds.
    """
    events, events_params = actor_set.events
    repeats = "TRUE" if keep_repeats else "previous_type IS DISTINCT FROM event_type"
    # The _null variants return the anchor's own key even when it is NULL (out of session), where arg_min skips it.
    extreme, pick = ("min", "arg_min_null") if actor_set.anchor == "first" else ("max", "arg_max_null")
    if backward:
        path_order, list_order, side, nearest, before_split = BACKWARD_ORDER, "client_time DESC, seq DESC", "<=", "max", ">"
    else:
        path_order, list_order, side, nearest, before_split = ACTOR_ORDER, "client_time, seq", ">=", "min", "<"
    # The nearest of the path's events in a session, whose key is the path's session for an out-of-session anchor.
    pick_nearest = "arg_max" if backward else "arg_min"
    sql = f"""
        WITH anchors AS (
            SELECT actor_id, {extreme}(event_order) AS anchor_order, {pick}(session_key, event_order) AS anchor_key
            FROM (SELECT actor_id, session_key, {EVENT_ORDER.format(table="")} AS event_order FROM ({events}))
            GROUP BY actor_id
        ),
        -- NOTE: this join of every later event dominates Pathfinder's time: about 1.2 to 1.6 s for 207K users
        -- and 3.3M events (30 days of the 10M generated, 2 busy cores), above its 1 s target.
        around AS (
            SELECT * FROM (
                SELECT events.actor_id, events.event_type, events.client_time, events.seq, events.session_key,
                       {EVENT_ORDER.format(table="events.")} AS event_order, anchors.anchor_order, anchors.anchor_key
                FROM events JOIN anchors ON events.actor_id = anchors.actor_id
                WHERE events.event_time >= ? AND events.event_time < ?
            ) WHERE event_order {side} anchor_order
        ),
        borrowed_keys AS (
            SELECT actor_id, {pick_nearest}(session_key, event_order) AS path_key FROM around
            WHERE anchor_key IS NULL AND session_key IS NOT NULL
            GROUP BY actor_id
        ),
        session_changes AS (
            SELECT around.actor_id, {nearest}(around.event_order) AS change_order
            FROM around LEFT JOIN borrowed_keys ON around.actor_id = borrowed_keys.actor_id
            WHERE around.session_key <> coalesce(around.anchor_key, borrowed_keys.path_key)
            GROUP BY around.actor_id
        ),
        in_session AS (
            SELECT around.* FROM around LEFT JOIN session_changes ON around.actor_id = session_changes.actor_id
            WHERE session_changes.change_order IS NULL OR around.event_order {before_split} session_changes.change_order
        ),
        stepped AS (
            SELECT *, lag(event_type) OVER ({path_order}) AS previous_type,
                   lag(client_time) OVER ({path_order}) AS previous_time,
                   lag(session_key) OVER ({path_order}) AS previous_key
            FROM in_session
        ),
        gaps AS (
            SELECT actor_id, {nearest}(event_order) AS gap_order FROM stepped
            WHERE event_order <> anchor_order AND (session_key IS NULL OR previous_key IS NULL)
              AND abs(epoch_us(client_time) - epoch_us(previous_time)) > ?
            GROUP BY actor_id
        ),
        on_path AS (
            SELECT stepped.* FROM stepped LEFT JOIN gaps ON stepped.actor_id = gaps.actor_id
            WHERE gaps.gap_order IS NULL OR stepped.event_order {before_split} gaps.gap_order
        ),
        kept AS (
            SELECT * FROM on_path WHERE {repeats}
            QUALIFY row_number() OVER ({path_order}) <= {depth + 1}
        )
        SELECT actor_id, list(event_type ORDER BY {list_order}) AS steps FROM kept GROUP BY actor_id
    """
    return sql, events_params + [actor_set.start, actor_set.end, gap_us]


def _tree(rows: list[tuple], end_name: str) -> pd.DataFrame:
    """Return the node frame from ``(parent, kind, event, users, other_events)`` rows, with ids and paths.

    Nodes are numbered level by level. Siblings follow their parent's order:
    events by users (ties by name), then Other, then the end node, named ``end_name``.
    """
    ids: dict[tuple, int] = {}
    users_at: dict[tuple, int] = {(): sum(row[3] for row in rows if not row[0])}
    records = []
    for level in sorted({len(row[0]) for row in rows}):
        siblings = [row for row in rows if len(row[0]) == level]
        siblings.sort(key=lambda row: (ids.get(tuple(row[0]), -1), KIND_ORDER[row[1]], -row[3], row[2] or ""))
        for parent, kind, event, users, other_events in siblings:
            name = {EVENT: event, OTHER: OTHER_NAME, END: end_name}[kind]
            records.append(_node(len(records), tuple(parent), kind, name, users, other_events, ids, users_at))
    frame = pd.DataFrame.from_records(records, columns=NODE_COLUMNS)
    # Nullable integers: a root has no parent, and only Other nodes count merged events.
    return frame.astype({"parent_id": "Int64", "other_event_count": "Int64"})


def _node(node_id, parent, kind, name, users, other_events, ids, users_at) -> dict:
    """Return one node row, and record an event node's id and users for its children."""
    if kind == EVENT:
        ids[parent + (name,)] = node_id
        users_at[parent + (name,)] = users
    return {
        "node_id": node_id,
        "parent_id": ids[parent] if parent else None,
        "depth": len(parent),
        "kind": kind,
        "event": name,
        "label": _other_label(other_events, users) if kind == OTHER else name,
        "users": users,
        "share_of_parent": users / users_at[parent],
        "other_event_count": other_events if kind == OTHER else None,
        "path": SEPARATOR.join(parent + (name,)),
    }


def _other_label(events: int, users: int) -> str:
    """Return the label of an Other node: ``Other (k events, n users)``, singular for one."""
    event_word = "event" if events == 1 else "events"
    user_word = "user" if users == 1 else "users"
    return f"Other ({events} {event_word}, {users} {user_word})"
