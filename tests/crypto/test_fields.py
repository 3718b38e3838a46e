"""Specification of one encrypted value: confidential, authenticated, bound to its place."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.crypto import DecryptionError, Keyring, decrypt_value, encrypt_value, key_id_of
from casework.crypto.fields import HEADER_BYTES, NONCE_BYTES, TAG_BYTES

from .conftest import KEY_1, KEY_2

KEYRING = Keyring({1: KEY_1})
ROW = uuid.UUID("00000000-0000-4000-8000-000000000001")
OTHER_ROW = uuid.UUID("00000000-0000-4000-8000-000000000002")
NAME = "Nguyễn Thị Hồng Nhung"


def seal(text: str = NAME, row: uuid.UUID = ROW) -> bytes:
    return encrypt_value(KEYRING, text, "person", "full_name", row)


def test_value_round_trips() -> None:
    assert decrypt_value(KEYRING, seal(), "person", "full_name", ROW) == NAME


def test_empty_string_round_trips() -> None:
    assert decrypt_value(KEYRING, seal(""), "person", "full_name", ROW) == ""


@given(st.text())
def test_any_unicode_text_round_trips(text: str) -> None:
    assert decrypt_value(KEYRING, seal(text), "person", "full_name", ROW) == text


def test_stored_form_is_version_key_id_nonce_ciphertext_and_tag() -> None:
    blob = seal()
    assert blob[0] == 1
    assert int.from_bytes(blob[1:3], "big") == 1
    assert len(blob) == HEADER_BYTES + NONCE_BYTES + len(NAME.encode()) + TAG_BYTES
    assert NAME.encode() not in blob


def test_same_plaintext_twice_gives_different_ciphertexts() -> None:
    assert seal() != seal()


def test_new_values_use_the_active_key() -> None:
    keyring = Keyring({1: KEY_1, 2: KEY_2})
    blob = encrypt_value(keyring, NAME, "person", "full_name", ROW)
    assert key_id_of(blob) == 2


def test_older_keys_still_decrypt_after_a_key_is_added() -> None:
    keyring = Keyring({1: KEY_1, 2: KEY_2})
    assert decrypt_value(keyring, seal(), "person", "full_name", ROW) == NAME


def test_ciphertext_moved_to_another_row_fails_to_decrypt() -> None:
    with pytest.raises(DecryptionError):
        decrypt_value(KEYRING, seal(), "person", "full_name", OTHER_ROW)


def test_ciphertext_moved_to_another_column_fails_to_decrypt() -> None:
    with pytest.raises(DecryptionError):
        decrypt_value(KEYRING, seal(), "person", "address", ROW)


def test_ciphertext_moved_to_another_table_fails_to_decrypt() -> None:
    with pytest.raises(DecryptionError):
        decrypt_value(KEYRING, seal(), "family_contact", "full_name", ROW)


def test_table_and_column_boundaries_are_unambiguous() -> None:
    blob = encrypt_value(KEYRING, NAME, "ab", "c", ROW)
    with pytest.raises(DecryptionError):
        decrypt_value(KEYRING, blob, "a", "bc", ROW)


def test_a_flipped_bit_in_any_byte_fails_to_decrypt() -> None:
    blob = seal("HIV+")
    for position in range(len(blob)):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt_value(KEYRING, bytes(tampered), "person", "full_name", ROW)


def test_truncated_ciphertext_fails_to_decrypt() -> None:
    with pytest.raises(DecryptionError, match="too short"):
        decrypt_value(KEYRING, seal("")[:-1], "person", "full_name", ROW)


def test_wrong_key_fails_to_decrypt() -> None:
    with pytest.raises(DecryptionError, match="authentication failed"):
        decrypt_value(Keyring({1: KEY_2}), seal(), "person", "full_name", ROW)


def test_unknown_key_id_is_named_in_the_error() -> None:
    blob = encrypt_value(Keyring({1: KEY_1, 2: KEY_2}), NAME, "person", "full_name", ROW)
    with pytest.raises(DecryptionError, match="key id 2 is not in the keyring") as caught:
        decrypt_value(KEYRING, blob, "person", "full_name", ROW)
    assert caught.value.key_id == 2


def test_decryption_error_names_the_place_and_never_the_value_or_key() -> None:
    with pytest.raises(DecryptionError) as caught:
        decrypt_value(KEYRING, seal(), "person", "full_name", OTHER_ROW)
    message = str(caught.value)
    assert "person.full_name" in message
    assert str(OTHER_ROW) in message
    assert NAME not in message
    assert KEY_1.hex() not in message
    assert (caught.value.table, caught.value.column, caught.value.row_id) == (
        "person",
        "full_name",
        OTHER_ROW,
    )


def test_unknown_format_version_fails_to_decrypt() -> None:
    blob = bytearray(seal())
    blob[0] = 3  # 2 is the person-data-key marker (test_person_keys.py)
    with pytest.raises(DecryptionError, match="format version 3"):
        decrypt_value(KEYRING, bytes(blob), "person", "full_name", ROW)


def test_only_text_is_encrypted() -> None:
    with pytest.raises(TypeError):
        encrypt_value(KEYRING, b"bytes", "person", "full_name", ROW)  # type: ignore[arg-type]


def test_row_id_must_be_a_uuid() -> None:
    with pytest.raises(TypeError):
        encrypt_value(KEYRING, NAME, "person", "full_name", str(ROW))  # type: ignore[arg-type]


def test_key_id_is_read_without_decrypting() -> None:
    keyring = Keyring({1: KEY_1, 7: KEY_2})
    assert key_id_of(encrypt_value(keyring, "x", "person", "note", ROW)) == 7
    assert key_id_of(memoryview(seal())) == 1
