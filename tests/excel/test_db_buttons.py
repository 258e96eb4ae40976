"""Refresh from DB and Save to DB on a real PostgreSQL (the embedded server), headless through FileWorkbook.

The sample workbook is migrated into a fresh database; copies of it are refreshed, edited and saved as two
analysts would. Expected values are read independently: the database through SQL and ``refresh_deal``,
the workbook through python-calamine and the raw sheet XML.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook

from clo_xl.errors import ConcurrencyError
from clo_xl.excel import db_sync, handlers
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.ingest.layout import ALL_ASSETS_COLUMNS, Kind

DEAL = "Mag 17"  # Run Model C9 of the sample
SHEET = f"{DEAL} Inputs"


def _copy(sample: Path, folder: Path, name: str) -> Path:
    path = folder / name / sample.name
    path.parent.mkdir()
    shutil.copyfile(sample, path)
    return path


def _cells(path: Path, sheet: str) -> list[list[object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return [list(r) for r in rows]


def _snapshot(url: str) -> list[tuple[object, ...]]:
    """Every business row of the deal and the change log, to prove a refused save wrote nothing."""
    from clo_xl.persistence.engine import engine

    with engine(url).connect() as conn:
        deal = conn.execute(sa.text("SELECT * FROM clo.deal ORDER BY deal")).all()
        holdings = conn.execute(sa.text("SELECT * FROM clo.holding ORDER BY 1, 2, 3")).all()
        log = conn.execute(sa.text("SELECT count(*) FROM audit.change_log")).scalar_one()
    return [*map(tuple, deal), *map(tuple, holdings), (log,)]


def test_refresh_edit_save_then_a_stale_save_is_refused(
    migrated: str, sample_workbook: Path, tmp_path: Path
) -> None:
    from clo_xl.persistence.engine import engine
    from clo_xl.persistence.repository import refresh_deal

    alice_path = _copy(sample_workbook, tmp_path, "alice")
    bob_path = _copy(sample_workbook, tmp_path, "bob")
    stored = refresh_deal(migrated, DEAL)

    # -- Refresh: values written, the version remembered in a hidden sheet, formulas kept -------------
    result = handlers.refresh_from_db(FileWorkbook(alice_path), database_url=migrated)
    assert result.sheets == ("All Assets", SHEET) and f"{DEAL} v{stored.version}" in result.summary
    handlers.refresh_from_db(FileWorkbook(bob_path), database_url=migrated)
    grid = _cells(alice_path, SHEET)
    holdings = stored.document["holdings"]
    assert [(r[3], r[4]) for r in grid[3 : 3 + len(holdings)]] == [(h["brs_id"], h["par"]) for h in holdings]
    with zipfile.ZipFile(alice_path) as z:
        workbook_xml = z.read("xl/workbook.xml").decode()
        assert re.search(r'<sheet name="clo-xl\.state"[^>]*state="hidden"', workbook_xml)
        assert "vbaProject.bin" in " ".join(z.namelist())  # the macros survive
        sheet_xml = z.read("xl/worksheets/sheet11.xml").decode()  # Mag 17 Inputs (11th sheet)
    # the quality-test block's formula cells (S3 = K4, S8 = SUM) are still formulas
    assert "<f>K4</f>" in sheet_xml and "<f>SUM(AK7:AQ7)</f>" in sheet_xml
    state = db_sync.read_state(FileWorkbook(alice_path))
    assert state[DEAL].version == stored.version

    # -- Alice edits the first holding's par and saves: the database changes and the change is audited ---
    brs, old_par = holdings[0]["brs_id"], float(holdings[0]["par"])
    new_par = old_par + 1_000_000.0
    book = FileWorkbook(alice_path)
    assert book.write_inputs(SHEET, "E4", [[new_par]]) == []
    book.save()
    saved = handlers.save_to_db(FileWorkbook(alice_path), database_url=migrated, actor="alice")
    assert f"{DEAL} v{stored.version + 1}" in saved.summary
    after = refresh_deal(migrated, DEAL)
    assert after.version == stored.version + 1 and after.updated_by == "alice"
    assert after.document["holdings"][0] == {"brs_id": brs, "par": new_par}
    assert db_sync.read_state(FileWorkbook(alice_path))[DEAL].version == after.version
    with engine(migrated).connect() as conn:
        audited = conn.execute(
            sa.text(
                "SELECT actor, before->>'par', after->>'par' FROM audit.change_log "
                "WHERE table_name = 'clo.holding' AND operation = 'UPDATE' AND row_key->>'deal' = :d"
            ),
            {"d": DEAL},
        ).all()
    assert [(a, float(b), float(c)) for a, b, c in audited] == [("alice", old_par, new_par)]

    # -- Bob refreshed before Alice saved: his save is refused, names alice and the par, writes nothing ---
    bob = FileWorkbook(bob_path)
    bob.write_inputs(SHEET, "E5", [[123_456.0]])
    bob.save()
    before = _snapshot(migrated)
    with pytest.raises(ConcurrencyError) as refused:
        handlers.save_to_db(FileWorkbook(bob_path), database_url=migrated, actor="bob")
    message = str(refused.value)
    # who, when, what (the holding at sheet position 1) and the value change
    assert re.search(r"alice at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", message), message
    assert "changed holding (position 1" in message
    assert re.search(rf"par {old_par:.0f}(\.0)? → {new_par:.0f}(\.0)?", message), message
    assert f"version {stored.version}" in message and f"version {after.version}" in message
    assert _snapshot(migrated) == before
    assert _cells(bob_path, SHEET)[4][4] == 123_456.0  # Bob's edit is still in his workbook

    # -- Bob refreshes (Alice's par arrives, his edit is replaced), re-applies it and saves -------------
    handlers.refresh_from_db(FileWorkbook(bob_path), database_url=migrated)
    assert _cells(bob_path, SHEET)[3][4] == new_par
    bob = FileWorkbook(bob_path)
    bob.write_inputs(SHEET, "E5", [[123_456.0]])
    bob.save()
    handlers.save_to_db(FileWorkbook(bob_path), database_url=migrated, actor="bob")
    final = refresh_deal(migrated, DEAL).document["holdings"]
    assert (final[0]["par"], final[1]["par"]) == (new_par, 123_456.0)


def test_refreshing_from_the_migrated_sample_gives_back_the_same_inputs(
    migrated: str, sample_workbook: Path, workbook_copy: Path
) -> None:
    """Round trip: workbook → migrate → Refresh into a copy → the readers see the same assets and deal."""
    from clo_xl.ingest.workbook import read_workbook

    handlers.refresh_from_db(FileWorkbook(workbook_copy), database_url=migrated)
    original, refreshed = read_workbook(sample_workbook), read_workbook(workbook_copy)
    assert list(refreshed.assets.headers) == list(original.assets.headers)
    assert len(refreshed.assets.rows) == len(original.assets.rows) > 100
    dates = {h for h, kind in ALL_ASSETS_COLUMNS if kind is Kind.DATE}

    def normal(row: Mapping[str, object]) -> dict[str, object]:
        # a date column's serial 0 means "no date" (layout.Kind.DATE); the database keeps it as NULL
        return {h: (None if h in dates and v in (0, 0.0) else v) for h, v in row.items()}

    differences = [
        (i, h, before[h], after[h])
        for i, (before, after) in enumerate(zip(original.assets.rows, refreshed.assets.rows, strict=True))
        for h in before
        if normal(before)[h] != normal(after)[h]
    ]
    assert differences == []
    after, before = dict(refreshed.deal(DEAL).data), dict(original.deal(DEAL).data)
    # the database keeps account names trimmed (the sample's "Payment " comes back as "Payment")
    for doc in (after, before):
        accounts = doc["accounts"]
        assert isinstance(accounts, list)
        doc["accounts"] = [{**a, "name": str(a["name"]).strip()} for a in accounts]
    assert after == before
    assert list(refreshed.holdings[DEAL].rows) == list(original.holdings[DEAL].rows)


def test_save_without_refresh_is_refused(migrated: str, workbook_copy: Path) -> None:
    with pytest.raises(Exception, match="press Refresh from DB before Save to DB"):
        handlers.save_to_db(FileWorkbook(workbook_copy), database_url=migrated)


def test_a_bad_cell_is_refused_with_its_address_before_anything_is_written(
    migrated: str, workbook_copy: Path
) -> None:
    handlers.refresh_from_db(FileWorkbook(workbook_copy), database_url=migrated)
    book = FileWorkbook(workbook_copy)
    book.write_inputs(SHEET, "E6", [["lots"]])
    book.save()
    before = _snapshot(migrated)
    with pytest.raises(Exception, match=r"E6") as refused:
        handlers.save_to_db(FileWorkbook(workbook_copy), database_url=migrated)
    assert "lots" in str(refused.value)
    assert _snapshot(migrated) == before


def test_all_deals_refresh_and_an_unchanged_save_writes_nothing(migrated: str, workbook_copy: Path) -> None:
    book = FileWorkbook(workbook_copy)
    book.write_inputs("Run Model", "C9", [["All"]])
    book.save()
    refreshed = handlers.refresh_from_db(FileWorkbook(workbook_copy), database_url=migrated)
    deals = handlers.deal_names(FileWorkbook(workbook_copy))
    assert len(deals) == 10 and refreshed.sheets == ("All Assets", *(f"{d} Inputs" for d in deals))
    state = db_sync.read_state(FileWorkbook(workbook_copy))
    assert sorted(state) == sorted(deals) and {s.version for s in state.values()} == {1}
    before = _snapshot(migrated)
    saved = handlers.save_to_db(FileWorkbook(workbook_copy), database_url=migrated)
    assert "nothing changed" in saved.summary
    assert _snapshot(migrated) == before  # no version bump, no audit row
