"""A copy of the database reveals nothing about who the people are.

The test seeds cases through the API with distinctive personal data, then reads the raw
database — every byte of the SQLite files, or every column of every table on PostgreSQL cast to
text — and looks for each sensitive string (with and without Vietnamese diacritics, and in the
encodings a careless implementation would leave behind).
"""

from __future__ import annotations

import base64
import unicodedata
from pathlib import Path

from sqlalchemy import inspect, text

from casework.extensions import db
from tests.conftest import case_body, make_app

SENSITIVE = {
    "full_name": "Phạm Thị Xuân Quỳnh",
    "aliases": "Quỳnh Bé",
    "national_id": "031195008642",
    "phone": "0987001234",
    "address": "Số 17 ngõ Hoà Bình, phường Ba Đình",
    "family_contacts": "Mẹ: Đỗ Thị Lành 0912000111",
    "health_notes": "Điều trị methadone tại Trung tâm Y tế",
    "justice_notes": "Án 3 năm tội tàng trữ",
}
REFERRAL_NOTE = "Biên phòng Lào Cai bàn giao lúc 2 giờ sáng"


def _variants(value: str) -> list[bytes]:
    stripped = (
        "".join(c for c in unicodedata.normalize("NFD", value) if unicodedata.category(c) != "Mn")
        .replace("đ", "d")
        .replace("Đ", "D")
    )
    out = []
    for candidate in {value, stripped, unicodedata.normalize("NFD", value)}:
        out += [
            candidate.encode("utf-8"),
            candidate.encode("utf-16-le"),
            base64.b64encode(candidate.encode()),
        ]
    return out


def _dump(app) -> bytes:
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # The main file plus its write-ahead log: together they hold every committed byte.
            path = Path(db.engine.url.database)
            return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        chunks = []
        for table in inspect(db.engine).get_table_names():
            for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
        return b"\n".join(chunks)


def test_no_sensitive_value_is_stored_in_the_clear(world):
    api = world.client_for("worker_a")
    body = case_body(case_type="trafficking_victim", **SENSITIVE)
    body["person"]["date_of_birth"] = "1995-02-14"
    body["referral_note"] = REFERRAL_NOTE
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201
    case = response.get_json()
    assert case["person"]["full_name"] == SENSITIVE["full_name"]  # readable through the app
    fired = api.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json={
            "event": "suspend",
            "suspension_reason": "other",
            "reason": "Chuyển đến nhà tạm lánh Hoà Bình",
        },
    )
    assert fired.status_code == 200, fired.get_json()
    dump = _dump(world.app)
    # The dump does see plain data (unit names, codes): the search below can find text.
    assert "Phường Ba Đình".encode() in dump and b"trafficking_victim" in dump
    for name, value in [
        *SENSITIVE.items(),
        ("referral_note", REFERRAL_NOTE),
        ("reason", "nhà tạm lánh Hoà Bình"),
        ("dob", "1995-02-14"),
    ]:
        for variant in _variants(value):
            assert variant not in dump, f"{name} found in the raw database"


def test_without_the_key_the_service_fails_closed(tmp_path, migrated):
    app = make_app(tmp_path, migrated, environ={"CASEWORK_ROOT_KEY": ""})
    response = app.test_client().get("/api/v1/cases")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == "encryption_key_unavailable"
    assert "CASEWORK_ROOT_KEY" in body["message"]


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_sqlite_database_and_its_log_files_are_readable_by_their_owner_only(tmp_path):
    # Whatever the test database is, the embedded default (a SQLite file in instance/) is what
    # a fresh install runs: it holds password hashes, sessions and the audit trail.
    database = tmp_path / "instance" / "casework.db"
    database.parent.mkdir()
    app = make_app(tmp_path, f"sqlite:///{database}")
    with app.app_context():
        db.session.execute(text("CREATE TABLE probe (x INTEGER)"))
        db.session.execute(text("INSERT INTO probe VALUES (1)"))
        db.session.commit()
        files = [p for p in database.parent.iterdir() if p.name.startswith("casework.db")]
        assert {p.name for p in files} >= {"casework.db", "casework.db-wal", "casework.db-shm"}
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_an_existing_world_readable_sqlite_database_is_tightened_on_connect(tmp_path):
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    database.chmod(0o644)  # as sqlite3 made it before this fix, whatever the umask
    wal = tmp_path / "old.db-wal"
    wal.touch()
    wal.chmod(0o644)
    app = make_app(tmp_path, f"sqlite:///{database}")
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    assert _mode(database) == 0o600
    assert _mode(wal) == 0o600
