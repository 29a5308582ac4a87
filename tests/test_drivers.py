"""Conversion drivers against 2x2 tables, phi, odds ratios and p-values worked out by hand on small projects."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import false_discovery_control, fisher_exact

from builders import build_project
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.drivers import drivers, driver_events_sql, is_skewed, phi_coefficient
from tui.analytics.fisher import fisher_two_sided

HELP = "Hilfe geöffnet 🆘 [bold]"
CONVERTED = ["c1", "c2", "c3", "c4", "c5", "c6"]
DROPPED = ["d1", "d2", "d3", "d4"]


def chart(steps=("Signup", "Purchase"), first="2024-03-01", last="2024-03-01", **changes) -> dict:
    obj = {"type": "funnel", "steps": [{"event": step} for step in steps], "range": {"from": first, "to": last}}
    obj.update(changes)
    return obj


def event(event_type, time, user=None, device=None, **fields) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user, "device_id": device, **fields}


def run(project, obj, step=2, properties=()):
    return drivers(project.cursor(), parse_chart(obj), project, step, properties)


def row(result, event, value=None) -> dict:
    """Return the frame's row of one driver as a dict."""
    frame = result.frame
    match = frame[(frame["event"] == event) & (frame["value"].isna() if value is None else frame["value"] == value)]
    assert len(match) == 1, f"{event!r} {value!r} in {frame['event'].tolist()}"
    return match.iloc[0].to_dict()


def driver_actors(project, obj, event, part, step=2, property=None, value=None) -> list[str]:
    """Return the user ids of the actors whose events make them count for one driver's part."""
    sql, params = driver_events_sql(parse_chart(obj), project, step, event, property, value, part)
    rows = project.cursor().execute(
        f"SELECT DISTINCT coalesce(actors.user_id, actors.device_id) FROM ({sql}) AS driver_events "
        "JOIN actors USING (actor_id) ORDER BY 1",
        params,
    ).fetchall()
    return [name for (name,) in rows]


def planted_events() -> list[dict]:
    """Six actors convert (Signup 10:00, Purchase 14:00) and four drop off, with drivers planted around them."""
    events = []
    for user in CONVERTED + DROPPED:
        # d1 stays anonymous until a login days later names its device.
        events.append(event("Signup", "2024-03-01T10:00:00Z", None if user == "d1" else user, f"dev-{user}"))
        # Done by every actor in between: there is no "did not" group to compare with.
        events.append(event("Page Viewed", "2024-03-01T12:30:00Z", user))
    for user in CONVERTED:
        if user == "c1":
            # Same time as the purchase but earlier in the file, so before it.
            events.append(event("Chat", "2024-03-01T14:00:00Z", user))
        events.append(event("Purchase", "2024-03-01T14:00:00Z", user))
        if user == "c2":
            events.append(event("Chat", "2024-03-01T14:00:00Z", user))
    events += [
        # Only dropped actors get help in between.
        event(HELP, "2024-03-01T11:00:00Z", device="dev-d1"),
        event(HELP, "2024-03-01T12:00:00Z", "d2"),
        event(HELP, "2024-03-02T10:00:00Z", "d3"),
        event(HELP, "2024-03-02T10:00:01Z", "d4"),
        event(HELP, "2024-03-01T15:00:00Z", "c5"),
        event(HELP, "2024-03-01T09:00:00Z", "c6"),
        # A step event in between is never a candidate.
        event("Signup", "2024-03-01T11:00:00Z", "c1"),
        event("Login", "2024-03-05T10:00:00Z", "d1", "dev-d1"),
    ]
    for user, code in [("c1", "A"), ("c2", "A"), ("c3", "A"), ("c4", "B"), ("d4", "B")]:
        events.append(event("Coupon Viewed", "2024-03-01T12:00:00Z", user, event_properties={"código": code}))
    return events


@pytest.fixture
def planted(tmp_path):
    return build_project(tmp_path, planted_events())


def test_planted_groups_and_order(planted):
    result = run(planted, chart())

    assert (result.population, result.converted, result.dropped) == (10, 6, 4)
    assert result.min_support == 1
    assert result.skewed is False
    assert result.window == "1d"
    assert result.frame["event"].tolist() == [HELP, "Coupon Viewed", "Chat"]
    assert result.frame["property"].isna().all()


def test_planted_counts_and_shares(planted):
    result = run(planted, chart())

    help_row, coupon, chat = row(result, HELP), row(result, "Coupon Viewed"), row(result, "Chat")
    # Help: d1 (anonymous, later identified), d2, d3 (exactly at the window's end). Not d4 (a second late),
    # c5 (after converting) or c6 (before Signup).
    assert (help_row["converted_users"], help_row["dropped_users"]) == (0, 3)
    assert (coupon["converted_users"], coupon["dropped_users"]) == (4, 1)
    # Chat: c1's chat shares the purchase's time but came first; c2's came after.
    assert (chat["converted_users"], chat["dropped_users"]) == (1, 0)
    assert help_row["converted_share"] == 0.0
    assert help_row["dropped_share"] == 0.75
    assert coupon["converted_share"] == pytest.approx(4 / 6)


def test_planted_phi_and_odds_ratio(planted):
    result = run(planted, chart())

    # Table rows converted/dropped, columns did/did not: Help [[0, 6], [3, 1]].
    assert row(result, HELP)["phi"] == pytest.approx(-18 / math.sqrt(6 * 4 * 3 * 7))
    assert row(result, HELP)["odds_ratio"] == pytest.approx((1 * 2) / (7 * 4))
    # Coupon [[4, 2], [1, 3]], Chat [[1, 5], [0, 4]].
    assert row(result, "Coupon Viewed")["phi"] == pytest.approx(10 / math.sqrt(6 * 4 * 5 * 5))
    assert row(result, "Coupon Viewed")["odds_ratio"] == pytest.approx((5 * 4) / (3 * 2))
    assert row(result, "Chat")["phi"] == pytest.approx(4 / math.sqrt(6 * 4 * 1 * 9))


def test_planted_p_and_q_values(planted):
    result = run(planted, chart())

    p_help, p_coupon, p_chat = (row(result, name)["p_value"] for name in (HELP, "Coupon Viewed", "Chat"))
    # Hypergeometric sums by hand: Help only a=0 (4/120), Coupon a in {1, 2, 4, 5} (132/252), Chat every a.
    assert p_help == pytest.approx(4 / 120)
    assert p_help == pytest.approx(fisher_exact([[0, 6], [3, 1]]).pvalue)
    assert p_coupon == pytest.approx(132 / 252)
    assert p_chat == pytest.approx(1.0)
    # Benjamini-Hochberg over the 3 tested: Help 3 * p, Coupon 3/2 * p.
    assert row(result, HELP)["q_value"] == pytest.approx(3 * 4 / 120)
    assert row(result, "Coupon Viewed")["q_value"] == pytest.approx(1.5 * 132 / 252)
    expected = false_discovery_control(result.frame["p_value"].to_numpy(), method="bh")
    assert result.frame["q_value"].to_numpy() == pytest.approx(expected)


def test_property_values_are_candidates(planted):
    result = run(planted, chart(), properties=(("Coupon Viewed", "código"),))

    order = list(zip(result.frame["event"], result.frame["value"]))
    assert order == [(HELP, None), ("Coupon Viewed", "A"), ("Coupon Viewed", None), ("Chat", None),
                     ("Coupon Viewed", "B")]
    code_a, code_b = row(result, "Coupon Viewed", "A"), row(result, "Coupon Viewed", "B")
    assert code_a["property"] == "código"
    assert (code_a["converted_users"], code_a["dropped_users"]) == (3, 0)
    assert (code_b["converted_users"], code_b["dropped_users"]) == (1, 1)
    assert code_a["phi"] == pytest.approx(12 / math.sqrt(6 * 4 * 3 * 7))
    assert code_b["phi"] == pytest.approx(-2 / math.sqrt(6 * 4 * 2 * 8))
    assert code_a["p_value"] == pytest.approx(24 / 120)
    # Five candidates tested now.
    assert row(result, HELP)["q_value"] == pytest.approx(5 * 4 / 120)


def test_driver_events_match_counts(planted):
    obj = chart()
    result = run(planted, obj, properties=(("Coupon Viewed", "código"),))

    for driver in result.frame.to_dict("records"):
        converted = driver_actors(planted, obj, driver["event"], "converted", property=driver["property"],
                                  value=driver["value"])
        dropped = driver_actors(planted, obj, driver["event"], "dropped", property=driver["property"],
                                value=driver["value"])
        every = driver_actors(planted, obj, driver["event"], "all", property=driver["property"], value=driver["value"])
        assert len(converted) == driver["converted_users"], driver
        assert len(dropped) == driver["dropped_users"], driver
        assert every == sorted(converted + dropped)


def test_driver_events_are_the_ones_in_between(planted):
    obj = chart()
    sql, params = driver_events_sql(parse_chart(obj), planted, 2, HELP, part="all")
    frame = planted.cursor().execute(sql, params).fetchdf()

    assert "dedupe_key" not in frame.columns
    ids = sorted(zip(frame["user_id"].fillna(""), frame["device_id"].fillna("")))
    # d1's help came from its device, days before a login tied the device to user d1.
    assert ids == [("", "dev-d1"), ("d2", ""), ("d3", "")]
    assert set(frame["event_type"]) == {HELP}
    assert driver_actors(planted, obj, HELP, "dropped") == ["d1", "d2", "d3"]
    assert driver_actors(planted, obj, HELP, "converted") == []


def test_step_event_is_not_a_driver(planted):
    with pytest.raises(DefinitionError, match="is a step of this funnel"):
        driver_events_sql(parse_chart(chart()), planted, 2, "Signup")


@pytest.mark.parametrize("step", [1, 3, 0])
def test_step_outside_range_is_rejected(planted, step):
    with pytest.raises(DefinitionError, match=r"step: .* pick a step from 2 to 2"):
        run(planted, chart(), step=step)


def test_bad_property_pair_is_rejected(planted):
    with pytest.raises(DefinitionError, match=r"properties\[0\]"):
        run(planted, chart(), properties=(("Coupon Viewed",),))


def support_events(population: int, done_by: dict[str, int], converted: int) -> list[dict]:
    """Return the events of ``population`` actors who sign up at 10:00, the first ``converted`` buying at 14:00.

    Each event E of ``done_by`` is done at 12:00 by the last ``done_by[E]`` actors.
    """
    events = []
    for index in range(population):
        user = f"u{index:03d}"
        events.append(event("Signup", "2024-03-01T10:00:00Z", user))
        if index < converted:
            events.append(event("Purchase", "2024-03-01T14:00:00Z", user))
        for name, count in done_by.items():
            if index >= population - count:
                events.append(event(name, "2024-03-01T12:00:00Z", user))
    return events


def test_support_rounds_two_percent_up(tmp_path):
    # 2% of 60 is 1.2, so 2 actors are needed, and 2 must not have done it.
    done_by = {"Rare": 1, "Twice": 2, "Common": 58, "Almost All": 59}
    project = build_project(tmp_path, support_events(60, done_by, converted=30))
    result = run(project, chart())

    assert result.population == 60
    assert result.min_support == 2
    assert sorted(result.frame["event"]) == ["Common", "Twice"]


@pytest.mark.parametrize(("population", "expected"), [(50, 1), (51, 2)])
def test_support_at_whole_two_percent(tmp_path, population, expected):
    project = build_project(tmp_path, support_events(population, {"Once": 1}, converted=population // 2))
    result = run(project, chart())

    assert result.min_support == expected
    assert result.frame["event"].tolist() == (["Once"] if expected == 1 else [])


def test_skew_flag(tmp_path):
    project = build_project(tmp_path, support_events(12, {}, converted=1))
    result = run(project, chart())

    assert (result.converted, result.dropped) == (1, 11)
    assert result.skewed is True
    assert is_skewed(1, 10) is False
    assert is_skewed(10, 1) is False
    assert is_skewed(0, 0) is False
    assert is_skewed(0, 1) is True


def test_no_population_gives_empty_frame(tmp_path):
    project = build_project(tmp_path, [event("Signup", "2024-02-01T10:00:00Z", "early")])
    result = run(project, chart())

    assert (result.population, result.converted, result.dropped, result.min_support) == (0, 0, 0, 0)
    assert result.frame.empty
    assert list(result.frame.columns)[:3] == ["event", "property", "value"]


def test_everyone_converted_has_undefined_phi(tmp_path):
    project = build_project(tmp_path, support_events(4, {"Chat": 2}, converted=4))
    result = run(project, chart())

    chat = row(result, "Chat")
    assert math.isnan(chat["phi"])
    assert chat["p_value"] == 1.0
    assert math.isnan(chat["dropped_share"])


def test_population_follows_timezone_across_dst(tmp_path):
    # 2024-03-10 in New York (DST starts) is [05:00Z on March 10, 04:00Z on March 11).
    project = build_project(tmp_path, [
        event("Signup", "2024-03-10T04:30:00Z", "before"),
        event("Chat", "2024-03-10T05:00:00Z", "before"),
        event("Signup", "2024-03-11T03:30:00Z", "inside"),
        event("Chat", "2024-03-11T04:30:00Z", "inside"),
        event("Signup", "2024-03-11T04:00:00Z", "after"),
    ], timezone="America/New_York")
    result = run(project, chart(first="2024-03-10", last="2024-03-10"))

    assert (result.population, result.dropped) == (1, 1)
    # The chat follows the range's end by an hour but lies inside the window, so it counts.
    assert driver_actors(project, chart(first="2024-03-10", last="2024-03-10"), "Chat", "dropped") == ["inside"]


def test_later_steps_bound_by_latest_step_event(tmp_path):
    # At step 3, events count after Cart (step 2) and before Pay (step 3); Browse between Signup and Cart does not.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "u1"),
        event("Browse", "2024-03-01T10:30:00Z", "u1"),
        event("Cart", "2024-03-01T11:00:00Z", "u1"),
        event("Chat", "2024-03-01T11:30:00Z", "u1"),
        event("Pay", "2024-03-01T12:00:00Z", "u1"),
        event("Signup", "2024-03-01T10:00:00Z", "u2"),
        event("Cart", "2024-03-01T11:00:00Z", "u2"),
        event("Browse", "2024-03-01T11:30:00Z", "u2"),
    ])
    result = run(project, chart(steps=("Signup", "Cart", "Pay")), step=3)

    assert (result.population, result.converted) == (2, 1)
    assert row(result, "Chat")["converted_users"] == 1
    assert (row(result, "Browse")["converted_users"], row(result, "Browse")["dropped_users"]) == (0, 1)


def test_dropped_window_capped_one_window_after_range(tmp_path):
    # The device clock puts this start two days after its server time. So its window ends one window after
    # the range ends (2024-03-02T00:00Z + 1d), not a day after the device's start.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "skewed", client_time="2024-03-03T10:00:00Z"),
        event("Chat", "2024-03-03T11:00:00Z", "skewed", client_time="2024-03-03T11:00:00Z"),
        event("Signup", "2024-03-01T10:00:00Z", "plain"),
        event("Chat", "2024-03-01T11:00:00Z", "plain"),
    ])
    result = run(project, chart())

    assert result.population == 2
    assert driver_actors(project, chart(), "Chat", "dropped") == ["plain"]


def test_fisher_matches_scipy_on_random_tables():
    rng = np.random.default_rng(7)
    tables = np.concatenate([rng.integers(0, 12, size=(150, 4)), rng.integers(0, 3000, size=(150, 4))])
    # Mirror-image tables tie exactly with their reflection and test the tie tolerance.
    tables[:20, 1], tables[:20, 3] = tables[:20, 0], tables[:20, 2]

    mine = fisher_two_sided(*tables.T)
    expected = [fisher_exact([[a, b], [c, d]]).pvalue for a, b, c, d in tables]

    assert mine == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_phi_matches_pearson_correlation():
    # Phi is Pearson's r of the two 0/1 variables behind the table.
    a, b, c, d = 7, 2, 3, 9
    converted = [1] * (a + b) + [0] * (c + d)
    did = [1] * a + [0] * b + [1] * c + [0] * d

    assert phi_coefficient([a], [b], [c], [d])[0] == pytest.approx(np.corrcoef(converted, did)[0, 1])


def test_any_order_counts_after_previous_steps_complete(tmp_path):
    # In any order, the events in between follow the latest event of steps 1 to K-1 and precede the one
    # that completes step K: u1 chats before signing up, so the chat counts for no one.
    project = build_project(tmp_path, [
        event("Purchase", "2024-03-01T10:00:00Z", "u1"),
        event("Chat", "2024-03-01T10:30:00Z", "u1"),
        event("Signup", "2024-03-01T11:00:00Z", "u1"),
        event("Signup", "2024-03-01T10:00:00Z", "u2"),
        event("Chat", "2024-03-01T10:30:00Z", "u2"),
        event("Signup", "2024-03-01T10:00:00Z", "u3"),
    ])
    obj = chart(order="any")
    result = run(project, obj)

    assert (result.population, result.converted, result.dropped) == (3, 1, 2)
    assert (row(result, "Chat")["converted_users"], row(result, "Chat")["dropped_users"]) == (0, 1)
    assert driver_actors(project, obj, "Chat", "all") == ["u2"]

