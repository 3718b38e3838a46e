"""Building report tables: grids with margins, hierarchies, linked tables."""

from __future__ import annotations

import pickle

import pytest

from casework.stats.suppression import TOTAL, Constraint, Table


def test_grid_adds_row_column_and_grand_totals() -> None:
    table = Table.from_grid(["a", "b"], ["x", "y"], {("a", "x"): 1, ("b", "y"): 4})
    assert table[("a", "y")] == 0  # missing cells are zero
    assert table[("a", TOTAL)] == 1
    assert table[(TOTAL, "y")] == 4
    assert table[(TOTAL, TOTAL)] == 5
    assert Constraint(("a", TOTAL), (("a", "x"), ("a", "y"))) in table.constraints


def test_grid_without_totals_has_no_constraints() -> None:
    table = Table.from_grid(["a"], ["x"], {("a", "x"): 2}, with_totals=False)
    assert dict(table.values) == {("a", "x"): 2}
    assert table.constraints == ()


def test_grid_prefix_keeps_indicators_apart() -> None:
    table = Table.from_grid(["a"], ["x"], {("a", "x"): 2}, prefix=("relapsed",))
    assert table[("relapsed", TOTAL, TOTAL)] == 2


def test_grid_rejects_values_outside_it() -> None:
    with pytest.raises(ValueError, match="outside the grid"):
        Table.from_grid(["a"], ["x"], {("b", "x"): 1})


@pytest.mark.parametrize("bad", [-1, 1.0, True, None, "3"])
def test_counts_must_be_non_negative_ints(bad: object) -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        Table({"a": bad})  # type: ignore[dict-item]


def test_totals_that_do_not_add_up_are_rejected() -> None:
    with pytest.raises(ValueError, match="does not add up"):
        Table({"t": 5, "a": 2, "b": 2}, [Constraint("t", ("a", "b"))])


def test_constraint_on_unknown_cell_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown cell"):
        Table({"t": 5, "a": 5}, [Constraint("t", ("a", "b"))])


def test_hierarchy_computes_missing_parents_bottom_up() -> None:
    leaves = Table({("khu-1", "x"): 3, ("khu-2", "x"): 4, ("khu-3", "x"): 10})
    tree = {"tinh": ["xa-A", "xa-B"], "xa-A": ["khu-1", "khu-2"], "xa-B": ["khu-3"]}
    table = leaves.add_hierarchy(tree, ["x"])
    assert table[("xa-A", "x")] == 7
    assert table[("tinh", "x")] == 17
    assert Constraint(("tinh", "x"), (("xa-A", "x"), ("xa-B", "x"))) in table.constraints


def test_hierarchy_checks_parents_that_are_given() -> None:
    leaves = Table({("p", None): 9, ("a", None): 3, ("b", None): 4})
    with pytest.raises(ValueError, match="does not add up"):
        leaves.add_hierarchy({"p": ["a", "b"]})


def test_hierarchy_needs_every_leaf() -> None:
    with pytest.raises(ValueError, match="leaf cell"):
        Table({("a", None): 1}).add_hierarchy({"p": ["a", "b"]})


def test_hierarchy_with_a_cycle_is_rejected() -> None:
    with pytest.raises(ValueError, match="cycle"):
        Table({}).add_hierarchy({"p": ["q"], "q": ["p"]})


def test_merge_shares_equal_cells_and_rejects_conflicting_ones() -> None:
    one = Table({"shared": 5, "a": 5}, [Constraint("shared", ("a",))])
    two = Table({"shared": 5, "b": 5}, [Constraint("shared", ("b",))])
    merged = Table.merge(one, two)
    assert len(merged) == 3 and len(merged.constraints) == 2
    with pytest.raises(ValueError, match="two values"):
        Table.merge(one, Table({"shared": 6}))


def test_total_marker_survives_pickling_and_reads_well() -> None:
    assert pickle.loads(pickle.dumps(TOTAL)) is TOTAL
    assert repr(("a", TOTAL)) == "('a', TOTAL)"
    assert TOTAL != "TOTAL" and TOTAL != "total"
