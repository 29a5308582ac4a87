"""Event times of the demo: seconds between events, sessions spaced apart, and the range's edges."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui.store.demo import product
from tui.store.demo.contents import SessionEvents
from tui.store.demo.sessions import Sessions


@dataclass
class Timeline:
    """When each event and session happens, and which sessions fall inside the range."""

    event_ms: np.ndarray  # per event, UTC milliseconds
    session_start_ms: np.ndarray  # per session, after spacing
    inside_range: np.ndarray  # per event: its session lies wholly inside the range


def make_timeline(sessions: Sessions, events: SessionEvents, rng: np.random.Generator) -> Timeline:
    """Time every event: gaps inside each session, then one actor's sessions pushed apart so none overlap."""
    offset_ms = _offsets_in_session(events, len(sessions), rng)
    first = np.searchsorted(events.session, np.arange(len(sessions)))
    last = np.r_[first[1:], len(events)] - 1
    duration_ms = offset_ms[last]

    start_ms = _spaced_starts(sessions, duration_ms)
    inside = (start_ms >= product.RANGE_START_MS) & (start_ms + duration_ms < product.RANGE_END_MS)
    return Timeline(
        event_ms=start_ms[events.session] + offset_ms,
        session_start_ms=start_ms,
        inside_range=inside[events.session],
    )


def _offsets_in_session(events: SessionEvents, n_sessions: int, rng: np.random.Generator) -> np.ndarray:
    """Draw the milliseconds from each session's first event to each event, some gaps being zero."""
    n = len(events)
    gap_seconds = np.minimum(
        rng.lognormal(np.log(product.GAP_MEDIAN_SECONDS), 1.0, size=n), product.GAP_MAX_SECONDS
    )
    gap_ms = (gap_seconds * 1000).astype(np.int64)
    gap_ms[rng.random(n) < product.P_SAME_TIMESTAMP] = 0

    first = np.searchsorted(events.session, np.arange(n_sessions))
    gap_ms[first] = 0
    elapsed = np.cumsum(gap_ms)
    session_base = np.repeat(elapsed[first], np.diff(np.r_[first, n]))
    return elapsed - session_base


def _spaced_starts(sessions: Sessions, duration_ms: np.ndarray) -> np.ndarray:
    """Push each actor's sessions later where needed, so a quiet spell separates every two of them.

    With sessions sorted by start, the spaced start of session k is
    ``max(start_k, spaced_{k-1} + need_{k-1})``, where ``need`` is a session's
    duration plus the quiet spell. Unrolled, that is ``c_k + max over j <= k of
    (start_j - c_j)``, with ``c`` the sum of ``need`` over the actor's earlier
    sessions, which numpy computes as a running maximum per actor.
    """
    order = np.lexsort((sessions.start_ms, sessions.actor))
    actor = sessions.actor[order]
    need = duration_ms[order] + product.SESSION_SPACING_MINUTES * 60_000

    before = np.cumsum(need) - need  # sum over every earlier session in the block
    actor_first = np.searchsorted(actor, actor)  # actor is sorted, so this is the actor's first row
    earlier = before - before[actor_first]

    slack = sessions.start_ms[order] - earlier
    floor = slack.min(initial=0)
    stride = slack.max(initial=0) - floor + 1  # keeps each actor's running maximum apart from the previous actor's
    running = np.maximum.accumulate(actor * stride + (slack - floor)) - actor * stride + floor

    spaced = np.empty_like(sessions.start_ms)
    spaced[order] = earlier + running
    return spaced
