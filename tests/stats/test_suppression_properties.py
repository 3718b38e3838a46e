"""Properties over random report tables, judged by an LP solver (see ``lp_oracle``).

For every generated table: no published count in 1..k-1, zeros published, no equation with a
lone hidden cell, every hidden cell has an interval of positive width (reader bounds >= 0 and
>= 1), and every primary cell can reach k.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.stats.suppression import TOTAL, TRAFFICKING_K, Key, Table, suppress
from tests.stats.lp_oracle import assert_protected

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Social-work counts are mostly small: three draws in four from 0..12.
counts = st.one_of(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12), st.integers(13, 80))
thresholds = st.sampled_from([2, 3, 5, 5, 11])


@st.composite
def grids(draw: st.DrawFn) -> Table:
    rows = [f"r{i}" for i in range(draw(st.integers(2, 6)))]
    cols = [f"c{j}" for j in range(draw(st.integers(2, 6)))]
    values = {(r, c): draw(counts) for r in rows for c in cols}
    return Table.from_grid(rows, cols, values)


@st.composite
def unit_hierarchies(draw: st.DrawFn) -> Table:
    """Neighbourhoods x months, communes = their neighbourhoods, province = the communes."""
    tree: dict[Key, list[str]] = {}
    leaves: list[str] = []
    for c in range(draw(st.integers(2, 3))):
        kids = [f"xa{c}-khu{n}" for n in range(draw(st.integers(1, 3)))]
        tree[f"xa{c}"] = kids
        leaves += kids
    tree[TOTAL] = list(tree)
    months = [f"m{j}" for j in range(draw(st.integers(2, 4)))]
    values = {(n, m): draw(counts) for n in leaves for m in months}
    return Table.from_grid(leaves, months, values).add_hierarchy(tree, [*months, TOTAL])


@st.composite
def period_sums(draw: st.DrawFn) -> Table:
    """Units x months, with quarters, and the year both as quarters and as months."""
    units = [f"u{i}" for i in range(draw(st.integers(2, 4)))]
    months = [f"m{j}" for j in range(6)]
    values = {(u, m): draw(counts) for u in units for m in months}
    periods = {"q1": months[:3], "q2": months[3:], TOTAL: ["q1", "q2"]}
    return Table.from_grid(units, months, values).add_hierarchy(
        periods, [*units, TOTAL], key=lambda period, unit: (unit, period)
    )


@st.composite
def linked_tables(draw: st.DrawFn) -> Table:
    """One indicator by sex and by age group: the two tables share every unit's total."""
    units = [f"u{i}" for i in range(draw(st.integers(2, 4)))]
    sexes, ages = ["nam", "nu"], ["<18", "18+"]
    cube = {(u, s, a): draw(counts) for u in units for s in sexes for a in ages}
    by_sex = {(u, s): sum(cube[(u, s, a)] for a in ages) for u in units for s in sexes}
    by_age = {(u, a): sum(cube[(u, s, a)] for s in sexes) for u in units for a in ages}
    return Table.merge(
        Table.from_grid(units, sexes, by_sex, prefix=("x",)),
        Table.from_grid(units, ages, by_age, prefix=("x",)),
    )


@PROPERTY
@given(grids(), thresholds)
def test_random_grids_are_protected(table: Table, k: int) -> None:
    assert_protected(table, suppress(table, k), lambda _key: k)


@PROPERTY
@given(unit_hierarchies(), thresholds)
def test_random_unit_hierarchies_are_protected(table: Table, k: int) -> None:
    assert_protected(table, suppress(table, k), lambda _key: k)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(period_sums(), thresholds)
def test_random_period_sums_are_protected(table: Table, k: int) -> None:
    assert_protected(table, suppress(table, k), lambda _key: k)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_tables(), thresholds)
def test_random_linked_tables_are_protected(table: Table, k: int) -> None:
    assert_protected(table, suppress(table, k), lambda _key: k)


def trafficking_rows(key: Key) -> int:
    """Rows whose label starts with r0 or r1 stand for trafficking cases."""
    marked = isinstance(key, tuple) and str(key[0]).startswith(("r0", "r1"))
    return TRAFFICKING_K if marked else 5


@PROPERTY
@given(grids())
def test_random_grids_with_a_threshold_per_cell_are_protected(table: Table) -> None:
    k: Callable[[Key], int] = trafficking_rows
    assert_protected(table, suppress(table, k), k)
