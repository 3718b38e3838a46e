"""Micro-benchmark of field encryption: is per-field AES-GCM cheap enough to do on every read?

Prints microseconds per operation (median of many timed batches, after a warm-up) for a
200-character Vietnamese field, and for one blind-index computation. Run:

    python bench/crypto_micro.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casework.crypto import (  # noqa: E402 - after the path tweak for running from a checkout
    Keyring,
    blind_index,
    decrypt_value,
    encrypt_value,
    normalise_phone,
)

BATCH = 1_000
BATCHES = 50
WARM_UP_BATCHES = 5


def field_text(length: int = 200) -> str:
    """Vietnamese prose with its diacritics: most characters take 2-3 bytes in UTF-8."""
    sample = "Chị Nguyễn Thị Hương được hỗ trợ học nghề may và vay vốn để tái hòa nhập cộng đồng. "
    return (sample * (length // len(sample) + 1))[:length]


def per_call_microseconds(operation: Callable[[], object]) -> float:
    """Median over batches of the mean time per call, in microseconds."""
    for _ in range(WARM_UP_BATCHES * BATCH):
        operation()
    timings = []
    for _ in range(BATCHES):
        start = time.perf_counter_ns()
        for _ in range(BATCH):
            operation()
        timings.append((time.perf_counter_ns() - start) / BATCH / 1_000)
    return statistics.median(timings)


def main() -> None:
    keyring = Keyring({1: os.urandom(32)})
    row_id = uuid.uuid4()
    text = field_text()
    blob = encrypt_value(keyring, text, "person", "note", row_id)
    phone = normalise_phone("+84 912 345 678")

    rows = [
        ("encrypt", lambda: encrypt_value(keyring, text, "person", "note", row_id)),
        ("decrypt", lambda: decrypt_value(keyring, blob, "person", "note", row_id)),
        ("blind index", lambda: blind_index(keyring, "person.phone", phone)),
    ]
    print(
        f"field: {len(text)} characters, {len(text.encode())} bytes UTF-8, {len(blob)} bytes stored"
    )
    print(f"{'operation':<12} {'µs/op':>8}")
    for name, operation in rows:
        print(f"{name:<12} {per_call_microseconds(operation):>8.2f}")


if __name__ == "__main__":
    main()
