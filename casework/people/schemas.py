"""Person fields as clients send and receive them (API.md "Opening a case")."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from casework.crypto.blind import normalise_national_id, normalise_phone
from casework.model_base import vietnam_today
from casework.people.models import SEXES

NATIONAL_ID = re.compile(r"^(\d{12}|\d{9})$")
PHONE = re.compile(r"^0\d{9,10}$")


def check_national_id(value: str) -> None:
    digits = normalise_national_id(value)
    if not NATIONAL_ID.match(digits) or digits != re.sub(r"[\s.-]", "", value):
        raise ValidationError(
            "Số CCCD gồm 12 chữ số (hoặc CMND cũ 9 chữ số) / 12 digits (CCCD) or 9 (old CMND)."
        )


def check_phone(value: str) -> None:
    if not re.fullmatch(r"[+\d\s().-]{9,20}", value) or not PHONE.match(normalise_phone(value)):
        raise ValidationError(
            "Số điện thoại Việt Nam không hợp lệ / not a Vietnamese phone number."
        )


def check_birth_date(value: date) -> None:
    if value > vietnam_today() or value.year < 1900:
        raise ValidationError("Ngày sinh không hợp lệ / impossible date of birth.")


class PersonInSchema(Schema):
    """Person details on intake or edit. Every field but ``sex`` may be omitted."""

    full_name = fields.String(validate=validate.Length(min=1, max=200))
    aliases = fields.String(validate=validate.Length(max=500))
    sex = fields.String(required=True, validate=validate.OneOf(SEXES))
    date_of_birth = fields.Date()
    birth_year = fields.Integer(validate=validate.Range(min=1900, max=2100))
    national_id = fields.String(validate=check_national_id)
    phone = fields.String(validate=check_phone)
    address = fields.String(validate=validate.Length(max=500))
    family_contacts = fields.String(validate=validate.Length(max=1000))
    health_notes = fields.String(validate=validate.Length(max=5000))
    justice_notes = fields.String(validate=validate.Length(max=5000))

    @validates("date_of_birth")
    def _birth(self, value: date, **_: Any) -> None:
        check_birth_date(value)


class PersonPatchSchema(PersonInSchema):
    sex = fields.String(validate=validate.OneOf(SEXES))


class PersonOutSchema(Schema):
    id = fields.UUID()
    sex = fields.String()
    birth_year = fields.Integer(allow_none=True)
    full_name = fields.String(allow_none=True)
    aliases = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    national_id = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    family_contacts = fields.String(allow_none=True)
    health_notes = fields.String(allow_none=True)
    justice_notes = fields.String(allow_none=True)
    masked = fields.List(fields.String(), metadata={"description": "fields hidden from the caller"})
    erased_at = fields.DateTime(
        allow_none=True, metadata={"description": "when the person's data was erased, if it was"}
    )
    erasure_reason = fields.String(allow_none=True)
