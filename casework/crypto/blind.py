"""Blind indexes: finding a person by national ID (CCCD) or phone without storing either.

``blind_index`` is HMAC-SHA256 of the normalised value under a key derived for that index,
truncated to ``BLIND_INDEX_BITS`` = 16 bits, stored in a plain indexed integer column. A lookup
selects the rows with the same value, decrypts them and keeps the true matches.

Why 16 bits. The index is a deliberately bad hash: 65,536 buckets shared by everyone.

- Lookups stay cheap. With N people a lookup returns about N / 65,536 candidates: ~15 for
  1 million people, ~153 for 10 million, before the unit-scope filter that every query carries
  (a province or commune holds a small fraction of them). Decrypting a candidate takes a few
  microseconds, so even the national worst case is well under a millisecond of crypto.
- A stolen database cannot be used to link or count. With 1 million rows every index value is
  shared by ~15 unrelated people, so two rows with equal values are almost always different
  people: equal values do not show that a person was registered twice, in two provinces, or as
  both a trafficking and a drug-rehab case, and the number of distinct values says nothing
  about the number of distinct IDs (nearly all 65,536 values are used).
- Even with the HMAC key leaked, a guessed ID cannot be confirmed. The attacker computes its
  index value and finds ~15 rows (1M) or ~153 rows (10M) under it, as they would for any made-up
  ID: at 1M the chance that a bucket is empty is e^-15.3 ≈ 2·10^-7, so "someone has this value"
  is true for virtually every guess. Enumerating all 10^12 CCCD numbers does not help either:
  each value is shared by ~15 million possible IDs.
- Longer indexes (32+ bits) would make each value nearly unique, i.e. a pseudonymous ID that
  links rows and, with a leaked key, confirms membership by dictionary (CCCD numbers are
  structured: province, century/sex, birth year, 6 digits).

Limits of the argument: it needs a large population. A deployment with 1,000 people fills only
1.5% of the buckets, so with the key an attacker learns that a guessed ID is probably present
when its bucket is occupied. Protect the key regardless; the truncation is a second line.

Each index has its own key (the ``name``, by convention ``table.column``), so the same CCCD in
two tables gives unrelated values and the indexes cannot be joined. Blind indexes are derived
from the keyring's index key and do not change on rotation (see ``keyring``). Never put a blind
index on a low-cardinality value on its own (HIV status, sex): a few buckets would reveal it.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from casework.crypto.keyring import Keyring

BLIND_INDEX_BITS = 16
_INDEX_BYTES = (BLIND_INDEX_BITS + 7) // 8


def _ascii_digits(value: str) -> str:
    # NFKC turns full-width and other compatibility digits into ASCII ones.
    return "".join(ch for ch in unicodedata.normalize("NFKC", value) if "0" <= ch <= "9")


def normalise_national_id(value: str) -> str:
    """A national ID (CCCD/CMND) as digits only: spaces, dots and dashes are typing noise."""
    return _ascii_digits(value)


def normalise_phone(value: str) -> str:
    """A Vietnamese phone number in domestic form: digits, with +84 / 0084 / 84 made 0.

    ``+84 912 345 678``, ``0084912345678`` and ``0912.345.678`` all give ``0912345678``.
    A bare ``84…`` is the country code: domestic numbers always start with 0.
    """
    stripped = unicodedata.normalize("NFKC", value).strip()
    digits = _ascii_digits(stripped)
    if stripped.startswith("+") and digits.startswith("84"):
        return "0" + digits[2:]
    if digits.startswith("0084"):
        return "0" + digits[4:]
    if digits.startswith("84"):
        return "0" + digits[2:]
    return digits


def blind_index(keyring: Keyring, name: str, normalised: str) -> int:
    """The blind-index value (0..2^16-1) of an already normalised value for index ``name``."""
    mac = hmac.new(keyring.index_key(name), normalised.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(mac[:_INDEX_BYTES], "big") >> (8 * _INDEX_BYTES - BLIND_INDEX_BITS)
