"""The Rebalance-Output tab the Run Rebalancing button writes, checked against independent routes.

The tab follows the legacy shared-tab layout (COMPLIANCE_SPEC §5.4): block titles in row 1 — "Compliance
Test", "Rebalance Trades' Attributes", "Assets To Purchase", "Assets To Sale" — side by side one column
apart from B1; the executed lots aggregated per asset (par summed, the par-weighted price, the lot count).

* Before results: the deal's compliance run on its own (``DealSession.compliance``), not the rebalancer.
* After results: the tab's trades applied by the hypothetical-trade route (``DealSession.hypo``: pool mode,
  each asset's par at the tab's price) — a second way to the same after-trade pool.
* Differences = after − before.
* Each asset row's attributes against the workbook's own All Assets row (read here with python-calamine):
  issue name, market value (points → fraction of par), coupon, spread, WAL, Moody's recovery rate; trades
  execute at the market value.
* The "Rebalance Trades' Attributes" block recomputed from the asset rows: Σ par, and par-weighted spread,
  WAL, recovery rate, market value and Moody's rating factor (the published Moody's factor table).
* The Run Model settings (E8 step, E11/E12 targets, the buy and sale filters' Market Value bounds): every
  asset's bought par is a whole number of steps, sales add up to the sale target, purchases stay within
  the buy target, purchase prices are ≥ 0.95 and sale prices < 0.97.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from clo_xl.api import DealSession
from clo_xl.enums import TransactionType
from clo_xl.excel import handlers
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.portfolio.pool import Trade
from clo_xl.run_model import run_model_settings

DEAL = "Mag 17"  # Run Model C9 of the sample
TITLES = ["Compliance Test", "Rebalance Trades' Attributes", "Assets To Purchase", "Assets To Sale"]
#: Moody's rating factors as Moody's publishes them ("Approach to Rating Collateralized Loan Obligations")
MOODYS_FACTORS = {"Aaa": 1, "Aa1": 10, "Aa2": 20, "Aa3": 40, "A1": 70, "A2": 120, "A3": 180, "Baa1": 260,
                  "Baa2": 360, "Baa3": 610, "Ba1": 940, "Ba2": 1350, "Ba3": 1766, "B1": 2220, "B2": 2720,
                  "B3": 3490, "Caa1": 4770, "Caa2": 6500, "Caa3": 8070, "Ca": 10000, "C": 10000}  # fmt: skip


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


def _all_assets(path: Path) -> dict[str, dict[str, object]]:
    """The workbook's All Assets rows by BlackRock ID, straight from the sheet's cells."""
    cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("All Assets").to_python()
    header = [str(h) for h in cells[0]]
    return {str(r[0]): dict(zip(header, r, strict=False)) for r in cells[1:] if r and r[0]}


def _weighted(rows: Sequence[dict[str, object]], value: str) -> float:
    """Par-weighted average of a column of the asset rows."""
    return sum(_number(r["Par"]) * _number(r[value]) for r in rows) / sum(_number(r["Par"]) for r in rows)


def _trade(row: dict[str, object], side: TransactionType) -> Trade:
    par, price = _number(row["Par"]), _number(row["Price"])
    return Trade(str(row["BlackRock ID"]), side, par, 100 * price, DEAL)


@pytest.fixture(scope="module")
def rebalanced(tmp_path_factory: pytest.TempPathFactory, sample_workbook: Path) -> Path:
    """A copy of the sample workbook after one press of Run Rebalancing (the tests below only read it)."""
    path = tmp_path_factory.mktemp("rebalanced") / sample_workbook.name
    shutil.copyfile(sample_workbook, path)
    handlers.run_rebalancing(FileWorkbook(path))
    return path


def test_rebalance_tab_against_compliance_and_hypo(rebalanced: Path) -> None:
    settings = run_model_settings(DealSession.from_workbook(rebalanced, DEAL))
    grid = FileWorkbook(rebalanced).read_sheet("Rebalance-Output")
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

    session = DealSession.from_workbook(rebalanced, DEAL)
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
        assert row[9] == ("Pass" if after[number].passed else "Fail")


def test_rebalance_tab_asset_rows_and_trade_attributes(rebalanced: Path) -> None:
    grid = FileWorkbook(rebalanced).read_sheet("Rebalance-Output")
    sheet = _all_assets(rebalanced)
    buys, sales = _assets(grid, "Assets To Purchase"), _assets(grid, "Assets To Sale")
    for r in (*buys, *sales):
        asset = sheet[str(r["BlackRock ID"])]
        assert r["Issue Name"] == asset["Issue Name"]
        assert _number(r["Market Value"]) == pytest.approx(_number(asset["Market Value"]) / 100, rel=1e-12)
        assert _number(r["Price"]) == pytest.approx(_number(r["Market Value"]), rel=1e-12)  # trades at MV
        assert (r["Coupon"], r["WAS"], r["WAL"]) == (asset["Coupon"], asset["Coupon Spread"], asset["WAL"])
        assert r["Moody's Recovery rate"] == asset["Moody's Recovery Rate-23"]
    # the attributes block: label column, then Purchases | Sales, recomputed from the rows above
    start = grid[0].index("Rebalance Trades' Attributes")
    block = {str(row[start]): row[start + 1 : start + 3] for row in grid[2:] if row[start] is not None}
    sides = (buys, sales)
    expected = {
        "Par Amount": [sum(_number(r["Par"]) for r in rows) for rows in sides],
        "Weighted Average Spread": [_weighted(rows, "WAS") for rows in sides],
        "Weighted Average Life": [_weighted(rows, "WAL") for rows in sides],
        "Weighted Average Recovery Rate": [_weighted(rows, "Moody's Recovery rate") for rows in sides],
        "Weighted Average Market Value": [_weighted(rows, "Market Value") for rows in sides],
    }
    for label, (bought, sold) in expected.items():
        assert block[label] == [pytest.approx(bought, rel=1e-9), pytest.approx(sold, rel=1e-9)], label
    factors = [
        sum(_number(r["Par"]) * MOODYS_FACTORS[str(r["Moody's Rating"])] for r in rows)
        / sum(_number(r["Par"]) for r in rows)
        for rows in sides
    ]
    assert block["Weighted Average Rating"] == [pytest.approx(f, rel=1e-9) for f in factors]


def test_rebalance_tab_reports_par_build_and_legacy_effects(rebalanced: Path) -> None:
    """Each asset row carries the cash of its lots and the par they built or burnt (par − cash for a buy,
    cash − par for a sale: a buy above par burns par); the legacy switches that moved a figure of the run
    are listed under the blocks."""
    grid = FileWorkbook(rebalanced).read_sheet("Rebalance-Output")
    for title, side in (("Assets To Purchase", 1.0), ("Assets To Sale", -1.0)):
        for r in _assets(grid, title):
            par, price, cash = (_number(r[k]) for k in ("Par", "Price", "Cash"))
            assert cash == pytest.approx(par * price, rel=1e-9)
            assert _number(r["Par Build"]) == pytest.approx(side * (par - cash), abs=1e-6)
    cells = [str(v) for row in grid for v in row if v is not None]
    assert "Legacy effects in these figures" in cells
    assert any(c.startswith("⚠ Q26_PRICE_BLIND_SCORES") for c in cells)
