"""Every result reachable without Excel or a workbook: `--deal NAME` alone reads the deal stored in
PostgreSQL (`--as-of VERSION` an earlier row version) for compliance, hypo, cashflows, rankings and
rebalance. Independent route: the same commands on the workbook file the database was migrated from."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from clo_xl.cli import main
from clo_xl.persistence.migration import migrate_workbook
from clo_xl.persistence.repository import refresh_deal, save_deal

pytestmark = pytest.mark.postgres


@pytest.fixture
def loaded(db_url: str, sample_workbook: Path, tmp_path: Path) -> str:
    report = migrate_workbook(sample_workbook, db_url, backup_path=tmp_path / "before.zip")
    assert report.status == "loaded", report.error
    return db_url


def doc_of(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main([*args, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_database_route_equals_the_workbook(
    loaded: str, sample_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--deal", "mag 17", "--database-url", loaded]  # names match ignoring case
    wb = ["--workbook", str(sample_workbook), "--deal", "Mag 17"]
    for command in (["compliance"], ["hypo"], ["rankings"], ["cashflows", "--convention", "corrected"]):
        stored = doc_of(capsys, *command, *db)
        from_file = doc_of(capsys, *command, *wb)
        stored.pop("executor", None), from_file.pop("executor", None)
        assert stored == from_file, command


def test_as_of_reads_an_earlier_version(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = doc_of(capsys, "compliance", "--deal", "Mag 17", "--database-url", loaded)
    document = copy.deepcopy(refresh_deal(loaded, "Mag 17").document)
    document["holdings"][0]["par"] += 5_000_000.0
    assert save_deal(loaded, document, expected_version=1, actor="test") == 2
    after = doc_of(capsys, "compliance", "--deal", "Mag 17", "--database-url", loaded)
    # CPA moves by exactly the par added (hand arithmetic: one non-defaulted holding + 5,000,000)
    assert after["collateral_principal_amount"] == pytest.approx(before["collateral_principal_amount"] + 5e6)
    old = doc_of(capsys, "compliance", "--deal", "Mag 17", "--database-url", loaded, "--as-of", "1")
    assert old == before
    old_cf = doc_of(capsys, "cashflows", "--deal", "Mag 17", "--database-url", loaded, "--as-of", "1")
    new_cf = doc_of(capsys, "cashflows", "--deal", "Mag 17", "--database-url", loaded)
    assert old_cf["periods"][0]["interest_proceeds"] != new_cf["periods"][0]["interest_proceeds"]


def test_unknown_stored_deal_lists_the_deals(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cashflows", "--deal", "Mag 99", "--database-url", loaded]) == 2
    err = capsys.readouterr().err
    assert "Mag 17" in err and "Mag 6" in err
