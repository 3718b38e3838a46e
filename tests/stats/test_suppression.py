"""Small-count and complementary suppression: the rules, on tables a reader can check by eye."""

from __future__ import annotations

import pytest

from casework.stats.suppression import (
    DEFAULT_K,
    TOTAL,
    TRAFFICKING_K,
    Constraint,
    SuppressionResult,
    Table,
    suppress,
)
from tests.stats.lp_oracle import Reader, assert_protected

ROWS = ["phuong-1", "phuong-2", "phuong-3"]
MONTHS = ["2024-01", "2024-02", "2024-03"]


def grid(values: dict[tuple[str, str], int]) -> Table:
    return Table.from_grid(ROWS, MONTHS, values)


def big(**overrides: int) -> dict[tuple[str, str], int]:
    """A 3x3 grid of comfortable counts, with some cells overridden as ``r<i>m<j>=value``."""
    values = {(r, m): 20 + 3 * i + j for i, r in enumerate(ROWS) for j, m in enumerate(MONTHS)}
    for name, value in overrides.items():
        values[(ROWS[int(name[1])], MONTHS[int(name[3])])] = value
    return values


def k_default(_key: object) -> int:
    return DEFAULT_K


def test_table_without_small_counts_hides_nothing() -> None:
    table = grid(big())
    result = suppress(table)
    assert result.hidden == {}
    assert result.cells() == dict(table.values)


def test_zero_is_published_and_never_chosen_as_complement() -> None:
    table = grid(big(r0m0=0, r1m1=0, r0m1=3))
    result = suppress(table)
    assert result.published(("phuong-1", "2024-01")) == 0
    assert result.published(("phuong-2", "2024-02")) == 0
    assert all(table[key] > 0 for key in result.hidden)
    assert_protected(table, result, k_default)


def test_lone_small_cell_gets_a_complement_in_its_row_and_in_its_column() -> None:
    table = grid(big(r1m1=2))
    result = suppress(table)
    small = ("phuong-2", "2024-02")
    assert result.hidden[small].startswith("primary")
    row = [(ROWS[1], m) for m in MONTHS if m != MONTHS[1]]
    column = [(r, MONTHS[1]) for r in ROWS if r != ROWS[1]]
    assert any(result.is_hidden(key) for key in row)
    assert any(result.is_hidden(key) for key in column)
    # Detail cells are hidden before margins: the report keeps all its totals.
    assert all(result.published(key) is not None for key in table.values if TOTAL in key)
    assert_protected(table, result, k_default)


def test_two_by_two_with_one_small_cell_hides_the_whole_interior() -> None:
    """The example from the issue: one count of 3 with k=5 in a 2x2 table with margins."""
    values = {("a", "x"): 3, ("a", "y"): 10, ("b", "x"): 8, ("b", "y"): 10}
    table = Table.from_grid(["a", "b"], ["x", "y"], values)
    result = suppress(table, k=5)
    assert set(result.hidden) == set(values)
    assert result.hidden[("a", "x")] == "primary: count below k=5"
    reader = Reader(table, result, lower=0)
    low, high = reader.interval(("a", "x"))
    # From the margins alone (a, x) could be anything from 0 to 11, not just 3.
    assert low == pytest.approx(0) and high == pytest.approx(11)
    assert_protected(table, result, k_default)


def test_reasons_name_primary_and_the_cell_a_complement_protects() -> None:
    table = grid(big(r0m0=1))
    result = suppress(table)
    assert result.hidden[("phuong-1", "2024-01")] == "primary: count below k=5"
    complements = {key: r for key, r in result.hidden.items() if key not in result.primary}
    assert complements
    for reason in complements.values():
        assert reason.startswith("complementary: protects ")
        protected = reason.removeprefix("complementary: protects ")
        assert protected in {repr(key) for key in result.hidden}
    assert result.complementary == set(complements)


def test_a_rectangle_of_small_cells_needs_a_large_cell_to_hide_among() -> None:
    """Four small corners cover each other's row and column, yet trading counts among them
    keeps every one of them below 5: the reader would know all four are small."""
    table = grid(big(r0m0=2, r0m1=3, r1m0=4, r1m1=2))
    result = suppress(table)
    assert set(result.hidden) > result.primary
    assert_protected(table, result, k_default)


def test_a_cell_that_could_only_move_down_to_one_gets_more_room() -> None:
    """Hidden means non-zero, and a reader knows it: bounds are >= 1, not >= 0.

    Hiding just the 2x2 interior would leave (a, x) = 4 within 1..4 and (a, y) = 1 within
    1..4 for a reader who knows hidden cells are at least 1: both provably small.
    """
    values = {("a", "x"): 4, ("a", "y"): 1, ("b", "x"): 6, ("b", "y"): 30}
    table = Table.from_grid(["a", "b"], ["x", "y"], values)
    interior_only = SuppressionResult(
        {key: (None if key in values else v) for key, v in table.values.items()},
        {key: "test" for key in values},
        table.constraints,
    )
    assert Reader(table, interior_only, lower=1).interval(("a", "x"))[1] == pytest.approx(4)

    result = suppress(table)
    assert set(result.hidden) > set(values), "a margin must be hidden as well"
    assert_protected(table, result, k_default)


def test_trafficking_cells_use_their_own_threshold() -> None:
    def k(key: object) -> int:
        return TRAFFICKING_K if isinstance(key, tuple) and key[0] == "trafficking" else DEFAULT_K

    values = big(r0m0=7)
    table = Table.merge(
        Table.from_grid(ROWS, MONTHS, values, prefix=("trafficking",)),
        Table.from_grid(ROWS, MONTHS, values, prefix=("drugs",)),
    )
    result = suppress(table, k=k)
    assert result.hidden[("trafficking", "phuong-1", "2024-01")] == "primary: count below k=11"
    assert result.published(("drugs", "phuong-1", "2024-01")) == 7
    assert_protected(table, result, k)


@pytest.mark.parametrize("k", [0, -5, 2.5, True, "5"])
def test_threshold_must_be_a_positive_int(k: object) -> None:
    with pytest.raises(ValueError, match="threshold"):
        suppress(grid(big()), k=k)  # type: ignore[arg-type]


def test_k_of_one_hides_nothing_because_no_count_is_below_it() -> None:
    assert suppress(grid(big(r0m0=1)), k=1).hidden == {}


def test_published_counts_are_the_true_counts_and_margins_still_add_up() -> None:
    table = grid(big(r2m2=3, r0m1=4))
    result = suppress(table)
    for key, value in result.cells().items():
        assert value is None or value == table[key]
    for con in table.constraints:
        shown = [result.published(key) for key in (con.total, *con.parts)]
        if None not in shown:
            assert shown[0] == sum(shown[1:])  # type: ignore[arg-type]


def test_result_holds_no_hidden_value() -> None:
    table = grid(big(r1m2=3))
    result = suppress(table)
    for slot in SuppressionResult.__slots__:
        assert not isinstance(getattr(result, slot), Table)
    assert all(result.cells()[key] is None for key in result.hidden)
    assert result.published(("phuong-2", "2024-03")) is None


def test_unknown_key_is_an_error_not_a_hidden_cell() -> None:
    result = suppress(grid(big()))
    with pytest.raises(KeyError):
        result.published(("phuong-9", "2024-01"))
    with pytest.raises(KeyError):
        result.is_hidden(("phuong-9", "2024-01"))


def test_same_table_gives_same_result() -> None:
    table = grid(big(r0m0=1, r2m1=4, r1m2=2))
    first, second = suppress(table), suppress(table)
    assert first.hidden == second.hidden


def test_subtotals_across_units_do_not_reveal_a_neighbourhood() -> None:
    """Province = communes, commune = neighbourhoods: a lone 2 must not be a difference."""
    leaves = ["khu-1", "khu-2", "khu-3", "khu-4"]
    values = {(n, m): 12 + i + j for i, n in enumerate(leaves) for j, m in enumerate(MONTHS)}
    values[("khu-1", "2024-02")] = 2
    table = Table.from_grid(leaves, MONTHS, values).add_hierarchy(
        {"xa-A": ["khu-1", "khu-2"], "xa-B": ["khu-3", "khu-4"], TOTAL: ["xa-A", "xa-B"]},
        [*MONTHS, TOTAL],
    )
    assert table[("xa-A", "2024-02")] == 2 + 13 + 1
    result = suppress(table)
    assert result.is_hidden(("khu-1", "2024-02"))
    assert_protected(table, result, k_default)


def test_quarters_and_year_do_not_reveal_a_month() -> None:
    """Year = quarters = months, all published together."""
    months = [f"m{i:02d}" for i in range(1, 7)]
    values = {(u, m): 9 + 2 * i + j for i, u in enumerate(ROWS) for j, m in enumerate(months)}
    values[("phuong-3", "m05")] = 1
    periods = {"Q1": months[:3], "Q2": months[3:], TOTAL: ["Q1", "Q2"]}
    table = Table.from_grid(ROWS, months, values).add_hierarchy(
        periods, [*ROWS, TOTAL], key=lambda period, unit: (unit, period)
    )
    result = suppress(table)
    assert result.is_hidden(("phuong-3", "m05"))
    assert_protected(table, result, k_default)


def test_linked_tables_of_one_report_protect_each_other() -> None:
    """By sex and by age share each unit's total: a cell hidden in one must stay hidden."""
    by_sex = {
        ("phuong-1", "nam"): 2,
        ("phuong-1", "nu"): 18,
        ("phuong-2", "nam"): 14,
        ("phuong-2", "nu"): 11,
        ("phuong-3", "nam"): 9,
        ("phuong-3", "nu"): 30,
    }
    by_age = {
        ("phuong-1", "<18"): 6,
        ("phuong-1", ">=18"): 14,
        ("phuong-2", "<18"): 7,
        ("phuong-2", ">=18"): 18,
        ("phuong-3", "<18"): 12,
        ("phuong-3", ">=18"): 27,
    }
    table = Table.merge(
        Table.from_grid(ROWS, ["nam", "nu"], by_sex, prefix=("identified",)),
        Table.from_grid(ROWS, ["<18", ">=18"], by_age, prefix=("identified",)),
    )
    assert ("identified", "phuong-1", TOTAL) in table  # the shared cell
    result = suppress(table)
    assert result.is_hidden(("identified", "phuong-1", "nam"))
    assert_protected(table, result, k_default)


def test_constraints_can_link_cells_the_builders_do_not_know_about() -> None:
    """A headline figure elsewhere in the report equals this table's grand total."""
    detail = grid(big(r0m0=3))
    headline = Table({"reported-to-province": detail[(TOTAL, TOTAL)]})
    table = Table.merge(detail, headline).with_constraints(
        Constraint("reported-to-province", ((TOTAL, TOTAL),))
    )
    result = suppress(table)
    assert result.published("reported-to-province") == detail[(TOTAL, TOTAL)]
    assert_protected(table, result, k_default)


def test_cells_outside_any_total_need_no_complement() -> None:
    table = Table({"headline": 3, "other": 40})
    result = suppress(table)
    assert result.hidden == {"headline": "primary: count below k=5"}
    assert_protected(table, result, k_default)


def test_empty_table_hides_nothing() -> None:
    assert suppress(Table({})).cells() == {}
