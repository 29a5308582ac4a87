"""A small project with accounts (group type ``company``) for the tests of charts counted and segmented by groups.

Events, all in March 2024 (UTC):

| line | event | time | user | device | company | team | price |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 1 | Buy | 1st 09:00 | alice | | Acme | | 10 |
| 2 | Buy | 1st 09:00 | bob | | Acme, Globex (a list) | | 20 |
| 3 | Buy | 1st 10:00 | carol | | | | 5 |
| 4 | Buy | 1st 08:00 | | d-9 | Ünïcode 🚀 | | 1 |
| 5 | Open | 2nd 12:00 | dora | d-9 | Initech | | |
| 6 | Buy | 2nd 13:00 | alice | | Acme | red | 30 |
| 7 | Buy | 2nd 14:00 | bob | | | blue | 2 |

Device d-9 is identified as dora on line 5, so line 4 is dora's and dora
created the group "Ünïcode 🚀". Lines 1 and 2 share a time; line 1 comes
first in the file, so alice created Acme.
"""

from __future__ import annotations

from builders import build_project

UNICODE_COMPANY = "Ünïcode 🚀"

# 2024-03-01T00:00:00Z in Unix seconds.
MARCH_1 = 1709251200
HOUR = 3600


def event(event_type, time, user=None, device=None, price=None, **groups) -> dict:
    """Return an import row; ``groups`` maps a group type to a name or a list of names."""
    row = {"event_type": event_type, "event_time": time, "user_id": user, "device_id": device}
    if price is not None:
        row["event_properties"] = {"price": price}
    if groups:
        row["groups"] = groups
    return row


ACCOUNT_EVENTS = [
    event("Buy", "2024-03-01T09:00:00Z", "alice", price=10, company="Acme"),
    event("Buy", "2024-03-01T09:00:00Z", "bob", price=20, company=["Acme", "Globex"]),
    event("Buy", "2024-03-01T10:00:00Z", "carol", price=5),
    event("Buy", "2024-03-01T08:00:00Z", device="d-9", price=1, company=UNICODE_COMPANY),
    event("Open", "2024-03-02T12:00:00Z", "dora", "d-9", company="Initech"),
    event("Buy", "2024-03-02T13:00:00Z", "alice", price=30, company="Acme", team="red"),
    event("Buy", "2024-03-02T14:00:00Z", "bob", price=2, team="blue"),
]


def build_accounts(tmp_path, name: str = "p.duckdb"):
    """Import ``ACCOUNT_EVENTS`` into a new project and return it open."""
    return build_project(tmp_path, ACCOUNT_EVENTS, name=name)


def chart(events=("Buy",), first="2024-03-01", last="2024-03-02", **changes) -> dict:
    """Return a daily segmentation chart of ``events`` over ``first``..``last``, counted by company unless changed."""
    obj = {
        "type": "segmentation",
        "events": [{"event": name} for name in events],
        "range": {"from": first, "to": last},
        "count_by": "group:company",
    }
    obj.update(changes)
    return {key: value for key, value in obj.items() if value is not None}


def group_id(project, name: str, group_type: str = "company") -> int:
    """Return the id Loupe gave the group ``name`` of ``group_type``."""
    return project.con.execute(
        "SELECT group_id FROM groups WHERE group_type = ? AND group_name = ?", [group_type, name]
    ).fetchone()[0]


def day_one_csv_rows(ids: dict[str, int]) -> list[list[str]]:
    """Return the groups CSV of the first day's point (without the header), given each company's group id."""
    rows = [
        [str(ids["Acme"]), "Acme", str(MARCH_1 + 9 * HOUR), "alice"],
        [str(ids["Globex"]), "Globex", str(MARCH_1 + 9 * HOUR), "bob"],
        # d-9 created it and became dora.
        [str(ids[UNICODE_COMPANY]), UNICODE_COMPANY, str(MARCH_1 + 8 * HOUR), "dora"],
    ]
    return sorted(rows, key=lambda row: int(row[0]))
