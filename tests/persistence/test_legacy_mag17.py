"""The real Mag 17 extract (../shared/legacy, read at run time, never committed) through the database:
migrated, read back, and compliance from the database equal to compliance from the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from clo_xl.ingest.extract import read_deal_document, read_table
from clo_xl.ingest.raw import RawTable
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.migration import migrate_content
from clo_xl.persistence.repository import load_deal_for_compliance

REPO_ROOT = Path(__file__).resolve().parents[2]
LEGACY = REPO_ROOT.parent / "shared" / "legacy"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.legacy_data,
    pytest.mark.skipif(
        not (LEGACY / "mag17_assets.json").is_file(), reason="../shared/legacy is not present"
    ),
]


def _content() -> WorkbookContent:
    assets = read_table(LEGACY / "mag17_assets.json")
    doc = read_deal_document(LEGACY / "mag17_deal.json")
    par_column = str(doc.data["par_column"])
    holdings = RawTable(
        file=assets.file,
        sheet=None,
        headers=("BLKRockID", "Par Amount"),
        rows=tuple({"BLKRockID": r["BLKRockID"], "Par Amount": r[par_column]} for r in assets.rows),
    )
    return WorkbookContent(
        file=str(LEGACY), assets=assets, deals={"Mag 17": doc}, holdings={"Mag 17": holdings}
    )


def test_mag17_round_trip_through_the_database(db_url: str, tmp_path: Path) -> None:
    content = _content()
    report = migrate_content(content, db_url, backup_path=tmp_path / "b.zip")
    assert report.status == "loaded", report.error
    assert report.assets == 195 and report.holdings == 195  # the 195 Mag 17 holdings (legacy README)
    assert {c.level for c in report.checks if c.status == "passed"} == {"L1", "L2", "L3", "L4"}
    stored = load_deal_for_compliance(db_url, "Mag 17")
    assert len(stored.assets) == 195
    assert stored.inputs.principal_cash == 68842395.08471006  # Collection principal in mag17_deal.json
    assert migrate_content(content, db_url, backup_path=tmp_path / "b2.zip").status == "unchanged"
