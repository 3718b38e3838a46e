"""The coded vocabulary of the programme work, read from data a province can extend
(``casework/data/programme-vocabulary.json``), not from code."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from casework.web.labels import lang


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, list[dict[str, Any]]]:
    text = resources.files("casework.data").joinpath("programme-vocabulary.json").read_text(
        "utf-8"
    )
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def codes(name: str) -> tuple[str, ...]:
    """The codes of one list (``activity_kinds``, ``campaign_days``, ``topics`` …)."""
    return tuple(entry["code"] for entry in vocabulary()[name])


def entry(name: str, code: str) -> dict[str, Any] | None:
    return next((e for e in vocabulary()[name] if e["code"] == code), None)


def label(name: str, code: str | None) -> str:
    """The label of a code in the page's language (the code itself when unknown)."""
    found = entry(name, code) if code else None
    if found is None:
        return code or ""
    return found["vi"] if lang() == "vi" else found["en"]


def choices(name: str) -> list[tuple[str, str]]:
    return [(e["code"], label(name, e["code"])) for e in vocabulary()[name]]
