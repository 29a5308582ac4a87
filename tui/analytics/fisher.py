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
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import hypergeom

TIE_TOLERANCE = 1e-7


def fisher_two_sided(a, b, c, d) -> np.ndarray:
    """Return the two-sided Fisher exact p-value of each table ``[[a, b], [c, d]]`` (arrays of counts)."""
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
    return np.where(total > 0, np.minimum(lower_tail + upper_tail, 1.0), 1.0)


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
