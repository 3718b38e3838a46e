"""``/api/v1/units``: the official unit tree (public data, any authenticated caller)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from casework.access.current import caller
from casework.errors import NotFound
from casework.extensions import db
from casework.units.models import CURRENT_TREE, PRE_REFORM_TREE, Unit

blp = Blueprint("units", __name__, url_prefix="/units", description="Administrative units")


class UnitArgs(Schema):
    parent = fields.String(validate=validate.Regexp(r"^\d{2,5}$"))
    tree = fields.String(
        validate=validate.OneOf([CURRENT_TREE, PRE_REFORM_TREE]), load_default=CURRENT_TREE
    )


class UnitSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    official_type = fields.String(allow_none=True)
    parent = fields.String(allow_none=True, attribute="parent_code")
    tree = fields.String()
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    replaced_by = fields.String(allow_none=True, attribute="replaced_by_code")


def unit_row(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "official_type": unit.official_type,
        "tree": unit.tree,
        "parent_code": unit.parent.code if unit.parent else None,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "replaced_by_code": unit.replaced_by.code if unit.replaced_by else None,
    }


@blp.route("")
class Units(MethodView):
    @blp.arguments(UnitArgs, location="query")
    @blp.response(200, UnitSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Children of ``parent`` (or the provinces), by official code."""
        caller()
        query = select(Unit).where(Unit.tree == args["tree"])
        if "parent" in args:
            parent = db.session.scalar(query.where(Unit.code == args["parent"]))
            if parent is None:
                raise NotFound()
            query = select(Unit).where(Unit.parent_id == parent.id)
        else:
            query = query.where(Unit.parent_id.is_(None))
        return [unit_row(u) for u in db.session.scalars(query.order_by(Unit.code))]
