"""The Rebalance-Output tab the Run Rebalancing button writes, checked against independent routes.

* Before results: the deal's compliance run on its own (``DealSession.compliance``), not the rebalancer.
* After results: the tab's executed trades applied by the hypothetical-trade route (``DealSession.hypo``:
  pool mode, the trades at the tab's prices) — a second way to the same after-trade pool.
* Differences = after − before; each trade's cash = ∓ par × price (purchases pay, sales receive).
* The Run Model settings (E8 step, E11/E12 targets, the buy and sale filters' Market Value bounds,
  COMPLIANCE_SPEC §5.4): every executed lot is one step, sales add up to the sale target, purchases stay
  within the buy target, purchase prices are ≥ 0.95 and sale prices < 0.97.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clo_xl.api import DealSession
from clo_xl.enums import TransactionType
from clo_xl.excel import handlers
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.portfolio.pool import Trade

DEAL = "Mag 17"  # Run Model C9 of the sample


def _block(grid: list[list[object]], title: str) -> list[list[object]]:
    """The lot rows under ``title`` (header row skipped) up to the next blank row."""
    start = next(i for i, row in enumerate(grid) if row[1:2] == [title]) + 2
    rows = []
    for row in grid[start:]:
        if len(row) < 6 or row[1] in (None, ""):
            break
        rows.append(row)
    return rows


def test_rebalance_tab_against_compliance_and_hypo(workbook_copy: Path) -> None:
    settings = handlers.run_settings(FileWorkbook(workbook_copy))
    handlers.run_rebalancing(FileWorkbook(workbook_copy))
    grid = FileWorkbook(workbook_copy).read_sheet("Rebalance-Output")
    header = next(i for i, row in enumerate(grid) if row[1:3] == ["Test Num", "Test Name"])
    tests = {}
    for row in grid[header + 1 :]:
        if not isinstance(row[1], float):
            break
        tests[int(row[1])] = row
    buys = [r for r in _block(grid, "Assets To Purchase") if r[5] == "executed"]
    sales = [r for r in _block(grid, "Assets To Sale") if r[5] in ("executed", "capped at holding")]
    assert buys and sales

    # the Run Model settings
    assert all(r[2] == settings.step for r in buys)
    assert sum(float(r[2]) for r in sales) == pytest.approx(settings.sale_target)
    assert sum(float(r[2]) for r in buys) <= settings.buy_target + 1e-6
    assert all(float(r[3]) >= 0.95 for r in buys) and all(float(r[3]) < 0.97 for r in sales)
    for r in buys:
        assert r[4] == pytest.approx(-float(r[2]) * float(r[3]), abs=1e-6)
    for r in sales:
        assert r[4] == pytest.approx(float(r[2]) * float(r[3]), abs=1e-6)

    session = DealSession.from_workbook(workbook_copy, DEAL)
    before = {t.number: t for t in session.compliance().results}
    # prices in points (Trade reads a price above 1 as points: 1.015 would be 1.015 points, not 101.5%)
    trades = [Trade(str(r[1]), TransactionType.SALE, float(r[2]), 100 * float(r[3]), DEAL) for r in sales]
    trades += [Trade(str(r[1]), TransactionType.BUY, float(r[2]), 100 * float(r[3]), DEAL) for r in buys]
    (outcome,) = session.hypo(trades)
    after = {t.number: t for t in outcome.after.results}
    assert set(tests) == set(before) == set(after)
    for number, row in tests.items():
        assert row[4] == pytest.approx(before[number].result, rel=1e-12, abs=1e-12), number
        assert row[7] == pytest.approx(after[number].result, rel=1e-9, abs=1e-12), number
        assert row[10] == pytest.approx(float(row[7]) - float(row[4]), abs=1e-9), number
        assert row[5] == ("Pass" if before[number].passed else "Fail")
