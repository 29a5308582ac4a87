"""Fisher exact p-values and Benjamini-Hochberg q-values far below the smallest float, checked against exact sums.

The reference sums the hypergeometric probabilities of a table exactly, with
Python integers (``math.comb``) and fractions, so it has no float range. A
perfectly split table ``[[0, k], [k, 0]]`` has only two tables as unlikely as
itself (the observed one and its mirror image), so its p-value is
``2 / C(2k, k)`` in closed form.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy.stats import false_discovery_control, fisher_exact

from tui.analytics import fisher
from tui.analytics.drivers import benjamini_hochberg, driver_table
from tui.analytics.fisher import TIE_TOLERANCE, fisher_test, scientific_text


def exact_p(a: int, b: int, c: int, d: int) -> Fraction:
    """Return the two-sided Fisher p-value of ``[[a, b], [c, d]]`` as an exact fraction."""
    total, successes, draws = a + b + c + d, a + c, a + b
    failures = total - successes
    lowest, highest = max(0, draws - failures), min(draws, successes)
    # Each weight is C(successes, x) * C(failures, draws - x), C(total, draws) times the probability of x. The
    # next one follows by an exact integer division, which is much faster than two fresh binomials.
    weights = [math.comb(successes, lowest) * math.comb(failures, draws - lowest)]
    for x in range(lowest, highest):
        weights.append(weights[-1] * (successes - x) * (draws - x) // ((x + 1) * (failures - draws + x + 1)))
    # weight <= observed * (1 + TIE_TOLERANCE), in integers: the float 1e-7 as the fraction 1 / 10**7.
    tolerance = Fraction(TIE_TOLERANCE).limit_denominator(10**12)
    observed = weights[a - lowest]
    limit = observed * (tolerance.denominator + tolerance.numerator)
    as_unlikely = sum(weight for weight in weights if weight * tolerance.denominator <= limit)
    return Fraction(as_unlikely, math.comb(total, draws))


def exact_log10(value: Fraction) -> float:
    """Return log10 of a positive fraction, which may be far below the smallest float."""
    # math.log10 takes Python integers of any size without converting them to floats.
    return math.log10(value.numerator) - math.log10(value.denominator)


def split_log10_p(half: int) -> float:
    """Return log10 of ``2 / C(2 * half, half)``, the p-value of ``[[0, half], [half, 0]]``."""
    return math.log10(2) - math.log10(math.comb(2 * half, half))


SMALL_TABLES = [(0, 5, 5, 0), (3, 1, 1, 3), (2, 7, 8, 2), (1, 9, 11, 3), (4, 4, 4, 4), (0, 0, 3, 5), (6, 2, 0, 1)]
# Tables whose p-value is below 1e-250: perfectly and nearly split, skewed, and large.
TINY_TABLES = [
    (0, 600, 600, 0), (10, 590, 590, 10), (3, 900, 700, 200), (40, 2000, 1500, 300),
    (0, 5000, 5000, 0), (200, 5000, 4000, 100), (1, 30000, 2000, 1), (700, 20000, 9000, 50), (600, 0, 0, 600),
]


def test_small_tables_match_exact_fractions():
    test = fisher_test(*np.array(SMALL_TABLES).T)

    for table, p_value, log10_p_value in zip(SMALL_TABLES, test.p_value, test.log10_p_value):
        expected = exact_p(*table)
        assert p_value == pytest.approx(float(expected), rel=1e-12), table
        assert log10_p_value == pytest.approx(exact_log10(expected), abs=1e-12), table


def test_tiny_tables_match_exact_sums():
    test = fisher_test(*np.array(TINY_TABLES).T)

    for table, log10_p_value in zip(TINY_TABLES, test.log10_p_value):
        expected = exact_log10(exact_p(*table))
        assert expected < -250, table
        # 1e-11 in log10 is a relative error of about 2.3e-11 in p.
        assert log10_p_value == pytest.approx(expected, abs=1e-11), table


@pytest.mark.parametrize("half", [600, 5000])
def test_split_table_closed_form(half):
    test = fisher_test([0], [half], [half], [0])

    assert test.log10_p_value[0] == pytest.approx(split_log10_p(half), abs=1e-11)
    # About 5.04e-360 and 1.26e-3008: both underflow to 0.0 as floats.
    assert test.p_value[0] == 0.0


def test_split_table_mirrored_same_p():
    test = fisher_test([0, 600], [600, 0], [600, 0], [0, 600])

    assert test.log10_p_value[0] == pytest.approx(split_log10_p(600), abs=1e-11)
    assert test.log10_p_value[1] == pytest.approx(split_log10_p(600), abs=1e-11)


def test_subnormal_p_keeps_digits():
    # [[3, 900], [700, 200]] has p of about 5.9e-309: a subnormal float, with fewer digits than a normal one.
    test = fisher_test([3], [900], [700], [200])
    expected = exact_p(3, 900, 700, 200)

    assert test.p_value[0] == pytest.approx(float(expected), rel=1e-9)
    assert test.p_value[0] < np.finfo(np.float64).tiny


def test_float_and_log_paths_agree(monkeypatch):
    # Every p-value is below 2, so every table takes the log-space sum, which must then match SciPy too.
    rng = np.random.default_rng(11)
    tables = np.concatenate([rng.integers(0, 12, size=(100, 4)), rng.integers(0, 3000, size=(100, 4))])
    # Mirror-image tables tie exactly with their reflection and test the tie tolerance in log space.
    tables[:20, 1], tables[:20, 3] = tables[:20, 0], tables[:20, 2]
    expected = np.array([fisher_exact([[a, b], [c, d]]).pvalue for a, b, c, d in tables])
    monkeypatch.setattr(fisher, "LOG_SPACE_BELOW", 2.0)

    test = fisher_test(*tables.T)

    assert test.p_value == pytest.approx(expected, rel=1e-9, abs=1e-300)
    positive = expected > 0
    assert test.log10_p_value[positive] == pytest.approx(np.log10(expected[positive]), abs=1e-9)


def test_empty_table_has_p_one():
    test = fisher_test([0, 0], [0, 3], [0, 0], [0, 4])

    assert list(test.p_value) == [1.0, 1.0]
    assert list(test.log10_p_value) == [0.0, 0.0]


def test_benjamini_hochberg_matches_scipy():
    rng = np.random.default_rng(3)
    p_values = rng.random(40) ** 3

    q_values, log10_q_values = benjamini_hochberg(p_values, np.log10(p_values))

    assert q_values == pytest.approx(false_discovery_control(p_values, method="bh"), rel=1e-12)
    assert 10.0 ** log10_q_values == pytest.approx(q_values, rel=1e-12)


def test_benjamini_hochberg_no_tests():
    q_values, log10_q_values = benjamini_hochberg(np.array([]), np.array([]))

    assert len(q_values) == 0
    assert len(log10_q_values) == 0


def test_benjamini_hochberg_ranks_underflowed_p():
    # Four p-values, three of which are 0.0 as floats: 1e-400, 1e-500, 1e-390 and 0.5.
    log10_p_values = np.array([-400.0, -500.0, -390.0, math.log10(0.5)])
    p_values = np.array([0.0, 0.0, 0.0, 0.5])

    q_values, log10_q_values = benjamini_hochberg(p_values, log10_p_values)

    # Ranks 2, 1, 3 and 4 of 4 tests: q = p * 4 / rank, and no larger p lowers them.
    expected = [-400 + math.log10(4 / 2), -500 + math.log10(4), -390 + math.log10(4 / 3), math.log10(0.5)]
    assert log10_q_values == pytest.approx(expected, abs=1e-12)
    assert list(q_values[:3]) == [0.0, 0.0, 0.0]
    assert q_values[3] == pytest.approx(0.5)


def test_benjamini_hochberg_caps_at_one():
    q_values, log10_q_values = benjamini_hochberg(np.array([0.9, 0.95]), np.log10([0.9, 0.95]))

    assert list(q_values) == [0.95, 0.95]
    assert log10_q_values == pytest.approx([math.log10(0.95)] * 2)


def test_driver_table_log_columns():
    # 1,200 actors, 600 converted. Help: done by all 600 who dropped off. Chat: by 590 of them.
    counts = pd.DataFrame({
        "event": ["Help", "Chat"], "property": [None, None], "value": [None, None],
        "converted_users": [0, 0], "dropped_users": [600, 590],
    })

    frame = driver_table(counts, converted=600, dropped=600).set_index("event")

    help_log10_p = split_log10_p(600)
    chat_log10_p = exact_log10(exact_p(0, 600, 590, 10))
    assert frame.loc["Help", "log10_p_value"] == pytest.approx(help_log10_p, abs=1e-11)
    assert frame.loc["Chat", "log10_p_value"] == pytest.approx(chat_log10_p, abs=1e-11)
    # Two tests: Help ranks first, q = 2p; Chat's larger p is its own q.
    assert frame.loc["Help", "log10_q_value"] == pytest.approx(help_log10_p + math.log10(2), abs=1e-11)
    assert frame.loc["Chat", "log10_q_value"] == pytest.approx(chat_log10_p, abs=1e-11)
    assert list(frame["p_value"]) == [0.0, 0.0]
    assert list(frame["q_value"]) == [0.0, 0.0]


@pytest.mark.parametrize(("log10_value", "digits", "expected"), [
    (split_log10_p(600), 3, "5.04e-360"),
    (split_log10_p(600), 6, "5.04401e-360"),
    (-412 + math.log10(3.2), 2, "3.2e-412"),
    # 9.9996e-300 rounds up to 10.0 with 3 digits, which carries into the exponent.
    (-300 + math.log10(9.9996), 3, "1e-299"),
    (math.log10(1.9e-23), 3, f"{1.9e-23:.3g}"),
    (-math.inf, 3, "0"),
])
def test_scientific_text(log10_value, digits, expected):
    assert scientific_text(log10_value, digits) == expected


@pytest.mark.parametrize(("log10_value", "digits", "expected"), [
    (-223 + math.log10(3), 2, "3.0e-223"),
    (-223 + math.log10(1.1), 2, "1.1e-223"),
    (-412, 3, "1.00e-412"),
    # The carry into the exponent keeps the zeros too.
    (-300 + math.log10(9.9996), 3, "1.00e-299"),
    (-5, 1, "1e-05"),
])
def test_scientific_text_trailing_zeros(log10_value, digits, expected):
    assert scientific_text(log10_value, digits, trailing_zeros=True) == expected
