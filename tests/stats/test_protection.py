"""The cell key method (casework.stats.protection): the published perturbation table."""

from __future__ import annotations

import ast
import pathlib

import pytest

from casework.stats import protection
from casework.stats.protection import KEY_RANGE, MAX_NOISE, cell_key, combine, protect, ptable_row


@pytest.mark.parametrize("k", [5, 11])
def test_small_counts_are_never_published_as_themselves(k):
    for n in range(1, k):
        published = set(ptable_row(n, k))
        assert all(v == 0 or v >= k for v in published), (n, published)
        assert n not in published


@pytest.mark.parametrize("k", [5, 11])
def test_no_published_count_is_between_one_and_k_minus_one(k):
    for n in range(0, 60):
        assert not any(1 <= v < k for v in ptable_row(n, k))


def test_zero_is_published_as_zero():
    assert set(ptable_row(0, 5)) == {0}


@pytest.mark.parametrize("n", [5, 6, 12, 84, 1000])
def test_larger_counts_move_by_at_most_d_with_small_variance(n):
    row = ptable_row(n, 5)
    assert max(abs(v - n) for v in row) <= MAX_NOISE
    mean = sum(row) / KEY_RANGE
    variance = sum((v - mean) ** 2 for v in row) / KEY_RANGE
    if n >= 5 + MAX_NOISE:  # away from the threshold (where values below k are lifted to k)
        assert mean == n
        assert 1 <= variance <= 2


def test_the_same_records_give_the_same_value_in_any_table():
    keys = [17, 200, 3, 99, 250, 41]
    # Two tables reach the same six records in different orders and groupings.
    assert cell_key(keys) == combine(cell_key(keys[:2]), cell_key(keys[2:]))
    assert protect(6, cell_key(keys)) == protect(6, cell_key(reversed(keys)))


def test_one_more_person_changes_the_cell_key_to_an_unrelated_one():
    # For every cell key, adding one record of any key gives counts that are not always +1.
    differences = {protect(21, (c + r) % KEY_RANGE) - protect(20, c)
                   for c in range(KEY_RANGE) for r in range(KEY_RANGE)}
    assert differences == set(range(-3, 6))


def test_record_keys_are_in_range():
    assert all(0 <= protection.new_record_key() < KEY_RANGE for _ in range(200))


def test_the_module_is_pure():
    tree = ast.parse(pathlib.Path(protection.__file__).read_text())
    names = {a.name.split(".")[0] for node in ast.walk(tree)
             if isinstance(node, (ast.Import, ast.ImportFrom))
             for a in getattr(node, "names", [])}
    names |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module}
    assert not names & {"flask", "sqlalchemy", "casework"}


def test_the_note_is_one_vietnamese_sentence():
    assert protection.NOTE_VI.count(".") == 1 and "khóa ô" in protection.NOTE_VI
