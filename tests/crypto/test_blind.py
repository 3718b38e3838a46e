"""Specification of blind indexes: equal IDs meet, the value range stays deliberately small."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.crypto import (
    BLIND_INDEX_BITS,
    Keyring,
    blind_index,
    normalise_national_id,
    normalise_phone,
)

from .conftest import KEY_1, KEY_2

KEYRING = Keyring({1: KEY_1})


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "0084 912 345 678",
        "0912.345.678",
        "(+84) 912-345-678",
        "０９１２３４５６７８",  # full-width digits from a Vietnamese IME
    ],
)
def test_phone_numbers_normalise_to_domestic_digits(typed: str) -> None:
    assert normalise_phone(typed) == "0912345678"


def test_landline_keeps_its_area_code() -> None:
    assert normalise_phone("+84 24 3825 1234") == "02438251234"


@pytest.mark.parametrize(
    "typed", ["001234567890", "001 234 567 890", "001-234-567-890", " 001.234.567.890 "]
)
def test_national_ids_normalise_to_digits(typed: str) -> None:
    assert normalise_national_id(typed) == "001234567890"


def test_same_phone_typed_differently_gets_the_same_index() -> None:
    a = blind_index(KEYRING, "person.phone", normalise_phone("+84 912 345 678"))
    b = blind_index(KEYRING, "person.phone", normalise_phone("0912345678"))
    assert a == b


def test_index_is_deterministic_for_the_same_key() -> None:
    assert blind_index(KEYRING, "person.national_id", "001234567890") == blind_index(
        Keyring({1: KEY_1}), "person.national_id", "001234567890"
    )


def test_index_depends_on_the_key() -> None:
    values = [f"0012345678{i:02}" for i in range(20)]
    other = Keyring({1: KEY_2})
    assert [blind_index(KEYRING, "p.n", v) for v in values] != [
        blind_index(other, "p.n", v) for v in values
    ]


def test_the_same_id_in_two_indexes_gets_unrelated_values() -> None:
    values = [f"0012345678{i:02}" for i in range(20)]
    assert [blind_index(KEYRING, "person.national_id", v) for v in values] != [
        blind_index(KEYRING, "contact.national_id", v) for v in values
    ]


def test_index_survives_key_rotation() -> None:
    rotated = Keyring({1: KEY_1, 2: KEY_2})
    assert blind_index(rotated, "person.phone", "0912345678") == blind_index(
        KEYRING, "person.phone", "0912345678"
    )


def test_index_is_16_bits() -> None:
    assert BLIND_INDEX_BITS == 16


@given(st.text())
def test_index_is_always_in_0_to_65535(value: str) -> None:
    assert 0 <= blind_index(KEYRING, "person.national_id", value) < 2**16


def test_many_ids_share_each_index_value() -> None:
    # 200,000 IDs over 65,536 values: a stolen index cannot tell people apart.
    values = [blind_index(KEYRING, "person.national_id", f"{i:012}") for i in range(200_000)]
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    assert len(counts) > 60_000  # nearly every bucket is used (expected ~62,500)
    assert max(counts.values()) < 20  # and none stands out (expected ~3 per value)
