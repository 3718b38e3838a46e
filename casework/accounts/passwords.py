"""Password policy and hashing (argon2id, argon2-cffi's defaults).

NIST SP 800-63B's advice: at least 10 characters, long passphrases allowed (up to 128), no
composition rules, refuse passwords found on a list of common ones.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 128
_hasher = PasswordHasher()
_COMMON_LIST = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with _COMMON_LIST.open(encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problems(password: str, username: str | None = None) -> list[str]:
    """Why ``password`` is refused (empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append("too common: it appears on lists of leaked passwords")
    if username and username.lower() in lowered:
        problems.append("must not contain the username")
    return problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches. An account without a usable password (waiting for its
    enrolment code) takes as long to refuse as any other, so a login attempt cannot tell it."""
    if not stored_hash.startswith("$argon2"):
        burn_time()
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with older parameters than the current defaults."""
    return _hasher.check_needs_rehash(stored_hash)


_DUMMY_HASH = _hasher.hash("casework-dummy-password")


def burn_time() -> None:
    """Spend as long as a real verification, so an unknown user answers as slowly as a known one."""
    verify_password(_DUMMY_HASH, "not-the-password")
