"""Specification of the keyring: where keys come from, what is derived, what never leaks."""

from __future__ import annotations

import base64
import pickle
from pathlib import Path

import pytest

from casework.crypto import CryptoError, Keyring, KeyUnavailableError, load_keyring
from casework.crypto.keyring import parse_root_key

from .conftest import KEY_1, KEY_2, KEY_3


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_single_environment_key_is_key_1_and_active() -> None:
    keyring = load_keyring(b64(KEY_1), None)
    assert keyring.key_ids == (1,)
    assert keyring.active_id == 1
    assert keyring.index_key_id == 1


def test_environment_key_list_makes_the_highest_id_active_and_the_lowest_the_index_key() -> None:
    keyring = load_keyring(f"1:{b64(KEY_1)}, 3:{b64(KEY_3)},2:{b64(KEY_2)}", None)
    assert keyring.key_ids == (1, 2, 3)
    assert keyring.active_id == 3
    assert keyring.index_key_id == 1


def test_environment_key_wins_over_the_key_file(tmp_path: Path) -> None:
    keyring = load_keyring(b64(KEY_2), tmp_path / "missing.key")
    assert keyring == Keyring({1: KEY_2})


def test_url_safe_base64_is_accepted() -> None:
    key = bytes([0xFB, 0xFF] * 16)  # encodes with - and _ in the URL-safe alphabet
    assert load_keyring(base64.urlsafe_b64encode(key).decode(), None) == Keyring({1: key})


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "no root key is configured"),
        ("not base64!!", "not valid base64"),
        (base64.b64encode(b"short").decode(), "decodes to 5 bytes, expected 32"),
        (f"x:{b64(KEY_1)}", "numeric key id"),
        (f"0:{b64(KEY_1)}", "outside 1..65535"),
        (f"1:{b64(KEY_1)},1:{b64(KEY_2)}", "repeats key id 1"),
    ],
)
def test_malformed_environment_key_is_refused_with_a_reason(value: str, problem: str) -> None:
    with pytest.raises(KeyUnavailableError, match=problem):
        load_keyring(value, None)


def test_a_bad_key_is_never_echoed_in_the_error() -> None:
    secret = b64(KEY_1)[:-4] + "@@@@"
    with pytest.raises(KeyUnavailableError) as caught:
        parse_root_key(f"1:{secret}")
    assert secret not in str(caught.value)
    assert secret[:10] not in str(caught.value)


def test_missing_key_error_says_how_to_provide_one() -> None:
    with pytest.raises(KeyUnavailableError) as caught:
        load_keyring(None, None)
    message = str(caught.value)
    assert "CASEWORK_ROOT_KEY" in message
    assert "CASEWORK_KEY_FILE" in message
    assert "flask --app wsgi casework init" in message


def test_repr_and_str_hold_no_key_material() -> None:
    keyring = Keyring({1: KEY_1, 2: KEY_2})
    for text in (repr(keyring), str(keyring), f"{keyring}"):
        assert "key_ids=[1, 2]" in text
        for key in (KEY_1, KEY_2):
            assert b64(key) not in text
            assert key.hex() not in text
            assert repr(key) not in text


def test_keyring_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Keyring({1: KEY_1}))


@pytest.mark.parametrize(
    ("keys", "kwargs"),
    [
        ({}, {}),
        ({1: KEY_1[:31]}, {}),
        ({0: KEY_1}, {}),
        ({70000: KEY_1}, {}),
        ({1: KEY_1}, {"active_id": 2}),
        ({1: KEY_1}, {"index_key_id": 2}),
    ],
)
def test_inconsistent_keyring_is_refused(keys: dict[int, bytes], kwargs: dict[str, int]) -> None:
    with pytest.raises(CryptoError):
        Keyring(keys, **kwargs)


def test_each_column_and_key_id_gets_its_own_derived_key() -> None:
    keyring = Keyring({1: KEY_1, 2: KEY_2})
    derived = {
        keyring.field_key(1, "person", "full_name"),
        keyring.field_key(1, "person", "address"),
        keyring.field_key(1, "contact", "full_name"),
        keyring.field_key(2, "person", "full_name"),
    }
    assert len(derived) == 4
    assert KEY_1 not in derived


def test_derived_keys_are_stable() -> None:
    assert Keyring({1: KEY_1}).field_key(1, "person", "full_name") == Keyring({1: KEY_1}).field_key(
        1, "person", "full_name"
    )


def test_names_with_the_separator_are_refused() -> None:
    with pytest.raises(CryptoError):
        Keyring({1: KEY_1}).field_key(1, "person|x", "full_name")


def test_blind_index_key_does_not_change_when_a_key_is_added() -> None:
    before = Keyring({1: KEY_1})
    after = Keyring({1: KEY_1, 2: KEY_2})
    assert before.index_key("person.national_id") == after.index_key("person.national_id")
    assert before.index_key("person.national_id") != before.index_key("person.phone")


def test_fingerprint_identifies_a_key_without_revealing_it() -> None:
    keyring = Keyring({1: KEY_1, 2: KEY_2})
    assert keyring.fingerprint(1) == Keyring({1: KEY_1}).fingerprint(1)
    assert keyring.fingerprint(1) != keyring.fingerprint(2)
    assert keyring.fingerprint(1) not in KEY_1.hex()
