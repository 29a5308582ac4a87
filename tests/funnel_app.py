"""Helpers for the funnel app tests: a small hand-made shop with a saved funnel, and reading the app's screens.

The shop's funnel is view → cart → buy, window 1 day, range 2024-03-01 to
2024-03-03 (UTC). Each user's events and what they count for:

- u1: view, cart 5 min later, coupon, buy 25 min after the cart: reaches step 3.
- u2: view, cart 10 min later, coupon: drops off at step 3.
- u3: view only: drops off at step 2.
- u4: view, cart 25 hours later, after the window: drops off at step 2.
- u5: view and cart at the same second, buy an hour later: reaches step 3.
- u6: cart and buy without a view: not in the funnel.
- u7: view the day before the range: not in the funnel.
- u8: view as an anonymous device, identified 30 min later at the cart, then help: drops off at step 3.
- u9: view at 23:00 on the last day, cart after the range ends but inside the window, then help: drops off at step 3.

So step 1 has 7 users; step 2 converts 5 (u1 u2 u5 u8 u9) and loses 2 (u3 u4);
step 3 converts 2 (u1 u5) and loses 3 (u2 u8 u9). Times from cart to buy are
25 and 60 minutes, so their median is 42 min 30 s. Times from view to cart
are 0, 5, 10, 30 and 120 minutes, with a median of 10 min.
"""

from __future__ import annotations

from pathlib import Path

from builders import build_project
from ecom_app import run_menu_action
from microscope_app import press, table_rows
from tui.app.chart_view import ChartView
from tui.app.microscope.users_screen import UsersScreen
from tui.store.saved_charts import save_chart

SHOP_FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "view"}, {"event": "cart"}, {"event": "buy"}],
    "window": "1d",
    "range": {"from": "2024-03-01", "to": "2024-03-03"},
}
STEP_USERS = {
    (1, False): {"u1", "u2", "u3", "u4", "u5", "u8", "u9"},
    (2, False): {"u1", "u2", "u5", "u8", "u9"},
    (2, True): {"u3", "u4"},
    (3, False): {"u1", "u5"},
    (3, True): {"u2", "u8", "u9"},
}


def event(event_type: str, when: str, user: str | None = None, device: str | None = None, **properties) -> dict:
    row = {"event_type": event_type, "event_time": when}
    if user is not None:
        row["user_id"] = user
    if device is not None:
        row["device_id"] = device
    if properties:
        row["event_properties"] = properties
    return row


def shop_events() -> list[dict]:
    return [
        event("view", "2024-03-01T10:00:00Z", "u1"),
        event("cart", "2024-03-01T10:05:00Z", "u1"),
        event("coupon", "2024-03-01T10:10:00Z", "u1", code="SPRING"),
        event("buy", "2024-03-01T10:30:00Z", "u1"),
        event("view", "2024-03-01T11:00:00Z", "u2"),
        event("cart", "2024-03-01T11:10:00Z", "u2"),
        event("coupon", "2024-03-01T11:20:00Z", "u2", code="[b]ÉTÉ[/b]"),
        event("view", "2024-03-02T09:00:00Z", "u3"),
        event("view", "2024-03-02T12:00:00Z", "u4"),
        event("cart", "2024-03-03T13:00:00Z", "u4"),
        event("view", "2024-03-03T08:00:00Z", "u5"),
        event("cart", "2024-03-03T08:00:00Z", "u5"),
        event("buy", "2024-03-03T09:00:00Z", "u5"),
        event("cart", "2024-03-01T12:00:00Z", "u6"),
        event("buy", "2024-03-01T12:10:00Z", "u6"),
        event("view", "2024-02-29T12:00:00Z", "u7"),
        event("cart", "2024-03-01T09:00:00Z", "u7"),
        event("view", "2024-03-02T10:00:00Z", device="d8"),
        event("cart", "2024-03-02T10:30:00Z", "u8", "d8"),
        event("help", "2024-03-02T10:40:00Z", "u8", "d8"),
        event("view", "2024-03-03T23:00:00Z", "u9"),
        event("cart", "2024-03-04T01:00:00Z", "u9"),
        event("help", "2024-03-04T02:00:00Z", "u9"),
    ]


def make_shop(tmp_path: Path, chart: dict = SHOP_FUNNEL, events: list[dict] | None = None, timezone: str = "UTC") -> Path:
    """Build the shop (or ``events``) in the zone ``timezone``, save ``chart`` as the chart the app opens, return the path."""
    project = build_project(tmp_path, shop_events() if events is None else events, timezone=timezone)
    save_chart(project.con, "Shop funnel", chart)
    project.close()
    return tmp_path / "p.duckdb"


def readout(app) -> str:
    return app.home.query_one("#readout").content.plain


def canvas(app) -> str:
    return app.home.query_one(ChartView).render().plain


def user_ids(screen: UsersScreen) -> set[str]:
    return {row.plain()[0] for row in table_rows(screen.table)}


async def open_users(app, pilot, *keys: str) -> UsersScreen:
    """Move the cursor with ``keys``, open the microscope there and its user list."""
    await press(app, pilot, *keys)
    return await run_menu_action(app, pilot, "u", UsersScreen)
