"""`migrate` fills the tables it used to leave empty: the yield curve (``clo.curve_point``), the Asset
Correlation matrix (``clo.correlation``) and the Run Model's hypothetical trades (``clo.hypo_trade``).

Independent route: the workbook file read cell by cell with openpyxl (not clo-xl's reader)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from clo_xl.enums import TransactionType
from clo_xl.persistence.engine import engine
from clo_xl.persistence.migration import migrate_workbook
from clo_xl.persistence.repository import add_hypo_trades, hypo_trades
from clo_xl.portfolio.pool import Trade

pytestmark = pytest.mark.postgres


def _rows(url: str, sql: str) -> list[tuple]:
    with engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_curve_correlation_and_trades_are_stored(db_url: str, sample_workbook: Path, tmp_path: Path) -> None:
    report = migrate_workbook(sample_workbook, db_url, backup_path=tmp_path / "b0.zip")
    assert report.status == "loaded", report.error
    wb = openpyxl.load_workbook(sample_workbook, read_only=True, data_only=True)

    # Run Model C8 is the analysis date; the Reference Table holds the LIBORCurve (tenor months, rate)
    analysis = wb["Run Model"]["C8"].value.date()
    stored = _rows(db_url, "SELECT as_of, point_date, rate FROM clo.curve_point ORDER BY point_date")
    assert {a for a, _, _ in stored} == {analysis} and len(stored) == 9
    assert stored[0][1] == date(analysis.year, analysis.month + 1, analysis.day)  # 1 month
    assert stored[0][2] == pytest.approx(0.0044)

    # Asset Correlation: ids across row 1 from B1; the upper triangle with the diagonal is stored
    sheet = wb["Asset Correlation"]
    first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    ids = [v for v in first[1:] if v is not None]
    n = len(ids)
    assert _rows(db_url, "SELECT count(*) FROM clo.correlation") == [(n * (n + 1) // 2,)]
    second = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    value = _rows(
        db_url, f"SELECT value FROM clo.correlation WHERE row_key = '{ids[0]}' AND column_key = '{ids[1]}'"
    )
    assert value == [(pytest.approx(second[2]),)]

    # Run Model J11:N39: Deal, BRS ID, Transaction, Par, Price, in sheet order
    rm = wb["Run Model"]
    listed = [
        r for r in rm.iter_rows(min_row=11, max_row=39, min_col=10, max_col=14, values_only=True) if r[0]
    ]
    got = _rows(
        db_url,
        "SELECT trade_id, deal, asset_id, transaction, par, price FROM clo.hypo_trade ORDER BY trade_id",
    )
    assert [g[1:] for g in got] == [tuple(r) for r in listed]
    assert [g[0] for g in got] == list(range(-len(listed), 0))
    assert [t.brs_id for t in hypo_trades(db_url, "Mag 17")] == [r[1] for r in listed if r[0] == "Mag 17"]

    # an analyst's trade added through the API survives a second migrate, which changes nothing else
    (new_id,) = add_hypo_trades(db_url, "Mag 17", [Trade("BRSJU9ZW3", TransactionType.BUY, 1e6, 99.0)])
    assert new_id > 0
    again = migrate_workbook(sample_workbook, db_url, backup_path=tmp_path / "b1.zip")
    assert again.status == "unchanged", again.error
    for table in ("curve_point", "correlation", "hypo_trade"):
        counts = again.tables.get(table)
        assert counts is None or (counts.inserted, counts.updated, counts.deleted) == (0, 0, 0), table
    assert _rows(db_url, f"SELECT count(*) FROM clo.hypo_trade WHERE trade_id = {new_id}") == [(1,)]
