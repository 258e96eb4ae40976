"""``DealSession.from_database``: the deal as stored, at its current or an earlier row version.

The sample workbook is migrated into a fresh database. The independent route is the workbook file itself,
read by the workbook reader without any database: the stored deal must give the same compliance document
and the same cash flows. A saved par change moves the version and the pool by exactly the change; ``as_of``
brings the earlier version back, universe included.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import sqlalchemy as sa

from clo_xl.api import DealSession
from clo_xl.errors import DatabaseError
from clo_xl.persistence.engine import engine
from clo_xl.persistence.migration import migrate_workbook
from clo_xl.persistence.repository import refresh_deal, save_deal
from clo_xl.persistence.snapshot import DealNotStored, deal_stamp

pytestmark = pytest.mark.postgres

DEAL = "Mag 17"


@pytest.fixture
def loaded(db_url: str, sample_workbook: Path, tmp_path: Path) -> str:
    report = migrate_workbook(sample_workbook, db_url, backup_path=tmp_path / "before.zip")
    assert report.status == "loaded", report.error
    return db_url


def test_a_stored_deal_equals_the_workbook_it_was_migrated_from(loaded: str, sample_workbook: Path) -> None:
    stored = DealSession.from_database("mag 17", database_url=loaded)  # names match case-insensitively
    from_file = DealSession.from_workbook(sample_workbook, DEAL)
    assert stored.deal == DEAL and stored.version == 1
    assert stored.compliance_document() == from_file.compliance_document()
    assert stored.warf() == from_file.warf() and stored.diversity() == from_file.diversity()
    a, b = stored.cashflow_document(), from_file.cashflow_document()
    assert a["periods"] == b["periods"] and a["summary"] == b["summary"]


def test_a_saved_par_change_moves_the_version_and_as_of_brings_the_old_one_back(
    loaded: str, sample_workbook: Path
) -> None:
    before = DealSession.from_database(DEAL, database_url=loaded)
    stamp = deal_stamp(loaded, DEAL)
    document = copy.deepcopy(refresh_deal(loaded, DEAL).document)
    first = document["holdings"][0]
    first["par"] += 1_000_000.0
    assert save_deal(loaded, document, expected_version=1, actor="test") == 2

    after = DealSession.from_database(DEAL, database_url=loaded)
    assert after.version == 2 and deal_stamp(loaded, DEAL).version == 2 != stamp.version
    # the pool grows by exactly the par added (hand arithmetic: one holding, +1,000,000)
    assert after.pool.total_par == pytest.approx(before.pool.total_par + 1_000_000.0, abs=1e-6)
    assert after.compliance_document() != before.compliance_document()

    old = DealSession.from_database(DEAL, database_url=loaded, as_of=1)
    assert old.version == 1
    assert old.compliance_document() == DealSession.from_workbook(sample_workbook, DEAL).compliance_document()
    with pytest.raises(DatabaseError, match=r"no version 7 .*versions 1 to 2"):
        DealSession.from_database(DEAL, database_url=loaded, as_of=7)


def test_as_of_also_rolls_back_the_universe_and_the_stamp_sees_asset_changes(loaded: str) -> None:
    current = DealSession.from_database(DEAL, database_url=loaded)
    held = current.pool.universe.assets[int(current.pool.positions[0])].brs_id
    stamp = deal_stamp(loaded, DEAL)
    with engine(loaded).begin() as conn:  # an operations fix to the universe (no deal version moves)
        conn.execute(
            sa.text(
                "UPDATE clo.asset SET row_version = row_version + 1, market_value = 55 WHERE asset_id = :a"
            ),
            {"a": held},
        )
    changed = deal_stamp(loaded, DEAL)
    assert changed.version == stamp.version and changed.universe != stamp.universe
    now = DealSession.from_database(DEAL, database_url=loaded)
    then = DealSession.from_database(DEAL, database_url=loaded, as_of=1)
    position = now.pool.universe.position(held)
    assert position is not None
    assert now.pool.universe.assets[position].market_value == 55.0
    assert (
        then.pool.universe.assets[position].market_value
        == current.pool.universe.assets[position].market_value
    )


def test_a_deal_that_is_not_stored_says_how_to_load_it(loaded: str) -> None:
    with pytest.raises(
        DealNotStored, match=r"'Mag 99' is not in the database: load it with Save to DB or `clo-xl migrate"
    ):
        DealSession.from_database("Mag 99", database_url=loaded)
    with pytest.raises(DealNotStored, match=r"\(stored: Mag 6, Mag 7, .*Mag 17\)"):
        deal_stamp(loaded, "Mag 99")
