"""People after drug rehab — người sau cai nghiện ma túy (Law 73/2021 Art 40, Decree 116/2021).

Listed by the commune after voluntary rehab, substitution therapy or a
compulsory order; managed for 1 year (voluntary, substitution, minors) or
2 years (adults after compulsory rehab) from completion, so a case closes as
reintegrated only after that, with the completion certificate. Relapse needs an
authority's finding of addiction — a positive test alone is not relapse — and
sends the case back to counselling, counted.
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
from workflows.model import Event, Field, Workflow
from workflows.periods import REHAB_KINDS

_LINE = (
    "counselling",
    "schooling",
    "vocational_training",
    "job_placement",
    "loan_referral",
    "follow_up",
)
_ACTIVE = ("identified", "verified", "assessed") + _LINE

WORKFLOW = Workflow(
    case_type="post_rehab",
    label_vi="Người sau cai nghiện ma túy",
    label_en="After drug rehab",
    stages=(
        stage("identified", label=("Tiếp nhận danh sách sau cai", "Listed after rehab")),
        stage("verified"),
        stage("assessed"),
        *(stage(n) for n in _LINE[:-1]),
        stage("follow_up", label=("Quản lý sau cai nghiện", "Post-rehab management")),
        *side_stages(),
    ),
    events=(
        Event(
            name="verify",
            label_vi="Xác minh thông tin cai nghiện",
            label_en="Verify rehab details",
            sources=("identified",),
            dest="verified",
            permission=SOCIAL_WORK,
            guards=("dates_not_in_future",),
            fields=(
                Field(
                    name="rehab_kind",
                    kind="choice",
                    required=True,
                    choices=REHAB_KINDS,
                    label_vi="Hình thức cai nghiện",
                    label_en="Rehab kind",
                ),
                Field(
                    name="rehab_completion_date",
                    kind="date",
                    required=True,
                    label_vi="Ngày hoàn thành cai nghiện",
                    label_en="Rehab completion date",
                ),
                Field(
                    name="completion_document",
                    kind="document",
                    required=False,
                    label_vi="Giấy chứng nhận hoàn thành cai nghiện",
                    label_en="Rehab completion document",
                ),
            ),
            effects=("set_management_period",),
        ),
        Event(
            name="assess",
            label_vi="Đánh giá nhu cầu, lập kế hoạch",
            label_en="Assess needs and plan",
            sources=("verified",),
            dest="assessed",
            permission=SOCIAL_WORK,
            fields=(plan(),),
        ),
        start_counselling(),
        *service_line(_LINE),
        Event(
            name="relapse",
            label_vi="Tái nghiện (có kết luận của cơ quan có thẩm quyền)",
            label_en="Relapse (authority's finding)",
            sources=_ACTIVE[2:],
            dest="counselling",
            permission=SOCIAL_WORK,
            guards=("relapse_finding_present", "dates_not_in_future"),
            fields=(*finding_fields(), note()),
            effects=("count_relapse",),
        ),
        *side_events(
            _ACTIVE,
            closure_guards=("management_period_over",),
            closure_request_guards=("certificate_for_reintegration",),
            closure_fields=(
                Field(
                    name="completion_certificate",
                    kind="document",
                    required=False,
                    label_vi="Giấy chứng nhận hoàn thành quản lý sau cai",
                    label_en="Management completion certificate",
                ),
            ),
        ),
    ),
)
