"""Victims of trafficking — nạn nhân bị mua bán (Law 53/2024/QH15, Decree 162/2025).

Reported → consent recorded → verified with the provincial police within
3 days (status: under identification / confirmed / not a victim) → support.
Schooling, vocational training and loans only once confirmed (Art 37); a person
found not to be a victim goes towards closure as not_eligible. Nothing about the
person moves on without their consent (Art 3(10)), hence consent before
verification.

Support stages are entered only once confirmed: a person still under
identification stays in counselling (essentials, medical, legal and
psychological support continue there) until the status is updated.
"""

from __future__ import annotations

from workflows.declarations.common import (
    SOCIAL_WORK,
    note,
    plan,
    service_line,
    side_events,
    side_stages,
    stage,
    start_counselling,
)
from workflows.model import Event, Field, Workflow

VICTIM_STATUSES: tuple[str, ...] = ("under_identification", "confirmed", "not_a_victim")

_LINE = (
    "counselling",
    "schooling",
    "vocational_training",
    "job_placement",
    "loan_referral",
    "follow_up",
)
_ACTIVE = ("identified", "verified", "assessed") + _LINE
_CONFIRMED_ONLY = ("victim_confirmed_for_support",)


def _victim_status() -> Field:
    return Field(
        name="victim_status",
        kind="choice",
        required=True,
        choices=VICTIM_STATUSES,
        label_vi="Tình trạng nạn nhân",
        label_en="Victim status",
    )


def _identification_document() -> Field:
    return Field(
        name="identification_document",
        kind="document",
        required=False,
        label_vi="Văn bản xác định",
        label_en="Identification document",
    )


WORKFLOW = Workflow(
    case_type="trafficking_victim",
    label_vi="Nạn nhân bị mua bán",
    label_en="Trafficking victim",
    stages=(
        stage("identified", label=("Tiếp nhận tin báo", "Reported"), due_days=3),
        stage("verified"),
        stage("assessed"),
        *(stage(n) for n in _LINE[:-1]),
        stage("follow_up", label=("Theo dõi tái hòa nhập cộng đồng", "Follow-up")),
        *side_stages(),
    ),
    events=(
        Event(
            name="record_consent",
            label_vi="Ghi nhận sự đồng ý",
            label_en="Record consent",
            sources=("identified",),
            dest=None,
            permission=SOCIAL_WORK,
            guards=("dates_not_in_future",),
            fields=(
                Field(
                    name="consent_date",
                    kind="date",
                    required=True,
                    label_vi="Ngày đồng ý",
                    label_en="Consent date",
                ),
                Field(
                    name="consent_document",
                    kind="document",
                    required=False,
                    label_vi="Văn bản đồng ý",
                    label_en="Consent form",
                ),
            ),
            effects=("record_consent",),
            dest_rule="stay",
        ),
        Event(
            name="verify",
            label_vi="Xác minh với công an tỉnh",
            label_en="Verify with provincial police",
            sources=("identified",),
            dest="verified",
            permission=SOCIAL_WORK,
            guards=("consent_recorded",),
            fields=(_victim_status(), _identification_document(), note()),
            effects=("set_victim_status",),
        ),
        Event(
            name="update_victim_status",
            label_vi="Cập nhật tình trạng nạn nhân",
            label_en="Update victim status",
            sources=_ACTIVE[1:],
            dest=None,
            permission=SOCIAL_WORK,
            fields=(_victim_status(), _identification_document(), note()),
            effects=("set_victim_status",),
            dest_rule="stay",
        ),
        Event(
            name="assess",
            label_vi="Đánh giá nhu cầu, lập kế hoạch",
            label_en="Assess needs and plan",
            sources=("verified",),
            dest="assessed",
            permission=SOCIAL_WORK,
            guards=("victim_not_ruled_out",),
            fields=(plan(),),
        ),
        start_counselling(),
        *service_line(
            _LINE,
            entry_guards={
                "schooling": _CONFIRMED_ONLY,
                "vocational_training": _CONFIRMED_ONLY,
                "loan_referral": _CONFIRMED_ONLY,
            },
        ),
        *side_events(_ACTIVE, correction_guards=_CONFIRMED_ONLY),
    ),
)
