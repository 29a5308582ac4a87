"""User streams: each actor of a point as the run of events around the point's range.

An actor's stream holds, in capture order (``client_time``, then ``seq``):
- every event whose ``event_time`` falls in the range ``[start, end)``
  (position ``in``);
- up to ``BEFORE`` events before the range starts, the latest ones
  (position ``before``);
- when the range has fewer than ``FROM_START`` events, the first events
  after the range ends, so that at least ``FROM_START`` events are shown from
  the range start on (position ``after``).

``counted`` is true exactly for the events of the point's own query, so the
chart's event, ``where`` items and cohort decide what is highlighted.
``session_break`` marks the first event of a session block (see
``tui.analytics.microscope.sequence``) in the actor's whole history, so a
stream that opens in the middle of a session shows no break at its first
row. ``block_session_key`` and ``block_session_id`` name the block's
session, while ``session_key`` and ``session_id`` stay those of the event:
NULL and ``-1`` for an Amplitude event out of session.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from tui.analytics.definition import USER_PREFIX
from tui.analytics.filters import COLUMNS, Fragment
from tui.analytics.microscope.actor_set import (
    ActorSet,
    MicroscopeError,
    Target,
    actor_events_sql,
    as_actor_set,
    id_list_sql,
)
from tui.analytics.point import Point
from tui.analytics.microscope.properties import name_property_columns, property_columns_sql, property_names_sql
from tui.analytics.microscope.sequence import BLOCK_COLUMNS, session_blocks_sql, session_gap_us

BEFORE = 25
FROM_START = 50

STREAM_COLUMNS = [
    "actor_id", "seq", "event_time", "event_type", "session_id", "session_key",
    "counted", "position", *BLOCK_COLUMNS, "event_properties",
]

# An event property whose name equals a stream column is shown as ``event.NAME``.
PROPERTY_PREFIX = "event."


def point_streams(
    cursor: duckdb.DuckDBPyConnection,
    target: Target,
    settings: Any,
    actor_ids: list[int],
    property_names: list[str] | tuple[str, ...] = (),
) -> pd.DataFrame:
    """Return the streams of ``actor_ids`` for ``target`` in one query, one row per event.

    Columns are ``STREAM_COLUMNS`` (``event_properties`` as JSON text), then one
    text column per name in ``property_names``. Rows come actor by actor in the
    order of ``actor_ids``, each actor's events in capture order. An actor with
    no event in the project has no rows.
    """
    actor_set = _streamed_set(target, settings)
    stream, params = _stream_sql(actor_set, actor_ids, session_gap_us(cursor))
    properties, property_params = property_columns_sql("event_properties", list(property_names))
    sql = f"SELECT {', '.join(STREAM_COLUMNS)}{properties} FROM ({stream}) ORDER BY actor_rank, client_time, seq"
    frame = cursor.execute(sql, property_params + params).df()
    return name_property_columns(frame, list(property_names), PROPERTY_PREFIX)


def user_stream(
    cursor: duckdb.DuckDBPyConnection,
    target: Target,
    settings: Any,
    actor_id: int,
    property_names: list[str] | tuple[str, ...] = (),
) -> pd.DataFrame:
    """Return the stream of one actor for ``target``; see ``point_streams``."""
    return point_streams(cursor, target, settings, [actor_id], property_names)


def stream_property_names(
    cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any, actor_ids: list[int]
) -> list[str]:
    """Return the event property names in the streams of ``actor_ids``, most often set first."""
    stream = _stream_sql(_streamed_set(target, settings), actor_ids, session_gap_us(cursor))
    sql, params = property_names_sql("event_properties", stream)
    return [name for (name,) in cursor.execute(sql, params).fetchall()]


def default_stream_columns(
    cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any, actor_ids: list[int], count: int
) -> list[str]:
    """Return up to ``count`` event property names to show before the user picks: those of the chart's own event.

    A ``sum:PROP`` or ``avg:PROP`` measure's event property comes first, then
    the properties most often set on the events that counted toward the point
    for ``actor_ids``. When those events have no property, the names come from
    the whole streams (``stream_property_names``).
    """
    actor_set = _streamed_set(target, settings)
    ids = id_list_sql(actor_ids)
    sql, params = property_names_sql("event_properties", actor_events_sql(actor_set, ids))
    counted = [name for (name,) in cursor.execute(sql, params).fetchall()]
    if not counted:
        return stream_property_names(cursor, target, settings, actor_ids)[:count]
    measured = _measured_property(target)
    names = [measured] if measured is not None else []
    names.extend(name for name in counted if name != measured)
    return names[:count]


def _measured_property(target: Target) -> str | None:
    """Return the event property a Point's ``sum:PROP`` or ``avg:PROP`` measure reads, else None.

    A user property or a column is no event property, so it has no stream column.
    """
    if not isinstance(target, Point):
        return None
    name = target.definition.measure_property
    if name is None or name.startswith(USER_PREFIX) or name in COLUMNS:
        return None
    return name


def check_streams(target: Target) -> None:
    """Raise MicroscopeError for a point of a chart that has no user streams.

    Streams show each user's events around one time bucket, which only event
    segmentation points have.
    """
    chart_type = target.definition.type if isinstance(target, Point) else "segmentation"
    if chart_type != "segmentation":
        raise MicroscopeError(
            f"type: user streams are for event segmentation points, not {chart_type} points. "
            "A user's profile (or 'loupe users' and the why-is-this-user-here events) shows their activity instead."
        )


def _streamed_set(target: Target, settings: Any) -> ActorSet:
    """Return ``target`` as an ActorSet after checking that its chart has user streams."""
    check_streams(target)
    return as_actor_set(target, settings)


def _stream_sql(actor_set: ActorSet, actor_ids: list[int], gap_us: int) -> Fragment:
    """Return the stream rows of ``actor_ids``, with ``actor_rank`` (position in ``actor_ids``) and ``client_time``.

    ``gap_us`` is the project's session gap in microseconds, which splits
    session blocks next to out-of-session events.

    The windows pick the kept events from a few narrow columns of each actor's
    whole history, and only the kept events are then read whole. For the 50
    users of ``bench/bench_microscope.py``, reading the event properties of
    all their events took longer than the windows.
    """
    ids, ids_params = id_list_sql(actor_ids)
    counted, counted_params = actor_events_sql(actor_set, (ids, ids_params))
    # The windows read the actor's whole history, so the session blocks and the ranks
    # before and after the range do not depend on which events the stream keeps.
    blocks = session_blocks_sql(f"""
        SELECT actor_id, seq, event_time, client_time, session_key, session_id,
               CASE WHEN event_time < ? THEN 'before' WHEN event_time < ? THEN 'in' ELSE 'after' END AS position
        FROM events WHERE actor_id IN ({ids})
    """)
    sql = f"""
        WITH actor_events AS ({blocks}),
        ranked AS (
            SELECT *,
                   row_number() OVER (PARTITION BY actor_id, position ORDER BY client_time, seq) AS from_first,
                   count(*) OVER (PARTITION BY actor_id, position) AS in_position,
                   -- Summed, not ``count(*) FILTER (...)``: DuckDB 2.0.1 took about 8 times as long to
                   -- compute a filtered count in the same window step as the ``lag``.
                   sum(CAST(position = 'in' AS INTEGER)) OVER (PARTITION BY actor_id) AS in_range
            FROM actor_events
        ),
        kept AS (
            SELECT actor_id, seq, event_time, client_time, session_key, session_id, position, {", ".join(BLOCK_COLUMNS)}
            FROM ranked
            WHERE position = 'in'
               OR (position = 'before' AND in_position - from_first < {BEFORE})
               OR (position = 'after' AND from_first <= {FROM_START} - in_range)
        ),
        counted_seqs AS (SELECT seq FROM ({counted}))
        SELECT kept.actor_id, kept.seq, kept.event_time, kept.client_time, whole.event_type, kept.session_id,
               kept.session_key, kept.position, {", ".join(f"kept.{column}" for column in BLOCK_COLUMNS)},
               CAST(whole.event_properties AS VARCHAR) AS event_properties,
               counted_seqs.seq IS NOT NULL AS counted,
               list_position(CAST(? AS BIGINT[]), kept.actor_id) AS actor_rank
        FROM kept
        -- ``seq`` alone identifies an event. Joining on the time too lets DuckDB skip the row
        -- groups outside the kept events' time span when it reads the wide columns.
        JOIN (SELECT actor_id, seq, event_time, event_type, event_properties
              FROM events WHERE actor_id IN ({ids})) AS whole
          ON whole.actor_id = kept.actor_id AND whole.seq = kept.seq AND whole.event_time = kept.event_time
        LEFT JOIN counted_seqs ON counted_seqs.seq = kept.seq
    """
    params = [actor_set.start, actor_set.end] + ids_params + [gap_us] + counted_params + ids_params + ids_params
    return sql, params
