"""The analytics commands on a deal stored in PostgreSQL (``--deal NAME`` alone): the same documents as from
the workbook it was migrated from (the independent route: the file, read without any database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clo_xl.cli import main
from clo_xl.persistence.migration import migrate_workbook

pytestmark = pytest.mark.postgres


@pytest.fixture
def loaded(db_url: str, sample_workbook: Path, tmp_path: Path) -> str:
    report = migrate_workbook(sample_workbook, db_url, backup_path=tmp_path / "before.zip")
    assert report.status == "loaded", report.error
    return db_url


@pytest.mark.parametrize(
    "command",
    [["breakeven", "--cpr", "0.2", "--severity", "0.35", "--lag", "12"], ["collateral-report"], ["coverage"]],
)
def test_stored_deal_gives_the_workbooks_document(
    loaded: str, sample_workbook: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--deal", "Mag 17", "--database-url", loaded, "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert main([*command, "--workbook", str(sample_workbook), "--deal", "Mag 17", "--json"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert stored == from_file
