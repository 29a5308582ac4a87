"""The demo generator's rows: sizes, determinism and the stories the demo is meant to tell."""

import json
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pytest

from tui.store.demo import generate_events
from tui.store.demo.build import write_events_file
from tui.store.demo import product

FAKE_IDS = list(product.FAKE_USER_IDS)
RELEASE_TIME = pd.Timestamp("2026-10-13 16:00", tz="UTC")  # 2.0.0 ships; web users get it at once


@pytest.fixture(scope="module")
def default_events() -> pd.DataFrame:
    """The default demo's 300,000 events, generated once for this module."""
    return pa.concat_tables(generate_events(300_000, seed=7)).to_pandas()


@pytest.fixture(scope="module")
def identified(default_events) -> pd.DataFrame:
    """Events sent with a real user id."""
    known = default_events.user_id.notna() & ~default_events.user_id.isin(FAKE_IDS)
    return default_events[known]


def _first_times(events: pd.DataFrame, event_type: str) -> pd.Series:
    return events[events.event_type == event_type].groupby("user_id").event_time.min()


def test_same_seed_same_rows():
    first = pa.concat_tables(generate_events(20_000, seed=3))
    second = pa.concat_tables(generate_events(20_000, seed=3))
    other = pa.concat_tables(generate_events(20_000, seed=4))
    assert first.equals(second)
    assert not first.equals(other)


def test_same_seed_same_parquet_bytes(tmp_path):
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    write_events_file(first, generate_events(20_000, seed=3))
    write_events_file(second, generate_events(20_000, seed=3))
    assert first.read_bytes() == second.read_bytes()


def test_too_few_events_rejected():
    with pytest.raises(ValueError, match="at least"):
        next(generate_events(10))


def test_default_sizes_near_targets(default_events, identified):
    assert 270_000 <= len(default_events) <= 330_000

    anonymous_devices = set(default_events[default_events.user_id.isna()].device_id.dropna())
    visitors_only = anonymous_devices - set(identified.device_id.dropna())
    actors = identified.user_id.nunique() + len(visitors_only)
    assert 4_500 <= actors <= 5_500


def test_events_span_ninety_days(default_events):
    days = default_events.event_time.dt.date
    assert days.min() == product.FIRST_DAY
    assert days.max() == product.LAST_DAY
    assert days.nunique() == 90


def test_columns_hold_json_objects(default_events):
    sample = default_events.sample(2_000, random_state=1)
    for column in ("event_properties", "user_properties", "groups"):
        for text in sample[column].dropna():
            assert isinstance(json.loads(text), dict)
    assert sample.event_properties.notna().all()


def test_fewer_events_at_night_and_weekends(default_events):
    zones = {city: zone for _, city, zone, _ in product.LOCATIONS}
    client = default_events[default_events.city.notna()]
    local = pd.concat(
        [group.event_time.dt.tz_convert(ZoneInfo(zones[city])).dt.tz_localize(None) for city, group in client.groupby("city")]
    )
    by_hour = local.dt.hour.value_counts()
    assert by_hour.loc[[2, 3, 4]].sum() * 5 < by_hour.loc[[10, 11, 12]].sum()

    per_day = local.dt.normalize().value_counts()
    weekend = per_day[per_day.index.day_of_week >= 5].mean()
    weekday = per_day[per_day.index.day_of_week < 5].mean()
    assert weekend < 0.7 * weekday


def test_sessions_have_several_events_and_gaps(default_events):
    in_session = default_events[default_events.session_id > 0]
    assert in_session.groupby("session_id").size().mean() > 3

    starts = in_session.groupby(["device_id", "session_id"]).event_time.agg(["min", "max"]).reset_index()
    starts = starts.sort_values(["device_id", "min"])
    gap = starts["min"] - starts.groupby("device_id")["max"].shift()
    assert gap.dropna().min() >= pd.Timedelta(minutes=30)


def test_onboarding_funnel_drops_at_each_step(identified):
    reached = _first_times(identified, "Sign Up").to_frame("step")
    counts = [len(reached)]
    for name in product.ONBOARDING_STEPS[1:]:
        later = reached.join(_first_times(identified, name).rename("next"), how="inner")
        reached = later[later["next"] >= later["step"]][["next"]].rename(columns={"next": "step"})
        counts.append(len(reached))
    assert counts[-1] > 0
    assert all(earlier > later for earlier, later in zip(counts, counts[1:])), counts


def test_release_raises_project_creation(identified):
    users = pd.DataFrame(
        {
            "signed_up": _first_times(identified, "Sign Up"),
            "profile": _first_times(identified, "Complete Profile"),
            "project": _first_times(identified, "Create Project"),
        }
    ).dropna(subset=["signed_up", "profile"])
    users["converted"] = users.project.notna() & (users.project >= users.profile)

    before = users[users.signed_up < RELEASE_TIME - pd.Timedelta(days=1)].converted.mean()
    after = users[users.signed_up > RELEASE_TIME + pd.Timedelta(days=7)].converted.mean()
    assert after - before > 0.15, (before, after)


def test_purchase_flow_and_revenue(identified):
    steps = [identified[identified.event_type == name].user_id.nunique() for name in ("View Pricing", "Start Checkout", "Purchase")]
    assert steps[0] > steps[1] > steps[2] > 0
    assert (identified.event_type == "Payment Failed").any()

    purchases = identified[identified.event_type == "Purchase"].event_properties.map(json.loads)
    assert all(item["revenue"] > 0 and item["plan"] in ("pro", "team") for item in purchases)


def test_plans_change_to_paid(identified):
    ordered = identified.sort_values("event_time", kind="stable")
    plans = ordered.user_properties.map(lambda text: json.loads(text)["plan"])
    history = plans.groupby(ordered.user_id).agg(["first", "last", "nunique"])
    upgraded = history[history["nunique"] > 1]
    assert len(upgraded) > 100
    assert (upgraded["first"] == "free").all()
    assert upgraded["last"].isin(["pro", "team"]).all()


def test_anonymous_devices_identified_later(default_events):
    anonymous = default_events[default_events.user_id.isna() & default_events.device_id.notna()]
    signed_in = default_events[default_events.user_id.notna()]
    first_anonymous = anonymous.groupby("device_id").event_time.min()
    first_signed_in = signed_in.groupby("device_id").event_time.min()
    both = pd.concat([first_anonymous, first_signed_in], axis=1, keys=["anonymous", "signed_in"]).dropna()
    assert len(both) > 1_000
    assert (both.anonymous <= both.signed_in).all()

    owners = signed_in[signed_in.device_id.isin(both.index) & ~signed_in.user_id.isin(FAKE_IDS)]
    assert (owners.groupby("device_id").user_id.nunique() == 1).all()


def test_accounts_have_several_members(identified):
    account = identified.groups.map(lambda text: json.loads(text)["account"])
    members = identified.user_id.groupby(account).nunique()
    assert (members >= 3).sum() > 100
    assert members.max() > 5


def test_realistic_dirt_present(default_events):
    assert (default_events.user_id == "null").any()
    assert (default_events.user_id == "").any()
    assert default_events.insert_id.duplicated().any()
    assert default_events.duplicated(["device_id", "event_time"]).any()
    assert (default_events.session_id == -1).any()

    per_user = default_events[default_events.event_type == "Complete Profile"].groupby("user_id").size()
    assert (per_user > 1).any()


def test_signup_session_goes_on_after_dropping(identified):
    # Without the look-around events, a new user who never completes the profile ends the sign-up
    # session at Sign Up. With them, product.P_LOOK_AROUND[1] (60%) of these users go on in that session.
    ordered = identified.sort_values(["user_id", "event_time"], kind="stable")
    following = ordered.groupby(["user_id", "session_id"]).event_type.shift(-1)
    signed_up = ordered[ordered.event_type == "Sign Up"]
    profiled = set(identified[identified.event_type == "Complete Profile"].user_id)
    after_dropped = following[signed_up.index[~signed_up.user_id.isin(profiled)]]

    assert len(after_dropped) > 500
    assert 0.5 < after_dropped.notna().mean() < 0.7
    counts = after_dropped.value_counts()
    assert set(counts.index[counts >= 20]) == set(product.LOOK_AROUND_EVENTS[0])
