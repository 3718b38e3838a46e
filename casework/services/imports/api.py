"""``/api/v1/imports``: check or import a handover list; download its report."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import RequestEntityTooLarge

from casework.access.actor import Actor
from casework.access.current import caller
from casework.cases.models import CASE_TYPES, REFERRAL_SOURCES
from casework.cases.operations import require_any
from casework.cases.schemas import UNIT_CODE, UnitRefSchema
from casework.extensions import db
from casework.services.imports.intake import (
    Options,
    download_report,
    get_import,
    report_rows,
    run_import,
)
from casework.services.imports.reading import ENCODINGS
from casework.services.models import CaseImport

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/imports",
    description="Bulk intake of handover lists (CSV, XLSX)",
)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000


class ImportFormSchema(Schema):
    case_type = fields.String(required=True, validate=validate.OneOf(CASE_TYPES))
    unit = fields.String(
        required=True,
        validate=UNIT_CODE,
        metadata={"description": "commune for rows without a 'Mã xã' column"},
    )
    dry_run = fields.Boolean(
        load_default=True,
        metadata={"description": "true: check only; false: import all or nothing"},
    )
    encoding = fields.String(
        validate=validate.OneOf(ENCODINGS), metadata={"description": "CSV only; UTF-8 unless told"}
    )
    referral_source = fields.String(validate=validate.OneOf(REFERRAL_SOURCES))


class ImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RowReportSchema(Schema):
    row = fields.Integer()
    status = fields.String(metadata={"description": "ok, duplicate (imported, flagged) or error"})
    messages = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    duplicates = fields.List(fields.String(), metadata={"description": "references in your area"})
    elsewhere = fields.Boolean(
        metadata={"description": "a matching record exists outside your area"}
    )
    same_as_row = fields.Integer(
        allow_none=True, metadata={"description": "an earlier row of the list with the same phone"}
    )
    reference = fields.String(allow_none=True)


class ImportOutSchema(Schema):
    id = fields.UUID()
    case_type = fields.String()
    unit = fields.Nested(UnitRefSchema)
    dry_run = fields.Boolean()
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    rows_total = fields.Integer()
    rows_ok = fields.Integer()
    rows_error = fields.Integer()
    rows_duplicate = fields.Integer()
    rows_imported = fields.Integer()
    rows = fields.List(fields.Nested(RowReportSchema))


class ReportArgsSchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


def _max_bytes() -> int:
    return int(current_app.config.get("CASEWORK_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


@blp.before_request
def _refuse_large_uploads() -> None:
    """Refuse an oversized list from its declared length, before any byte is parsed."""
    if request.method == "POST" and (request.content_length or 0) > _max_bytes() + 64 * 1024:
        raise RequestEntityTooLarge(_too_large())


def _too_large() -> str:
    return _(
        "The file is larger than %(mb)d MB: split the list into smaller files.",
        mb=_max_bytes() // (1024 * 1024),
    )


def _view(record: CaseImport) -> dict[str, Any]:
    from casework.cases.presenters import unit_ref

    return {
        "id": record.id,
        "case_type": record.case_type,
        "unit": unit_ref(record.unit),
        "dry_run": record.dry_run,
        "created_at": record.created_at,
        "created_by": record.created_by.username if record.created_by else None,
        "rows_total": record.rows_total,
        "rows_ok": record.rows_ok,
        "rows_error": record.rows_error,
        "rows_duplicate": record.rows_duplicate,
        "rows_imported": record.rows_imported,
        "rows": report_rows(record),
    }


def _load(user: Actor, import_id: Any) -> CaseImport:
    return get_import(db.session, user, import_id)


@blp.route("")
class Imports(MethodView):
    @blp.arguments(ImportFormSchema, location="form")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(201, ImportOutSchema)
    def post(self, form: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        """Check (``dry_run=true``, the default) or import (``false``) a handover list.

        The dry run writes no case, only the report. The import is all or nothing: any row in
        error refuses the list (422, ``errors.rows``). Duplicates are imported and flagged.
        """
        user = caller()
        require_any(user, "case.create")
        upload = files["file"]
        data = upload.stream.read(_max_bytes() + 1)
        if len(data) > _max_bytes():
            raise RequestEntityTooLarge(_too_large())
        return _view(import_uploaded_list(user, data, form, upload.filename))


def import_uploaded_list(
    user: Actor, data: bytes, form: dict[str, Any], filename: str | None
) -> CaseImport:
    """Run an uploaded list (dry run or commit) for the API and the web page alike.

    A refused commit is audited even though its request rolls back.
    :raise ImportRefused: a row in error on commit, or a file that cannot be read.
    """
    options = Options(
        case_type=form["case_type"],
        unit=form["unit"],
        dry_run=form["dry_run"],
        encoding=form.get("encoding"),
        referral_source=form.get("referral_source"),
        filename=filename or None,
    )
    return run_import(
        db.session,
        user,
        data,
        options,
        max_rows=int(current_app.config.get("CASEWORK_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
    )


@blp.route("/<uuid:import_id>")
class ImportItem(MethodView):
    @blp.response(200, ImportOutSchema)
    def get(self, import_id: Any) -> dict[str, Any]:
        """An import's record and per-row report."""
        user = caller()
        record = _load(user, import_id)
        return _view(record)


@blp.route("/<uuid:import_id>/report")
class ImportReport(MethodView):
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, content_type="text/csv")
    @blp.alt_response(
        200,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        success=True,
        description="format=xlsx",
    )
    def get(self, args: dict[str, Any], import_id: Any) -> Response:
        """The per-row report as CSV or XLSX (formulas neutralised in every cell)."""
        user = caller()
        record = _load(user, import_id)
        fmt = args["format"]
        body, mimetype = download_report(db.session, user, record, fmt)
        name = f"import-report-{str(record.id)[:8]}.{fmt}"
        return Response(
            body,
            mimetype=mimetype,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )
