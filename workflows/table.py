"""Markdown tables of the workflows, for docs/workflows.md and for reviewers.

Generated from the declarations; a test checks that the section of docs/workflows.md between
`<!-- workflows:begin -->` and `<!-- workflows:end -->` matches
`all_tables_markdown()`, and `python -m workflows --write docs/workflows.md` refreshes it.
"""

from __future__ import annotations

from workflows.guards import GUARDS
from workflows.model import ANY_ACTIVE, PERMISSIONS, Event, Stage, Workflow

BEGIN_MARKER = "<!-- workflows:begin -->"
END_MARKER = "<!-- workflows:end -->"

_HEADERS = {
    "en": ("Stage", "Due", "Event", "To", "Permission", "Guards", "Required fields"),
    "vi": (
        "Giai đoạn",
        "Thời hạn",
        "Thao tác",
        "Đến",
        "Quyền",
        "Điều kiện",
        "Thông tin bắt buộc",
    ),
}
_WORDS = {
    "en": {
        "any": "any active stage",
        "return": "the stage it left",
        "stay": "(stays)",
        "chosen": "the chosen stage",
        "days": "days",
        "working": "working days",
        "forced": "forced",
        "title": "Workflows by case type",
    },
    "vi": {
        "any": "mọi giai đoạn đang xử lý",
        "return": "giai đoạn trước đó",
        "stay": "(giữ nguyên)",
        "chosen": "giai đoạn được chọn",
        "days": "ngày",
        "working": "ngày làm việc",
        "forced": "can thiệp",
        "title": "Quy trình theo loại hồ sơ",
    },
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _due(stage: Stage, words: dict[str, str]) -> str:
    if stage.due_days is None:
        return "—"
    unit = words["working"] if stage.due_kind == "working" else words["days"]
    return f"{stage.due_days} {unit}"


def _to(workflow: Workflow, event: Event, lang: str, words: dict[str, str]) -> str:
    if event.dest_rule == "fixed":
        assert event.dest is not None
        return f"`{event.dest}`"
    return words[event.dest_rule]


def _event_cells(workflow: Workflow, event: Event, lang: str, words: dict[str, str]) -> list[str]:
    name = f"{event.label(lang)} (`{event.name}`)"
    if event.forced:
        name += f" — {words['forced']}"
    return [
        name,
        _to(workflow, event, lang, words),
        f"{PERMISSIONS[event.permission][0 if lang == 'vi' else 1]} (`{event.permission}`)",
        "; ".join(GUARDS[g].description(lang) for g in event.guards) or "—",
        ", ".join(f"{f.label(lang)} (`{f.name}`)" for f in event.required_fields) or "—",
    ]


def markdown_table(workflow: Workflow, lang: str = "en") -> str:
    """One row per (source stage, event); `*` events grouped under "any active stage"."""
    lang = "vi" if lang == "vi" else "en"
    words = _WORDS[lang]
    rows = ["| " + " | ".join(_HEADERS[lang]) + " |", "|" + "---|" * len(_HEADERS[lang])]
    for stage in workflow.stages:
        events = [e for e in workflow.events if stage.name in e.sources]
        head = [f"{stage.label(lang)} (`{stage.name}`)", _due(stage, words)]
        if not events:
            rows.append("| " + " | ".join(head + ["—"] * 5) + " |")
        for i, event in enumerate(events):
            cells = (head if i == 0 else ["", ""]) + _event_cells(workflow, event, lang, words)
            rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    wildcard = [e for e in workflow.events if ANY_ACTIVE in e.sources]
    for i, event in enumerate(wildcard):
        head = [f"*{words['any']}*", ""] if i == 0 else ["", ""]
        cells = head + _event_cells(workflow, event, lang, words)
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def all_tables_markdown(lang: str = "en") -> str:
    """The generated section: a heading and a table per case type."""
    from workflows.registry import WORKFLOWS

    lang = "vi" if lang == "vi" else "en"
    parts = [f"## {_WORDS[lang]['title']}\n"]
    for workflow in WORKFLOWS.values():
        parts.append(f"### {workflow.label(lang)} (`{workflow.case_type}`)\n")
        parts.append(markdown_table(workflow, lang))
    return "\n".join(parts)


def replace_between_markers(text: str, section: str) -> str:
    """`text` with the part between the markers replaced by `section`.

    :raise ValueError: when the markers are missing or out of order.
    """
    start = text.find(BEGIN_MARKER)
    end = text.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError(f"{BEGIN_MARKER} … {END_MARKER} not found")
    return text[: start + len(BEGIN_MARKER)] + "\n" + section + text[end:]


def section_between_markers(text: str) -> str | None:
    """The text between the markers, or None when they are absent."""
    start = text.find(BEGIN_MARKER)
    end = text.find(END_MARKER)
    if start < 0 or end < start:
        return None
    return text[start + len(BEGIN_MARKER) : end]
