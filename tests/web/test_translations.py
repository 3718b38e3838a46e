"""Every string of the pages is translated: a Vietnamese page never shows English.

Fails when a string was added to the code without `make translations` and a Vietnamese
translation, when the compiled .mo files are older than the .po, or when an English word of the
interface leaks into a page rendered in Vietnamese.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "casework" / "translations"


def _ids(path: Path, locale: str | None = None) -> set:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle, locale=locale) if m.id}


def test_messages_pot_is_up_to_date_with_the_sources(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "--no-location",
            "--sort-output",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "-o",
            str(fresh),
            str(ROOT),
        ]
    )
    added = _ids(fresh) - _ids(CATALOGS / "messages.pot")
    removed = _ids(CATALOGS / "messages.pot") - _ids(fresh)
    assert not added and not removed, (
        f"run `make translations` and translate: new {sorted(map(str, added))[:10]}, "
        f"gone {sorted(map(str, removed))[:10]}"
    )


def test_every_message_has_a_vietnamese_translation() -> None:
    with (CATALOGS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    expected = _ids(CATALOGS / "messages.pot")
    untranslated = sorted(
        str(m.id)
        for m in catalog
        if m.id in expected
        and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    )
    missing = sorted(str(i) for i in expected - {m.id for m in catalog if m.id})
    assert not untranslated and not missing, untranslated[:20] + missing[:20]


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_compiled_catalogs_match_their_sources(locale: str) -> None:
    po_path = CATALOGS / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        po = {
            _key(m.id): _key(m.string)
            for m in read_po(handle, locale=locale)
            if m.id
            and m.string
            and not m.fuzzy
            and (not isinstance(m.string, tuple) or all(m.string))
        }
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        # pybabel writes an untranslated plural as itself; that is the msgid fallback anyway.
        mo = {
            _key(m.id): _key(m.string)
            for m in read_mo(handle)
            if m.id and _key(m.string) != _key(m.id)
        }
    assert po == mo, "run `make translations` (pybabel compile) to rebuild the .mo files"


#: Words of the English interface that must never appear on a Vietnamese page.
ENGLISH_UI = [
    "My cases",
    "Open a case",
    "Log out",
    "Log in",
    "Next actions",
    "History",
    "Stage",
    "Search",
    "Workflow",
    "Approvals",
    "Dashboard",
    "Users",
    "Overdue",
    "Assign",
    "Reference",
    "Not found",
    "Skip to",
    "Case type",
    "Worker",
    "Password",
    "Username",
    "Apply",
    "Closure",
    "Consent",
    "Person",
    "Due",
    "Units",
    "Show the",
]


def _visible_text(html: str) -> str:
    """The text a person reads: no tags, no attribute values, no Mermaid source, no brand."""
    html = re.sub(r"<details class=\"mermaid-source\">.*?</details>", "", html, flags=re.S)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return text.replace("English", "")  # the language switch names itself


def test_main_pages_in_vietnamese_show_no_english(world, browser_for) -> None:
    from tests.web.test_pages import fire, open_case

    worker = browser_for("worker_a")
    case_url = open_case(worker)
    fire(worker, case_url, "verify", victim_status="confirmed")  # a refusal, rendered inline
    pages = {
        "login": browser_for().text("/login"),
        "caseload": worker.text("/cases"),
        "intake": worker.text("/cases/new"),
        "case": worker.text(case_url),
        "case edit": worker.text(case_url + "/edit"),
        "two-step login": worker.text("/account/two-step"),
        "bulk import": worker.text("/imports"),
        "colleague's masked case": browser_for("worker_a2").text(case_url),
        "workflow": worker.text("/workflows/post_prison"),
        "dashboard": browser_for("supervisor_a").text("/supervisor/dashboard"),
        "approvals": browser_for("supervisor_a").text("/supervisor/approvals"),
        "users": browser_for("administrator").text("/admin/users"),
        "units": browser_for("administrator").text("/admin/units?parent=01"),
        "home": browser_for("auditor").text("/home"),
        "not found": worker.get("/cases/00000000-0000-0000-0000-000000000000").get_data(
            as_text=True
        ),
    }
    leaks = {
        name: [w for w in ENGLISH_UI if re.search(rf"\b{re.escape(w)}\b", _visible_text(html))]
        for name, html in pages.items()
    }
    assert not any(leaks.values()), {k: v for k, v in leaks.items() if v}
