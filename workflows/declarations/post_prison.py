"""People released from prison — người chấp hành xong án phạt tù (Decree 49/2020,
Circular 10/2024/TT-BCA).

Release notice → address check within 3 working days → reception at the
commune → support (papers, residence, job, loans) and management with a
classification A stable / B hardship / C at risk / D detained → ends when the
criminal record is cleared. A re-offence found by an authority sends the case
back to counselling, counted like a relapse.
"""

from __future__ import annotations

from workflows.declarations.common import (
    SOCIAL_WORK,
    finding_fields,
    note,
    plan,
    service_line,
    side_events,
    side_stages,
    stage,
    start_counselling,
)
from workflows.model import ANY_ACTIVE, Event, Field, Workflow

CLASSIFICATIONS: tuple[str, ...] = ("A", "B", "C", "D")

_LINE = ("counselling", "vocational_training", "job_placement", "loan_referral", "follow_up")
_ACTIVE = ("identified", "verified", "assessed") + _LINE

WORKFLOW = Workflow(
    case_type="post_prison",
    label_vi="Người chấp hành xong án phạt tù",
    label_en="Released from prison",
    stages=(
        stage(
            "identified",
            label=("Nhận thông báo ra tù", "Release notice received"),
            due_days=3,
            due_kind="working",
        ),
        stage("verified", label=("Đã xác minh nơi cư trú", "Residence checked")),
        stage(
            "assessed",
            label=(
                "Đã tiếp nhận tại xã, lập kế hoạch hỗ trợ",
                "Received at the commune, support plan",
            ),
        ),
        *(stage(n) for n in _LINE[:-1]),
        stage("follow_up", label=("Quản lý, theo dõi tái hòa nhập", "Management and follow-up")),
        *side_stages(),
    ),
    events=(
        Event(
            name="check_address",
            label_vi="Xác minh nơi cư trú",
            label_en="Check address",
            sources=("identified",),
            dest="verified",
            permission=SOCIAL_WORK,
            guards=("dates_not_in_future",),
            fields=(
                Field(
                    name="checked_on",
                    kind="date",
                    required=True,
                    label_vi="Ngày xác minh",
                    label_en="Checked on",
                ),
                note(),
            ),
        ),
        Event(
            name="receive",
            label_vi="Tiếp nhận tại xã, lập kế hoạch hỗ trợ",
            label_en="Receive and plan support",
            sources=("verified",),
            dest="assessed",
            permission=SOCIAL_WORK,
            fields=(plan(),),
        ),
        Event(
            name="classify",
            label_vi="Phân loại (A/B/C/D)",
            label_en="Classify (A/B/C/D)",
            sources=(ANY_ACTIVE,),
            dest=None,
            permission=SOCIAL_WORK,
            fields=(
                Field(
                    name="classification",
                    kind="choice",
                    required=True,
                    choices=CLASSIFICATIONS,
                    label_vi="Phân loại",
                    label_en="Classification",
                ),
                note(),
            ),
            effects=("record_classification",),
            dest_rule="stay",
        ),
        start_counselling(),
        *service_line(_LINE),
        Event(
            name="reoffend",
            label_vi="Tái phạm (có kết luận của cơ quan có thẩm quyền)",
            label_en="Re-offence (authority's finding)",
            sources=_ACTIVE[2:],
            dest="counselling",
            permission=SOCIAL_WORK,
            guards=("dates_not_in_future",),
            fields=(*finding_fields(), note()),
            effects=("count_relapse",),
        ),
        *side_events(_ACTIVE, closure_guards=("record_cleared",)),
    ),
)
