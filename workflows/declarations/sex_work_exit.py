"""Women leaving sex work — người bán dâm hoàn lương (QĐ 1629/QĐ-TTg; Women's Union 938/939).

Voluntary throughout: outreach → explicit consent → plan → services → close.
There are no legal deadlines, so outreach and consent carry none (pressing a
person to consent would defeat the programme). Intake may be pseudonymous; no
event here asks for a name.
"""

from __future__ import annotations

from workflows.declarations.common import (
    SOCIAL_WORK,
    plan,
    service_line,
    side_events,
    side_stages,
    stage,
    start_counselling,
)
from workflows.model import Event, Field, Workflow

_LINE = ("counselling", "vocational_training", "job_placement", "loan_referral", "follow_up")
_ACTIVE = ("identified", "consented", "assessed") + _LINE

WORKFLOW = Workflow(
    case_type="sex_work_exit",
    label_vi="Người bán dâm hoàn lương",
    label_en="Leaving sex work",
    stages=(
        stage("identified", label=("Tiếp cận", "Reached through outreach"), due_days=None),
        stage("consented", due_days=None),
        stage("assessed"),
        *(stage(n) for n in _LINE[:-1]),
        stage("follow_up", label=("Theo dõi hòa nhập cộng đồng", "Follow-up")),
        *side_stages(),
    ),
    events=(
        Event(
            name="record_consent",
            label_vi="Ghi nhận sự đồng ý tham gia",
            label_en="Record consent",
            sources=("identified",),
            dest="consented",
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
        ),
        Event(
            name="assess",
            label_vi="Đánh giá nhu cầu, lập kế hoạch",
            label_en="Assess needs and plan",
            sources=("consented",),
            dest="assessed",
            permission=SOCIAL_WORK,
            guards=("consent_recorded",),
            fields=(plan(),),
        ),
        start_counselling(),
        *service_line(_LINE),
        *side_events(_ACTIVE),
    ),
)
