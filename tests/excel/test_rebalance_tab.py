"""The Rebalance-Output tab the Run Rebalancing button writes, checked against independent routes.

The tab follows the legacy shared-tab layout (COMPLIANCE_SPEC §5.4): block titles in row 1 — "Compliance
Test", "Rebalance Trades' Attributes", "Assets To Purchase", "Assets To Sale" — side by side one column
apart from B1; the executed lots aggregated per asset (par summed, the par-weighted price, the lot count).

* Before results: the deal's compliance run on its own (``DealSession.compliance``), not the rebalancer.
* After results: the tab's trades applied by the hypothetical-trade route (``DealSession.hypo``: pool mode,
  each asset's par at the tab's price) — a second way to the same after-trade pool.
* Differences = after − before.
* The Run Model settings (E8 step, E11/E12 targets, the buy and sale filters' Market Value bounds): every
  asset's bought par is a whole number of steps, sales add up to the sale target, purchases stay within
  the buy target, purchase prices are ≥ 0.95 and sale prices < 0.97.
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
from clo_xl.run_model import run_model_settings

DEAL = "Mag 17"  # Run Model C9 of the sample
TITLES = ["Compliance Test", "Rebalance Trades' Attributes", "Assets To Purchase", "Assets To Sale"]


def _assets(grid: Sequence[Sequence[object]], title: str) -> list[dict[str, object]]:
    """The asset rows of the block titled ``title`` (row 1), keyed by the block's header (row 2)."""
    start = grid[0].index(title)
    header = []
    for value in grid[1][start:]:
        if value is None:
            break
        header.append(str(value))
    rows = []
    for row in grid[2:]:
        if row[start] in (None, ""):
            break
        rows.append(dict(zip(header, row[start : start + len(header)], strict=True)))
    return rows


def _number(value: object) -> float:
    assert isinstance(value, int | float), value
    return float(value)


def _trade(row: dict[str, object], side: TransactionType) -> Trade:
    par, price = _number(row["Par"]), _number(row["Price"])
    return Trade(str(row["BlackRock ID"]), side, par, 100 * price, DEAL)


def test_rebalance_tab_against_compliance_and_hypo(workbook_copy: Path) -> None:
    settings = run_model_settings(DealSession.from_workbook(workbook_copy, DEAL))
    handlers.run_rebalancing(FileWorkbook(workbook_copy))
    grid = FileWorkbook(workbook_copy).read_sheet("Rebalance-Output")
    assert [v for v in grid[0] if v is not None] == TITLES  # shared-tab mode, titles in row 1
    assert grid[1][1] is None and grid[1][2:4] == ["Test Num", "Test Name"]  # the block's first column blank
    tests = {}
    for row in grid[2:]:
        if not isinstance(row[2], float):
            break
        tests[int(row[2])] = row
    buys, sales = _assets(grid, "Assets To Purchase"), _assets(grid, "Assets To Sale")
    assert buys and sales

    # the Run Model settings
    for r in buys:
        lots = _number(r["Par"]) / settings.step
        assert lots == pytest.approx(round(lots)) and r["Lots"] == round(lots)
    assert sum(_number(r["Par"]) for r in sales) == pytest.approx(settings.sale_target)
    assert sum(_number(r["Par"]) for r in buys) <= settings.buy_target + 1e-6
    assert all(_number(r["Price"]) >= 0.95 for r in buys)
    assert all(_number(r["Price"]) < 0.97 for r in sales)

    session = DealSession.from_workbook(workbook_copy, DEAL)
    before = {t.number: t for t in session.compliance().results}
    # prices in points (Trade reads a price above 1 as points)
    trades = [_trade(r, TransactionType.SALE) for r in sales] + [_trade(r, TransactionType.BUY) for r in buys]
    (outcome,) = session.hypo(trades)
    after = {t.number: t for t in outcome.after.results}
    assert set(tests) == set(before) == set(after)
    for number, row in tests.items():
        assert row[5] == pytest.approx(before[number].result, rel=1e-12, abs=1e-12), number
        assert row[8] == pytest.approx(after[number].result, rel=1e-9, abs=1e-12), number
        assert row[11] == pytest.approx(_number(row[8]) - _number(row[5]), abs=1e-9), number
        assert row[6] == ("Pass" if before[number].passed else "Fail")


def test_rebalance_tab_reports_par_build_and_legacy_effects(workbook_copy: Path) -> None:
    """Each asset row carries the cash of its lots and the par they built or burnt (par − cash for a buy,
    cash − par for a sale: a buy above par burns par); the legacy switches that moved a figure of the run
    are listed under the blocks."""
    handlers.run_rebalancing(FileWorkbook(workbook_copy))
    grid = FileWorkbook(workbook_copy).read_sheet("Rebalance-Output")
    for title, side in (("Assets To Purchase", 1.0), ("Assets To Sale", -1.0)):
        for r in _assets(grid, title):
            par, price, cash = (_number(r[k]) for k in ("Par", "Price", "Cash"))
            assert cash == pytest.approx(par * price, rel=1e-9)
            assert _number(r["Par Build"]) == pytest.approx(side * (par - cash), abs=1e-6)
    cells = [str(v) for row in grid for v in row if v is not None]
    assert "Legacy effects in these figures" in cells
    assert any(c.startswith("⚠ Q26_PRICE_BLIND_SCORES") for c in cells)
