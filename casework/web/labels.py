"""Words for codes, in the language of the request.

Codes (case types, stages, roles, choices) are what the database stores and statistics count;
people read labels. Workflow labels come from the declarations in ``workflows/`` (which carry
their own Vietnamese and English, so the diagram and the API agree with the pages); everything
else goes through Flask-Babel so the catalogs hold it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

import workflows
from workflows.declarations.common import STAGE_LABELS
from workflows.vocabulary import choice_label as _choice_label


def lang() -> str:
    """``vi`` or ``en``: the two languages the workflow declarations carry."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "vi"


def case_type_label(case_type: str) -> str:
    try:
        return workflows.get_workflow(case_type).label(lang())
    except workflows.UnknownCaseType:
        return case_type


def stage_label(stage: str | None, case_type: str | None = None) -> str:
    """The stage's label in its case type (types may rename a stage), else the shared one."""
    if stage is None:
        return "—"
    if case_type:
        try:
            workflow = workflows.get_workflow(case_type)
            if workflow.has_stage(stage):
                return workflow.stage(stage).label(lang())
        except workflows.UnknownCaseType:
            pass
    vi, en = STAGE_LABELS.get(stage, (stage, stage))
    return vi if lang() == "vi" else en


def event_label(event: str, case_type: str) -> str:
    if event == "open":
        return str(_l("Case opened"))
    workflow = workflows.get_workflow(case_type)
    return workflow.event(event).label(lang()) if workflow.has_event(event) else event


def choice_label(field: str, code: str | None, case_type: str | None = None) -> str:
    """A coded choice; ``to_stage`` choices are stages."""
    if code is None:
        return "—"
    if field == "to_stage":
        return stage_label(code, case_type)
    return _choice_label(field, code, lang())


ROLE_LABELS = {
    "social_worker": _l("Social worker"),
    "supervisor": _l("Supervisor"),
    "statistician": _l("Statistician"),
    "administrator": _l("Administrator"),
    "auditor": _l("Auditor"),
}

SEX_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}

REFERRAL_SOURCE_LABELS = {
    "commune": _l("Commune"),
    "police": _l("Police"),
    "border_guard": _l("Border guard"),
    "hotline_111": _l("Hotline 111"),
    "rehab_centre": _l("Rehabilitation centre"),
    "prison": _l("Prison"),
    "womens_union": _l("Women's Union"),
    "ngo": _l("Non-governmental organisation"),
    "self": _l("The person themself"),
    "family": _l("Family"),
    "other": _l("Other"),
}

UNIT_KIND_LABELS = {
    "province": _l("Province"),
    "district": _l("District"),
    "commune": _l("Commune"),
    "neighbourhood": _l("Neighbourhood"),
}

PERSON_FIELD_LABELS = {
    "full_name": _l("Full name"),
    "aliases": _l("Other names"),
    "sex": _l("Sex"),
    "date_of_birth": _l("Date of birth"),
    "birth_year": _l("Year of birth"),
    "national_id": _l("National ID (CCCD)"),
    "phone": _l("Phone"),
    "address": _l("Address"),
    "family_contacts": _l("Family contacts"),
    "health_notes": _l("Health"),
    "justice_notes": _l("Criminal justice"),
}

#: The lookup paths named in identity probes (``casework.people.disclosure.LOOKUP_PATHS``).
LOOKUP_PATH_LABELS = {
    "people_search": _l("People search"),
    "caseload_search": _l("Search in the case list"),
    "intake": _l("Duplicate check when opening a case"),
    "intake_page": _l("Duplicate warning on a new case"),
    "import": _l("Duplicate check of an imported list"),
}


def label_of(table: dict[str, object], code: str | None) -> str:
    if code is None:
        return "—"
    return str(table.get(code, code))


def show_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy in Vietnamese (what every form and report here uses); a short date in English."""
    if value is None:
        return "—"
    if isinstance(value, datetime) and value.tzinfo is None:  # SQLite returns naive UTC
        value = value.replace(tzinfo=UTC)
    # format_date turns a datetime into the local (Asia/Ho_Chi_Minh) day first.
    return format_date(value, "dd/MM/yyyy" if lang() == "vi" else "d MMM yyyy")


def show_datetime(value: datetime | None) -> str:
    """Local time (Asia/Ho_Chi_Minh) of a stored UTC timestamp."""
    if value is None:
        return "—"
    if value.tzinfo is None:  # SQLite returns naive UTC
        value = value.replace(tzinfo=UTC)
    return format_datetime(value, "dd/MM/yyyy HH:mm" if lang() == "vi" else "d MMM yyyy HH:mm")


def event_field_label(case_type: str, event: str, name: str) -> str:
    """The label of a value recorded with an event (its form field's label)."""
    if name == "skipped_stage":
        return str(_l("Skipped stage"))
    workflow = workflows.get_workflow(case_type)
    if workflow.has_event(event):
        declared = workflow.event(event).field(name)
        if declared is not None:
            return declared.label(lang())
    return name


def event_value(case_type: str, name: str, value: object) -> str:
    """A coded value of a history row as a person reads it."""
    if value is None:
        return "—"
    if name in ("to_stage", "skipped_stage"):
        return stage_label(str(value), case_type)
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return show_date(date.fromisoformat(text))
        except ValueError:
            return text
    return _choice_label(name, text, lang())
