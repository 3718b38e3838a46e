"""The cell key method: how every published count is protected (issue 17).

The method of the Australian Bureau of Statistics' TableBuilder and of the ONS for the 2021
Census. Each case carries a fixed random *record key* (0..255, drawn once at intake and never
changed: ``case_file.record_key``). A cell's *cell key* is the sum of the record keys of the
records it counts, modulo 256, so it depends only on which records are in the cell — never on
the table, the unit or the period the cell is asked through. The published value is read from a
published *perturbation table* (``PTABLE``) at (true count, cell key):

- the same records give the same published value in every table, every time (no averaging of
  repeated requests, no differencing of two tables asking the same thing two ways);
- a count of 1..k-1 is never published as itself: it becomes 0 or a value ≥ k;
- one more or one fewer person changes the cell key to an unrelated value, so the difference
  of two tables is noise of up to ±D, not "+1";
- a count of 0 is published as 0 (there is nobody to protect and no record key to draw from).

Totals are perturbed on their own (from the keys of all their records), not added up from the
perturbed parts: tables are *not additive* — a total may differ from the sum of its parts by a
few units. That is by design: forcing additivity would let one solve the parts back.

This module is pure (no Flask, no SQLAlchemy): the refresh, reports, exports and the
adversarial tests all call the same functions, and ``docs/statistics.md`` prints its table.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import lru_cache

KEY_RANGE = 256
"""Record and cell keys are integers 0..255."""

MAX_NOISE = 2
"""D: no published count of n ≥ k differs from the true count by more than D."""

DEFAULT_K = 5
TRAFFICKING_K = 11

METHOD = "cell-key"

NOTE_VI = ("Số liệu được bảo vệ bằng phương pháp khóa ô (cell key): mỗi số được cộng một "
           "nhiễu nhỏ cố định (tối đa ±2), các số từ 1 đến k−1 không bao giờ được công bố "
           "đúng như thực tế, và tổng không nhất thiết bằng tổng các thành phần.")
NOTE_EN = ("Figures are protected with the cell key method: each count carries a small fixed "
           "noise (at most ±2), counts from 1 to k−1 are never published as they are, and "
           "totals need not equal the sum of their parts.")

# Noise for n ≥ k: a symmetric distribution on -D..D (weights per 256 keys):
# 0: 80, ±1: 48 each, ±2: 40 each  ->  variance = (2·48·1 + 2·40·4) / 256 = 1.625
_NOISE = ((-2, 40), (-1, 48), (0, 80), (1, 48), (2, 40))


def new_record_key() -> int:
    """A fresh record key, drawn once for a new case."""
    return secrets.randbelow(KEY_RANGE)


def cell_key(record_keys: Iterable[int]) -> int:
    """The cell key of the records a cell counts: the sum of their keys modulo 256."""
    return sum(record_keys) % KEY_RANGE


def combine(*cell_keys: int) -> int:
    """The cell key of the union of disjoint cells (a total's key from its parts' keys)."""
    return sum(cell_keys) % KEY_RANGE


@lru_cache(maxsize=64)
def ptable_row(n: int, k: int) -> tuple[int, ...]:
    """Published value for each of the 256 cell keys of a true count ``n`` (threshold ``k``).

    - n = 0: always 0.
    - 1 ≤ n < k: 0 or a value in k..k+D, with probability that grows with n (so the expected
      published value stays close to n) and never n itself.
    - n ≥ k: n + noise, noise in -D..D (``_NOISE``), never below k (values that would fall
      under k are published as k, so a published 1..k-1 never occurs).
    """
    if n < 0:
        raise ValueError("a count is never negative")
    if n == 0:
        return (0,) * KEY_RANGE
    out: list[int] = []
    if n < k:
        # Publish 0 with probability 1 - n/k, else k..k+D: E[published] ≈ n.
        zeros = round(KEY_RANGE * (1 - n / k))
        out = [0] * zeros
        ups = [k + (i % (MAX_NOISE + 1)) for i in range(KEY_RANGE - zeros)]
        out += ups
    else:
        for noise, weight in _NOISE:
            out += [max(k, n + noise)] * weight
    # Spread the values over the keys with a fixed permutation so that neighbouring keys do not
    # give neighbouring values (the table is public; the order is part of the table).
    return tuple(out[(i * 97) % KEY_RANGE] for i in range(KEY_RANGE))


def protect(count: int, key: int, k: int = DEFAULT_K) -> int:
    """The published value of a cell with true ``count`` and cell ``key``."""
    return ptable_row(int(count), int(k))[int(key) % KEY_RANGE]


def expected_error(n: int, k: int = DEFAULT_K) -> tuple[float, int]:
    """(mean absolute error, largest error) of the published value for a true count ``n``."""
    row = ptable_row(n, k)
    errors = [abs(v - n) for v in row]
    return sum(errors) / KEY_RANGE, max(errors)


def ptable(k: int = DEFAULT_K, upto: int | None = None) -> list[tuple[int, dict[int, float]]]:
    """The published perturbation table: for each true count, published value -> probability."""
    out = []
    for n in range(0, (upto or k + MAX_NOISE + 2) + 1):
        dist: dict[int, float] = {}
        for v in ptable_row(n, k):
            dist[v] = dist.get(v, 0) + 1 / KEY_RANGE
        out.append((n, {v: round(p, 4) for v, p in sorted(dist.items())}))
    return out


def threshold(column: str | None, k: int = DEFAULT_K, k_trafficking: int = TRAFFICKING_K) -> int:
    """k for a cell of ``column``: higher for trafficking victims."""
    return k_trafficking if column == "trafficking_victim" else k
