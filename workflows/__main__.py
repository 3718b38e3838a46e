"""`python -m workflows`: print the workflow tables, a diagram, or refresh docs/workflows.md.

python -m workflows                       # tables (English) to stdout
python -m workflows --lang vi             # tables in Vietnamese
python -m workflows --mermaid post_prison # one diagram
python -m workflows --write docs/workflows.md   # replace the section between the markers
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workflows.diagram import to_mermaid
from workflows.registry import get_workflow
from workflows.table import all_tables_markdown, replace_between_markers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflows", description=__doc__)
    parser.add_argument("--lang", choices=("en", "vi"), default="en")
    parser.add_argument("--mermaid", metavar="CASE_TYPE")
    parser.add_argument("--write", metavar="FILE", type=Path)
    args = parser.parse_args(argv)
    if args.mermaid:
        sys.stdout.write(to_mermaid(get_workflow(args.mermaid), lang=args.lang))
        return 0
    section = all_tables_markdown(args.lang)
    if args.write:
        readme: Path = args.write
        readme.write_text(replace_between_markers(readme.read_text("utf-8"), section), "utf-8")
        return 0
    sys.stdout.write(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
