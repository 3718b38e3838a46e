"""Encryption cost (issue 3): microseconds per field, and what it costs a case read over the API.

    python bench/crypto.py [--reads 400]

Part 1 times encrypt/decrypt of a 200-character Vietnamese field and a blind index
(bench/crypto_micro.py). Part 2 reads the same cases through the API (in-process test client,
SQLite) twice in one run: with field encryption as shipped, and with encryption switched off —
the ORM's encrypt/decrypt replaced by a plain UTF-8 copy — on an identically seeded database.
The difference is the share of read throughput that encryption costs (target ≤ 10%).
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@contextmanager
def encryption_switched_off():
    """Replace the ORM's cipher with a plain copy (the benchmark's 'off' arm only)."""
    from casework.crypto import orm

    real = orm.encrypt_value, orm.decrypt_value
    orm.encrypt_value = lambda keyring, text, table, column, row_id: text.encode()
    orm.decrypt_value = lambda keyring, blob, table, column, row_id: bytes(blob).decode()
    try:
        yield
    finally:
        orm.encrypt_value, orm.decrypt_value = real


def world(tmp: Path, cases: int):  # noqa: ANN201
    os.environ.update(
        {
            "CASEWORK_ENV": "development",
            "CASEWORK_LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{tmp}/c.db",
            "SECRET_KEY": "bench" * 10,
            "CASEWORK_ROOT_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
    )
    from flask_migrate import upgrade

    from casework import create_app
    from casework.accounts.operations import create_user
    from casework.accounts.tokens import create_token
    from casework.crypto import app_holder
    from casework.crypto.registration import register_keys
    from casework.extensions import db
    from casework.units.loader import PACKAGED_UNITS, load_units, read_file
    from tests.conftest import case_body

    app = create_app({"INSTANCE_PATH": tmp})
    with app.app_context():
        upgrade()
        register_keys(db.session, app_holder(app).get())  # as `casework init`
        load_units(db.session, read_file(PACKAGED_UNITS))
        user = create_user(
            db.session,
            "reader",
            "many-quiet-rivers-2026",
            roles=["social_worker"],
            unit_code="00004",
        )
        token = create_token(db.session, user, "bench", 1)[1]
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    ids = []
    for i in range(cases):
        body = case_body(
            national_id=f"0011940{i:05d}",
            phone=f"09{i:08d}",
            address="Số 12 ngõ 34 phố Đội Cấn, phường Ba Đình, Hà Nội",
            family_contacts="Mẹ: Trần Thị Lan, 0912 000 111; anh trai: Nguyễn Văn Nam",
            health_notes="Điều trị methadone tại trung tâm y tế phường; tái khám hằng tháng",
            justice_notes="Chấp hành xong án 3 năm, đã được cấp giấy chứng nhận",
            aliases="Hoa Bé",
        )
        body["referral_note"] = "Công an phường bàn giao sau khi hoàn thành cai nghiện tự nguyện"
        ids.append(client.post("/api/v1/cases", json=body, headers=headers).get_json()["id"])
    return client, headers, ids


def read_rate(client, headers, ids, reads: int) -> float:  # noqa: ANN001
    for case_id in ids[:20]:
        client.get(f"/api/v1/cases/{case_id}", headers=headers)
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        for i in range(reads):
            response = client.get(f"/api/v1/cases/{ids[i % len(ids)]}", headers=headers)
            assert response.status_code == 200
        samples.append(reads / (time.perf_counter() - start))
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=400)
    parser.add_argument("--cases", type=int, default=100)
    args = parser.parse_args()
    from bench import crypto_micro

    crypto_micro.main()
    with tempfile.TemporaryDirectory() as on_dir:
        client, headers, ids = world(Path(on_dir), args.cases)
        with_crypto = read_rate(client, headers, ids, args.reads)
    with tempfile.TemporaryDirectory() as off_dir, encryption_switched_off():
        client, headers, ids = world(Path(off_dir), args.cases)
        without = read_rate(client, headers, ids, args.reads)
    cost = (without - with_crypto) / without * 100
    print("\nCase read over the API (in-process, SQLite, 10 encrypted fields per case)")
    print("| arm | reads/s |\n|---|---|")
    print(f"| encryption on | {with_crypto:.0f} |\n| encryption off | {without:.0f} |")
    print(f"\nencryption costs {cost:.1f}% of read throughput (target ≤ 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
