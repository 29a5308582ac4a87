"""The demo's actors: who they are, where, on which devices, and what each will do in the range.

Every decision that shapes a funnel is drawn here, once per actor, so the
number of events those decisions add is known before any event is generated
and the everyday activity can be scaled to hit the requested total.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tui.store.demo import clock, product

EXISTING, NEW, ANONYMOUS = 0, 1, 2  # signed up before the range, signs up in it, never signs up
NO_STEP_DEFERRED = len(product.ONBOARDING_STEPS)
MEAN_VISIT_EVENTS = (1 + product.VISIT_MAX_PAGE_VIEWS) / 2 + product.P_VISIT_PRICING


@dataclass
class DemoUsers:
    """Every actor of the demo; the arrays are aligned by actor index."""

    kind: np.ndarray
    user_id: pa.Array  # null for visitors who never sign up
    device_id: pa.Array
    second_device_id: pa.Array  # null without a second device
    platform: np.ndarray  # index in product.PLATFORMS
    second_platform: np.ndarray
    web_os: np.ndarray  # index in product.WEB_OS, used when the platform is the web
    update_delay_ms: np.ndarray  # how long after a version ships each device runs it
    second_update_delay_ms: np.ndarray
    location: np.ndarray  # index in product.LOCATIONS
    account: np.ndarray  # index in account_names, -1 for anonymous visitors
    start_ms: np.ndarray  # sign-up (or first visit) time; the range start for existing users
    start_day: np.ndarray  # local day of start_ms
    end_day: np.ndarray  # last local day the actor is active
    session_rate: np.ndarray  # expected everyday sessions per active day
    plan: np.ndarray  # index in product.PLANS at the start of the range
    role: np.ndarray  # index in product.ROLES
    onboarding_steps: np.ndarray  # funnel steps reached, 0 for actors who do not sign up in the range
    deferred_step: np.ndarray  # first step done in a later session, NO_STEP_DEFERRED when none
    repeat_profile: np.ndarray  # Complete Profile sent twice
    look_around: np.ndarray  # events after the onboarding steps of the sign-up session, 0 for none
    visits: np.ndarray  # anonymous visits (before signing up, or ever for ANONYMOUS)
    views_pricing: np.ndarray
    checkout: np.ndarray
    repeat_checkout: np.ndarray
    payment_failed: np.ndarray
    retried: np.ndarray  # checked out again after the payment failed, and paid
    purchased: np.ndarray
    paid_plan: np.ndarray  # index in product.PLANS bought by purchasers
    billing: np.ndarray  # index in product.BILLING
    account_names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.kind)

    def block(self, start: int, stop: int) -> DemoUsers:
        """Return the actors ``start`` to ``stop`` (excluded) with the same account names."""
        values = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            values[item.name] = value if item.name == "account_names" else value[start:stop]
        return DemoUsers(**values)


def make_users(n_events: int, seed: int) -> DemoUsers:
    """Draw the actors for a demo of about ``n_events`` events."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    kind = _draw_kinds(rng, actor_count(n_events))
    fields = {"kind": kind}
    fields.update(_draw_identities(rng, kind))
    fields.update(_draw_devices(rng, kind))
    fields.update(_draw_activity(rng, kind, fields["location"]))
    fields.update(_draw_accounts(rng, kind))
    fields.update(_draw_onboarding(rng, kind, fields))
    fields.update(_draw_purchases(rng, kind, fields["plan"]))
    fields["session_rate"] = _everyday_rates(rng, n_events, fields)
    return DemoUsers(**fields)


def actor_count(n_events: int) -> int:
    """Return how many actors a demo of ``n_events`` events has."""
    return max(round(n_events / product.EVENTS_PER_ACTOR), 1)


def _draw_kinds(rng: np.random.Generator, n_actors: int) -> np.ndarray:
    anonymous = product.ANONYMOUS_ONLY_SHARE
    existing = (1 - anonymous) * product.EXISTING_SHARE
    shares = [existing, 1 - anonymous - existing, anonymous]
    return rng.choice([EXISTING, NEW, ANONYMOUS], size=n_actors, p=shares).astype(np.int8)


def _draw_identities(rng: np.random.Generator, kind: np.ndarray) -> dict:
    n = len(kind)
    identified = kind != ANONYMOUS
    number = np.cumsum(identified)
    user_id = pa.array([f"u{k:06d}" if known else None for k, known in zip(number, identified)], pa.string())
    role = rng.choice(len(product.ROLES), size=n)
    plan = np.where(
        kind == EXISTING, rng.choice(len(product.PLANS), size=n, p=product.EXISTING_PLAN_SHARES), 0
    )
    return {"user_id": user_id, "role": role, "plan": plan}


def _draw_devices(rng: np.random.Generator, kind: np.ndarray) -> dict:
    n = len(kind)
    platform = rng.choice(len(product.PLATFORMS), size=n, p=product.PLATFORM_SHARES)
    has_second = (kind != ANONYMOUS) & (rng.random(n) < product.SECOND_DEVICE_SHARE)
    second_platform = np.where(has_second, (platform + rng.integers(1, 3, size=n)) % 3, -1)
    return {
        "device_id": _device_ids(rng, np.ones(n, dtype=bool)),
        "second_device_id": _device_ids(rng, has_second),
        "platform": platform,
        "second_platform": second_platform,
        "web_os": rng.choice(len(product.WEB_OS), size=n, p=product.WEB_OS_SHARES),
        "update_delay_ms": _update_delays(rng, platform),
        "second_update_delay_ms": _update_delays(rng, second_platform),
        "location": rng.choice(len(product.LOCATIONS), size=n, p=_shares(product.LOCATIONS)),
    }


def _device_ids(rng: np.random.Generator, present: np.ndarray) -> pa.Array:
    numbers = rng.integers(0, 2**63, size=len(present))
    return pa.array([f"{x:016x}" if known else None for x, known in zip(numbers, present)], pa.string())


def _update_delays(rng: np.random.Generator, platform: np.ndarray) -> np.ndarray:
    """Draw how long each device waits to run a new version: app store review plus the user's habit."""
    review_days, habit_days = product.MOBILE_UPDATE_DELAY_DAYS
    delay_days = review_days + rng.exponential(habit_days, size=len(platform))
    return np.where(platform == product.WEB, 0, delay_days * product.DAY_MS).astype(np.int64)


def _shares(rows) -> np.ndarray:
    weights = np.array([row[-1] for row in rows])
    return weights / weights.sum()


def _draw_activity(rng: np.random.Generator, kind: np.ndarray, location: np.ndarray) -> dict:
    """Draw when each actor starts (signs up or first visits) and the last day they are active."""
    n = len(kind)
    day = rng.choice(product.DAYS, size=n, p=_signup_day_shares())
    start_ms = clock.local_to_utc_ms(location, day, clock.random_ms_of_day(rng, n))
    start_ms = np.where(kind == EXISTING, product.RANGE_START_MS, start_ms)
    start_day = np.where(kind == EXISTING, 0, day)

    lifetime = np.floor(rng.exponential(product.ACTIVE_DAYS_MEAN, size=n)).astype(np.int64)
    loyal = rng.random(n) < product.P_LOYAL
    end_day = np.where(loyal, product.DAYS - 1, np.minimum(start_day + lifetime, product.DAYS - 1))
    return {"start_ms": start_ms, "start_day": start_day, "end_day": end_day}


def _signup_day_shares() -> np.ndarray:
    days = np.arange(product.DAYS)
    weights = (1 + product.SIGNUP_GROWTH * days / (product.DAYS - 1)) * clock.weekday_weight(days)
    for offset, boost in enumerate(product.CAMPAIGN_BOOST):
        weights[product.CAMPAIGN_DAY + offset] *= boost
    return weights / weights.sum()


def _draw_accounts(rng: np.random.Generator, kind: np.ndarray) -> dict:
    """Put identified users into accounts of one to a dozen members, in random order."""
    identified = np.flatnonzero(kind != ANONYMOUS)
    sizes = rng.geometric(product.ACCOUNT_SIZE_P, size=max(len(identified), 1))
    members = np.repeat(np.arange(len(sizes)), sizes)[: len(identified)]
    account = np.full(len(kind), -1, dtype=np.int64)
    account[rng.permutation(identified)] = members

    n_accounts = int(members.max()) + 1 if len(members) else 0
    words = product.ACCOUNT_WORDS
    names = tuple(f"{words[k % len(words)]}-{k // len(words) + 1}" for k in range(n_accounts))
    return {"account": account, "account_names": names}


def _draw_onboarding(rng: np.random.Generator, kind: np.ndarray, fields: dict) -> dict:
    """Decide how far each new user gets in the onboarding funnel, and which steps wait for a later visit."""
    n = len(kind)
    new = kind == NEW
    version = clock.version_index(fields["start_ms"], fields["update_delay_ms"])
    before, after = product.P_CREATE_PROJECT
    p_project = np.where(version >= product.NEW_ONBOARDING_VERSION, after, before)

    profile = new & (rng.random(n) < product.P_COMPLETE_PROFILE)
    project = profile & (rng.random(n) < p_project)
    invite = project & (rng.random(n) < product.P_INVITE_TEAMMATE)
    steps = new.astype(np.int64) + profile + project + invite

    # Each later step starts the deferral with the same chance; the first one that does wins.
    defers = rng.random((n, NO_STEP_DEFERRED - 1)) < product.P_DEFER_STEP
    step_index = np.arange(1, NO_STEP_DEFERRED)
    defers &= step_index[None, :] < steps[:, None]
    deferred_step = np.where(defers.any(axis=1), defers.argmax(axis=1) + 1, NO_STEP_DEFERRED)

    visits = np.where(
        kind == ANONYMOUS,
        rng.choice(3, size=n, p=product.ANONYMOUS_ONLY_VISITS) + 1,
        np.where(new, rng.choice(3, size=n, p=product.PRE_SIGNUP_VISITS), 0),
    )
    return {
        "onboarding_steps": steps,
        "deferred_step": deferred_step,
        "repeat_profile": profile & (rng.random(n) < product.P_REPEAT_PROFILE),
        "visits": visits,
        "look_around": _draw_look_around(rng, new, steps, deferred_step),
    }


def _draw_look_around(rng: np.random.Generator, new: np.ndarray, steps: np.ndarray, deferred_step: np.ndarray) -> np.ndarray:
    """Draw how many everyday events each new user does at the end of the sign-up session (0 for none)."""
    n = len(new)
    stops_at_signup = (steps == 1) | (deferred_step == 1)
    goes_on, stops = product.P_LOOK_AROUND
    looks = new & (rng.random(n) < np.where(stops_at_signup, stops, goes_on))
    count = np.minimum(rng.geometric(product.LOOK_AROUND_MORE_P, size=n), product.LOOK_AROUND_MAX_EVENTS)
    return np.where(looks, count, 0)


def _draw_purchases(rng: np.random.Generator, kind: np.ndarray, plan: np.ndarray) -> dict:
    """Decide which free users look at pricing, check out, fail to pay, retry and buy."""
    n = len(kind)
    views = (kind != ANONYMOUS) & (plan == 0) & (rng.random(n) < product.P_VIEW_PRICING)
    checkout = views & (rng.random(n) < product.P_CHECKOUT)
    failed = checkout & (rng.random(n) < product.P_PAYMENT_FAILED)
    retried = failed & (rng.random(n) < product.P_RETRY_AFTER_FAILURE)
    abandoned = checkout & ~failed & (rng.random(n) < product.P_ABANDON_CHECKOUT)
    paid_plan = 1 + rng.choice(len(product.PAID_PLANS), size=n, p=product.PAID_PLAN_SHARES)
    return {
        "views_pricing": views,
        "checkout": checkout,
        "repeat_checkout": checkout & (rng.random(n) < product.P_REPEAT_CHECKOUT),
        "payment_failed": failed,
        "retried": retried,
        "purchased": (checkout & ~failed & ~abandoned) | retried,
        "paid_plan": paid_plan,
        "billing": rng.choice(len(product.BILLING), size=n, p=product.BILLING_SHARES),
    }


def _scripted_event_counts(fields: dict) -> np.ndarray:
    """Return how many events each actor's visits, onboarding and purchase flow add (visits on average)."""
    get = fields.get
    onboarding = np.where(get("onboarding_steps") > 0, get("onboarding_steps") + 1, 0)  # + the landing page view
    onboarding = onboarding + get("repeat_profile") + (get("deferred_step") < NO_STEP_DEFERRED)  # + App Open
    onboarding = onboarding + get("look_around")
    purchase = 2 * get("views_pricing") + get("checkout") + get("repeat_checkout")
    purchase = purchase + get("payment_failed") + 2 * get("retried") + (get("purchased") & ~get("retried"))
    return get("visits") * MEAN_VISIT_EVENTS + onboarding + purchase


def _everyday_rates(rng: np.random.Generator, n_events: int, fields: dict) -> np.ndarray:
    """Draw each actor's everyday session rate, scaled so all events add up to about ``n_events``."""
    n = len(fields["kind"])
    engagement = np.minimum(rng.lognormal(0.0, product.ENGAGEMENT_SIGMA, size=n), product.MAX_ENGAGEMENT)
    engagement = np.where(fields["kind"] == ANONYMOUS, 0.0, engagement)

    active_days = fields["end_day"] - fields["start_day"] + 1
    mean_session_events = 1 + 1 / product.SESSION_MORE_EVENTS_P
    budget = max(n_events - _scripted_event_counts(fields).sum(), 0)
    planned = (engagement * active_days).sum() * mean_session_events * clock.WEEKDAY_WEIGHTS.mean()
    return engagement * (budget / planned if planned else 0.0)
