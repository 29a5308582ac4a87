"""The order of one actor's events and where a session starts.

An actor's events are ordered by ``client_time`` (the device's capture time),
then ``seq`` (import order), the same on every run. A session starts at an
event whose ``session_key`` differs from the previous event's. The importer
sets ``session_key`` from ``session_id``, else by the inactivity gap, and
leaves it NULL for an event out of session (``session_id`` ``-1``). Each
out-of-session event counts as a session of its own, because nothing ties
it to the events around it.
"""

from __future__ import annotations

# The window of one actor's events in capture order.
ACTOR_ORDER = "PARTITION BY actor_id ORDER BY client_time, seq"

# True for an event that starts a session (always for the first event of a window partition).
SESSION_BREAK = f"(session_key IS NULL OR session_key IS DISTINCT FROM lag(session_key) OVER ({ACTOR_ORDER}))"
