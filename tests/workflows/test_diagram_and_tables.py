"""The diagram and the tables of docs/workflows.md are drawn from the same declarations."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.__main__ import main
from workflows.diagram import to_mermaid
from workflows.registry import WORKFLOWS, get_workflow
from workflows.table import (
    BEGIN_MARKER,
    END_MARKER,
    all_tables_markdown,
    markdown_table,
    section_between_markers,
)

BY_TYPE = pytest.mark.parametrize("workflow", WORKFLOWS.values(), ids=lambda wf: wf.case_type)
TABLES = Path(__file__).parents[2] / "docs" / "workflows.md"


@BY_TYPE
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_mermaid_mentions_every_stage_and_event(workflow, lang: str) -> None:
    diagram = to_mermaid(workflow, lang=lang)
    assert diagram.startswith("stateDiagram-v2\n")
    for stage in workflow.stages:
        assert f'" as {stage.name}\n' in diagram
        assert stage.label(lang).replace(":", " -") in diagram
    for event in workflow.events:
        assert f": {event.label(lang)}\n" in diagram
    assert not diagram.rstrip().endswith(" current")  # nothing highlighted unless asked


def test_mermaid_highlights_the_current_stage() -> None:
    diagram = to_mermaid(get_workflow("post_prison"), current_stage="counselling", lang="vi")
    assert diagram.rstrip().endswith("class counselling current")
    assert "Tư vấn" in diagram


def test_mermaid_refuses_a_stage_the_workflow_does_not_have() -> None:
    with pytest.raises(KeyError):
        to_mermaid(get_workflow("sex_work_exit"), current_stage="verified")


@BY_TYPE
def test_table_lists_every_stage_event_and_due_days(workflow) -> None:
    table = markdown_table(workflow)
    for stage in workflow.stages:
        assert f"(`{stage.name}`)" in table
    for event in workflow.events:
        assert f"(`{event.name}`)" in table
        assert f"(`{event.permission}`)" in table
    assert table.splitlines()[0] == (
        "| Stage | Due | Event | To | Permission | Guards | Required fields |"
    )


def test_tables_show_working_days_and_vietnamese() -> None:
    assert "3 working days" in markdown_table(get_workflow("post_prison"))
    vi = markdown_table(get_workflow("post_prison"), lang="vi")
    assert "3 ngày làm việc" in vi and "cán bộ phụ trách" in vi


def test_all_tables_cover_every_case_type() -> None:
    section = all_tables_markdown()
    for case_type in WORKFLOWS:
        assert f"(`{case_type}`)" in section


def test_readme_section_matches_the_declarations() -> None:
    if not TABLES.exists():
        pytest.skip("docs/workflows.md not written yet")
    section = section_between_markers(TABLES.read_text("utf-8"))
    if section is None:
        pytest.skip(f"docs/workflows.md has no {BEGIN_MARKER} … {END_MARKER} markers yet")
    assert section.strip() == all_tables_markdown().strip(), (
        "docs/workflows.md tables are stale: run `python -m workflows --write docs/workflows.md`"
    )


def test_command_line_writes_the_readme_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# casework\n\n{BEGIN_MARKER}\nold\n{END_MARKER}\n\nmore\n", "utf-8")

    assert main(["--write", str(readme)]) == 0

    text = readme.read_text("utf-8")
    assert section_between_markers(text).strip() == all_tables_markdown().strip()
    assert text.startswith("# casework\n") and text.endswith("\n\nmore\n")


def test_command_line_prints_a_diagram(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--mermaid", "trafficking_victim", "--lang", "vi"]) == 0
    assert "Xác minh với công an tỉnh" in capsys.readouterr().out
