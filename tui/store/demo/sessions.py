"""Sessions of the demo: which actor visits when, on which device, and for what.

A session's kind decides what happens in it (see ``contents``); its start
here is nominal, before ``timeline`` spaces one actor's sessions apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui.store.demo import clock, product
from tui.store.demo.users import ANONYMOUS, NEW, NO_STEP_DEFERRED, DemoUsers

VISIT, SIGNUP, FOLLOW_UP, PRICING, EVERYDAY = range(5)
HOUR_MS = 3_600_000


@dataclass
class Sessions:
    """Sessions of one block of actors, aligned by session index."""

    actor: np.ndarray  # index into the block's DemoUsers
    kind: np.ndarray
    start_ms: np.ndarray
    second_device: np.ndarray  # the session runs on the actor's second device

    def __len__(self) -> int:
        return len(self.actor)


def make_sessions(users: DemoUsers, rng: np.random.Generator) -> Sessions:
    """Draw every session of ``users``: anonymous visits, sign-up, onboarding follow-up, pricing and everyday use."""
    parts = [
        _visits(users, rng),
        _signups(users),
        _follow_ups(users, rng),
        _pricing_visits(users, rng),
        _everyday(users, rng),
    ]
    actor = np.concatenate([part[0] for part in parts])
    kind = np.concatenate([np.full(len(part[0]), kind, dtype=np.int8) for kind, part in enumerate(parts)])
    start_ms = np.concatenate([part[1] for part in parts])

    # Anonymous visits and onboarding happen on the device the actor signed up with.
    has_second = users.second_platform[actor] >= 0
    second = has_second & (kind >= PRICING) & (rng.random(len(actor)) < product.SECOND_DEVICE_SESSION_SHARE)
    return Sessions(actor=actor, kind=kind, start_ms=start_ms, second_device=second)


def _visits(users: DemoUsers, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Anonymous visits: before a new user signs up, or a visitor's first visit and returns after it."""
    actor = np.repeat(np.arange(len(users)), users.visits)
    first_of_actor = np.r_[True, actor[1:] != actor[:-1]] if len(actor) else np.zeros(0, dtype=bool)
    spread = rng.uniform(HOUR_MS, product.PRE_SIGNUP_VISIT_DAYS * product.DAY_MS, size=len(actor)).astype(np.int64)
    visitor = users.kind[actor] == ANONYMOUS
    start_ms = users.start_ms[actor] + np.where(visitor, np.where(first_of_actor, 0, spread), -spread)
    return actor, start_ms


def _signups(users: DemoUsers) -> tuple[np.ndarray, np.ndarray]:
    actor = np.flatnonzero(users.kind == NEW)
    return actor, users.start_ms[actor]


def _follow_ups(users: DemoUsers, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Later sessions in which new users finish the onboarding steps they put off."""
    actor = np.flatnonzero(users.deferred_step < NO_STEP_DEFERRED)
    delay_hours = np.maximum(rng.lognormal(np.log(product.DEFER_HOURS_MEDIAN), 0.9, size=len(actor)), 1.0)
    return actor, users.start_ms[actor] + (delay_hours * HOUR_MS).astype(np.int64)


def _pricing_visits(users: DemoUsers, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Place one session per pricing viewer at a random time in their active days, after signing up."""
    actor = np.flatnonzero(users.views_pricing)
    earliest = users.start_ms[actor] + HOUR_MS
    latest = clock.local_to_utc_ms(users.location[actor], users.end_day[actor], np.full(len(actor), 22 * HOUR_MS))
    span = np.maximum(latest - earliest, HOUR_MS)
    return actor, earliest + (rng.random(len(actor)) * span).astype(np.int64)


def _everyday(users: DemoUsers, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Everyday sessions: a Poisson number per actor on random active days, fewer at weekends and nights."""
    active_days = users.end_day - users.start_day + 1
    count = rng.poisson(users.session_rate * active_days)
    actor = np.repeat(np.arange(len(users)), count)
    day = users.start_day[actor] + (rng.random(len(actor)) * active_days[actor]).astype(np.int64)
    start_ms = clock.local_to_utc_ms(users.location[actor], day, clock.random_ms_of_day(rng, len(actor)))

    # Thin by weekday, and keep a new user's everyday use for after they sign up.
    accepted = rng.random(len(actor)) < clock.weekday_weight(day)
    accepted &= (users.kind[actor] != NEW) | (start_ms > users.start_ms[actor] + HOUR_MS)
    return actor[accepted], start_ms[accepted]
