"""Every case type's workflow, by case type code."""

from __future__ import annotations

from workflows.declarations import post_prison, post_rehab, sex_work_exit, trafficking_victim
from workflows.errors import UnknownCaseType
from workflows.guards import GUARDS
from workflows.model import Workflow

WORKFLOWS: dict[str, Workflow] = {
    wf.case_type: wf
    for wf in (
        trafficking_victim.WORKFLOW,
        post_rehab.WORKFLOW,
        sex_work_exit.WORKFLOW,
        post_prison.WORKFLOW,
    )
}

# Fail at import, not at the first case that hits the typo.
for _wf in WORKFLOWS.values():
    for _event in _wf.events:
        for _guard in _event.guards:
            if _guard not in GUARDS:
                raise ValueError(f"{_wf.case_type}.{_event.name}: unknown guard {_guard!r}")


def get_workflow(case_type: str) -> Workflow:
    """The workflow of `case_type`. :raise UnknownCaseType: for any other code."""
    try:
        return WORKFLOWS[case_type]
    except KeyError:
        raise UnknownCaseType(
            f"Không có loại hồ sơ '{case_type}'.", f"Unknown case type {case_type!r}."
        ) from None
