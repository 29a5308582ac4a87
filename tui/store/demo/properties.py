"""Event properties, user properties and groups of demo events, as JSON object texts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tui.store.demo import product
from tui.store.demo.json_text import Fields, by_shape, encoded, encoded_numbers, json_objects
from tui.store.demo.users import DemoUsers

# PRICE[plan index, billing index]; the free plan has no price.
PRICE = np.full((len(product.PLANS), len(product.BILLING)), np.nan)
for (plan_name, billing_name), amount in product.PRICES.items():
    PRICE[product.PLANS.index(plan_name), product.BILLING.index(billing_name)] = amount


@dataclass
class EventFacts:
    """Facts about each event of a block, as the property builders need them."""

    code: np.ndarray  # index into product.EVENT_TYPES
    actor: np.ndarray  # index into users
    version: np.ndarray  # index into product.VERSIONS of the app that sent it
    anonymous: np.ndarray  # sent before the actor signed up (no user id)
    plan: np.ndarray  # index into product.PLANS at the event's time
    role_known: np.ndarray  # the actor had completed their profile by then
    users: DemoUsers
    rng: np.random.Generator


def event_properties(facts: EventFacts) -> pa.Array:
    """Build each event's properties, whose keys depend on its event type."""

    def build(code: int, rows: np.ndarray) -> pa.Array:
        fields = PROPERTY_FIELDS[product.EVENT_TYPES[code]](facts, rows)
        return json_objects(fields, len(rows))

    return by_shape(facts.code, len(product.EVENT_TYPES), build)


def user_properties(facts: EventFacts) -> pa.Array:
    """Build the user properties sent with each event: the plan, and the role once the profile is complete."""
    shape = np.where(facts.anonymous, 0, np.where(facts.role_known, 2, 1))
    role = facts.users.role[facts.actor]

    def build(code: int, rows: np.ndarray) -> pa.Array | None:
        if code == 0:
            return None
        fields = [("plan", encoded(product.PLANS, facts.plan[rows]))]
        if code == 2:
            fields.append(("role", encoded(product.ROLES, role[rows])))
        return json_objects(fields, len(rows))

    return by_shape(shape, 3, build)


def groups(facts: EventFacts) -> pa.Array:
    """Build the groups of each event: the actor's account once they are signed in."""
    account = facts.users.account[facts.actor]
    shape = ((~facts.anonymous) & (account >= 0)).astype(np.int64)

    def build(code: int, rows: np.ndarray) -> pa.Array | None:
        if code == 0:
            return None
        return json_objects([("account", encoded(facts.users.account_names, account[rows]))], len(rows))

    return by_shape(shape, 2, build)


def _choice(facts: EventFacts, vocabulary: tuple, n: int) -> pa.Array:
    """Draw ``n`` values from a ``(values, shares)`` vocabulary."""
    values, shares = vocabulary
    shares = np.array(shares) / sum(shares)
    return encoded(values, facts.rng.choice(len(values), size=n, p=shares))


def _paid_plan(facts: EventFacts, rows: np.ndarray) -> pa.Array:
    return encoded(product.PLANS, facts.users.paid_plan[facts.actor[rows]])


def _billing(facts: EventFacts, rows: np.ndarray) -> pa.Array:
    return encoded(product.BILLING, facts.users.billing[facts.actor[rows]])


def _purchase(facts: EventFacts, rows: np.ndarray) -> Fields:
    actor = facts.actor[rows]
    revenue = PRICE[facts.users.paid_plan[actor], facts.users.billing[actor]]
    return [
        ("plan", _paid_plan(facts, rows)),
        ("billing", _billing(facts, rows)),
        ("revenue", encoded_numbers(revenue)),
        ("currency", encoded(["USD"], np.zeros(len(rows)))),
    ]


def _create_project(facts: EventFacts, rows: np.ndarray) -> Fields:
    """Templates arrive with version 2.0.0; before it every project starts blank."""
    template = _choice(facts, product.PROJECT_TEMPLATES, len(rows))
    blank = encoded(["blank"], np.zeros(len(rows)))
    has_templates = pa.array(facts.version[rows] >= product.NEW_ONBOARDING_VERSION)
    return [("template", pc.if_else(has_templates, template, blank))]


def _words(facts: EventFacts, rows: np.ndarray) -> Fields:
    return [("words", encoded_numbers(facts.rng.geometric(0.01, size=len(rows))))]


PROPERTY_FIELDS = {
    "Page View": lambda facts, rows: [
        ("page", _choice(facts, product.PAGES, len(rows))),
        ("referrer", _choice(facts, product.REFERRERS, len(rows))),
    ],
    "View Pricing": lambda facts, rows: [("source", _choice(facts, product.PRICING_SOURCES, len(rows)))],
    "Sign Up": lambda facts, rows: [("method", _choice(facts, product.SIGNUP_METHODS, len(rows)))],
    "Complete Profile": lambda facts, rows: [("role", encoded(product.ROLES, facts.users.role[facts.actor[rows]]))],
    "Create Project": _create_project,
    "Invite Teammate": lambda facts, rows: [("invitees", encoded_numbers(facts.rng.integers(1, 6, size=len(rows))))],
    "App Open": lambda facts, rows: [("source", _choice(facts, product.APP_OPEN_SOURCES, len(rows)))],
    "Start Checkout": lambda facts, rows: [("plan", _paid_plan(facts, rows)), ("billing", _billing(facts, rows))],
    "Payment Failed": lambda facts, rows: [
        ("plan", _paid_plan(facts, rows)),
        ("reason", _choice(facts, product.FAILURE_REASONS, len(rows))),
    ],
    "Purchase": _purchase,
    "View Note": lambda facts, rows: [("source", _choice(facts, product.NOTE_SOURCES, len(rows)))],
    "Edit Note": _words,
    "Create Note": _words,
    "Search": lambda facts, rows: [
        ("query_length", encoded_numbers(facts.rng.integers(2, 30, size=len(rows)))),
        ("results", encoded_numbers(facts.rng.poisson(6, size=len(rows)))),
    ],
    "Add Tag": lambda facts, rows: [("tag", _choice(facts, product.TAGS, len(rows)))],
    "Share Note": lambda facts, rows: [("channel", _choice(facts, product.SHARE_CHANNELS, len(rows)))],
    "Export Note": lambda facts, rows: [("format", _choice(facts, product.EXPORT_FORMATS, len(rows)))],
}
