"""Percentages are published only from published counts."""

from __future__ import annotations

import pytest

from casework.stats.suppression import TOTAL, Table, hidden_shares, share, suppress

# "Needed vocational training" and "connected to it" per commune: the seeds' 80% target.
COMMUNES = ["xa-A", "xa-B", "xa-C", "xa-D"]
NEEDED = {
    ("xa-A", "needed"): 40,
    ("xa-B", "needed"): 25,
    ("xa-C", "needed"): 3,
    ("xa-D", "needed"): 30,
}
CONNECTED = {
    ("xa-A", "connected"): 33,
    ("xa-B", "connected"): 20,
    ("xa-C", "connected"): 2,
    ("xa-D", "connected"): 24,
}


@pytest.fixture
def result():
    values = {**NEEDED, **CONNECTED}
    table = Table.from_grid(COMMUNES, ["needed", "connected"], values)
    return suppress(table)


def test_share_of_published_counts_is_published(result) -> None:
    assert share(result, ("xa-A", "connected"), ("xa-A", "needed")) == pytest.approx(33 / 40)


def test_share_with_a_hidden_numerator_is_hidden(result) -> None:
    assert result.is_hidden(("xa-C", "connected"))
    # (TOTAL, connected) is published: 2 / 79 would give the 2 back.
    assert result.published((TOTAL, "connected")) == 79
    assert share(result, ("xa-C", "connected"), (TOTAL, "connected")) is None


def test_share_with_a_hidden_denominator_is_hidden(result) -> None:
    assert result.is_hidden(("xa-C", "needed"))
    assert share(result, ("xa-D", "connected"), ("xa-C", "needed")) is None


def test_share_of_zero_is_published_but_share_of_nothing_is_not() -> None:
    table = Table.from_grid(["a"], ["x", "y"], {("a", "x"): 0, ("a", "y"): 0})
    result = suppress(table)
    assert share(result, ("a", "x"), ("a", "y")) is None  # 0 / 0
    table = Table.from_grid(["a"], ["x", "y"], {("a", "x"): 0, ("a", "y"): 9})
    assert share(suppress(table), ("a", "x"), ("a", "y")) == 0.0


def test_hidden_shares_says_which_and_why(result) -> None:
    pairs = [
        (("xa-A", "connected"), ("xa-A", "needed")),
        (("xa-C", "connected"), ("xa-C", "needed")),
        ((TOTAL, "connected"), ("xa-C", "needed")),
    ]
    assert hidden_shares(result, pairs) == {
        pairs[1]: "numerator hidden: ('xa-C', 'connected')",
        pairs[2]: "denominator hidden: ('xa-C', 'needed')",
    }


def test_share_of_unknown_cell_is_an_error(result) -> None:
    with pytest.raises(KeyError):
        share(result, ("xa-Z", "connected"), ("xa-A", "needed"))
