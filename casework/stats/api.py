"""``/api/v1/stats``: anonymised indicators (JSON) and the periodic report as CSV or XLSX.

Nothing here returns anything about an individual: no ids, references, names or rows — only
suppressed counts per unit and period. Who may: ``report.view`` in the unit's subtree.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from casework.access.current import caller
from casework.cases.models import CASE_TYPES
from casework.extensions import db
from casework.stats import export, operations

blp = Blueprint("stats", __name__, url_prefix="/stats",
                description="Anonymised statistics (protected by the cell key method)")

XLSX = export.XLSX_MIMETYPE


class IndicatorArgs(Schema):
    class Meta:
        unknown = RAISE  # a stray parameter is refused, never silently ignored

    unit = fields.String(validate=validate.Regexp(r"^\d{2,5}$"),
                         metadata={"description": "official code; default: the caller's area"})
    period = fields.String(required=True, validate=validate.Length(max=40), metadata={
        "description": "2026-01, 2026-Q1, 2026-H1, 2026 or 2026-01-01..2026-03-31"})
    case_type = fields.String(validate=validate.OneOf(CASE_TYPES))


class ReportArgs(IndicatorArgs):
    format = fields.String(validate=validate.OneOf(export.FORMATS), load_default="csv")
    lang = fields.String(validate=validate.OneOf(["vi", "en"]), load_default="vi", metadata={
        "description": "the file's language: Vietnamese (default) or English, never both"})


class CellSchema(Schema):
    value = fields.Integer(allow_none=True)
    hidden = fields.Boolean()
    share = fields.Float(allow_none=True)
    meets_target = fields.Boolean(allow_none=True)
    median_days = fields.Float(allow_none=True)


class LabelSchema(Schema):
    key = fields.String()
    label = fields.String()
    label_vi = fields.String()
    label_en = fields.String()


class TableSchema(Schema):
    id = fields.String()
    rows = fields.List(fields.Nested(LabelSchema))
    cells = fields.List(fields.List(fields.Nested(CellSchema)))


class SectionSchema(Schema):
    id = fields.String()
    title_vi = fields.String()
    title_en = fields.String()
    unit_of_count = fields.String()
    columns = fields.List(fields.Nested(LabelSchema))
    tables = fields.List(fields.Nested(TableSchema))
    notes = fields.List(fields.String())
    target_share = fields.Float()


class HiddenSchema(Schema):
    section = fields.String()
    table = fields.String()
    row = fields.String()
    column = fields.String()
    reason = fields.String()


class ReportSchema(Schema):
    unit = fields.Dict()
    period = fields.Dict()
    case_type = fields.String(allow_none=True)
    generated_at = fields.String()
    k = fields.Dict()
    marker = fields.String()
    protection = fields.Dict(metadata={"description": "how the figures were protected: the "
                                       "cell key method (docs/statistics.md)"})
    sections = fields.List(fields.Nested(SectionSchema))
    hidden = fields.List(fields.Nested(HiddenSchema))
    notes = fields.List(fields.String())


@blp.route("/indicators")
class Indicators(MethodView):
    @blp.arguments(IndicatorArgs, location="query", unknown=RAISE)
    @blp.response(200, ReportSchema)
    def get(self, args: dict[str, Any]) -> Response:
        """Indicators for a unit subtree and a standard period; every count protected (cell key).

        :raise 403: the caller may see reports nowhere. :raise 404: unknown unit or outside
        the caller's scope.
        """
        _unit, report = operations.view_report(db.session, caller(), args.get("unit"),
                                               args["period"], args.get("case_type"))
        # The report is built in ReportSchema's shape (a test checks it against the schema);
        # dumping a province's tens of thousands of cells through nested schemas took longer
        # than reading the kept report, so it is sent as it is.
        return Response(json.dumps(report, ensure_ascii=False, separators=(",", ":")),
                        mimetype="application/json")


@blp.route("/report")
class Report(MethodView):
    @blp.arguments(ReportArgs, location="query", unknown=RAISE)
    @blp.response(200, content_type="text/csv")
    @blp.alt_response(200, content_type=XLSX, success=True, description="format=xlsx")
    def get(self, args: dict[str, Any]) -> Response:
        """The periodic report as a file in one language (XLSX: a sheet per indicator); audited.

        :raise 403: the caller may see reports nowhere. :raise 404: unknown unit or outside
        the caller's scope.
        """
        file = operations.export_report(db.session, caller(), args.get("unit"), args["period"],
                                        args.get("case_type"), args["format"], args["lang"])
        return Response(file.body, mimetype=file.mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{file.filename}"',
                                 "X-Content-Type-Options": "nosniff",
                                 "Cache-Control": "no-store"})
