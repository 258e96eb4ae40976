"""Backup/restore round trips proven by checksums; restoring the pre-migration backup is the rollback;
Refresh from DB / Save to DB with optimistic concurrency."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from clo_xl.errors import ConcurrencyError, DatabaseError
from clo_xl.ingest.deal_inputs import parse_deal_inputs
from clo_xl.persistence.backup import backup, restore
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.engine import engine
from clo_xl.persistence.fingerprint import TableChecksum, table_checksums
from clo_xl.persistence.mappers import raw_document
from clo_xl.persistence.migration import migrate_content
from clo_xl.persistence.repository import load_deal_for_compliance, refresh_deal, save_deal, workbook_blocks
from clo_xl.persistence.synthetic import synthetic_book

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def book() -> WorkbookContent:
    return synthetic_book(80, 2, 30, seed=5)


@pytest.fixture
def loaded(db_url: str, book: WorkbookContent, tmp_path: Path) -> str:
    assert migrate_content(book, db_url, backup_path=tmp_path / "pre.zip").status == "loaded"
    return db_url


def _checksums(url: str) -> dict[str, TableChecksum]:
    with engine(url).connect() as conn:
        return table_checksums(conn, "clo")


def test_backup_restore_round_trip_is_exact(loaded: str, tmp_path: Path) -> None:
    original = _checksums(loaded)
    info = backup(loaded, tmp_path / "b.zip")
    assert info.tables == original
    with engine(loaded).begin() as conn:  # damage: update, delete, insert
        conn.execute(sa.text("UPDATE clo.asset SET market_value = 1 WHERE asset_id = 'SYN000001'"))
        conn.execute(sa.text("DELETE FROM clo.holding WHERE deal = 'Syn 1' AND position = 3"))
        conn.execute(
            sa.text(
                "INSERT INTO clo.hypo_trade (deal, asset_id, transaction, par) "
                "VALUES ('Syn 2', 'X', 'Buy', 5)"
            )
        )
    assert _checksums(loaded) != original
    restored = restore(loaded, tmp_path / "b.zip")
    assert restored.tables == original
    assert _checksums(loaded) == original
    # the identity sequence continues after the restored rows
    with engine(loaded).begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO clo.hypo_trade (deal, asset_id, transaction, par) "
                "VALUES ('Syn 2', 'Y', 'Sale', 5)"
            )
        )
    with engine(loaded).connect() as conn:
        kinds = conn.execute(sa.text("SELECT kind FROM audit.run_log ORDER BY run_id")).scalars().all()
    assert kinds == ["migrate", "backup", "restore"]


def test_tampered_backup_changes_nothing(loaded: str, tmp_path: Path) -> None:
    path = backup(loaded, tmp_path / "b.zip").path
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(entries["manifest.json"])
    manifest["tables"]["asset"]["md5"] = "0" * 32
    entries["manifest.json"] = json.dumps(manifest).encode()
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    before = _checksums(loaded)
    with pytest.raises(DatabaseError, match="did not reproduce"):
        restore(loaded, bad)
    assert _checksums(loaded) == before


def test_restoring_the_pre_migration_backup_is_the_rollback(
    loaded: str, book: WorkbookContent, tmp_path: Path
) -> None:
    state_v1 = _checksums(loaded)
    rows = [dict(r) for r in book.assets.rows]
    rows[0]["Market Value"] = 55.5
    v2 = replace(book, assets=replace(book.assets, rows=tuple(rows)))
    report = migrate_content(v2, loaded, backup_path=tmp_path / "pre-v2.zip")
    assert report.status == "loaded" and report.backup == str(tmp_path / "pre-v2.zip")
    assert _checksums(loaded) != state_v1
    restore(loaded, Path(report.backup))
    assert _checksums(loaded) == state_v1


def test_refresh_returns_the_sheet_values(loaded: str, book: WorkbookContent) -> None:
    stored = refresh_deal(loaded, "Syn 1")
    assert stored.version == 1
    from_db = parse_deal_inputs(raw_document(stored.document))
    from_sheet = parse_deal_inputs(book.deals["Syn 1"])
    assert from_db.thresholds == from_sheet.thresholds
    assert from_db.accounts == from_sheet.accounts
    assert dict(from_db.quality_test_inputs) == dict(from_sheet.quality_test_inputs)
    assert from_db.tranches == from_sheet.tranches
    assert stored.document["cf_inputs"] == {"A Liquidation Price": 0.96, "Reinvest": "Yes"}
    sheet_rows = book.holdings["Syn 1"].rows
    assert [(h["brs_id"], h["par"]) for h in stored.document["holdings"]] == [
        (r["BLKRockID"], r["Par Amount"]) for r in sheet_rows
    ]
    blocks = workbook_blocks(stored)
    assert blocks["DealCollateral"] == [[r["BLKRockID"], r["Par Amount"]] for r in sheet_rows]
    assert blocks["Accounts"][1][:2] == [2, "Collection"]
    assert [r[0] for r in blocks["TestThresholds"]] == [1, 2, 7, 11, 32]  # the sheet's order
    bundle = load_deal_for_compliance(loaded, "Syn 1")
    assert {a.brs_id for a in bundle.assets} == {r["BLKRockID"] for r in sheet_rows}


def _edit_threshold(doc: dict[str, Any], position: int, value: float) -> dict[str, Any]:
    edited = json.loads(json.dumps(doc))
    edited["test_thresholds"][position]["threshold"] = value
    return edited


def test_save_with_current_version_bumps_it(loaded: str) -> None:
    stored = refresh_deal(loaded, "Syn 1")
    new_version = save_deal(
        loaded, _edit_threshold(stored.document, 2, 0.08), expected_version=1, actor="alice"
    )
    assert new_version == 2
    again = refresh_deal(loaded, "Syn 1")
    assert again.document["test_thresholds"][2]["threshold"] == 0.08
    assert again.updated_by == "alice"
    # saving an identical document changes nothing (no new version)
    assert save_deal(loaded, again.document, expected_version=2, actor="alice") == 2


def test_stale_save_is_refused_saying_who_changed_what(loaded: str) -> None:
    alice = refresh_deal(loaded, "Syn 1")
    bob = refresh_deal(loaded, "Syn 1")
    save_deal(loaded, _edit_threshold(bob.document, 2, 0.09), expected_version=bob.version, actor="bob")
    before = _checksums(loaded)
    with pytest.raises(ConcurrencyError) as refused:
        save_deal(
            loaded, _edit_threshold(alice.document, 0, 0.85), expected_version=alice.version, actor="alice"
        )
    message = str(refused.value)
    assert "bob" in message and "test_threshold" in message and "0.075 → 0.09" in message
    assert "version 1" in message and "version 2" in message
    assert _checksums(loaded) == before  # nothing written; bob's change kept
    current = refresh_deal(loaded, "Syn 1")
    assert current.document["test_thresholds"][2]["threshold"] == 0.09
    # alice refreshes, re-applies her edit and saves: both edits are now in the database
    merged = _edit_threshold(current.document, 0, 0.85)
    assert save_deal(loaded, merged, expected_version=current.version, actor="alice") == 3
    final = refresh_deal(loaded, "Syn 1").document["test_thresholds"]
    assert (final[0]["threshold"], final[2]["threshold"]) == (0.85, 0.09)


def test_full_disk_during_backup_leaves_no_file(
    loaded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from clo_xl.persistence import backup as backup_module

    def disk_full(conn: Any, tmp: Path, manifest: Any, checks: Any) -> None:
        tmp.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_module, "_write_zip", disk_full)
    with pytest.raises(DatabaseError, match="No space left on device"):
        backup(loaded, tmp_path / "nightly.zip")
    assert list(tmp_path.glob("nightly.zip*")) == []


def test_refresh_workbook_gives_back_all_assets_in_the_legacy_layout(
    loaded: str, book: WorkbookContent
) -> None:
    from clo_xl.ingest.assets import parse_assets
    from clo_xl.persistence.repository import refresh_workbook

    snapshot = refresh_workbook(loaded)
    assert list(snapshot.deals) == ["Syn 1", "Syn 2"]
    assert snapshot.assets.headers == book.assets.headers  # the 70 legacy headers, in order
    assert parse_assets(snapshot.assets) == parse_assets(book.assets)
    assert snapshot.assets.locate(0, "Maturity").cell == "H2"
