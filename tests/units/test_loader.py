"""Loading the official unit lists: both formats, idempotent, linked, and refusing bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.units.loader import PACKAGED_UNITS, UnitFileError, load_units, parse, read_file
from casework.units.models import CURRENT_TREE, PRE_REFORM_TREE, Unit

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
THREE_LEVEL = SHARED / "vn-units-2025-03-01-three-level.json"


def counts(tree: str) -> dict[str, int]:
    rows = db.session.execute(
        select(Unit.kind, func.count()).where(Unit.tree == tree).group_by(Unit.kind)
    ).all()
    return dict(rows)


def test_packaged_post_reform_list_has_34_provinces_and_3321_communes(app):
    with app.app_context():
        report = load_units(db.session, read_file(PACKAGED_UNITS))
        db.session.commit()
        assert report.created == 34 + 3321
        assert counts(CURRENT_TREE) == {"province": 34, "commune": 3321}


@pytest.mark.skipif(not THREE_LEVEL.exists(), reason="shared/data not beside the checkout")
def test_pre_reform_list_has_63_provinces_696_districts_10047_communes_and_links(app):
    with app.app_context():
        load_units(db.session, read_file(PACKAGED_UNITS))
        report = load_units(db.session, read_file(THREE_LEVEL))
        db.session.commit()
        assert counts(PRE_REFORM_TREE) == {"province": 63, "district": 696, "commune": 10047}
        assert report.linked > 0
        old = db.session.scalar(
            select(Unit).where(Unit.tree == PRE_REFORM_TREE, Unit.code == "00004")
        )
        assert old.name == "Phường Trúc Bạch" and old.replaced_by.name == "Phường Ba Đình"
        assert old.valid_to.isoformat() == "2025-06-30"


def test_a_second_load_changes_nothing(app):
    with app.app_context():
        load_units(db.session, read_file(PACKAGED_UNITS))
        db.session.commit()
        again = load_units(db.session, read_file(PACKAGED_UNITS))
        assert (again.created, again.updated, again.unchanged) == (0, 0, 34 + 3321)
        assert not db.session.dirty and not db.session.new


def test_a_provinces_subtree_is_one_prefix_query_holding_exactly_its_communes(app):
    with app.app_context():
        load_units(db.session, read_file(PACKAGED_UNITS))
        db.session.commit()
        hanoi = db.session.scalar(select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == "01"))
        subtree = db.session.scalars(hanoi.subtree()).all()
        expected = next(p for p in read_file(PACKAGED_UNITS) if p["Code"] == "01")["Wards"]
        assert {u.code for u in subtree if u.kind == "commune"} == {w["Code"] for w in expected}
        assert all(u.path.startswith("vn2:01/") for u in subtree)
        assert hanoi in subtree


def test_the_subtree_index_is_used_on_postgresql(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL plan only")
        load_units(db.session, read_file(PACKAGED_UNITS))
        db.session.commit()
        db.session.execute(db.text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            r[0]
            for r in db.session.execute(
                db.text("EXPLAIN SELECT * FROM unit WHERE path LIKE 'vn2:01/%'")
            )
        )
        assert "ix_unit_path" in plan


@pytest.mark.parametrize(
    "data, message",
    [
        ({"something": 1}, "not a units file"),
        ([], "lists no units"),
        (
            [
                {
                    "Code": "01",
                    "FullName": "A",
                    "Wards": [
                        {"Code": "00004", "FullName": "X", "ProvinceCode": "01"},
                        {"Code": "00004", "FullName": "Y", "ProvinceCode": "01"},
                    ],
                }
            ],
            "duplicate unit code 00004",
        ),
        (
            [
                {
                    "Code": "01",
                    "FullName": "A",
                    "Wards": [{"Code": "00004", "FullName": "X", "ProvinceCode": "02"}],
                }
            ],
            "does not match",
        ),
        (
            {
                "data": [
                    {
                        "level1_id": "01",
                        "name": "A",
                        "level2s": [
                            {"level2_id": "001", "name": "B", "level3s": [{"name": "no code"}]}
                        ],
                    }
                ]
            },
            "level3_id",
        ),
        ([{"Code": "01", "FullName": "A"}], "'Wards' must be a list"),
    ],
)
def test_malformed_files_are_refused_with_the_reason(data, message):
    with pytest.raises(UnitFileError, match=message):
        parse(data)


def test_a_malformed_file_loads_nothing(app, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                {
                    "Code": "01",
                    "FullName": "A",
                    "Wards": [
                        {"Code": "00004", "FullName": "X", "ProvinceCode": "01"},
                        {"Code": "00004", "FullName": "Y", "ProvinceCode": "01"},
                    ],
                }
            ]
        )
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["units", "load", str(bad)])
    assert result.exit_code == 1
    assert "duplicate unit code 00004" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 0
