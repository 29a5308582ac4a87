"""Two-sided Fisher exact tests on many 2x2 tables at once, with numpy arrays instead of a Python loop.

Each table is ``[[a, b], [c, d]]`` with fixed margins, so ``a`` follows a
hypergeometric distribution: ``a + c`` successes among ``a + b + c + d``,
``a + b`` draws. The two-sided p-value is the probability of every ``a`` whose
probability is at most that of the observed one, as in R's ``fisher.test`` and
``scipy.stats.fisher_exact``. Probabilities count as equal within a relative
``TIE_TOLERANCE``, the tolerance R's ``fisher.test`` uses, so that rounding
cannot split two equally likely tables.

The distribution is unimodal, so with the observed ``a`` at or below the mode
the lower tail is ``P(X <= a)`` and the upper tail starts at the first value
past the mode that is no more likely than ``a``. A vectorised binary search
finds that value for every table together. Tables with ``a`` above the mode
are mirrored first (swap the columns), which keeps the p-value.

A p-value can be far smaller than the smallest float: a driver that 600 of
1,200 users did, all of them dropped off, has p = 2 / C(1200, 600), about
1e-359. So each test also returns log10 p, and for p below ``LOG_SPACE_BELOW``
both tails are summed as logarithms.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp
from scipy.stats import hypergeom

TIE_TOLERANCE = 1e-7
# Below this p, SciPy's float tails come close to underflow and subnormal floats keep fewer digits, so the tails
# are summed in log space instead. It is far above the smallest normal float (about 2.2e-308).
LOG_SPACE_BELOW = 1e-250
# Terms summed at once per table while adding up a tail in log space.
TAIL_CHUNK = 64
# A tail sum stops once the terms left add less than this fraction of the sum, below float64's precision.
TAIL_PRECISION = 1e-17


class FisherTest(NamedTuple):
    """The two-sided p-values of many tables: ``p_value`` as floats (0.0 below about 5e-324) and ``log10_p_value``."""

    p_value: np.ndarray
    log10_p_value: np.ndarray


def fisher_two_sided(a, b, c, d) -> np.ndarray:
    """Return the two-sided Fisher exact p-value of each table ``[[a, b], [c, d]]`` (arrays of counts)."""
    return fisher_test(a, b, c, d).p_value


def fisher_test(a, b, c, d) -> FisherTest:
    """Run the two-sided Fisher exact test on each table ``[[a, b], [c, d]]`` (arrays of counts).

    ``log10_p_value`` stays exact where ``p_value`` underflows to 0.0, so
    it is the one to order or print such p-values by.
    """
    a, b, c, d = (np.asarray(cells, dtype=np.int64) for cells in (a, b, c, d))
    total = a + b + c + d
    successes = a + c
    draws = a + b
    mode = (draws + 1) * (successes + 1) // (total + 2)

    # Mirror the tables whose observation lies above the mode: the count in the other column is below its mode.
    above = a > mode
    observed = np.where(above, b, a)
    successes = np.where(above, b + d, successes)
    mode = (draws + 1) * (successes + 1) // (total + 2)

    highest = np.minimum(draws, successes)
    threshold = hypergeom.logpmf(observed, total, successes, draws) + math.log1p(TIE_TOLERANCE)
    first_upper = _first_at_most(threshold, np.maximum(mode, observed + 1), highest, total, successes, draws)

    lower_tail = hypergeom.cdf(observed, total, successes, draws)
    # P(X >= first_upper); nothing when no value of the upper side is as unlikely as the observation.
    upper_tail = np.where(first_upper <= highest, hypergeom.sf(first_upper - 1, total, successes, draws), 0.0)
    # An empty table has no distribution, so the tails above are NaN. Like any table with an empty margin, its p is 1.
    p_values = np.where(total > 0, np.minimum(lower_tail + upper_tail, 1.0), 1.0)

    with np.errstate(divide="ignore"):
        log10_p_values = np.log10(p_values)
    tiny = p_values < LOG_SPACE_BELOW
    if tiny.any():
        tables = (observed[tiny], first_upper[tiny], highest[tiny], total[tiny], successes[tiny], draws[tiny])
        log10_p_values[tiny] = _log10_two_sided(*tables)
        p_values[tiny] = 10.0 ** log10_p_values[tiny]
    return FisherTest(p_values, log10_p_values)


def _first_at_most(threshold, start, stop, total, successes, draws) -> np.ndarray:
    """Return the first value in ``[start, stop]`` whose log-probability is at most ``threshold``, else ``stop + 1``.

    The log-probability falls from the mode on, and every ``start`` is at or past the mode.
    """
    low, high = start.copy(), stop + 1
    while True:
        searching = low < high
        if not searching.any():
            return low
        middle = (low + high) // 2
        fits = hypergeom.logpmf(middle, total, successes, draws) <= threshold
        high = np.where(searching & fits, middle, high)
        low = np.where(searching & ~fits, middle + 1, low)


def _log10_two_sided(observed, first_upper, highest, total, successes, draws) -> np.ndarray:
    """Return log10 of ``P(X <= observed) + P(X >= first_upper)``, summing both tails as natural logarithms."""
    lower = _log_tail(observed, -1, total, successes, draws)
    has_upper = first_upper <= highest
    upper = np.full(len(observed), -np.inf)
    if has_upper.any():
        upper[has_upper] = _log_tail(
            first_upper[has_upper], 1, total[has_upper], successes[has_upper], draws[has_upper]
        )
    return np.minimum(np.logaddexp(lower, upper), 0.0) / math.log(10)


def _log_tail(start, step, total, successes, draws) -> np.ndarray:
    """Return the natural log of the probability of ``start`` and every value past it in the direction ``step``.

    ``step`` is -1 for the lower tail (``start`` at or below the mode) or 1
    for the upper tail (``start`` at or above the mode), so the terms fall
    from ``start`` on. Each pass adds the next ``TAIL_CHUNK`` terms of every
    table still open.
    """
    log_sums = np.full(len(start), -np.inf)
    position = start.copy()
    open_tables = np.arange(len(start))
    offsets = step * np.arange(TAIL_CHUNK)
    while len(open_tables):
        values = position[open_tables, None] + offsets
        # SciPy's log-probability is -inf outside the support, so a chunk that runs past it adds nothing there.
        terms = hypergeom.logpmf(
            values, total[open_tables, None], successes[open_tables, None], draws[open_tables, None]
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            log_sums[open_tables] = np.logaddexp(log_sums[open_tables], logsumexp(terms, axis=1))
            rest = _log_rest_bound(terms[:, -2], terms[:, -1])
        position[open_tables] += step * TAIL_CHUNK
        # NaN (no term left in the support) fails the comparison too, so those tables close.
        open_tables = open_tables[rest > log_sums[open_tables] + math.log(TAIL_PRECISION)]
    return log_sums


def _log_rest_bound(before_last, last) -> np.ndarray:
    """Return the log of an upper bound on the terms after ``last``, from the last two log-terms of a falling tail.

    The hypergeometric distribution is log-concave, so past ``last`` each
    term falls by at least the ratio ``r`` of ``last`` to ``before_last``,
    and the rest is at most ``last * r / (1 - r)``.
    """
    log_ratio = last - before_last
    return last + log_ratio - np.log(-np.expm1(log_ratio))


def scientific_text(log10_value: float, significant_digits: int, trailing_zeros: bool = False) -> str:
    """Return ``10 ** log10_value`` as Python's ``g`` format writes small floats, such as ``3.2e-412``.

    It works past the float range, where ``10 ** log10_value`` would be 0.0.
    With ``trailing_zeros`` every value shows ``significant_digits`` digits
    (``3.0e-412`` beside ``3.2e-412``), so the values of a table column read
    alike.
    """
    if log10_value == -math.inf:
        return "0"
    exponent = math.floor(log10_value)
    mantissa = 10.0 ** (log10_value - exponent)
    # Rounding can carry into the exponent: 9.996 rounds to 10 at 3 digits, so divide by 10 and raise the exponent.
    if float(f"{mantissa:.{significant_digits}g}") >= 10:
        mantissa /= 10
        exponent += 1
    # The mantissa is from 1 to below 10 here, so ``significant_digits - 1`` decimals are that many digits.
    mantissa_format = f".{significant_digits - 1}f" if trailing_zeros else f".{significant_digits}g"
    return f"{mantissa:{mantissa_format}}e{exponent:+03d}"
