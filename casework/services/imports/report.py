"""An import's per-row report as a file: CSV or XLSX, every cell neutralised.

The report is minimal on purpose: row number, status, the field messages, references of
matching cases in the importer's scope, whether a match exists elsewhere, and the reference of
the case created. No name, ID or phone: the worker has the list they sent.
"""

from __future__ import annotations

from typing import Any

from casework.services.spreadsheet_safety import csv_bytes, xlsx_bytes

HEADER = (
    "row",
    "status",
    "messages",
    "duplicates_in_your_area",
    "exists_elsewhere",
    "same_phone_as_row",
    "reference",
)


def _messages(messages: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {' '.join(texts)}" for name, texts in sorted(messages.items()))


def table(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            r["row"],
            r["status"],
            _messages(r.get("messages") or {}),
            ", ".join(r.get("duplicates") or []),
            "yes" if r.get("elsewhere") else "",
            r.get("same_as_row") or "",
            r.get("reference") or "",
        ]
        for r in rows
    ]


def render(rows: list[dict[str, Any]], fmt: str) -> tuple[bytes, str]:
    """The file's bytes and its media type."""
    if fmt == "xlsx":
        return (
            xlsx_bytes(HEADER, table(rows), title="Import report"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return csv_bytes(HEADER, table(rows)), "text/csv; charset=utf-8"
