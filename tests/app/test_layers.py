"""The shape of the code (issue 18): faces parse, call one operation and render.

The import contracts live in pyproject.toml (``[tool.importlinter]``): faces do not import the
audit trail, the workflow engine imports nothing of the application, and the layers run
faces > operations > models and crypto > workflows.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Faces that still run queries of their own (``select(...)``/``.query(...)`` calls), and how
#: many: the list may only shrink. Moving them into operations or presenters is issue 18's
#: step "web views run no queries of their own".
KNOWN_FACE_QUERIES = {
    "casework/accounts/admin_api.py": 1,
    "casework/cli.py": 2,
    "casework/units/api.py": 2,
}


def _faces() -> list[Path]:
    package = ROOT / "casework"
    return sorted(
        path
        for path in package.rglob("*.py")
        if path.relative_to(package).parts[0] in ("web", "cli")
        or path.name in ("api.py", "cli.py")
        or path.name.endswith("_api.py")
    )


def _query_calls(path: Path) -> int:
    count = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            count += name in ("select", "query")
    return count


def test_the_import_contracts_hold() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    assert linter.exists(), "import-linter is missing: pip install -e '.[test]'"
    result = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_face_imports_the_audit_trail() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _faces()
        if "casework.audit import trail" in path.read_text(encoding="utf-8")
        or "casework.audit.trail" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_faces_run_no_new_queries_of_their_own() -> None:
    found = {str(path.relative_to(ROOT)): _query_calls(path) for path in _faces()}
    grown = {
        name: count
        for name, count in found.items()
        if count > KNOWN_FACE_QUERIES.get(name, 0)
    }
    assert grown == {}, f"faces with new queries (move them into an operation): {grown}"
