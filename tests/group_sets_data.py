"""A small project with two group types (``company`` and ``team``) for the tests of group sets.

Events (UTC), all ``Buy`` unless named:

| line | time | user | company | team |
| --- | --- | --- | --- | --- |
| 1 | March 1, 09:00 | alice | Acme | red |
| 2 | March 1, 09:00 | bob | Acme, Globex (a list) | blue |
| 3 | March 1, 10:00 | carol | Initech | |
| 4 | March 1, 11:00 | dan | | red |
| 5 | March 2, 09:00 | alice | Acme | |
| 6 | March 2, 09:00 | erin | Hooli | red |
| 7 | March 2, 12:00 | bob | Globex | |
| 8 | March 2, 13:00 (Open) | carol | Initech | |
| 9 | March 2, 15:00 | frank | Acme | |

Lines 1 and 2 share a time, and so do lines 5 and 6. Acme has two users
(alice, bob), and bob is in two companies (Acme, Globex).

Counted by company, March 1 has Acme, Globex and Initech, and March 2 has
Acme, Hooli and Globex (carol's Open is not a Buy). Counted by team, March 1
has red (alice, dan) and blue (bob). Counted by users, March 1 has alice,
bob, carol and dan, and March 2 has alice, erin, bob and frank. So a
comparison of users behind the companies counts other numbers than one of
the companies.
"""

from __future__ import annotations

from groups_data import event
from tui.analytics.definition import parse_chart
from tui.analytics.point import Point

GROUP_SET_EVENTS = [
    event("Buy", "2024-03-01T09:00:00Z", "alice", company="Acme", team="red"),
    event("Buy", "2024-03-01T09:00:00Z", "bob", company=["Acme", "Globex"], team="blue"),
    event("Buy", "2024-03-01T10:00:00Z", "carol", company="Initech"),
    event("Buy", "2024-03-01T11:00:00Z", "dan", team="red"),
    event("Buy", "2024-03-02T09:00:00Z", "alice", company="Acme"),
    event("Buy", "2024-03-02T09:00:00Z", "erin", company="Hooli", team="red"),
    event("Buy", "2024-03-02T12:00:00Z", "bob", company="Globex"),
    event("Open", "2024-03-02T13:00:00Z", "carol", company="Initech"),
    event("Buy", "2024-03-02T15:00:00Z", "frank", company="Acme"),
]


def buyers(count_by: str | None = "group:company") -> dict:
    """Return the daily chart of Buy over March 1 and 2, counted by ``count_by`` (users when None)."""
    obj = {"type": "segmentation", "events": [{"event": "Buy"}], "range": {"from": "2024-03-01", "to": "2024-03-02"}}
    if count_by is not None:
        obj["count_by"] = count_by
    return obj


def day(bucket: int, count_by: str | None = "group:company") -> Point:
    """Return the point of day ``bucket`` (0 is March 1) of ``buyers(count_by)``."""
    return Point(parse_chart(buyers(count_by)), series=0, segment=None, bucket=bucket)
