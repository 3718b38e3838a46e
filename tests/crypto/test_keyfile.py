"""Specification of the local key file: created private, never overwritten, refused if exposed."""

from __future__ import annotations

import json
import logging
import os
import stat
import uuid
from pathlib import Path

import pytest

from casework.crypto import (
    KeyUnavailableError,
    add_key_to_file,
    decrypt_value,
    encrypt_value,
    generate_key_file,
    load_keyring,
)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "instance" / "casework.key"
    generate_key_file(path)
    return path


def test_generated_key_file_has_mode_0600(key_file: Path) -> None:
    assert mode_of(key_file) == 0o600


def test_generated_key_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        generate_key_file(tmp_path / "k.key")
    finally:
        os.umask(previous)
    assert mode_of(tmp_path / "k.key") == 0o600


def test_generated_key_file_loads_as_key_1(key_file: Path) -> None:
    keyring = load_keyring(None, key_file)
    assert keyring.key_ids == (1,)
    assert keyring.active_id == keyring.index_key_id == 1


def test_generated_key_file_records_active_and_index_key(key_file: Path) -> None:
    document = json.loads(key_file.read_text())
    assert document["active"] == 1
    assert document["index_key"] == 1
    assert set(document["keys"]) == {"1"}


def test_two_installs_get_different_keys(tmp_path: Path) -> None:
    generate_key_file(tmp_path / "a.key")
    generate_key_file(tmp_path / "b.key")
    assert load_keyring(None, tmp_path / "a.key") != load_keyring(None, tmp_path / "b.key")


def test_generate_refuses_to_overwrite_an_existing_key_file(key_file: Path) -> None:
    before = key_file.read_bytes()
    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        generate_key_file(key_file)
    assert key_file.read_bytes() == before


def test_generate_leaves_no_temporary_files(key_file: Path) -> None:
    assert [p.name for p in key_file.parent.iterdir()] == ["casework.key"]


def test_added_key_becomes_active_and_old_values_still_decrypt(key_file: Path) -> None:
    row = uuid.uuid4()
    old = encrypt_value(load_keyring(None, key_file), "Lê Văn Tám", "person", "full_name", row)

    assert add_key_to_file(key_file) == 2

    keyring = load_keyring(None, key_file)
    assert keyring.key_ids == (1, 2)
    assert keyring.active_id == 2
    assert keyring.index_key_id == 1
    assert decrypt_value(keyring, old, "person", "full_name", row) == "Lê Văn Tám"
    assert mode_of(key_file) == 0o600
    assert add_key_to_file(key_file) == 3


def test_world_readable_key_file_is_refused(key_file: Path) -> None:
    key_file.chmod(0o644)
    with pytest.raises(KeyUnavailableError, match="readable by every user") as caught:
        load_keyring(None, key_file)
    message = str(caught.value)
    assert f"chmod 600 {key_file}" in message
    for key in json.loads(key_file.read_text())["keys"].values():
        assert key not in message


def test_adding_a_key_to_a_world_readable_file_is_refused(key_file: Path) -> None:
    key_file.chmod(0o604)
    with pytest.raises(KeyUnavailableError):
        add_key_to_file(key_file)


def test_group_readable_key_file_loads_with_a_warning(
    key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file.chmod(0o640)
    with caplog.at_level(logging.WARNING, logger="casework.crypto.keyfile"):
        load_keyring(None, key_file)
    assert "readable by its group" in caplog.text


def test_missing_key_file_error_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(KeyUnavailableError) as caught:
        load_keyring(None, tmp_path / "none.key")
    message = str(caught.value)
    assert "does not exist" in message
    assert "flask --app wsgi casework init" in message
    assert "CASEWORK_ROOT_KEY" in message


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"active": 1}', 'no "keys" object'),
        ('{"keys": {}}', "holds no keys"),
        ('{"keys": {"1": "AAAA"}}', "decodes to 3 bytes"),
        ('{"active": 2, "keys": {"1": "' + "A" * 43 + '="}}', '"active" is 2'),
    ],
)
def test_malformed_key_file_is_refused(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.key"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(KeyUnavailableError, match=problem):
        load_keyring(None, path)
