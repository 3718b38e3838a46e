"""Specification of which keyring is in force: the app's, or one set explicitly; never none."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from casework.crypto import (
    Keyring,
    KeyUnavailableError,
    add_key_to_file,
    current_keyring,
    generate_key_file,
    init_app,
    keyring_available,
    require_keyring,
    use_keyring,
)

from .conftest import KEY_1, KEY_2
from .test_keyring import b64


@pytest.fixture(autouse=True)
def _no_explicit_keyring() -> Iterator[None]:
    with use_keyring(None):
        yield


def make_app(**config: object) -> Flask:
    app = Flask(__name__)
    app.config.update({"CASEWORK_ROOT_KEY": None, "CASEWORK_KEY_FILE": None, **config})
    init_app(app)
    return app


def test_app_uses_its_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "casework.key"
    generate_key_file(key_file)
    app = make_app(CASEWORK_KEY_FILE=str(key_file))
    with app.app_context():
        assert current_keyring().key_ids == (1,)
    assert keyring_available(app)
    assert require_keyring(app).active_id == 1


def test_running_app_picks_up_a_key_added_to_its_file(tmp_path: Path) -> None:
    key_file = tmp_path / "casework.key"
    generate_key_file(key_file)
    app = make_app(CASEWORK_KEY_FILE=key_file)
    with app.app_context():
        assert current_keyring().active_id == 1
        add_key_to_file(key_file)
        assert current_keyring().active_id == 2
        assert current_keyring() is current_keyring()  # unchanged file: no reload


def test_app_environment_key_wins_over_the_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "casework.key"
    generate_key_file(key_file)
    app = make_app(CASEWORK_ROOT_KEY=f"1:{b64(KEY_1)},2:{b64(KEY_2)}", CASEWORK_KEY_FILE=key_file)
    with app.app_context():
        assert current_keyring() == Keyring({1: KEY_1, 2: KEY_2})


def test_app_without_a_key_starts_but_refuses_to_encrypt(tmp_path: Path) -> None:
    app = make_app(CASEWORK_KEY_FILE=tmp_path / "casework.key")
    assert not keyring_available(app)
    with pytest.raises(KeyUnavailableError, match="flask --app wsgi casework init"):
        require_keyring(app)
    with app.app_context(), pytest.raises(KeyUnavailableError):
        current_keyring()


def test_app_key_file_created_after_start_is_used(tmp_path: Path) -> None:
    # `flask casework init` runs in another process while the app object already exists.
    key_file = tmp_path / "casework.key"
    app = make_app(CASEWORK_KEY_FILE=key_file)
    assert not keyring_available(app)
    generate_key_file(key_file)
    assert keyring_available(app)


def test_app_with_a_malformed_environment_key_refuses_to_start() -> None:
    app = make_app(CASEWORK_ROOT_KEY="not a key")
    with pytest.raises(KeyUnavailableError, match="not valid base64"):
        require_keyring(app)


def test_app_keeps_loaded_keys_when_the_key_file_becomes_unusable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "casework.key"
    generate_key_file(key_file)
    app = make_app(CASEWORK_KEY_FILE=key_file)
    loaded = require_keyring(app)
    key_file.chmod(0o644)
    with caplog.at_level(logging.ERROR, logger="casework.crypto.holder"):
        assert require_keyring(app) is loaded
    assert "readable by every user" in caplog.text


def test_app_that_never_ran_init_app_has_no_keyring() -> None:
    with pytest.raises(KeyUnavailableError, match="init_app"):
        require_keyring(Flask(__name__))


def test_outside_an_app_there_is_no_keyring_unless_one_is_set() -> None:
    with pytest.raises(KeyUnavailableError, match="use_keyring"):
        current_keyring()


def test_use_keyring_applies_inside_the_block_and_restores_after() -> None:
    keyring = Keyring({1: KEY_1})
    with use_keyring(keyring) as active:
        assert active is keyring
        assert current_keyring() is keyring
    with pytest.raises(KeyUnavailableError):
        current_keyring()


def test_use_keyring_also_works_as_a_plain_setter() -> None:
    keyring = Keyring({1: KEY_1})
    use_keyring(keyring)
    assert current_keyring() is keyring


def test_the_apps_keyring_wins_inside_its_app_context(tmp_path: Path) -> None:
    app = make_app(CASEWORK_ROOT_KEY=b64(KEY_2))
    with use_keyring(Keyring({1: KEY_1})), app.app_context():
        assert current_keyring() == Keyring({1: KEY_2})


def test_a_bare_app_context_falls_back_to_the_explicit_keyring() -> None:
    keyring = Keyring({1: KEY_1})
    with use_keyring(keyring), Flask(__name__).app_context():
        assert current_keyring() is keyring
