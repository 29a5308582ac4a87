"""Event types of each demo session, in the order they are sent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui.store.demo import product
from tui.store.demo.sessions import EVERYDAY, FOLLOW_UP, PRICING, SIGNUP, VISIT, Sessions
from tui.store.demo.users import EXISTING, DemoUsers

CODE = product.EVENT_CODES
EVERYDAY_CODES = np.array([CODE[name] for name in product.EVERYDAY_EVENTS])
EVERYDAY_SHARES = np.array(product.EVERYDAY_SHARES) / sum(product.EVERYDAY_SHARES)
PROJECT_STEP = product.ONBOARDING_STEPS.index("Create Project")
LOOK_AROUND_CODES = np.array([CODE[name] for name in product.LOOK_AROUND_EVENTS[0]])
LOOK_AROUND_SHARES = np.array(product.LOOK_AROUND_EVENTS[1]) / sum(product.LOOK_AROUND_EVENTS[1])


@dataclass
class SessionEvents:
    """The events of a block's sessions, grouped by session and in sending order."""

    session: np.ndarray  # index into Sessions
    code: np.ndarray  # index into product.EVENT_TYPES

    def __len__(self) -> int:
        return len(self.session)


def fill_sessions(sessions: Sessions, users: DemoUsers, rng: np.random.Generator) -> SessionEvents:
    """Decide the events of every session from its kind and its actor's decisions."""
    parts = [
        _visit_events(_of_kind(sessions, VISIT), rng),
        _onboarding_events(_of_kind(sessions, SIGNUP), sessions, users, in_signup=True),
        _look_around_events(_of_kind(sessions, SIGNUP), sessions, users, rng),
        _onboarding_events(_of_kind(sessions, FOLLOW_UP), sessions, users, in_signup=False),
        _pricing_events(_of_kind(sessions, PRICING), sessions, users),
        _everyday_events(_of_kind(sessions, EVERYDAY), sessions, users, rng),
    ]
    session = np.concatenate([part[0] for part in parts])
    code = np.concatenate([part[1] for part in parts])
    order = np.argsort(session, kind="stable")  # each part already lists a session's events in order
    return SessionEvents(session=session[order], code=code[order])


def _of_kind(sessions: Sessions, kind: int) -> np.ndarray:
    return np.flatnonzero(sessions.kind == kind)


def _slots(session_ids: np.ndarray, slots: list[tuple[str, np.ndarray | bool]]) -> tuple[np.ndarray, np.ndarray]:
    """Lay out scripted sessions: slot j of a session contains event ``slots[j][0]`` where ``slots[j][1]`` is true."""
    codes = np.array([CODE[name] for name, _ in slots])
    present = np.column_stack([np.broadcast_to(flag, len(session_ids)) for _, flag in slots])
    rows, columns = np.nonzero(present)  # row-major, so each session's slots stay in order
    return session_ids[rows], codes[columns]


def _visit_events(session_ids: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    page_views = rng.integers(1, product.VISIT_MAX_PAGE_VIEWS + 1, size=len(session_ids))
    slots = [("Page View", page_views > k) for k in range(product.VISIT_MAX_PAGE_VIEWS)]
    slots.append(("View Pricing", rng.random(len(session_ids)) < product.P_VISIT_PRICING))
    return _slots(session_ids, slots)


def _onboarding_events(
    session_ids: np.ndarray, sessions: Sessions, users: DemoUsers, in_signup: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Onboarding steps: those before the deferred step in the sign-up session, the rest in the follow-up."""
    actor = sessions.actor[session_ids]
    steps = users.onboarding_steps[actor]
    deferred = users.deferred_step[actor]

    def done_here(step: int) -> np.ndarray:
        return (step < steps) & ((step < deferred) if in_signup else (step >= deferred))

    # The sign-up session starts anonymous on the landing page; a follow-up starts by opening the app.
    slots = [("Page View", True)] if in_signup else [("App Open", True)]
    slots.append(("Sign Up", np.asarray(in_signup)))
    slots.append(("Complete Profile", done_here(1)))
    slots.append(("Complete Profile", done_here(1) & users.repeat_profile[actor]))
    slots.append(("Create Project", done_here(2)))
    slots.append(("Invite Teammate", done_here(3)))
    return _slots(session_ids, slots)


def _look_around_events(
    session_ids: np.ndarray, sessions: Sessions, users: DemoUsers, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Everyday events that end a sign-up session, for the new users who look around before leaving.

    ``fill_sessions`` lists this part after the onboarding part, and its
    stable sort keeps them in that order within each session.
    """
    count = users.look_around[sessions.actor[session_ids]]
    session = np.repeat(session_ids, count)
    code = LOOK_AROUND_CODES[rng.choice(len(LOOK_AROUND_CODES), size=len(session), p=LOOK_AROUND_SHARES)]
    return session, code


def _pricing_events(session_ids: np.ndarray, sessions: Sessions, users: DemoUsers) -> tuple[np.ndarray, np.ndarray]:
    actor = sessions.actor[session_ids]
    slots = [
        ("App Open", True),
        ("View Pricing", True),
        ("Start Checkout", users.checkout[actor]),
        ("Start Checkout", users.repeat_checkout[actor]),
        ("Payment Failed", users.payment_failed[actor]),
        ("Start Checkout", users.retried[actor]),
        ("Purchase", users.purchased[actor]),
    ]
    return _slots(session_ids, slots)


def _everyday_events(
    session_ids: np.ndarray, sessions: Sessions, users: DemoUsers, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """App Open, then a geometric number of everyday events."""
    more = np.minimum(rng.geometric(product.SESSION_MORE_EVENTS_P, size=len(session_ids)), product.SESSION_MAX_EVENTS - 1)
    session = np.repeat(session_ids, more + 1)
    first = np.cumsum(more + 1) - (more + 1)
    code = EVERYDAY_CODES[rng.choice(len(EVERYDAY_CODES), size=len(session), p=EVERYDAY_SHARES)]
    code[first] = CODE["App Open"]

    # Only users who have a project create more of them; the others write notes.
    actor = sessions.actor[session]
    has_project = (users.kind[actor] == EXISTING) | (users.onboarding_steps[actor] > PROJECT_STEP)
    code = np.where((code == CODE["Create Project"]) & ~has_project, CODE["Create Note"], code)
    return session, code
