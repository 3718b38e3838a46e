"""Benchmark of bulk intake: a 10,000-row handover list imported on SQLite, through the API.

    python bench/import_bench.py               # 10,000 rows
    python bench/import_bench.py --rows 2000   # a smaller list

A fresh SQLite database in a temporary directory, migrated; one province with one commune and
one social worker; 200 cases already open. The list is synthetic (Faker vi_VN names and
addresses, valid 12-digit CCCD numbers, Vietnamese mobile numbers); 2% of its rows are people
who already have a case, so the duplicate check through the blind index finds them. The list is
posted to ``POST /api/v1/imports`` as a CSV, once as a dry run and once for real (all or
nothing), with field encryption, blind indexes, duplicate search, history rows and the audit
chain — the same path as production. Prints a table of seconds.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "benchmark passphrase 2026"
UNITS = [
    {
        "Code": "01",
        "FullName": "Thành phố Hà Nội",
        "Wards": [{"Code": "00004", "FullName": "Phường Ba Đình", "ProvinceCode": "01"}],
    }
]
HEADER = [
    "STT",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Số CCCD",
    "Số điện thoại",
    "Địa chỉ",
    "Ngày hoàn thành cai nghiện",
    "Hình thức cai",
]
PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "032", "033", "035", "038", "086")


def cccd(rng: random.Random, sex: str, year: int) -> str:
    """A well-formed CCCD: province code, century-and-sex digit, year of birth, 6 digits."""
    century_sex = (0 if sex == "male" else 1) + (2 if year >= 2000 else 0)
    province = rng.choice(("001", "031", "079", "048"))
    return f"{province}{century_sex}{year % 100:02d}{rng.randrange(10**6):06d}"


def people(n: int, seed: int) -> list[dict[str, str]]:
    from faker import Faker

    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    seen: set[str] = set()
    out = []
    while len(out) < n:
        sex = rng.choice(("male", "female"))
        year = rng.randint(1965, 2006)
        national_id = cccd(rng, sex, year)
        if national_id in seen:
            continue
        seen.add(national_id)
        out.append(
            {
                "full_name": fake.name_male() if sex == "male" else fake.name_female(),
                "sex": sex,
                "dob": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
                "national_id": national_id,
                "phone": rng.choice(PREFIXES) + f"{rng.randrange(10**7):07d}",
                "address": fake.street_address().replace("\n", ", "),
            }
        )
    return out


def handover_csv(rows: list[dict[str, str]], seed: int) -> bytes:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for number, person in enumerate(rows, start=1):
        writer.writerow(
            [
                number,
                person["full_name"],
                "Nam" if person["sex"] == "male" else "Nữ",
                person["dob"],
                person["national_id"],
                person["phone"],
                person["address"],
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025",
                rng.choice(("Tự nguyện", "Bắt buộc", "Điều trị thay thế")),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def build_app(directory: Path):  # noqa: ANN201
    from flask_migrate import upgrade

    from casework import create_app
    from casework.accounts.operations import create_user
    from casework.crypto import app_holder
    from casework.crypto.registration import register_keys
    from casework.extensions import db
    from casework.units.loader import load_units

    environ = {
        "DATABASE_URL": f"sqlite:///{directory / 'bench.db'}",
        "CASEWORK_ENV": "development",
        "CASEWORK_ROOT_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SECRET_KEY": "bench-secret-not-for-production",
        "CASEWORK_LOG_LEVEL": "WARNING",
    }
    app = create_app(
        {
            "INSTANCE_PATH": directory / "instance",
            "ENVIRON": environ,
            "RATELIMIT_ENABLED": False,
            "CASEWORK_IMPORT_MAX_ROWS": 100_000,
        }
    )
    with app.app_context():
        upgrade()
        register_keys(db.session, app_holder(app).get())  # as `casework init`
        load_units(db.session, UNITS)
        create_user(db.session, "worker", PASSWORD, roles=["social_worker"], unit_code="00004")
        db.session.commit()
        db.session.remove()
    return app


def login(app):  # noqa: ANN001, ANN201
    client = app.test_client()
    response = client.post("/api/v1/auth/login", json={"username": "worker", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return client, {"X-CSRF-Token": response.get_json()["csrf_token"]}


def post_list(client, headers, data: bytes, dry_run: bool):  # noqa: ANN001, ANN201
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import stream_encode_multipart

    stream, _length, boundary = stream_encode_multipart(
        {
            "case_type": "post_rehab",
            "unit": "00004",
            "dry_run": "true" if dry_run else "false",
            "file": FileStorage(io.BytesIO(data), "danh-sach.csv"),
        },
        use_tempfile=False,
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    response = client.post(
        "/api/v1/imports",
        data=stream.read(),
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assert response.status_code == 201, response.get_json()
    return elapsed, cpu, response.get_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        client, headers = login(app)
        existing = 200
        population = people(args.rows + existing, args.seed)
        already_open, fresh = population[:existing], population[existing:]
        for person in already_open:
            body = {
                "case_type": "post_rehab",
                "unit": "00004",
                "person": {
                    "full_name": person["full_name"],
                    "sex": person["sex"],
                    "national_id": person["national_id"],
                    "phone": person["phone"],
                },
            }
            assert client.post("/api/v1/cases", json=body, headers=headers).status_code == 201
        duplicates = args.rows // 50
        listed = fresh[: args.rows - duplicates] + already_open[:duplicates]
        random.Random(args.seed).shuffle(listed)
        data = handover_csv(listed, args.seed)

        dry_seconds, dry_cpu, dry = post_list(client, headers, data, dry_run=True)
        commit_seconds, commit_cpu, done = post_list(client, headers, data, dry_run=False)

    print(
        f"bulk intake of a {args.rows:,}-row CSV ({len(data) / 1e6:.1f} MB) on SQLite, "
        f"{existing} cases already open"
    )
    print(f"{'step':<26}{'wall s':>8}{'CPU s':>8}{'rows/s':>8}{'ok':>8}{'dup':>6}{'err':>6}")
    for label, seconds, cpu, report in (
        ("dry run (check only)", dry_seconds, dry_cpu, dry),
        ("commit (all or nothing)", commit_seconds, commit_cpu, done),
    ):
        print(
            f"{label:<26}{seconds:>8.2f}{cpu:>8.2f}{args.rows / seconds:>8.0f}"
            f"{report['rows_ok']:>8}"
            f"{report['rows_duplicate']:>6}{report['rows_error']:>6}"
        )
    print("(wall time includes waiting for the CPU on a shared machine; CPU is this process's own)")
    print(f"target: commit ≤ 15 s — {'met' if commit_seconds <= 15 else 'NOT met'}")


if __name__ == "__main__":
    main()
