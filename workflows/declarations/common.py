"""The parts every case type shares: stage labels, the service line, side states.

DESIGN.md gives one main line and one set of side states for all types; each
declaration picks its stages and adds its own rules. Building the shared parts
here keeps the four declarations short enough to read side by side, while each
still reads as data (`Stage`, `Event`, `Field`).

Default due days (time allowed in a stage before the case shows as overdue;
a declaration may override them):
  identified 7 · verified 7 (assessment) · consented 7 (plan) · assessed 14
  (services start) · counselling 30 (next visit) · vocational_training 180
  (a course) · job_placement 60 · loan_referral 30 · suspended 90 (review) ·
  transfer_pending 7 (receiving unit answers) · closure_requested 7
  (supervisor decides); schooling and follow_up have none — they last a school
  year or the whole management period, so a stage deadline would flag every case.
"""

from __future__ import annotations

from workflows.model import ANY_ACTIVE, DueKind, Event, Field, Stage

SOCIAL_WORK = "case.transition"
"""Moving a case along its line: the social work of a commune."""
SUPERVISION = "case.approve"
"""Decisions a second person takes: closures, transfers, reopening, corrections."""

STAGE_LABELS: dict[str, tuple[str, str]] = {
    "identified": ("Tiếp nhận", "Identified"),
    "verified": ("Đã xác minh", "Verified"),
    "consented": ("Đã đồng ý tham gia", "Consent given"),
    "assessed": ("Đánh giá nhu cầu, lập kế hoạch hỗ trợ", "Needs assessed, support plan"),
    "counselling": ("Tư vấn (pháp lý, tâm lý, sức khỏe)", "Counselling"),
    "schooling": ("Hỗ trợ học văn hóa", "Schooling"),
    "vocational_training": ("Học nghề", "Vocational training"),
    "job_placement": ("Giới thiệu việc làm", "Job placement"),
    "loan_referral": ("Hỗ trợ vay vốn", "Loan referral"),
    "follow_up": ("Theo dõi tái hòa nhập", "Follow-up"),
    "suspended": ("Tạm dừng", "Suspended"),
    "transfer_pending": ("Chờ đơn vị khác tiếp nhận", "Transfer pending"),
    "closure_requested": ("Đề nghị kết thúc hồ sơ", "Closure requested"),
    "closed": ("Đã kết thúc hồ sơ", "Closed"),
}

DEFAULT_DUE_DAYS: dict[str, int | None] = {
    "identified": 7,
    "verified": 7,
    "consented": 7,
    "assessed": 14,
    "counselling": 30,
    "schooling": None,
    "vocational_training": 180,
    "job_placement": 60,
    "loan_referral": 30,
    "follow_up": None,
    "suspended": 90,
    "transfer_pending": 7,
    "closure_requested": 7,
    "closed": None,
}

OPTIONAL_STAGES: frozenset[str] = frozenset(
    {"schooling", "vocational_training", "job_placement", "loan_referral"}
)

# (complete label vi, en), (skip label vi, en) per stage of the service line.
_COMPLETE_LABELS: dict[str, tuple[str, str]] = {
    "counselling": ("Hoàn thành tư vấn", "Complete counselling"),
    "schooling": ("Hoàn thành học văn hóa", "Complete schooling"),
    "vocational_training": ("Hoàn thành học nghề", "Complete vocational training"),
    "job_placement": ("Đã có việc làm", "Job found"),
    "loan_referral": ("Hoàn thành giới thiệu vay vốn", "Complete loan referral"),
}
_SKIP_LABELS: dict[str, tuple[str, str]] = {
    "schooling": ("Bỏ qua học văn hóa", "Skip schooling"),
    "vocational_training": ("Bỏ qua học nghề", "Skip vocational training"),
    "job_placement": ("Bỏ qua giới thiệu việc làm", "Skip job placement"),
    "loan_referral": ("Bỏ qua vay vốn", "Skip loan referral"),
}

CLOSURE_REASONS: tuple[str, ...] = (
    "reintegrated",
    "moved_away",
    "declined_support",
    "not_eligible",
    "deceased",
    "duplicate",
)
SUSPENSION_REASONS: tuple[str, ...] = ("lost_contact", "moved", "detained", "hospitalised", "other")

REOPEN_TO = "counselling"
"""A reopened case goes back to counselling: reopening means the person needs
support again (a new hardship, a relapse, a closure made in error), and
counselling is where needs are talked through and the plan is revised before
any service restarts. Follow-up would assume the old plan still holds."""


def stage(
    name: str,
    *,
    label: tuple[str, str] | None = None,
    due_days: int | None | str = "default",
    due_kind: DueKind = "calendar",
) -> Stage:
    """A stage with the shared label and default due days unless overridden."""
    vi, en = label or STAGE_LABELS[name]
    days = DEFAULT_DUE_DAYS[name] if due_days == "default" else due_days
    assert days is None or isinstance(days, int)
    return Stage(
        name=name,
        label_vi=vi,
        label_en=en,
        due_days=days,
        due_kind=due_kind,
        optional=name in OPTIONAL_STAGES,
        terminal=name == "closed",
        side=name in {"suspended", "transfer_pending", "closure_requested"},
    )


def side_stages() -> tuple[Stage, ...]:
    return tuple(stage(n) for n in ("suspended", "transfer_pending", "closure_requested", "closed"))


# --- fields -------------------------------------------------------------------


def reason(required: bool = True) -> Field:
    return Field(name="reason", kind="text", required=required, label_vi="Lý do", label_en="Reason")


def plan() -> Field:
    return Field(
        name="plan", kind="text", required=True, label_vi="Kế hoạch hỗ trợ", label_en="Support plan"
    )


def note() -> Field:
    return Field(name="note", kind="text", required=False, label_vi="Ghi chú", label_en="Note")


def finding_fields() -> tuple[Field, ...]:
    """An authority's finding: who decided, the document, and when."""
    return (
        Field(
            name="finding_authority",
            kind="text",
            required=True,
            label_vi="Cơ quan kết luận",
            label_en="Finding authority",
        ),
        Field(
            name="finding_document",
            kind="document",
            required=True,
            label_vi="Văn bản kết luận",
            label_en="Finding document",
        ),
        Field(
            name="finding_date",
            kind="date",
            required=False,
            label_vi="Ngày kết luận",
            label_en="Finding date",
        ),
    )


# --- events -------------------------------------------------------------------


def service_line(
    line: tuple[str, ...], entry_guards: dict[str, tuple[str, ...]] | None = None
) -> tuple[Event, ...]:
    """`complete_<stage>` (and `skip_<stage>` for optional stages) along `line`.

    A stage is the step being worked on: from vocational_training a worker
    either completes it or skips it with a reason (effect skip_stage); both lead
    to the next stage. `entry_guards` add rules to every move into a stage.
    """
    entry_guards = entry_guards or {}
    events: list[Event] = []
    for current, following in zip(line, line[1:], strict=False):
        guards = entry_guards.get(following, ())
        vi, en = _COMPLETE_LABELS[current]
        events.append(
            Event(
                name=f"complete_{current}",
                label_vi=vi,
                label_en=en,
                sources=(current,),
                dest=following,
                permission=SOCIAL_WORK,
                guards=guards,
                fields=(note(),),
            )
        )
        if current in OPTIONAL_STAGES:
            vi, en = _SKIP_LABELS[current]
            events.append(
                Event(
                    name=f"skip_{current}",
                    label_vi=vi,
                    label_en=en,
                    sources=(current,),
                    dest=following,
                    permission=SOCIAL_WORK,
                    guards=guards,
                    fields=(reason(),),
                    effects=("skip_stage",),
                )
            )
    return tuple(events)


def start_counselling() -> Event:
    return Event(
        name="start_counselling",
        label_vi="Bắt đầu tư vấn",
        label_en="Start counselling",
        sources=("assessed",),
        dest="counselling",
        permission=SOCIAL_WORK,
        fields=(note(),),
    )


def side_events(
    active_stages: tuple[str, ...],
    *,
    closure_guards: tuple[str, ...] = (),
    closure_request_guards: tuple[str, ...] = (),
    closure_fields: tuple[Field, ...] = (),
    correction_guards: tuple[str, ...] = (),
) -> tuple[Event, ...]:
    """Suspension, transfer, closure, reopening and the supervisor's correction.

    `closure_guards` run both when closure is requested and when it is
    approved (time may have passed, or the data changed, in between);
    `closure_request_guards` judge what is submitted with the request.
    """
    returning = ("has_return_stage",)
    return (
        Event(
            name="suspend",
            label_vi="Tạm dừng hồ sơ",
            label_en="Suspend",
            sources=(ANY_ACTIVE,),
            dest="suspended",
            permission=SOCIAL_WORK,
            guards=("explanation_for_other",),
            fields=(
                Field(
                    name="suspension_reason",
                    kind="choice",
                    required=True,
                    choices=SUSPENSION_REASONS,
                    label_vi="Lý do tạm dừng",
                    label_en="Suspension reason",
                ),
                reason(required=False),
            ),
        ),
        Event(
            name="resume",
            label_vi="Tiếp tục hồ sơ",
            label_en="Resume",
            sources=("suspended",),
            dest=None,
            permission=SOCIAL_WORK,
            guards=returning,
            fields=(note(),),
            dest_rule="return",
        ),
        Event(
            name="request_transfer",
            label_vi="Đề nghị chuyển đơn vị",
            label_en="Request transfer",
            sources=(ANY_ACTIVE,),
            dest="transfer_pending",
            permission=SOCIAL_WORK,
            fields=(
                Field(
                    name="to_unit",
                    kind="unit",
                    required=True,
                    label_vi="Đơn vị tiếp nhận",
                    label_en="Receiving unit",
                ),
                reason(required=False),
            ),
            effects=("start_transfer",),
        ),
        Event(
            name="accept_transfer",
            label_vi="Tiếp nhận hồ sơ chuyển đến",
            label_en="Accept transfer",
            sources=("transfer_pending",),
            dest=None,
            permission=SUPERVISION,
            guards=returning,
            fields=(note(),),
            effects=("complete_transfer",),
            dest_rule="return",
        ),
        Event(
            name="refuse_transfer",
            label_vi="Từ chối tiếp nhận hồ sơ",
            label_en="Refuse transfer",
            sources=("transfer_pending",),
            dest=None,
            permission=SUPERVISION,
            guards=returning,
            fields=(reason(),),
            effects=("cancel_transfer",),
            dest_rule="return",
        ),
        Event(
            name="request_closure",
            label_vi="Đề nghị kết thúc hồ sơ",
            label_en="Request closure",
            sources=(ANY_ACTIVE,),
            dest="closure_requested",
            permission=SOCIAL_WORK,
            guards=closure_guards + closure_request_guards,
            fields=(
                Field(
                    name="closure_reason",
                    kind="choice",
                    required=True,
                    choices=CLOSURE_REASONS,
                    label_vi="Lý do kết thúc",
                    label_en="Closure reason",
                ),
                reason(required=False),
            )
            + closure_fields,
            effects=("record_closure_request",),
        ),
        Event(
            name="approve_closure",
            label_vi="Duyệt kết thúc hồ sơ",
            label_en="Approve closure",
            sources=("closure_requested",),
            dest="closed",
            permission=SUPERVISION,
            guards=closure_guards,
            fields=(note(),),
            effects=("close",),
        ),
        Event(
            name="return_closure",
            label_vi="Trả lại đề nghị kết thúc",
            label_en="Return closure request",
            sources=("closure_requested",),
            dest=None,
            permission=SUPERVISION,
            guards=returning,
            fields=(reason(),),
            effects=("clear_closure_request",),
            dest_rule="return",
        ),
        Event(
            name="reopen",
            label_vi="Mở lại hồ sơ",
            label_en="Reopen",
            sources=("closed",),
            dest=REOPEN_TO,
            permission=SUPERVISION,
            fields=(reason(),),
            effects=("reopen",),
        ),
        Event(
            name="correct_stage",
            label_vi="Điều chỉnh giai đoạn (can thiệp của cán bộ phụ trách)",
            label_en="Correct stage (supervisor override)",
            sources=(ANY_ACTIVE,),
            dest=None,
            permission=SUPERVISION,
            guards=("stage_differs",) + correction_guards,
            fields=(
                Field(
                    name="to_stage",
                    kind="choice",
                    required=True,
                    choices=active_stages,
                    label_vi="Giai đoạn đúng",
                    label_en="Correct stage",
                ),
                reason(),
            ),
            forced=True,
            dest_rule="chosen",
        ),
    )
