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

from collections.abc import Sequence
from pathlib import Path

import pytest

from clo_xl.api import DealSession
from clo_xl.enums import TransactionType
from clo_xl.excel import handlers
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.portfolio.pool import Trade

DEAL = "Mag 17"  # Run Model C9 of the sample


Lot = tuple[str, float, float, float, str]  # BlackRock ID, par, price, cash, status


def _block(grid: Sequence[Sequence[object]], title: str) -> list[Lot]:
    """The lot rows under ``title`` (header row skipped) up to the next blank row."""
    start = next(i for i, row in enumerate(grid) if list(row[1:2]) == [title]) + 2
    rows: list[Lot] = []
    for row in grid[start:]:
        if len(row) < 6 or row[1] in (None, ""):
            break
        rows.append((str(row[1]), _num(row[2]), _num(row[3]), _num(row[4]), str(row[5])))
    return rows


def _num(value: object) -> float:
    assert isinstance(value, int | float), value
    return float(value)


def test_rebalance_tab_against_compliance_and_hypo(workbook_copy: Path) -> None:
    settings = handlers.run_settings(FileWorkbook(workbook_copy))
    handlers.run_rebalancing(FileWorkbook(workbook_copy))
    grid = FileWorkbook(workbook_copy).read_sheet("Rebalance-Output")
    header = next(i for i, row in enumerate(grid) if row[1:3] == ["Test Num", "Test Name"])
    tests: dict[int, list[float]] = {}
    for row in grid[header + 1 :]:
        if not isinstance(row[1], float):
            break
        tests[int(row[1])] = [_num(row[4]), _num(row[7]), _num(row[10])]
        assert row[5] in ("Pass", "Fail")
    buys = [r for r in _block(grid, "Assets To Purchase") if r[4] == "executed"]
    sales = [r for r in _block(grid, "Assets To Sale") if r[4] in ("executed", "capped at holding")]
    assert buys and sales

    # the Run Model settings
    assert all(par == settings.step for _, par, _, _, _ in buys)
    assert sum(par for _, par, _, _, _ in sales) == pytest.approx(settings.sale_target)
    assert sum(par for _, par, _, _, _ in buys) <= settings.buy_target + 1e-6
    assert all(price >= 0.95 for _, _, price, _, _ in buys)
    assert all(price < 0.97 for _, _, price, _, _ in sales)
    for _, par, price, cash, _ in buys:
        assert cash == pytest.approx(-par * price, abs=1e-6)
    for _, par, price, cash, _ in sales:
        assert cash == pytest.approx(par * price, abs=1e-6)

    session = DealSession.from_workbook(workbook_copy, DEAL)
    before = {t.number: t for t in session.compliance().results}
    # prices in points (Trade reads a price above 1 as points: 1.015 would be 1.015 points, not 101.5%)
    trades = [Trade(brs, TransactionType.SALE, par, 100 * price, DEAL) for brs, par, price, _, _ in sales]
    trades += [Trade(brs, TransactionType.BUY, par, 100 * price, DEAL) for brs, par, price, _, _ in buys]
    (outcome,) = session.hypo(trades)
    after = {t.number: t for t in outcome.after.results}
    assert set(tests) == set(before) == set(after)
    for number, (was, now, diff) in tests.items():
        assert was == pytest.approx(before[number].result, rel=1e-12, abs=1e-12), number
        assert now == pytest.approx(after[number].result, rel=1e-9, abs=1e-12), number
        assert diff == pytest.approx(now - was, abs=1e-9), number
