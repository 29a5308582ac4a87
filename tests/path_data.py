"""Events for the path tests: each user's events written as text, one minute apart.

In a text, ``|`` starts a new session and a leading ``~`` puts one event out
of session (``session_id`` ``-1``). Every event happens on 2024-03-03 (UTC)
unless a test gives another start.
"""

from __future__ import annotations

from microscope_data import minutes_after

DAY = "2024-03-03"

PATHS = {
    "u1": "View Cart Buy",
    "u2": "View View Cart | Buy",
    "u3": "Home View Cart Buy",
    "u4": "View Home",
    "u5": "View Help",
    "u6": "Cart View Buy",
    "u7": "Cart Cart Buy",
}


def session_events(user: str, text: str, start: str = f"{DAY}T10:00", **columns) -> list[dict]:
    """Return the events of ``text`` for ``user``, one minute apart from ``start`` (UTC), with ``columns`` added."""
    events, session, minute = [], 1, 0
    for token in text.split():
        if token == "|":
            session += 1
            continue
        session_id = "-1" if token.startswith("~") else f"{user}-{session}"
        events.append({
            "event_type": token.lstrip("~"), "event_time": minutes_after(start, minute),
            "user_id": user, "session_id": session_id, **columns,
        })
        minute += 1
    return events


def pathfinder_events() -> list[dict]:
    """Return the events of every user in ``PATHS``."""
    return [event for user, text in PATHS.items() for event in session_events(user, text)]
