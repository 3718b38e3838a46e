"""Running an import: every row through the case schema and ``open_case``, then a report.

Dry run and commit do exactly the same work — the same schema, the same ``open_case`` with its
unit-scope check, history row, audit entry and duplicate search — so the dry run's report is
what the commit will do. The dry run opens the rows inside a SAVEPOINT that is rolled back (and
the audit entries those rows queued are dropped with it): no case or person is written, only the
import record holding the report. The duplicate lookups run before that SAVEPOINT (they write
nothing), so the identity probes they audit are kept, as for any other lookup. The commit keeps
the rows only if every row is clean; one bad row refuses the whole list (422) and the request's
transaction is rolled back, so nothing of it remains. Rows that match an existing person through
the blind index are imported as new cases and flagged (the same warning as ``POST /cases``, under
the same need-to-know rule): never merged, and the dry run shows them first so the worker can
take them out of the list.
"""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.scoping import unit_in_scope
from casework.audit import trail
from casework.cases.models import Case
from casework.cases.operations import new_reference, open_case, resolve_case_unit
from casework.cases.schemas import CaseCreateSchema
from casework.crypto.blind import normalise_national_id, normalise_phone
from casework.errors import Invalid, NotFound
from casework.people.disclosure import SearchResult
from casework.people.operations import Lookup, find_people_many
from casework.services.imports import report as report_files
from casework.services.imports.columns import (
    PERSON_FIELDS,
    CellError,
    Columns,
    convert,
    map_header,
)
from casework.services.imports.reading import read_sheet
from casework.services.models import CaseImport
from casework.unit_of_work import audit_failure
from casework.units.loader import current_unit_for
from casework.units.models import Unit

FLUSH_EVERY = 500

#: Where a list of each type usually comes from (``Case.referral_source``).
DEFAULT_SOURCE = {"post_rehab": "rehab_centre", "post_prison": "prison"}


@dataclass
class RowResult:
    row: int
    status: str  # ok | duplicate | error
    messages: dict[str, list[str]] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)  # references the importer may see
    elsewhere: bool = False  # a possible match the importer may not be shown (anywhere)
    reference: str | None = None  # of the case created (commit only)
    same_as_row: int | None = None  # an earlier row of this list with the same phone

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "status": self.status,
            "messages": self.messages,
            "duplicates": self.duplicates,
            "elsewhere": self.elsewhere,
            "same_as_row": self.same_as_row,
            "reference": self.reference,
        }


@dataclass
class Options:
    case_type: str
    unit: str
    dry_run: bool = True
    encoding: str | None = None
    referral_source: str | None = None
    filename: str | None = None


class ImportRefused(Invalid):
    """Some rows have errors: the commit imported nothing."""


def resolve_default_unit(session: Session, actor: Actor, code: str) -> Unit:
    """:raise Invalid: unknown unit, or outside the actor's area."""
    unit = current_unit_for(session, code)
    if unit is None:
        raise Invalid(errors={"unit": [_("Unknown unit code.")]})
    if not unit_in_scope(actor, unit, "case.create"):
        raise Invalid(errors={"unit": [_("This unit is outside your area.")]})
    return unit


def run_import(
    session: Session, actor: Actor, data: bytes, options: Options, *, max_rows: int
) -> CaseImport:
    """Check (dry run) or import (commit) a handover list; returns the stored import record.

    :raise Invalid: the file or its columns cannot be read, the default unit is wrong.
    :raise ImportRefused: a commit with rows in error (nothing imported).
    """
    unit = resolve_default_unit(session, actor, options.unit)
    sheet = read_sheet(data, encoding=options.encoding, max_rows=max_rows)
    columns = map_header(sheet.header, options.case_type)
    # Looked up before the dry run's SAVEPOINT: reading writes nothing, and the identity probes
    # the lookups audit must outlive its rollback (the report is what a probe was after).
    prepared, units = _look_up(session, actor, sheet.rows, columns, options)
    if options.dry_run:
        with _rolled_back(session):
            results = _open_all(session, actor, prepared, units)
        for result in results:
            result.reference = None  # those cases were never kept
    else:
        results = _open_all(session, actor, prepared, units)
        failed = [r for r in results if r.status == "error"]
        if failed:
            # Audited although the request (or command) rolls back: written after it.
            audit_failure(
                "import.commit",
                actor=actor,
                outcome="refused",
                case_type=options.case_type,
                rows_in_error=len(failed[:200]),
            )
            raise ImportRefused(
                _(
                    "%(n)d of %(total)d rows have errors: nothing was imported. Run a dry run "
                    "to get the report, correct the list and send it again.",
                    n=len(failed),
                    total=len(results),
                ),
                errors={"rows": {str(r.row): r.messages for r in failed[:200]}},
            )
    record = _store(session, actor, unit, options, results)
    trail.record(
        session,
        "import.commit" if not options.dry_run else "import.check",
        actor=actor,
        object_type="case_import",
        object_id=record.id,
        unit_path=unit.path,
        case_type=options.case_type,
        rows=record.rows_total,
        errors=record.rows_error,
        duplicates=record.rows_duplicate,
        imported=record.rows_imported,
    )
    return record


def get_import(session: Session, user: Actor, import_id: Any) -> CaseImport:
    """The importer's own import, or one of a unit the caller supervises; else 404."""
    try:
        key = import_id if isinstance(import_id, uuid.UUID) else uuid.UUID(str(import_id))
    except ValueError:
        raise NotFound() from None
    record = session.scalar(select(CaseImport).where(CaseImport.id == key))
    if record is None or not unit_in_scope(user, record.unit, "case.create"):
        raise NotFound()
    # Someone else's import is for the supervisors of its unit (``case.approve``).
    if record.created_by_id != user.id and not unit_in_scope(user, record.unit, "case.approve"):
        raise NotFound()
    return record


def download_report(
    session: Session, user: Actor, record: CaseImport, fmt: str
) -> tuple[bytes, str]:
    """The per-row report of ``record`` as ``fmt`` (csv/xlsx) and its mimetype; audited
    (``import.report_download``)."""
    body, mimetype = report_files.render(report_rows(record), fmt)
    trail.record(
        session,
        "import.report_download",
        actor=user,
        object_type="case_import",
        object_id=record.id,
        unit_path=record.unit.path,
        format=fmt,
    )
    return body, mimetype


@contextmanager
def _rolled_back(session: Session):  # noqa: ANN202 - a context manager
    """Run inside a SAVEPOINT that is always rolled back, audit entries included.

    The audit trail queues entries on the session and writes them at commit; what the dry run
    queued describes nothing that happened, so the queue is put back as it was before it.
    """
    mark = trail.pending_mark(session)
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        trail.discard_since(session, mark)


@dataclass
class _Prepared:
    """A row converted and validated, waiting for the lookups done once for the whole list."""

    result: RowResult
    body: dict[str, Any] | None  # the loaded case body; None when the row has errors already
    phone: str | None = None  # as read, compared with the rows opened before it
    duplicates: SearchResult | None = None


def _look_up(
    session: Session, actor: Actor, rows: Any, columns: Columns, options: Options
) -> tuple[list[_Prepared], dict[str, Unit | Invalid]]:
    """Passes 1 and 2 of an import: nothing is written, so a dry run runs them outside its
    SAVEPOINT.

    1. each row converted and validated; national IDs compared with the rows before it;
    2. what many rows share, looked up once for the list: each distinct unit code resolved once,
       and the duplicates of every valid row found with a few batched blind-index queries
       (``find_people_many``, which describes only what the importer may see and audits probes
       of hidden identities). Done per row inside ``open_case``, these two lookups were half
       the cost of an import.

    Duplicates are looked up before any row is written, so a match is always someone who already
    had a case, never another row of the same list (those are compared in passes 1 and 3).
    """
    prepared = _prepare(rows, columns, options, CaseCreateSchema())
    valid = [item for item in prepared if item.body is not None]
    with session.no_autoflush:
        units = _units(session, actor, {item.body["unit"] for item in valid if item.body})
        lookups = [
            Lookup(national_id=person.get("national_id"), phone=person.get("phone"))
            for person in (item.body["person"] for item in valid if item.body)
        ]
        found = find_people_many(session, actor, lookups, via="import")
        for item, duplicates in zip(valid, found, strict=True):
            item.duplicates = duplicates
    return prepared, units


def _open_all(
    session: Session, actor: Actor, prepared: list[_Prepared], units: dict[str, Unit | Invalid]
) -> list[RowResult]:
    """Pass 3: each valid row opened through ``open_case`` with its unit and duplicates handed
    in, the flushes batched; phones compared with the rows opened before it."""
    with session.no_autoflush:
        batched = _BatchedFlushes(session)
        seen_phones: dict[str, int] = {}
        references = _References()
        opened = 0
        for item in prepared:
            if item.body is None:
                continue
            _open(batched, actor, item, units, seen_phones, references)
            opened += 1
            if opened % FLUSH_EVERY == 0:
                references.settle(session)
                session.flush()
        references.settle(session)
        session.flush()
    return [item.result for item in prepared]


def _prepare(
    rows: Any, columns: Columns, options: Options, schema: CaseCreateSchema
) -> list[_Prepared]:
    """Pass 1: every row converted and loaded through the case schema, or its errors.

    The same national ID twice in one list is an error (one person, two cases from one
    handover); the second row is refused whatever else it holds.
    """
    prepared: list[_Prepared] = []
    seen_ids: dict[str, int] = {}
    for number, cells in rows:
        result = RowResult(row=number, status="ok")
        body = _body(cells, columns, options, result)
        national_id = body["person"].get("national_id")
        if national_id:
            key = normalise_national_id(str(national_id))
            if key in seen_ids:
                result.messages.setdefault("national_id", []).append(
                    _("The same national ID as row %(row)d.", row=seen_ids[key])
                )
            else:
                seen_ids[key] = number
        loaded = None
        if not result.messages:
            try:
                loaded = schema.load(body)
            except ValidationError as exc:
                result.messages.update(_flatten(exc.messages))
        if result.messages:
            result.status = "error"
            loaded = None
        prepared.append(_Prepared(result=result, body=loaded, phone=body["person"].get("phone")))
    return prepared


def _units(session: Session, actor: Actor, codes: set[str]) -> dict[str, Unit | Invalid]:
    """Pass 2: each unit code of the list resolved and checked once (a list has a handful)."""
    resolved: dict[str, Unit | Invalid] = {}
    for code in codes:
        try:
            resolved[code] = resolve_case_unit(session, actor, code)
        except Invalid as exc:
            resolved[code] = exc
    return resolved


class _References:
    """Case references kept unique across the list and against the database, batch by batch.

    ``new_reference`` draws 8 characters out of 32 (about 10^12 per year): a clash is rare, but
    one clash at a batch flush would fail the
    whole import on the unique index (a 500, nothing imported). Clashes inside the list are
    redrawn as each case is opened; clashes with stored cases with one query per batch.
    """

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.batch: list[tuple[Case, RowResult]] = []

    def claim(self, case: Case, result: RowResult) -> None:
        while case.reference in self.used:
            case.reference = new_reference(case.opened_on)
        self.used.add(case.reference)
        self.batch.append((case, result))
        result.reference = case.reference

    def settle(self, session: Session) -> None:
        """Redraw the references of this batch that a stored case already holds."""
        pending, self.batch = self.batch, []
        while pending:
            by_reference = {case.reference: (case, result) for case, result in pending}
            taken = session.scalars(
                select(Case.reference).where(Case.reference.in_(list(by_reference)))
            ).all()
            pending = []
            for reference in taken:
                case, result = by_reference[reference]
                while case.reference in self.used:
                    case.reference = new_reference(case.opened_on)
                self.used.add(case.reference)
                result.reference = case.reference
                pending.append((case, result))


class _BatchedFlushes:
    """The session as ``open_case`` sees it during an import: its flush after each row waits.

    ``open_case`` flushes the case it opened (one INSERT per table per row). For a list of
    thousands that per-row round trip is most of the cost, so the import flushes every
    ``FLUSH_EVERY`` rows instead, and the ORM writes each batch as multi-row INSERTs. Nothing
    else changes: every other attribute is the real session's. Rows of the same list are
    compared with each other here (national ID, phone), not through the database, so duplicate
    detection does not depend on where a batch ends.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def flush(self, objects: Any = None) -> None:  # noqa: ARG002 - the batch flush comes later
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _open(
    session: Any,
    actor: Actor,
    item: _Prepared,
    units: dict[str, Unit | Invalid],
    seen_phones: dict[str, int],
    references: _References,
) -> None:
    """Pass 3: one valid row opened through ``open_case``, then its phone compared.

    The same phone twice in one list is flagged, not refused (families share phones).
    """
    result, body = item.result, item.body
    assert body is not None and item.duplicates is not None
    unit = units[body["unit"]]
    if isinstance(unit, Invalid):  # the same answer open_case gives for this code
        result.messages.update(_flatten(unit.errors) or {"_row": [unit.message]})
        result.status = "error"
        return
    try:
        case, duplicates = open_case(
            session, actor, body, unit=unit, duplicates=item.duplicates, unique_reference=False
        )  # _References checks per batch
    except Invalid as exc:
        result.messages.update(_flatten(exc.errors) or {"_row": [exc.message]})
        result.status = "error"
        return
    references.claim(case, result)
    if duplicates.found:
        result.status = "duplicate"
        result.duplicates = sorted(m.case.reference for m in duplicates.described)
        result.elsewhere = duplicates.undisclosed
    if item.phone:
        key = normalise_phone(str(item.phone))
        if key in seen_phones:
            result.status, result.same_as_row = "duplicate", seen_phones[key]
        else:
            seen_phones[key] = result.row


def _body(
    cells: list[Any], columns: Columns, options: Options, result: RowResult
) -> dict[str, Any]:
    body: dict[str, Any] = {"case_type": options.case_type, "unit": options.unit, "person": {}}
    source = options.referral_source or DEFAULT_SOURCE.get(options.case_type)
    if source:
        body["referral_source"] = source
    for index, name in enumerate(columns.fields):
        if name is None or index >= len(cells):
            continue
        try:
            value = convert(name, cells[index])
        except CellError as exc:
            result.messages.setdefault(name, []).append(str(exc))
            continue
        if value is None:
            continue
        if name in PERSON_FIELDS:
            body["person"][name] = value
        else:
            body[name] = value
    return body


def _flatten(messages: Any) -> dict[str, list[str]]:
    """Schema errors keyed by column name (``person.national_id`` → ``national_id``)."""
    flat: dict[str, list[str]] = {}
    if not isinstance(messages, dict):
        return {"_row": [str(messages)]}
    for key, value in messages.items():
        if isinstance(value, dict):
            flat.update(_flatten(value))
        else:
            flat.setdefault(key, []).extend(
                str(v) for v in (value if isinstance(value, list) else [value])
            )
    return flat


def _store(
    session: Session, actor: Actor, unit: Unit, options: Options, results: list[RowResult]
) -> CaseImport:
    record = CaseImport(
        case_type=options.case_type,
        unit_id=unit.id,
        created_by_id=actor.id,
        dry_run=options.dry_run,
    )
    record.unit = unit
    record.rows_total = len(results)
    record.rows_error = sum(r.status == "error" for r in results)
    record.rows_duplicate = sum(r.status == "duplicate" for r in results)
    record.rows_ok = record.rows_total - record.rows_error
    record.rows_imported = 0 if options.dry_run else record.rows_ok
    if options.filename:
        record.filename = options.filename[:255]
    record.report_json = json.dumps([r.as_dict() for r in results], ensure_ascii=False)
    session.add(record)
    session.flush()
    return record


def report_rows(record: CaseImport) -> list[dict[str, Any]]:
    """The stored per-row report."""
    return json.loads(record.report_json or "[]")
