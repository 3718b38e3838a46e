"""The rules a move must satisfy, as small pure functions registered by name.

Declarations name guards; the engine looks them up here. A guard returns None
when the move is allowed or a `Refusal` a social worker can read — who may make
a move (the event's permission) is kept apart, in the declaration, as django-fsm/viewflow do.

Guards read the case through `getattr` with defaults: any object with the
attributes listed in the package docstring will do, so tests can use a
SimpleNamespace and the app its SQLAlchemy model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from workflows.dates import local_date
from workflows.model import CHOSEN_STAGE_FIELD, Event, Refusal, Workflow
from workflows.periods import management_period_end, record_clearance_date

__all__ = ["GUARDS", "Guard", "GuardContext", "Refusal", "first_refusal", "register"]


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at. `now` is injected so tests freeze the clock."""

    case: Any
    data: Mapping[str, Any]
    now: datetime
    event: Event
    workflow: Workflow

    @property
    def today(self) -> date:
        return local_date(self.now)


GuardCheck = Callable[[GuardContext], Refusal | None]


@dataclass(frozen=True)
class Guard:
    """A registered rule. `needs_data` guards judge submitted fields, so a menu
    of possible events (which has no data yet) cannot evaluate them."""

    name: str
    check: GuardCheck
    needs_data: bool
    description_vi: str
    description_en: str

    def description(self, lang: str = "vi") -> str:
        return self.description_vi if lang == "vi" else self.description_en


GUARDS: dict[str, Guard] = {}


def register(
    name: str, *, description_vi: str, description_en: str, needs_data: bool = False
) -> Callable[[GuardCheck], GuardCheck]:
    """Register a guard under `name` for declarations to refer to."""

    def decorate(check: GuardCheck) -> GuardCheck:
        if name in GUARDS:
            raise ValueError(f"guard {name!r} registered twice")
        GUARDS[name] = Guard(name, check, needs_data, description_vi, description_en)
        return check

    return decorate


def first_refusal(
    names: tuple[str, ...], ctx: GuardContext, *, with_data: bool = True
) -> tuple[str, Refusal] | None:
    """The first guard among `names` that refuses, with its refusal, or None.

    Without data (a menu of possible events), guards that judge submitted
    fields are skipped: they would refuse only because nothing is filled in yet.
    """
    for name in names:
        guard = GUARDS[name]
        if guard.needs_data and not with_data:
            continue
        refusal = guard.check(ctx)
        if refusal is not None:
            return name, refusal
    return None


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return local_date(value)
    return value


def _closure_reason(ctx: GuardContext) -> str | None:
    # At request time the reason is submitted; at approval it is the one the
    # app stored on the case (effect record_closure_request).
    return ctx.data.get("closure_reason") or getattr(ctx.case, "closure_reason", None)


def _vn(d: date) -> str:
    return d.strftime("%d/%m/%Y")


# --- consent -----------------------------------------------------------------


@register(
    "consent_recorded",
    description_vi="Đã ghi nhận sự đồng ý của người được hỗ trợ",
    description_en="the person's explicit consent is recorded",
)
def consent_recorded(ctx: GuardContext) -> Refusal | None:
    """Consent is explicit and never a default (Law 91/2025; Law 53/2024 Art 3(10))."""
    if getattr(ctx.case, "consent_given", False) is True:
        return None
    return Refusal(
        "Chưa ghi nhận sự đồng ý của người được hỗ trợ. Hãy ghi nhận sự đồng ý trước khi tiếp tục.",
        "The person's consent has not been recorded. Record their consent before going on.",
    )


# --- trafficking victims ------------------------------------------------------

SUPPORT_STAGES_NEEDING_CONFIRMATION: frozenset[str] = frozenset(
    {"schooling", "vocational_training", "loan_referral"}
)


@register(
    "victim_confirmed_for_support",
    description_vi="Học văn hóa, học nghề, vay vốn chỉ khi đã xác định là nạn nhân",
    description_en="schooling, vocational training and loans only for a confirmed victim",
)
def victim_confirmed_for_support(ctx: GuardContext) -> Refusal | None:
    """Law 53/2024 Art 37: schooling, vocational and loan support need confirmed status."""
    target = ctx.event.dest or ctx.data.get(CHOSEN_STAGE_FIELD)
    if target not in SUPPORT_STAGES_NEEDING_CONFIRMATION:
        return None
    if getattr(ctx.case, "victim_status", None) == "confirmed":
        return None
    return Refusal(
        "Chỉ hỗ trợ học văn hóa, học nghề và vay vốn khi người này đã được xác định là nạn nhân.",
        "Schooling, vocational training and loans are only for a person confirmed as a victim.",
    )


@register(
    "victim_not_ruled_out",
    description_vi="Chưa bị xác định là không phải nạn nhân",
    description_en="not found to be 'not a victim'",
)
def victim_not_ruled_out(ctx: GuardContext) -> Refusal | None:
    """A person found not to be a victim leaves towards closure (not_eligible)."""
    if getattr(ctx.case, "victim_status", None) != "not_a_victim":
        return None
    return Refusal(
        "Người này đã được xác định không phải nạn nhân: hãy đề nghị kết thúc hồ sơ "
        "với lý do không đủ điều kiện.",
        "This person was found not to be a victim: request closure as not eligible.",
    )


# --- post-rehab ---------------------------------------------------------------


@register(
    "management_period_over",
    description_vi="Kết thúc vì tái hòa nhập chỉ khi hết thời gian quản lý sau cai (1 hoặc 2 năm)",
    description_en="closing as reintegrated only after the 1- or 2-year management period",
)
def management_period_over(ctx: GuardContext) -> Refusal | None:
    """Law 73/2021 Art 40: management lasts 1 or 2 years from rehab completion."""
    if _closure_reason(ctx) != "reintegrated":
        return None
    end = management_period_end(
        getattr(ctx.case, "rehab_kind", None),
        _as_date(getattr(ctx.case, "rehab_completion_date", None)),
    )
    if end is None:
        return Refusal(
            "Chưa có hình thức cai nghiện và ngày hoàn thành cai nghiện nên không tính được "
            "thời gian quản lý sau cai.",
            "The rehab kind and completion date are missing, so the management period "
            "cannot be computed.",
        )
    if ctx.today >= end:
        return None
    return Refusal(
        f"Thời gian quản lý sau cai nghiện kết thúc ngày {_vn(end)}; chưa thể kết thúc hồ sơ "
        "với lý do đã tái hòa nhập.",
        f"The post-rehab management period ends on {end.isoformat()}; the case cannot close "
        "as reintegrated before then.",
    )


@register(
    "certificate_for_reintegration",
    description_vi="Kết thúc vì tái hòa nhập cần giấy chứng nhận hoàn thành quản lý sau cai",
    description_en="closing as reintegrated needs the completion certificate",
    needs_data=True,
)
def certificate_for_reintegration(ctx: GuardContext) -> Refusal | None:
    """Post-rehab management ends with a completion certificate (Decree 116/2021)."""
    if ctx.data.get("closure_reason") != "reintegrated" or ctx.data.get("completion_certificate"):
        return None
    return Refusal(
        "Cần đính kèm giấy chứng nhận hoàn thành thời gian quản lý sau cai nghiện.",
        "Attach the certificate of completion of post-rehab management.",
    )


@register(
    "relapse_finding_present",
    description_vi="Tái nghiện cần kết luận của cơ quan có thẩm quyền",
    description_en="relapse needs an authority's finding of addiction",
    needs_data=True,
)
def relapse_finding_present(ctx: GuardContext) -> Refusal | None:
    """A positive test alone is not relapse: an authority must find addiction."""
    authority = str(ctx.data.get("finding_authority") or "").strip()
    document = str(ctx.data.get("finding_document") or "").strip()
    if authority and document:
        return None
    return Refusal(
        "Kết quả xét nghiệm dương tính không đủ để xác định tái nghiện: cần cơ quan ra kết luận "
        "và văn bản xác định tình trạng nghiện.",
        "A positive test alone is not relapse: name the authority and attach its finding "
        "of addiction.",
    )


# --- post-prison --------------------------------------------------------------


@register(
    "record_cleared",
    description_vi="Kết thúc vì tái hòa nhập chỉ khi đã được xóa án tích",
    description_en="closing as reintegrated only once the criminal record is cleared",
)
def record_cleared(ctx: GuardContext) -> Refusal | None:
    """Management ends when the record is cleared (Penal Code Art 70; Decree 49/2020)."""
    if _closure_reason(ctx) != "reintegrated":
        return None
    cleared = record_clearance_date(
        _as_date(getattr(ctx.case, "record_cleared_on", None)),
        _as_date(getattr(ctx.case, "release_date", None)),
        getattr(ctx.case, "sentence_months", None),
    )
    if cleared is None:
        return Refusal(
            "Chưa có ngày xóa án tích, ngày ra tù hoặc thời hạn án nên không xác định được "
            "ngày xóa án tích.",
            "No clearance date, release date or sentence length is recorded, so the record "
            "clearance date is unknown.",
        )
    if ctx.today >= cleared:
        return None
    return Refusal(
        f"Án tích được xóa từ ngày {_vn(cleared)}; chưa thể kết thúc hồ sơ với lý do "
        "đã tái hòa nhập.",
        f"The criminal record is cleared on {cleared.isoformat()}; the case cannot close "
        "as reintegrated before then.",
    )


# --- side states and shared checks ------------------------------------------------


@register(
    "has_return_stage",
    description_vi="Biết giai đoạn trước đó để quay lại",
    description_en="the stage to return to is known",
)
def has_return_stage(ctx: GuardContext) -> Refusal | None:
    """Return moves need the stage the case left, stored by the app on entry."""
    left = getattr(ctx.case, "stage_before_suspension", None)
    if ctx.workflow.has_stage(left) and ctx.workflow.stage(left).active:
        return None
    return Refusal(
        "Không rõ hồ sơ đang ở giai đoạn nào trước đó nên không thể quay lại; "
        "cán bộ phụ trách cần điều chỉnh giai đoạn.",
        "The stage this case left is unknown, so it cannot go back; a supervisor must "
        "correct the stage.",
    )


@register(
    "dates_not_in_future",
    description_vi="Ngày đã nhập không ở tương lai",
    description_en="dates entered are not in the future",
    needs_data=True,
)
def dates_not_in_future(ctx: GuardContext) -> Refusal | None:
    """A finding, a check or a completion is recorded after it happened."""
    for f in ctx.event.fields:
        value = ctx.data.get(f.name)
        if f.kind == "date" and isinstance(value, date) and value > ctx.today:
            return Refusal(
                f"Ngày '{f.label('vi')}' ({_vn(value)}) ở tương lai.",
                f"The date '{f.label('en')}' ({value.isoformat()}) is in the future.",
            )
    return None


@register(
    "explanation_for_other",
    description_vi="Lý do 'khác' cần ghi rõ",
    description_en="'other' needs an explanation",
    needs_data=True,
)
def explanation_for_other(ctx: GuardContext) -> Refusal | None:
    """A coded reason of 'other' says nothing a supervisor can review."""
    coded = [f.name for f in ctx.event.fields if f.kind == "choice"]
    if any(ctx.data.get(name) == "other" for name in coded) and not ctx.data.get("reason"):
        return Refusal(
            "Đã chọn lý do 'khác': hãy ghi rõ lý do.",
            "You chose 'other': write down the reason.",
        )
    return None


@register(
    "stage_differs",
    description_vi="Giai đoạn mới khác giai đoạn hiện tại",
    description_en="the new stage differs from the current one",
    needs_data=True,
)
def stage_differs(ctx: GuardContext) -> Refusal | None:
    """A correction that changes nothing would only add noise to the history."""
    if ctx.data.get(CHOSEN_STAGE_FIELD) != getattr(ctx.case, "stage", None):
        return None
    return Refusal(
        "Hồ sơ đã ở giai đoạn này.",
        "The case is already at this stage.",
    )
