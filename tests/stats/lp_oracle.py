"""The arbiter of protection: what a reader with an LP solver can learn from a result.

The reader knows every published cell and every constraint of the table. Each hidden cell is
an unknown with a lower bound: 0 in the model of the issue, or 1 in the stronger model that
also uses the published rule "zeros are shown and complements are never zero". scipy is a
test-only dependency, so this lives here and never in ``casework``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.optimize import linprog

from casework.stats.suppression import Key, SuppressionResult, Table

EPS = 1e-6


class Reader:
    """Solves min and max of hidden cells over every table consistent with a result."""

    def __init__(self, table: Table, result: SuppressionResult, lower: int) -> None:
        self.keys = list(table.values)
        self.index = {key: i for i, key in enumerate(self.keys)}
        rows = []
        for con in table.constraints:
            row = np.zeros(len(self.keys))
            for key, coef in con.coefficients().items():
                row[self.index[key]] += coef
            rows.append(row)
        self.a_eq = np.array(rows) if rows else None
        self.b_eq = np.zeros(len(rows)) if rows else None
        # Only the result is used for the bounds: the reader never sees a hidden value.
        self.bounds = [
            (lower, None) if result.is_hidden(key) else (result.published(key),) * 2
            for key in self.keys
        ]

    def _optimum(self, key: Key, sign: float) -> float:
        c = np.zeros(len(self.keys))
        c[self.index[key]] = sign
        res = linprog(c, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds, method="highs")
        if res.status == 3:  # unbounded: only possible upwards, all cells are bounded below
            return math.inf
        assert res.status == 0, res.message
        return sign * res.fun

    def interval(self, key: Key) -> tuple[float, float]:
        """[min, max] of ``key`` over every consistent table (reals)."""
        return self.minimum(key), self.maximum(key)

    def minimum(self, key: Key) -> float:
        return self._optimum(key, 1.0)

    def maximum(self, key: Key) -> float:
        return self._optimum(key, -1.0)

    def moves(self, key: Key, true_value: int) -> bool:
        """Whether ``key`` takes more than one value; max first, since it usually settles it.

        The true table is consistent, so min <= true value <= max, and min < max iff one of
        them differs from the true value.
        """
        if self.maximum(key) > true_value + EPS:
            return True
        return self.minimum(key) < true_value - EPS


def assert_protected(table: Table, result: SuppressionResult, k: Callable[[Key], int]) -> None:
    """Every guarantee of ``casework.stats.suppression`` for one table, checked from outside."""
    small = {key for key, v in table.values.items() if 0 < v < k(key)}
    for key, value in table.values.items():
        shown = result.published(key)
        assert (shown is None) == result.is_hidden(key)
        if shown is not None:
            assert shown == value, "a published count must be the true count"
            assert not 0 < shown < k(key), f"{key!r}={shown} published below k={k(key)}"
        else:
            assert value >= 1, f"{key!r} is zero yet hidden: zeros are published"
    assert result.primary == small
    for key, reason in result.hidden.items():
        if key in small:
            assert reason.startswith("primary: count below k")
        else:
            assert reason.startswith("complementary: protects ")
    for con in table.constraints:
        members = set(con.coefficients())
        assert len([m for m in members if result.is_hidden(m)]) != 1, con

    weak, strong = Reader(table, result, lower=0), Reader(table, result, lower=1)
    for key in result.hidden:
        value = table.values[key]
        assert weak.moves(key, value), f"{key!r} pinned to {value} (cells >= 0)"
        assert strong.moves(key, value), f"{key!r} pinned to {value} (hidden cells >= 1)"
        if key in small:
            high = strong.maximum(key)
            assert high >= k(key) - EPS, f"{key!r} provably below k: max {high} < {k(key)}"
