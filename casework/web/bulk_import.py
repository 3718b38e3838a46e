"""Bulk intake of a handover list from the browser: upload, dry-run report, then import.

Only a page over ``casework.services.imports``: the upload is checked by the API's own form
schema and run by ``run_import`` (dry run or all-or-nothing commit), the report is the stored
one, and loading an import uses the API's own rule (the importer, or a supervisor of its unit;
404 otherwise). The report downloads from the API's ``/api/v1/imports/<id>/report`` (the session
cookie is enough for a GET there), so CSV and XLSX are neutralised in one place.

The dry run keeps only its report, not the file (a handover list is personal data), so the
commit asks for the same file again.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from casework.access.actor import Actor
from casework.access.current import caller
from casework.cases.models import CASE_TYPES, REFERRAL_SOURCES
from casework.cases.operations import require_any
from casework.errors import DomainError, Invalid
from casework.extensions import db
from casework.services.imports.api import (
    DEFAULT_MAX_BYTES,
    ImportFormSchema,
    import_uploaded_list,
)
from casework.services.imports.api import _load as load_import  # the API's access rule
from casework.services.imports.api import _view as import_view
from casework.services.imports.intake import ImportRefused
from casework.web import labels
from casework.web.auth import login_required_page
from casework.web.caseload import _intake_units
from casework.web.forms import ActionForm
from casework.web.validation import flatten

bp = Blueprint("web_import", __name__)

ENCODING_CHOICES = (("", "UTF-8"), ("windows-1258", "Windows-1258 (TCVN)"))


def _max_bytes() -> int:
    return int(current_app.config.get("CASEWORK_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _choices(user: Actor) -> dict[str, Any]:
    return {
        "case_types": [(t, labels.case_type_label(t)) for t in CASE_TYPES],
        "units": [(u.code, f"{u.name} ({u.code})") for u in _intake_units(user)],
        "sources": [(s, str(labels.REFERRAL_SOURCE_LABELS[s])) for s in REFERRAL_SOURCES],
        "encodings": ENCODING_CHOICES,
    }


def _form_page(
    status: int = 200,
    errors: dict[str, Any] | None = None,
    message: str | None = None,
    row_errors: list[dict[str, Any]] | None = None,
    values: Any = None,
) -> Any:
    user = caller()
    if values is None:
        values = dict(request.args) or {"unit": user.unit.code}
    return render_template(
        "import_upload.html",
        choices=_choices(user),
        errors=errors or {},
        message=message,
        row_errors=row_errors or [],
        values=values,
        form=ActionForm(),
        max_mb=_max_bytes() // (1024 * 1024),
    ), status


@bp.get("/imports")
@login_required_page
def upload() -> Any:
    """The upload form. :raise 403: the caller opens cases nowhere."""
    require_any(caller(), "case.create")
    return _form_page()


@bp.post("/imports")
@login_required_page
def run() -> Any:
    """Check (``dry_run=true``) or import (``false``) the uploaded list, then show its report.

    :raise 403: the caller opens cases nowhere.
    """
    user = caller()
    require_any(user, "case.create")
    fields = {
        k: v
        for k, v in request.form.items()
        if k in ("case_type", "unit", "dry_run", "encoding", "referral_source") and v
    }
    upload_ = request.files.get("file")
    try:
        try:
            form = ImportFormSchema().load(fields)
        except ValidationError as error:
            raise Invalid(errors=error.messages) from None  # type: ignore[arg-type]
        if upload_ is None or not upload_.filename:
            raise Invalid(errors={"file": [_("Choose the file of the list.")]})
        data = upload_.stream.read(_max_bytes() + 1)
        if len(data) > _max_bytes():
            raise Invalid(
                errors={
                    "file": [
                        _(
                            "The file is larger than %(mb)d MB: split the list into smaller files.",
                            mb=_max_bytes() // (1024 * 1024),
                        )
                    ]
                }
            )
        record = import_uploaded_list(user, data, form, upload_.filename)
    except ImportRefused as error:
        db.session.rollback()
        rows = [{"row": int(n), "messages": m} for n, m in error.errors.get("rows", {}).items()]
        return _form_page(error.status, message=error.message, row_errors=rows, values=request.form)
    except DomainError as error:
        db.session.rollback()
        return _form_page(
            error.status, errors=flatten(error.errors), message=error.message, values=request.form
        )
    return redirect(url_for("web_import.report", import_id=record.id))


@bp.get("/imports/<uuid:import_id>")
@login_required_page
def report(import_id: uuid.UUID) -> Any:
    """An import's per-row report; after a dry run, the form to import the list for real.

    :raise 404: unknown, or neither the caller's own import nor one of a unit they supervise.
    """
    user = caller()
    view = import_view(load_import(user, import_id))
    values = {"case_type": view["case_type"], "unit": view["unit"]["code"] if view["unit"] else ""}
    return render_template(
        "import_report.html",
        imp=view,
        choices=_choices(user),
        values=values,
        form=ActionForm(),
        errors={},
        max_mb=_max_bytes() // (1024 * 1024),
    )


__all__ = ["bp"]
