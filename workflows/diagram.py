"""Mermaid state diagrams drawn from the declarations, so the picture cannot drift.

Events from `*` (any active stage) are drawn once from a dashed "any active
stage" node rather than from every stage, and return events go to a "stage it
left" node: drawn edge by edge, they would bury the main line.
"""

from __future__ import annotations

from workflows.model import ANY_ACTIVE, Event, Workflow

ANY_NODE = "any_active"
LEFT_NODE = "stage_left"

_WORDS = {
    "vi": {ANY_NODE: "mọi giai đoạn đang xử lý", LEFT_NODE: "giai đoạn trước đó"},
    "en": {ANY_NODE: "any active stage", LEFT_NODE: "the stage it left"},
}


def _text(label: str) -> str:
    # Quotes end a Mermaid state description; colons and semicolons split statements.
    return label.replace('"', "'").replace(":", " -").replace(";", ",")


def _edges(workflow: Workflow, event: Event, lang: str) -> list[str]:
    label = _text(event.label(lang))
    sources = [ANY_NODE if s == ANY_ACTIVE else s for s in event.sources]
    lines = []
    for source in sources:
        if event.dest_rule == "fixed":
            target = event.dest
        elif event.dest_rule == "return":
            target = LEFT_NODE
        else:  # "stay" keeps the stage; "chosen" goes to another active stage
            target = source
        lines.append(f"    {source} --> {target} : {label}")
    return lines


def to_mermaid(workflow: Workflow, current_stage: str | None = None, lang: str = "en") -> str:
    """A `stateDiagram-v2` of `workflow`, labels in `lang` ("vi" or "en").

    `current_stage` is given the `current` class so a case page can show where
    the case is. :raise KeyError: when `current_stage` is not a stage of the workflow.
    """
    if current_stage is not None:
        workflow.stage(current_stage)
    words = _WORDS["vi" if lang == "vi" else "en"]
    lines = ["stateDiagram-v2", f"    %% {_text(workflow.label(lang))} ({workflow.case_type})"]
    lines += [f'    state "{_text(s.label(lang))}" as {s.name}' for s in workflow.stages]
    lines += [
        f'    state "{words[ANY_NODE]}" as {ANY_NODE}',
        f'    state "{words[LEFT_NODE]}" as {LEFT_NODE}',
    ]
    lines.append(f"    [*] --> {workflow.initial}")
    for event in workflow.events:
        lines += _edges(workflow, event, lang)
    lines += [f"    {s.name} --> [*]" for s in workflow.stages if s.terminal]

    lines += [
        "    classDef side fill:#eef3ff,stroke:#6b7fb3",
        "    classDef terminal fill:#e8e8e8,stroke:#555",
        "    classDef pseudo fill:#ffffff,stroke:#999,stroke-dasharray:4 4",
        "    classDef current fill:#ffd966,stroke:#b8860b,stroke-width:3px",
    ]
    side = [s.name for s in workflow.stages if s.side and s.name != current_stage]
    terminal = [s.name for s in workflow.stages if s.terminal and s.name != current_stage]
    if side:
        lines.append(f"    class {','.join(side)} side")
    if terminal:
        lines.append(f"    class {','.join(terminal)} terminal")
    lines.append(f"    class {ANY_NODE},{LEFT_NODE} pseudo")
    if current_stage is not None:
        lines.append(f"    class {current_stage} current")
    return "\n".join(lines) + "\n"
